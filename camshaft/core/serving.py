"""How the store is served: the one gunicorn command line that
`camshaft serve` runs and `camshaft loadtest` measures, so the load test
always measures what a store runs."""

import os
import sys


def shares_channel_layer() -> bool:
    """Whether the live chat's channel layer joins sockets held by different
    processes. The in-memory layer does not: its sockets meet only inside
    one process."""
    from django.conf import settings

    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    return backend != "channels.layers.InMemoryChannelLayer"


def app_workers(wanted: int) -> int:
    """How many app processes to run: as many as asked when the channel
    layer crosses processes, else one."""
    return max(1, wanted) if shares_channel_layer() else 1


def gunicorn_command(*, bind: str, workers: int, access_log: bool = True) -> list[str]:
    """gunicorn serving the ASGI application (pages, API and the chat's
    WebSockets, B4) with uvicorn's worker."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "camshaft.asgi:application",
        "--worker-class",
        "uvicorn_worker.UvicornWorker",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--timeout",
        "60",
        # Keep idle connections open longer than a client or proxy waits
        # between requests: at gunicorn's 2 s a reused connection could be
        # closed under the client's feet (resets seen under load).
        "--keep-alive",
        "75",
    ]
    if access_log:
        command += [
            "--access-logfile",
            "-",
            "--logger-class",
            "camshaft.core.logging.AccessLogger",
        ]
    return command


def server_env() -> dict[str, str]:
    from django.conf import settings

    module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE
    return {**os.environ, "DJANGO_SETTINGS_MODULE": module}
