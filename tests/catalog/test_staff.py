"""B1 for the catalogue: staff sign in at /staff/ and edit parts; search follows."""

import pytest
from django.urls import reverse

from camshaft.search.selectors import search_parts
from tests.factories import PartFactory, StockLevelFactory

pytestmark = pytest.mark.django_db


def change_form_data(client, part, **changes) -> tuple[str, dict]:
    """The admin change form for `part` as it stands, with `changes` applied
    and no inline rows unless the caller gives them."""
    url = reverse("admin:catalog_part_change", args=[part.id])
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(
        {
            "brand": part.brand_id,
            "category": part.category_id,
            "attributes": "{}",
            "core_charge": "",
            "stock_levels-TOTAL_FORMS": "0",
            "stock_levels-INITIAL_FORMS": "0",
            "fitments-TOTAL_FORMS": "0",
            "fitments-INITIAL_FORMS": "0",
        }
    )
    data.update(changes)
    return url, data


def test_B1_staff_back_office_needs_a_sign_in(client):
    reply = client.get("/staff/catalog/part/")
    assert reply.status_code == 302 and "/staff/login/" in reply["Location"]


def test_B1_staff_edit_a_part_and_search_follows(staff_client, django_capture_on_commit_callbacks):
    part = PartFactory(name="Water Pump", sku="WP-1")
    stock = StockLevelFactory(part=part, quantity=2)
    url, data = change_form_data(
        staff_client,
        part,
        name="Water Pump with Gasket",
        **{
            "stock_levels-TOTAL_FORMS": "1",
            "stock_levels-INITIAL_FORMS": "1",
            "stock_levels-0-id": stock.id,
            "stock_levels-0-part": part.id,
            "stock_levels-0-warehouse": stock.warehouse_id,
            "stock_levels-0-quantity": "7",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply = staff_client.post(url, data)
    assert reply.status_code == 302, reply.context["adminform"].form.errors
    part.refresh_from_db()
    assert part.name == "Water Pump with Gasket"
    assert [p.sku for p in search_parts(query="gasket").items] == ["WP-1"]


def test_B1_staff_refused_a_negative_price(staff_client):
    part = PartFactory()
    url, data = change_form_data(staff_client, part, price="-5")
    reply = staff_client.post(url, data)
    assert reply.status_code == 200  # the form comes back with the error
    part.refresh_from_db()
    assert part.price > 0
