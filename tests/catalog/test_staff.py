"""B1 for the catalogue: staff sign in at /staff/ and edit parts; search follows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from camshaft.catalog.models import PartImage
from camshaft.search.selectors import search_parts
from tests.factories import PartFactory, StockLevelFactory, add_pictures, picture_bytes

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
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
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


def picture_rows(part, rows: list[dict]) -> dict:
    data = {"images-TOTAL_FORMS": str(len(rows)), "images-INITIAL_FORMS": str(len(rows))}
    for n, row in enumerate(rows):
        data.update({f"images-{n}-{key}": value for key, value in row.items()})
        data[f"images-{n}-part"] = part.id
    return data


def test_C7_staff_upload_several_pictures_at_once(staff_client):
    part = PartFactory()
    url, data = change_form_data(staff_client, part)
    files = [
        SimpleUploadedFile(f"side-{n}.png", picture_bytes(color=(n * 40, 0, 0)), "image/png")
        for n in range(3)
    ]
    reply = staff_client.post(url, {**data, "add_pictures": files})
    assert reply.status_code == 302, reply.context["adminform"].form.errors
    rows = list(PartImage.objects.filter(part=part))
    assert [(r.position, r.is_primary) for r in rows] == [(0, True), (1, False), (2, False)]


def test_C7_staff_upload_of_a_non_picture_is_refused_with_its_name(staff_client):
    part = PartFactory()
    url, data = change_form_data(staff_client, part)
    bad = SimpleUploadedFile("notes.png", b"just text", "image/png")
    reply = staff_client.post(url, {**data, "add_pictures": [bad]})
    assert reply.status_code == 200
    assert "notes.png: The file is not a picture" in reply.content.decode()
    assert not PartImage.objects.filter(part=part).exists()


def test_C7_staff_reorder_pick_primary_and_delete_pictures(staff_client):
    part = PartFactory()
    a, b, c = add_pictures(part, count=3)
    url, data = change_form_data(staff_client, part)
    data.update(
        picture_rows(
            part,
            [
                {"id": a.id, "position": "2", "is_primary": ""},
                {"id": b.id, "position": "1", "is_primary": "on", "DELETE": ""},
                {"id": c.id, "position": "0", "DELETE": "on"},
            ],
        )
    )
    reply = staff_client.post(url, data)
    assert reply.status_code == 302, reply.context["inline_admin_formsets"]
    rows = list(PartImage.objects.filter(part=part))
    assert [(r.id, r.position, r.is_primary) for r in rows] == [(b.id, 0, True), (a.id, 1, False)]


def test_C7_staff_cannot_mark_two_pictures_primary(staff_client):
    part = PartFactory()
    a, b = add_pictures(part, count=2)
    url, data = change_form_data(staff_client, part)
    data.update(
        picture_rows(
            part,
            [
                {"id": a.id, "position": "0", "is_primary": "on"},
                {"id": b.id, "position": "1", "is_primary": "on"},
            ],
        )
    )
    reply = staff_client.post(url, data)
    assert reply.status_code == 200 and "Choose one primary picture." in reply.content.decode()
    assert PartImage.objects.get(is_primary=True) == a
