"""I1: staff keep warehouses and their stock in the back office; the part
page says what a shopper can expect from it."""

import pytest
from django.urls import reverse

from camshaft.inventory.models import StockLevel, Warehouse
from tests.factories import PartFactory

pytestmark = pytest.mark.django_db


def test_I1_staff_add_a_warehouse_and_its_stock_and_the_part_page_follows(staff_client, client):
    part = PartFactory(lead_time_days=6)
    assert (
        "usually back within 6 business days"
        in client.get(reverse("part", args=[part.sku])).content.decode()
    )
    added = staff_client.post(
        reverse("admin:inventory_warehouse_add"),
        {
            "code": "RTM",
            "name": "Rotterdam Distribution Center",
            "street": "Waalhaven 1",
            "city": "Rotterdam",
            "state": "",
            "postal_code": "3089",
            "country": "NL",
            "latitude": "51.8885",
            "longitude": "4.4449",
            "is_active": "on",
        },
    )
    assert added.status_code == 302
    warehouse = Warehouse.objects.get(code="RTM")
    stocked = staff_client.post(
        reverse("admin:inventory_stocklevel_add"),
        {"part": part.pk, "warehouse": warehouse.pk, "quantity": "7"},
    )
    assert stocked.status_code == 302
    assert StockLevel.objects.get(part=part, warehouse=warehouse).quantity == 7
    page = client.get(reverse("part", args=[part.sku])).content.decode()
    assert "In stock, ships in 24 hours" in page
    assert "Rotterdam Distribution Center (NL): 7 available" in page
