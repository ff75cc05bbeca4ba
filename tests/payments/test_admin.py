"""The back office shows payments with their transactions, read-only (Y2, Y3)."""

from decimal import Decimal

import pytest

from camshaft.payments import services
from tests.payments.conftest import VISA

pytestmark = pytest.mark.django_db


def test_Y3_back_office_shows_last4_and_transactions_but_no_card_number(
    admin_client, admin_user, tokenize
):
    card = tokenize(VISA)
    saved = services.save_card(user=admin_user, card=card)
    payment = services.authorize_card_payment(
        amount=Decimal("12.50"), currency="USD", card=card, idempotency_key="authorize:admin"
    )
    services.capture_payment(payment=payment, amount=Decimal("12.50"), idempotency_key="cap:a")

    listing = admin_client.get("/staff/payments/payment/")
    page = admin_client.get(f"/staff/payments/payment/{payment.pk}/change/")
    saved_page = admin_client.get(f"/staff/payments/savedcard/{saved.pk}/change/")
    for response in (listing, page, saved_page):
        assert response.status_code == 200
        assert "4242424242424242" not in response.content.decode()
    assert "cap:a" in page.content.decode()  # the capture transaction is listed
    # and the authorization it was taken from (O2: a payment may hold several)
    assert "Authorizations" in page.content.decode()
    assert "4242" in saved_page.content.decode()
    assert card.token not in saved_page.content.decode()
    assert admin_client.get("/staff/payments/payment/add/").status_code == 403
