"""Reads about abusive clients (V11)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from camshaft.abuse.models import AbusiveClient


@dataclass(frozen=True)
class Standing:
    slowed_until: datetime
    cleared_at: datetime | None

    def forgiven_at(self, *, now: datetime, window: int) -> bool:
        """Whether staff cleared the client within the last `window` seconds."""
        return self.cleared_at is not None and now - self.cleared_at < timedelta(seconds=window)


def standing_of(*, client: str) -> Standing | None:
    """The penalty on record for a client digest, if any (one indexed read)."""
    row = (
        AbusiveClient.objects.filter(client_digest=client)
        .values_list("slowed_until", "cleared_at")
        .first()
    )
    return Standing(*row) if row else None
