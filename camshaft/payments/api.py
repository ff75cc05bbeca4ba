"""JSON API for the payments app: a member's saved cards (A3, Y3)."""

from django.http import HttpRequest
from ninja import Router, Schema

from camshaft.accounts.api_auth import TokenAuth
from camshaft.core.api_schemas import RecordId, no_content, responses
from camshaft.payments import selectors, services
from camshaft.payments.models import SavedCard

router = Router(tags=["payments"], auth=TokenAuth())


class SavedCardOut(Schema):
    id: int
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@router.get("/me/cards", response=responses(list[SavedCardOut], 401))
def my_cards(request: HttpRequest):
    """The member's saved cards: brand, last four and expiry, never the number."""
    return list(selectors.saved_cards_of(user=request.auth))


@router.delete("/me/cards/{card_id}", response=no_content(401, 404))
def delete_card(request: HttpRequest, card_id: RecordId):
    try:
        services.delete_saved_card(user=request.auth, card_id=card_id)
    except SavedCard.DoesNotExist:
        return 404, {"detail": "No such saved card."}
    return 204, None
