"""JSON API for the newsletter and a member's email preferences (N1-N3, A3)."""

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import StrictBool

from camshaft.abuse import services as abuse
from camshaft.abuse.decorators import api_rate_limited
from camshaft.accounts.api_auth import TokenAuth
from camshaft.consent import selectors as consent
from camshaft.core.api_schemas import InputSchema, Text, answering, refused_on_meaning, responses
from camshaft.notifications import services

router = Router(tags=["email"])

Token = Text(500, description="The token from the mail's link.")


class SubscribeIn(InputSchema):
    email: Text(254)
    agree: StrictBool = Field(description="The person agreed to receive the newsletter.")


class LinkTokenIn(InputSchema):
    token: Token


class DetailOut(Schema):
    detail: str


class PreferencesOut(Schema):
    newsletter: Literal["not_subscribed", "pending", "confirmed", "unsubscribed"]
    do_not_send: bool = Field(description="Only order status mail is sent to this address.")


class PreferencesIn(InputSchema):
    newsletter: StrictBool
    do_not_send: StrictBool


@router.post(
    "/newsletter/subscribe",
    response=answering(202, DetailOut, 429),
    openapi_extra=refused_on_meaning("the email address is not valid", "agree is false"),
)
@api_rate_limited(abuse.NEWSLETTER)
def subscribe(request: HttpRequest, body: SubscribeIn):
    """Ask for the newsletter. Nothing is sent until the owner of the address
    confirms from the mail this sends (double opt-in)."""
    if not body.agree:
        return 422, {
            "detail": "The request is not valid.",
            "errors": [{"field": "agree", "message": "Agree to receive the newsletter."}],
        }
    services.subscribe(email=body.email, source="api")
    return 202, {"detail": "Check your inbox: confirm from the mail we sent."}


@router.post("/newsletter/confirm", response=responses(DetailOut, 404))
def confirm(request: HttpRequest, body: LinkTokenIn):
    """Confirm a subscription with the token of the confirmation mail's link
    (valid 7 days). A token that is not valid (any more) is a 404."""
    try:
        services.confirm_subscription(token=body.token)
    except services.SubscriptionProblem as problem:
        return 404, {"detail": " ".join(problem.messages)}
    return {"detail": "Subscribed."}


@router.post("/newsletter/unsubscribe", response=responses(DetailOut, 404))
def unsubscribe(request: HttpRequest, body: LinkTokenIn):
    """Unsubscribe with the token of a marketing mail's link (valid 30 days).
    A token that is not valid (any more) is a 404."""
    try:
        services.unsubscribe_by_link(token=body.token, via="api")
    except services.SubscriptionProblem as problem:
        return 404, {"detail": " ".join(problem.messages)}
    return {"detail": "Unsubscribed. Order updates still come."}


@router.get("/me/email-preferences", auth=TokenAuth(), response=responses(PreferencesOut, 401))
def get_preferences(request: HttpRequest):
    return consent.preferences_of(request.auth.email)


@router.put(
    "/me/email-preferences",
    auth=TokenAuth(),
    response=responses(PreferencesOut, 401),
    openapi_extra=refused_on_meaning("newsletter and do_not_send are both true"),
)
def set_preferences(request: HttpRequest, body: PreferencesIn):
    """Turn the newsletter on (a confirmation mail follows) or off, and put the
    address on the do-not-send list (order status mail only) or take it off."""
    return services.set_email_preferences(
        user=request.auth, newsletter=body.newsletter, do_not_send=body.do_not_send, source="api"
    )
