"""Authentication for API routers (B2): `auth=TokenAuth()` for bearer tokens,
`auth=SessionOrToken()` to also accept a signed-in browser session. Either
sets `request.auth` to the User."""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from camshaft.accounts import selectors
from camshaft.accounts.models import ApiToken
from camshaft.accounts.services import hash_token
from camshaft.cart import cookie as cart_cookie

# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str):
        if not token or len(token) > 200:
            return None
        api_token = selectors.token_for_key(key_hash=hash_token(token))
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.api_token = api_token
        request.user = api_token.user
        return api_token.user


class SessionOrToken(TokenAuth):
    """A bearer token if one is sent, else the browser session (with Django's
    CSRF check on unsafe methods, as ninja's SessionAuth does)."""

    def __call__(self, request: HttpRequest):
        user = super().__call__(request)
        if user is not None:
            return user
        return SessionAuth()(request)


#: A request that changes something on the strength of a cookie alone (the
#: session, or a guest's cart) must prove it comes from the store's own
#: pages: another site's form or script cannot send these headers.
CSRF_FAILED = (
    "The CSRF check failed: send the X-CSRFToken header (the csrftoken the store's "
    "pages carry), or authenticate with a bearer token or X-Cart-Token instead of cookies."
)


def _check_cookie_request(request: HttpRequest) -> None:
    if request.method not in SAFE_METHODS and check_csrf(request):
        raise HttpError(403, CSRF_FAILED)


class Shopper(TokenAuth):
    """For endpoints guests use too (cart, checkout, order lookup): a bearer
    token when one is sent (a wrong one is a 401), else the signed-in browser
    session, else an anonymous guest, whose cart travels in the X-Cart-Token
    header or the cart cookie. Unsafe methods that rely on a cookie (the
    session, or the cart cookie without the header) pass Django's CSRF check."""

    def __call__(self, request: HttpRequest):
        if request.headers.get("Authorization"):
            return super().__call__(request)
        if request.user.is_authenticated:
            _check_cookie_request(request)
            return request.user
        if request.COOKIES.get(cart_cookie.COOKIE) and cart_cookie.HEADER not in request.META:
            _check_cookie_request(request)
        request.user = AnonymousUser()
        return request.user
