"""O2 at checkout: a member who saves a card may allow the store to charge
it for the difference when they later ask to add to the order; a guest is
never asked, and nothing is allowed unless ticked."""

import pytest
from django.urls import reverse

from camshaft.orders.models import Order
from camshaft.payments.models import SavedCard
from tests.shopping import stocked_part, web_address_form, web_card_form

pytestmark = pytest.mark.django_db


def to_payment(client):
    client.post(reverse("cart_add"), {"sku": stocked_part().sku, "quantity": "1"})
    client.post(reverse("checkout_address"), web_address_form())
    client.post(reverse("checkout_shipping"), {"shipping_method": "standard"})
    return client.get(reverse("checkout_payment"))


def place(client):
    review = client.get(reverse("checkout_review"))
    form = review.context["form"]
    client.post(
        reverse("checkout_review"),
        {
            "idempotency_key": form.initial["idempotency_key"],
            "expected_total": str(form.initial["expected_total"]),
        },
    )


@pytest.mark.parametrize("ticked", [True, False])
def test_O2_change_member_allows_a_saved_card_to_pay_for_changes_only_when_ticked(
    client, django_user_model, ticked
):
    member = django_user_model.objects.create_user(email="m@example.com", password="x-long-pass")
    client.force_login(member)
    page = to_payment(client)
    assert 'name="allow_off_session"' in page.content.decode()
    extra = {"save_card": "on", **({"allow_off_session": "on"} if ticked else {})}
    chosen = client.post(reverse("checkout_payment"), {**web_card_form(), **extra})
    assert chosen.status_code == 302
    place(client)
    saved = SavedCard.objects.get(user=member)
    assert saved.off_session_allowed is ticked
    assert Order.objects.get().payment.saved_card == saved


def test_O2_change_a_guest_is_not_asked_and_allowing_without_saving_allows_nothing(client):
    page = to_payment(client)
    assert 'name="allow_off_session"' not in page.content.decode()
    chosen = client.post(
        reverse("checkout_payment"), {**web_card_form(), "allow_off_session": "on"}
    )
    assert chosen.status_code == 302
    place(client)
    assert not SavedCard.objects.exists()
    assert Order.objects.get().payment.saved_card is None
