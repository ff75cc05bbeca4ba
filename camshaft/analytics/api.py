"""JSON API: an app's analytics consent (V2). Apps keep the pseudonymous id
they get here and send it as X-Analytics-Id; without it nothing is recorded."""

from django.http import HttpRequest
from ninja import Field, Header, Router, Schema
from pydantic import StrictBool

from camshaft.accounts.api_auth import Shopper
from camshaft.analytics import cookies, selectors, services
from camshaft.analytics.models import Channel
from camshaft.consent.services import current_policy
from camshaft.core.api_schemas import NO_NUL, InputSchema, responses

router = Router(tags=["Privacy"])


def _id_header():
    return Header(
        None,
        alias=cookies.VISITOR_HEADER,
        max_length=200,
        pattern=NO_NUL,
        description="The id from an earlier PUT, if the app holds one.",
    )


class CookiesIn(InputSchema):
    analytics: StrictBool = Field(
        ..., description="Allow aggregate analytics (true) or not (false)"
    )


class CookiesOut(Schema):
    analytics: bool
    visitor_id: str | None = Field(
        description="Send it as X-Analytics-Id with every request while analytics is on; "
        "discard it when this is null."
    )
    policy_version: str = Field(description="The privacy policy version in force")


def _out(analytics: bool, visitor_id: str | None) -> CookiesOut:
    return CookiesOut(
        analytics=analytics, visitor_id=visitor_id, policy_version=current_policy().version
    )


def _visitor(request: HttpRequest, header: str | None):
    visitor = selectors.active_visitor(cookies.unsign(header))
    if visitor is None and request.auth.is_authenticated:
        visitor = selectors.member_api_visitor(request.auth)
    return visitor


@router.get("/privacy/cookies", response=responses(CookiesOut, 401), auth=Shopper())
def show(request: HttpRequest, analytics_id: str | None = _id_header()):
    """Whether this app (the X-Analytics-Id it sends, or a member's own app
    consent) allows analytics. Necessary cookies need no consent."""
    visitor = _visitor(request, analytics_id)
    return _out(visitor is not None, cookies.sign(visitor.key) if visitor else None)


@router.put("/privacy/cookies", response=responses(CookiesOut, 401), auth=Shopper())
def choose(request: HttpRequest, body: CookiesIn, analytics_id: str | None = _id_header()):
    """Allow or refuse analytics. Allowing returns the pseudonymous id to
    send as X-Analytics-Id; refusing withdraws it and stops all recording.
    The choice is recorded with the policy version and, for a member, as
    their consent (V1)."""
    current = _visitor(request, analytics_id)
    visitor = services.choose_analytics(
        analytics=body.analytics,
        channel=Channel.API,
        user=request.auth,
        visitor_key=current.key if current else None,
    )
    return _out(visitor is not None, cookies.sign(visitor.key) if visitor else None)
