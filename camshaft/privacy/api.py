"""JSON API for the privacy app."""

from django.http import HttpRequest
from ninja import Router, Schema

from camshaft.privacy import selectors

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
    return list(selectors.SHARING_REGISTER)
