"""JSON API for accounts: tokens, registration, profile, addresses (A1-A3, B2)."""

from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from pydantic import StrictBool

from camshaft.abuse import services as abuse
from camshaft.abuse.clients import client_address
from camshaft.abuse.decorators import api_rate_limited
from camshaft.accounts import selectors, services
from camshaft.accounts.api_auth import TokenAuth
from camshaft.accounts.models import Address
from camshaft.consent.services import current_policy
from camshaft.core.api_schemas import (
    CountryCode,
    Day,
    InputSchema,
    PostalAddressIn,
    RecordId,
    Text,
    answering,
    created,
    no_content,
    refused_on_meaning,
    responses,
)

router = Router(tags=["accounts"])

Short = Text(200)


class TokenIn(InputSchema):
    email: Text(254)
    password: Text(200)
    device_token: Text(500) = Field(
        "",
        description="The device_token this app got at its last sign-in to this account: "
        "strangers' wrong passwords then never lock it out (A2).",
    )


class PasswordResetIn(InputSchema):
    email: Text(254)


class AcceptedOut(Schema):
    detail: str


class TokenOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>`. Shown only once.")
    prefix: str
    user_id: int
    device_token: str = Field(
        description="Keep it, and send it with the next sign-in to this account (A2)."
    )


class RegisterIn(InputSchema):
    email: Text(254)
    password: Text(200)
    date_of_birth: Day
    accepted_policy_version: Text(20, description="The version from GET /api/v1/accounts/policy.")
    first_name: Text(150) = ""
    last_name: Text(150) = ""


class PolicyOut(Schema):
    version: str
    summary: str
    body: str
    effective_at: datetime


class MeOut(Schema):
    id: int
    email: str
    #: Whether a link mailed to the address was opened: only then are the
    #: guest orders placed under it this account's (V3, V4).
    email_verified: bool
    first_name: str
    last_name: str
    phone: str
    date_of_birth: date | None

    @staticmethod
    def resolve_email_verified(user) -> bool:
        return user.email_verified_at is not None


class MePatch(InputSchema):
    first_name: Text(150) | None = None
    last_name: Text(150) | None = None
    phone: Text(30) | None = None
    date_of_birth: Day | None = None


class AddressOut(Schema):
    id: int
    full_name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str
    default_billing: bool
    default_shipping: bool


class AddressIn(PostalAddressIn):
    default_billing: StrictBool = False
    default_shipping: StrictBool = False


class AddressPatch(InputSchema):
    full_name: Text(150) | None = None
    line1: Short | None = None
    line2: Short | None = None
    city: Text(100) | None = None
    region: Text(100) | None = None
    postal_code: Text(20) | None = None
    country: CountryCode | None = None
    phone: Text(30) | None = None
    default_billing: StrictBool | None = None
    default_shipping: StrictBool | None = None


def _present(schema: Schema) -> dict:
    """The fields a PATCH body actually set; an explicit null is not a value."""
    return {k: v for k, v in schema.dict(exclude_unset=True).items() if v is not None}


def _locked(response: HttpResponse, locked: services.SignInLocked) -> tuple[int, dict]:
    response["Retry-After"] = str(locked.retry_after_seconds())
    return 429, {"detail": locked.message}


@router.post("/auth/token", response=responses(TokenOut, 401, 429))
@api_rate_limited(abuse.SIGN_IN)
def create_token(request: HttpRequest, response: HttpResponse, body: TokenIn):
    """Exchange email and password for a bearer token. Repeated failures lock
    the account or the client for a while, and so do too many tries from one
    client or for one account (429 with Retry-After), except for an app that
    sends the device_token of its last sign-in to this account: strangers'
    tries never lock it out; only its own failures do."""
    if not services.trusted_device(token=body.device_token, email=body.email):
        abuse.check_account(request=request, door=abuse.SIGN_IN, account=body.email)
    try:
        user = services.check_credentials(
            email=body.email,
            password=body.password,
            client_ip=client_address(request),
            device_token=body.device_token,
            request=request,
        )
    except services.SignInLocked as locked:
        return _locked(response, locked)
    except services.InvalidCredentials as wrong:
        return 401, {"detail": wrong.message}
    issued = services.issue_api_token(user=user)
    return {
        "token": issued.key,
        "prefix": issued.token.prefix,
        "user_id": user.pk,
        "device_token": services.issue_device_token(email=user.email),
    }


@router.post("/auth/password-reset", response=answering(202, AcceptedOut, 429))
@api_rate_limited(abuse.PASSWORD_RESET)
def request_password_reset(request: HttpRequest, body: PasswordResetIn):
    """Mail a link to choose a new password (opened in the browser). The
    answer is the same whether or not an account has this email. Too many
    requests from one client or for one email are a 429 with Retry-After."""
    abuse.check_account(request=request, door=abuse.PASSWORD_RESET, account=body.email)
    services.request_password_reset(email=body.email, origin=request.build_absolute_uri("/"))
    return 202, {
        "detail": "If an account has this email, a link to reset its password is on its way."
    }


@router.delete("/auth/token", auth=TokenAuth(), response=no_content(401))
def revoke_token(request: HttpRequest):
    """Revoke the token this request was made with."""
    services.revoke_api_token(token=request.api_token)
    return 204, None


@router.get("/accounts/policy", response=responses(PolicyOut))
def privacy_policy(request: HttpRequest):
    """The privacy policy in force: registering means accepting this version."""
    return current_policy()


@router.post(
    "/accounts",
    response=created(MeOut, 429),
    openapi_extra=refused_on_meaning(
        "the email address is not valid or already has an account",
        "the password is under 10 characters, a common one, only digits or like the email",
        "accepted_policy_version is not the version in force",
        "the date of birth is under 13 years ago or over 120",
    ),
)
@api_rate_limited(abuse.REGISTRATION)
def register(request: HttpRequest, body: RegisterIn):
    """Create an account. Consent to the current privacy policy is required
    and recorded; under 13 is refused. Too many from one client: 429."""
    user = services.register(
        email=body.email,
        password=body.password,
        date_of_birth=body.date_of_birth,
        accepted_policy_version=body.accepted_policy_version,
        channel="api",
        first_name=body.first_name,
        last_name=body.last_name,
    )
    return 201, user


@router.get("/me", auth=TokenAuth(), response=responses(MeOut, 401))
def me(request: HttpRequest):
    return request.auth


@router.patch(
    "/me",
    auth=TokenAuth(),
    response=responses(MeOut, 401),
    openapi_extra=refused_on_meaning(
        "the phone number is not valid", "the date of birth is under 13 years ago or over 120"
    ),
)
def update_me(request: HttpRequest, body: MePatch):
    return services.update_profile(user=request.auth, changes=_present(body))


@router.post(
    "/me/email-confirmation", auth=TokenAuth(), response=answering(202, AcceptedOut, 401, 429)
)
def resend_email_confirmation(request: HttpRequest, response: HttpResponse):
    """Mail the link that confirms the account's address again; asked again
    within a minute: 429 with Retry-After."""
    try:
        services.send_email_confirmation(user=request.auth)
    except services.CodeSentRecently as soon:
        response["Retry-After"] = str(soon.wait_seconds)
        return 429, {"detail": soon.message}
    return 202, {"detail": f"A link to confirm {request.auth.email} is on its way."}


@router.get("/me/addresses", auth=TokenAuth(), response=responses(list[AddressOut], 401))
def my_addresses(request: HttpRequest):
    return list(selectors.addresses_of(user=request.auth))


@router.post(
    "/me/addresses",
    auth=TokenAuth(),
    response=created(AddressOut, 401),
    openapi_extra=refused_on_meaning(
        "a required field is only spaces",
        "the country is not one we know",
        "the postal code or phone number does not fit",
    ),
)
def add_address(request: HttpRequest, body: AddressIn):
    return 201, services.save_address(user=request.auth, changes=body.dict())


@router.patch(
    "/me/addresses/{address_id}",
    auth=TokenAuth(),
    response=responses(AddressOut, 401, 404),
    openapi_extra=refused_on_meaning(
        "a required field is only spaces",
        "the country is not one we know",
        "the postal code or phone number does not fit",
    ),
)
def change_address(request: HttpRequest, address_id: RecordId, body: AddressPatch):
    try:
        return services.save_address(
            user=request.auth, changes=_present(body), address_id=address_id
        )
    except Address.DoesNotExist:
        return 404, {"detail": "No such address in your address book."}


@router.delete(
    "/me/addresses/{address_id}",
    auth=TokenAuth(),
    response=no_content(401, 404),
)
def delete_address(request: HttpRequest, address_id: RecordId):
    try:
        services.delete_address(user=request.auth, address_id=address_id)
    except Address.DoesNotExist:
        return 404, {"detail": "No such address in your address book."}
    return 204, None
