"""The guest cart's token travels in a signed cookie (a necessary cookie, V2)."""

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "cart"
SALT = "camshaft.cart"
MAX_AGE = 60 * 60 * 24 * 90
HEADER = "HTTP_X_CART_TOKEN"  # API clients without cookies send X-Cart-Token


def token_from(request: HttpRequest) -> str | None:
    raw = request.COOKIES.get(COOKIE) or request.META.get(HEADER)
    if not raw:
        return None
    try:
        return signing.loads(raw, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None


def signed(token: str) -> str:
    return signing.dumps(token, salt=SALT)


def remember(response: HttpResponse, token: str) -> None:
    response.set_cookie(
        COOKIE,
        signed(token),
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
