"""The app server's worker: uvicorn's gunicorn worker, with a WebSocket
frame limit fit for the store. uvicorn reads frames of up to 16 MiB by
default; the largest the live chat takes is about 13 KB (chat.consumers
refuses bigger ones after reading), so the server stops reading a socket's
frame well before that costs memory."""

from uvicorn_worker import UvicornWorker

#: The largest WebSocket frame the server reads, in bytes.
WS_MAX_BYTES = 64 * 1024


class StoreWorker(UvicornWorker):
    CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "ws_max_size": WS_MAX_BYTES}
