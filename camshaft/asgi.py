"""ASGI entry point: the pages and API over HTTP, the live chat over
WebSockets (Django Channels). `camshaft serve` runs it under gunicorn with
uvicorn's worker; see docs/operations.md."""

import logging
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "camshaft.settings")
# Django is set up before anything imports a model.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from camshaft.chat.routing import websocket_urlpatterns  # noqa: E402
from camshaft.core.logging import UvicornAccessLine  # noqa: E402

# V8: uvicorn's access lines keep no query string and no link token.
logging.getLogger("uvicorn.access").addFilter(UvicornAccessLine())

application = ProtocolTypeRouter(
    {
        "http": django_application,
        # A page of another site may not open a socket with our cookies.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
