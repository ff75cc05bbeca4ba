"""JSON API for the privacy app."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from camshaft.accounts.api_auth import TokenAuth
from camshaft.consent import sharing
from camshaft.core.api_schemas import InputSchema, Text, refused_on_meaning, responses
from camshaft.privacy import services
from camshaft.privacy.views import zip_download

router = Router(tags=["privacy"])


# --- Sharing register (V10) --------------------------------------------------


class SharedFieldOut(Schema):
    name: str
    description: str


class DataRecipientOut(Schema):
    code: str
    kind: str
    parties: list[str]
    purpose: str
    fields: list[SharedFieldOut]


@router.get("/privacy/sharing-register", response=list[DataRecipientOut])
def sharing_register(request: HttpRequest):
    """Which outside parties receive which fields of a shopper's data (V10)."""
    return list(sharing.SHARING_REGISTER)


# --- Download my data (V3), Delete my account (V4) ---------------------------


class DeleteIn(InputSchema):
    password: Text(200)


class PrivacyDetailOut(Schema):
    detail: str


class DataRequestOut(Schema):
    kind: str
    status: str
    requested_at: datetime
    due_at: datetime
    completed_at: datetime | None


ZIP_RESPONSE = {
    "responses": {
        200: {
            "description": "A ZIP archive: data.json and one CSV file per section.",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.post(
    "/me/data-export",
    auth=TokenAuth(),
    response=responses(None, 401),
    openapi_extra=ZIP_RESPONSE,
)
def export_my_data(request: HttpRequest):
    """Everything held about the signed-in member, as a ZIP of JSON and CSV
    (V3). The request is recorded and answered at once."""
    archive = services.export_personal_data(user=request.auth, channel="api")
    return zip_download(archive, "my-data.zip")


@router.get("/me/data-requests", auth=TokenAuth(), response=responses(list[DataRequestOut], 401))
def my_data_requests(request: HttpRequest):
    return list(request.auth.data_requests.order_by("-requested_at"))


@router.post(
    "/me/delete",
    auth=TokenAuth(),
    response=responses(PrivacyDetailOut, 401, 409),
    openapi_extra=refused_on_meaning("the password is not the member's"),
)
def delete_my_account(request: HttpRequest, body: DeleteIn):
    """Erase the member's account and personal data (V4). Orders stay for the
    accounts, without name, address or email. 409 while an order is on its way."""
    try:
        services.delete_own_account(user=request.auth, password=body.password, channel="api")
    except services.ErasureBlocked as blocked:
        return 409, {"detail": blocked.messages[0]}
    return {"detail": "Your account is deleted. A last mail confirms it."}
