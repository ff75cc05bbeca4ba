"""A progress bar for long commands fed with (done, total) calls, as the
SQLite backup API and the PostgreSQL client programs report progress."""

from tqdm import tqdm


class ProgressBar:
    def __init__(self, description: str, *, enabled: bool = True):
        self._bar = tqdm(desc=description, unit="step", disable=not enabled, leave=False)

    def update(self, done: int, total: int) -> None:
        if total and self._bar.total != total:
            self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        self._bar.close()
