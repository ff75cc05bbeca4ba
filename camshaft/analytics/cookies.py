"""The two cookies of V2: the choice (necessary) and the pseudonymous id
(analytics, only after consent), and the list the cookie page explains."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from camshaft.cart import cookie as cart_cookie
from camshaft.catalog import recent
from camshaft.fitment import garage
from camshaft.pricing.cookie import COOKIE as CURRENCY_COOKIE

CHOICE_COOKIE = "cookie_consent"
ACCEPTED = "analytics"
REJECTED = "necessary"
VISITOR_COOKIE = "analytics_id"
VISITOR_HEADER = "X-Analytics-Id"  # app clients without cookies
SALT = "camshaft.analytics"
# Consent is asked again after 13 months, the longest a consent cookie should
# live under the EU regulators' guidance; the id cookie lives no longer.
MAX_AGE = 395 * 24 * 60 * 60


@dataclass(frozen=True)
class CookieInfo:
    name: str
    purpose: str
    lifetime: str


def _days(seconds: int) -> str:
    return f"{seconds // 86400} days"


def cookie_list() -> dict[str, list[CookieInfo]]:
    """What each cookie is for, as the cookie settings page shows it."""
    return {
        "necessary": [
            CookieInfo(
                settings.SESSION_COOKIE_NAME,
                "Keeps you signed in and remembers messages between pages.",
                f"Until you sign out, at most {_days(settings.SESSION_COOKIE_AGE)}",
            ),
            CookieInfo(
                settings.CSRF_COOKIE_NAME,
                "Proves that a form was sent from this site, not a forged one.",
                _days(settings.CSRF_COOKIE_AGE),
            ),
            CookieInfo(cart_cookie.COOKIE, "Remembers a guest's cart.", _days(cart_cookie.MAX_AGE)),
            CookieInfo(CURRENCY_COOKIE, "Remembers the currency you chose.", "One year"),
            CookieInfo(
                settings.GARAGE_COOKIE,
                "Remembers the vehicles in a guest's My Garage.",
                _days(garage.MAX_AGE),
            ),
            CookieInfo(
                recent.COOKIE,
                "Remembers the last few parts you looked at, to show them again on this "
                "browser. Nothing about it is kept on our side.",
                _days(recent.MAX_AGE),
            ),
            CookieInfo(CHOICE_COOKIE, "Remembers your choice on this page.", _days(MAX_AGE)),
        ],
        "analytics": [
            CookieInfo(
                VISITOR_COOKIE,
                "A random id, set only if you allow analytics, that lets us count pages, "
                "searches and checkouts per visit. Staff see totals only, never one "
                "person's visits.",
                f"{_days(MAX_AGE)}, or until you turn analytics off",
            ),
        ],
    }


def choice_from(request: HttpRequest) -> str | None:
    """ACCEPTED, REJECTED, or None while the visitor has not chosen."""
    value = request.COOKIES.get(CHOICE_COOKIE)
    return value if value in (ACCEPTED, REJECTED) else None


def sign(key: str) -> str:
    return signing.dumps(key, salt=SALT)


def unsign(value: str | None) -> str | None:
    if not value or len(value) > 200:
        return None
    try:
        key = signing.loads(value, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return key if isinstance(key, str) else None


def visitor_from(request: HttpRequest) -> str | None:
    """The consenting browser's pseudonymous id, or None: both the choice
    and the signed id must be there."""
    if choice_from(request) != ACCEPTED:
        return None
    return unsign(request.COOKIES.get(VISITOR_COOKIE))


def _set(response: HttpResponse, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def remember_choice(response: HttpResponse, *, analytics: bool, visitor_key: str | None) -> None:
    """Store the choice; set the id only with consent, delete it without."""
    _set(response, CHOICE_COOKIE, ACCEPTED if analytics else REJECTED)
    if analytics and visitor_key:
        _set(response, VISITOR_COOKIE, sign(visitor_key))
    else:
        response.delete_cookie(VISITOR_COOKIE, samesite="Lax")
