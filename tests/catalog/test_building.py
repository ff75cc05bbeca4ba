"""C1, C2, B3: the demo and the importer build catalogue rows one way (catalog/building.py)."""

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from camshaft.catalog import building
from camshaft.catalog.models import Brand, Category, Part
from tests.factories import BrandFactory, CategoryFactory

ROOT = Path(__file__).resolve().parents[2]


def part_values(**overrides) -> dict:
    values = dict(
        sku="BOS-0986494",
        brand_id=BrandFactory().pk,
        mpn="0 986 494-xx",
        name="QuietCast Brake Pads",
        description="Bosch brake pads.",
        category_id=CategoryFactory().pk,
        attributes={"position": "front", "wear_sensor": True},
        price=Decimal("54.99"),
        core_charge=None,
        weight_lb=Decimal("3.50"),
        length_in=Decimal("8.0"),
        width_in=Decimal("6.0"),
        height_in=Decimal("3.0"),
        condition="new",
        returnability="standard",
        freight_class="parcel",
        is_special_order=False,
        is_custom_made=False,
        is_hazardous=False,
        is_performance=False,
        lead_time_days=4,
        is_active=True,
        updated_at=building.stored_datetime(timezone.now()),
    )
    return values | overrides


@pytest.mark.django_db
def test_C1_part_row_stores_a_part_as_the_model_would():
    building.insert_rows(Part, building.PART_FIELDS, [building.part_row(**part_values())])

    part = Part.objects.get(sku="BOS-0986494")
    assert part.mpn_key == "0986494XX"  # derived from the MPN, as Part.save does
    assert part.attributes == {"position": "front", "wear_sensor": True}
    assert part.price == Decimal("54.99")
    assert part.lead_time_days == 4


def test_C1_part_row_follows_the_part_table():
    """A field added to Part must be added to part_row too, or rows would
    land in the wrong columns."""
    stored = [f.attname for f in Part._meta.concrete_fields if not f.primary_key]
    assert list(building.PART_FIELDS) == stored
    assert building.part_row.__kwdefaults__ == {"mpn_key": None}
    assert set(building.part_row.__annotations__) - {"return"} == set(stored)


@pytest.mark.django_db
def test_C2_category_row_has_the_path_and_depth_save_gives():
    top = Category(name="Brakes", slug="brakes")
    top.save()
    saved = Category(name="Brake Pads", slug="brake-pads", parent=top)
    saved.save()

    row = building.category_row("Brake Pads", parent_id=top.pk, parent_path=top.path)

    assert row == ("Brake Pads", "brake-pads", top.pk, saved.path, saved.depth)
    assert building.category_row("Brakes", parent_id=None, parent_path=None)[3:] == ("brakes", 0)


@pytest.mark.django_db
def test_C2_insert_rows_writes_more_rows_than_one_statement_holds():
    per_statement = building.SQLITE_MAX_VARIABLES // 2
    names = [f"Brand {i}" for i in range(per_statement + 10)]

    building.insert_rows(Brand, ("name", "slug"), [(n, building.slug(n)) for n in names])

    assert Brand.objects.count() == len(names)
    assert Brand.objects.filter(slug="brand-7").exists()


def test_B3_every_data_file_is_shipped_in_the_package():
    """The demo's word lists sit two levels down (catalog/demo/data/); the
    package-data patterns must reach every data/ folder."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["camshaft"]
    package = ROOT / "camshaft"
    shipped = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    data_files = {p for p in package.rglob("*") if p.parent.name == "data" and p.is_file()}

    assert package / "catalog" / "demo" / "data" / "brands.json" in data_files
    assert data_files <= shipped
