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
        "camshaft.core.workers.StoreWorker",
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


def on_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


#: Connections each app process keeps in its pool on PostgreSQL, unless
#: DB_POOL_SIZE says otherwise (0: one connection per request).
DEFAULT_POOL_SIZE = 8


def server_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The app server's environment: this one, with the settings module
    named and, on PostgreSQL, a connection pool per process unless
    DB_POOL_SIZE is set. Without one, each request in flight opened its own
    connection and 200 shoppers ran PostgreSQL out of clients."""
    from django.conf import settings

    env = dict(os.environ if environ is None else environ)
    env["DJANGO_SETTINGS_MODULE"] = env.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE
    if on_postgresql():
        env.setdefault("DB_POOL_SIZE", str(DEFAULT_POOL_SIZE))
    return env
