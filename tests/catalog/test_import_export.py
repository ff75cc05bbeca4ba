"""C2: bulk import and export of parts, vehicles and fitment (CSV and JSON Lines)."""

import io
import json
import textwrap
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from camshaft.catalog import exporting, importing
from camshaft.catalog.models import Brand, Category, Part
from camshaft.fitment.models import Engine, Fitment, Make, Submodel, Vehicle, VehicleModel
from camshaft.search.models import PendingIndexUpdate
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    FitmentFactory,
    PartFactory,
    VehicleFactory,
    VehicleModelFactory,
)

pytestmark = pytest.mark.django_db

PARTS_CSV = """\
sku,brand,mpn,name,description,category,price,core_charge,condition,hazardous,attributes
bp-100,Bosch,BP 100-A,Ceramic Pads,Quiet,Brakes > Brake Pads,49.99,,new,no,"{""axle"": ""front""}"
AL-200,Bosch,AL-200,Alternator,,Electrical > Charging > Alternators,189.50,45,reman,0,
BAT-300,Interstate,MT-34,AGM Battery,Sealed,Electrical > Batteries,199,,new,yes,{}
"""
BAD_PART_ROW = "BAD-1,Bosch,X,Bad,,Brakes,-5,,new,no,\n"  # line 5 after PARTS_CSV
VEHICLES_CSV = """\
year,make,model,submodel,engine
2012,Honda,Civic,LX,1.8L L4
2014,Ford,F-150,XLT,5.0L V8
"""
FITMENT_CSV = """\
sku,year,make,model,submodel,engine,position,quantity,note
BP-100,2012,Honda,Civic,LX,1.8L L4,front,1,
BP-100,2014,Ford,F-150,XLT,5.0L V8,Front,2,Except HD
al-200,2012,honda,civic,lx,1.8l l4,,1,
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def jsonl(tmp_path, name: str, records: list[dict]):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def import_catalogue(tmp_path):
    """Vehicles, parts and fitment from the three sample files above."""
    reports = {}
    for name, text in [
        ("vehicles.csv", VEHICLES_CSV),
        ("parts.csv", PARTS_CSV),
        ("fitment.csv", FITMENT_CSV),
    ]:
        reports[name] = importing.import_file(write(tmp_path, name, text))
    return reports


def rejected(path, **options) -> dict[int, str]:
    with pytest.raises(importing.ImportRejected) as caught:
        importing.import_file(path, **options)
    return {error.line: error.reason for error in caught.value.errors}


def catalogue_snapshot() -> dict:
    return {
        "parts": list(Part.objects.order_by("sku").values()),
        "brands": list(Brand.objects.order_by("id").values()),
        "categories": list(Category.objects.order_by("id").values()),
        "vehicles": list(Vehicle.objects.order_by("id").values()),
        "fitment": list(Fitment.objects.order_by("id").values()),
        "names": [
            list(model.objects.order_by("id").values())
            for model in (Make, VehicleModel, Submodel, Engine)
        ],
    }


def test_C2_import_creates_parts_with_brands_and_categories(tmp_path):
    report = importing.import_file(write(tmp_path, "parts.csv", PARTS_CSV))

    assert report.counts["part"] == importing.Counts(created=3)
    pads = Part.objects.select_related("brand", "category").get(sku="BP-100")
    assert pads.brand.name == "Bosch"
    assert pads.brand.slug == "bosch"
    assert pads.category.path == "brakes/brake-pads"
    assert pads.category.parent.name == "Brakes"
    assert pads.mpn_key == "BP100A"
    assert pads.price == Decimal("49.99")
    assert pads.core_charge is None
    assert pads.attributes == {"axle": "front"}
    alternator = Part.objects.get(sku="AL-200")
    assert alternator.category.path == "electrical/charging/alternators"
    assert alternator.core_charge == Decimal("45.00")
    assert alternator.condition == "reman"
    assert alternator.attributes == {}
    battery = Part.objects.get(sku="BAT-300")
    assert battery.is_hazardous
    assert battery.category.parent == alternator.category.parent.parent  # one "Electrical"
    assert Brand.objects.count() == 2


def test_C2_import_upserts_by_sku(tmp_path):
    existing = PartFactory(sku="BP-100", price=Decimal("10.00"), is_hazardous=True)

    report = importing.import_file(write(tmp_path, "parts.csv", PARTS_CSV))

    assert report.counts["part"] == importing.Counts(created=2, updated=1)
    existing.refresh_from_db()
    assert Part.objects.filter(sku__iexact="bp-100").count() == 1
    assert existing.price == Decimal("49.99")
    assert existing.name == "Ceramic Pads"
    assert existing.brand.name == "Bosch"
    assert not existing.is_hazardous


def test_C2_absent_column_keeps_value_and_blank_means_default(tmp_path):
    part = PartFactory(sku="BP-100", is_performance=True, weight_lb=Decimal("7.50"))
    path = write(
        tmp_path,
        "prices.csv",
        """\
        sku,brand,mpn,name,category,price,weight_lb
        BP-100,Bosch,BP-100,Pads,Brakes,55.00,
        """,
    )

    importing.import_file(path)

    part.refresh_from_db()
    assert part.price == Decimal("55.00")
    assert part.is_performance  # no "performance" column: left as it was
    assert part.weight_lb == Decimal("1.00")  # blank: the default


def test_C2_import_creates_vehicles_and_fitment(tmp_path):
    reports = import_catalogue(tmp_path)

    assert reports["vehicles.csv"].counts["vehicle"] == importing.Counts(created=2)
    assert reports["fitment.csv"].counts["fitment"] == importing.Counts(created=3)
    civic = Vehicle.objects.get(model__name="Civic")
    assert (civic.year, civic.make.name, civic.submodel.name, civic.engine.name) == (
        2012,
        "Honda",
        "LX",
        "1.8L L4",
    )
    f150 = Fitment.objects.get(part__sku="BP-100", vehicle__model__slug="f-150")
    assert (f150.position, f150.quantity, f150.note) == ("front", 2, "Except HD")
    # Names match existing rows without regard to case.
    assert Fitment.objects.get(part__sku="AL-200").vehicle == civic
    assert Make.objects.count() == 2


def test_C2_names_match_existing_rows_by_name_or_slug(tmp_path):
    acdelco = BrandFactory(name="ACDelco", slug="ac-delco-gm")
    brakes = CategoryFactory(name="Brakes", slug="stopping")
    c300 = VehicleFactory(
        model=VehicleModelFactory(name="C300", slug="c-300", make__name="Mercedes-Benz"),
        submodel__name="Sport",
    )
    c300.make.slug = "mb"
    c300.make.save()
    parts = write(
        tmp_path,
        "parts.csv",
        "sku,brand,mpn,name,category,price\nPD-1,acdelco,1,Pads,BRAKES > Pads,10\n",
    )
    vehicles = write(
        tmp_path,
        "vehicles.csv",
        "year,make,model,submodel,engine\n2012,mercedes-benz,c300,SPORT,2.0l l4 dohc\n",
    )
    fitment = write(
        tmp_path,
        "fitment.csv",
        "sku,year,make,model,submodel,engine\nPD-1,2012,MERCEDES-BENZ,C-300,sport,2.0L L4 DOHC\n",
    )

    importing.import_file(parts)
    assert importing.import_file(vehicles).counts["vehicle"] == importing.Counts(unchanged=1)
    importing.import_file(fitment)

    pads = Part.objects.get(sku="PD-1")
    assert pads.brand == acdelco
    assert pads.category.parent == brakes
    assert Fitment.objects.get().vehicle == c300
    assert (Brand.objects.count(), Make.objects.count(), Vehicle.objects.count()) == (1, 1, 1)


def test_C2_reimport_is_idempotent(tmp_path):
    import_catalogue(tmp_path)
    before = catalogue_snapshot()

    again = import_catalogue(tmp_path)

    assert again["vehicles.csv"].counts["vehicle"] == importing.Counts(unchanged=2)
    assert again["parts.csv"].counts["part"] == importing.Counts(unchanged=3)
    assert again["fitment.csv"].counts["fitment"] == importing.Counts(unchanged=3)
    assert catalogue_snapshot() == before  # updated_at included


def test_C2_fitment_update_changes_quantity_and_note(tmp_path):
    import_catalogue(tmp_path)
    path = write(
        tmp_path,
        "fix.csv",
        """\
        sku,year,make,model,submodel,engine,position,quantity,note
        BP-100,2014,Ford,F-150,XLT,5.0L V8,front,4,Two sets
        """,
    )

    report = importing.import_file(path)

    assert report.counts["fitment"] == importing.Counts(updated=1)
    f150 = Fitment.objects.get(part__sku="BP-100", vehicle__model__slug="f-150")
    assert (f150.quantity, f150.note) == (4, "Two sets")
    assert Fitment.objects.count() == 3


def test_C2_rejected_rows_reported_with_line_numbers(tmp_path):
    path = write(
        tmp_path,
        "parts.csv",
        """\
        sku,brand,mpn,name,description,category,price,condition,special_order,attributes
        OK-1,Bosch,M1,Good part,"A description
        over two lines",Brakes,10.00,new,no,
        NEG-1,Bosch,M2,Negative,,Brakes,-1,new,no,
        DEC-1,Bosch,M3,Three places,,Brakes,1.005,new,no,
        TXT-1,Bosch,M4,Not a price,,Brakes,ten,new,no,
        ENUM-1,Bosch,M5,Unknown condition,,Brakes,5,broken,maybe,
        ,Bosch,M6,No SKU,,Brakes,5,new,no,
        ok-1,Bosch,M7,Same SKU again,,Brakes,5,new,no,
        JS-1,Bosch,M8,Bad attributes,,Brakes,5,new,no,[1]
        SHORT-1,Bosch
        CAT-1,Bosch,M9,Empty level,,Brakes > > Pads,5,new,no,
        """,
    )

    errors = rejected(path)

    assert errors == {
        4: "price: -1 is negative",
        5: "price: 1.005 has more than 2 decimal places",
        6: "price: 'ten' is not a decimal number",
        7: "condition: 'broken' is not one of new, used, reman; "
        "special_order: 'maybe' is not true/false, 1/0 or yes/no",
        8: "missing required field 'sku'",
        9: "duplicate SKU OK-1 (first given on line 2)",
        10: "attributes: must be a JSON object",
        11: "2 values for 10 columns",
        12: "category: 'Brakes > > Pads' has an empty level",
    }


def test_C2_vehicle_year_and_fitment_quantity_ranges(tmp_path):
    latest = timezone.now().year + 1
    vehicles = write(
        tmp_path,
        "vehicles.csv",
        f"""\
        year,make,model,submodel,engine
        1899,Ford,Model T,Base,2.9L L4
        {latest},Ford,Mustang,GT,5.0L V8
        {latest + 1},Ford,Mustang,GT,5.0L V8
        20x2,Ford,Focus,SE,2.0L L4
        """,
    )
    assert rejected(vehicles) == {
        2: f"year: 1899 is outside {importing.MIN_YEAR}..{latest}",
        4: f"year: {latest + 1} is outside {importing.MIN_YEAR}..{latest}",
        5: "year: '20x2' is not a whole number",
    }
    PartFactory(sku="BP-1")
    VehicleFactory(model=VehicleModelFactory(name="Civic", make__name="Honda"))
    fitment = write(
        tmp_path,
        "fitment.csv",
        """\
        sku,year,make,model,submodel,engine,position,quantity
        BP-1,2012,Honda,Civic,Base,2.0L L4 DOHC,front,0
        BP-1,2012,Honda,Civic,Base,2.0L L4 DOHC,rear,100
        BP-1,2012,Honda,Civic,Base,2.0L L4 DOHC,middle,1
        BP-1,2012,Honda,Civic,Base,2.0L L4 DOHC,,99
        """,
    )
    assert rejected(fitment) == {
        2: "quantity: 0 is outside 1..99",
        3: "quantity: 100 is outside 1..99",
        4: "position: 'middle' is not one of front, rear, left, right, front_left, "
        "front_right, rear_left, rear_right, upper, lower",
    }


def test_C2_fitment_must_refer_to_known_parts_and_vehicles(tmp_path):
    PartFactory(sku="IN-DB")
    VehicleFactory(model=VehicleModelFactory(name="Civic", make__name="Honda"))
    path = jsonl(
        tmp_path,
        "mixed.jsonl",
        [
            {"type": "fitment", "sku": "IN-FILE", "year": 2015, "make": "Kia",
             "model": "Rio", "submodel": "LX", "engine": "1.6L"},
            {"type": "fitment", "sku": "in-db", "year": 2012, "make": "Honda",
             "model": "Civic", "submodel": "Base", "engine": "2.0L L4 DOHC"},
            {"type": "fitment", "sku": "NOWHERE", "year": 2012, "make": "Honda",
             "model": "Civic", "submodel": "Base", "engine": "2.0L L4 DOHC"},
            {"type": "fitment", "sku": "IN-DB", "year": 2013, "make": "Honda",
             "model": "Civic", "submodel": "Base", "engine": "2.0L L4 DOHC"},
            {"type": "part", "sku": "IN-FILE", "brand": "Kia", "mpn": "1", "name": "Pad",
             "category": "Brakes", "price": "5"},
            {"type": "vehicle", "year": 2015, "make": "Kia", "model": "Rio",
             "submodel": "LX", "engine": "1.6L"},
        ],
    )  # fmt: skip

    assert rejected(path) == {
        3: "SKU NOWHERE is neither in the catalogue nor in the file",
        4: "vehicle 2013 Honda Civic Base 2.0L L4 DOHC is neither in the catalogue nor in the file",
    }


def test_C2_duplicate_keys_within_the_file_are_rejected(tmp_path, monkeypatch):
    # A tiny spill threshold sends the fitment keys through the files on disk.
    monkeypatch.setattr(importing._RepeatFinder, "SPILL_BYTES", 32)
    fitment_rows = "".join(
        f"BP-100,{2000 + n % 20},Honda,Civic,LX,1.8L L4,{position},1,\n"
        for n in range(40)
        for position in ("front", "rear")
    )
    vehicles = "".join(f"{2000 + n},Honda,Civic,LX,1.8L L4\n" for n in range(20))
    write(tmp_path, "parts.csv", PARTS_CSV)
    importing.import_file(tmp_path / "parts.csv")
    importing.import_file(write(tmp_path, "v.csv", "year,make,model,submodel,engine\n" + vehicles))
    path = write(tmp_path, "fitment.csv", FITMENT_CSV.splitlines()[0] + "\n" + fitment_rows)

    errors = rejected(path)

    # Rows 2..41 are the first of each (year, position); 42..81 repeat them.
    assert sorted(errors) == list(range(42, 82))
    assert errors[42] == "duplicate fitment: same SKU, vehicle and position as line 2"
    dup_vehicle = write(
        tmp_path,
        "dv.csv",
        "year,make,model,submodel,engine\n2012,Honda,Civic,LX,1.8L\n2012,HONDA,civic,lx,1.8l\n",
    )
    assert rejected(dup_vehicle) == {
        3: "duplicate vehicle 2012 HONDA civic lx 1.8l (first on line 2)"
    }


def test_C2_wrong_column_set_is_rejected(tmp_path):
    typo = write(tmp_path, "parts.csv", "sku,brand,mpn,name,category,prise\nA,B,C,D,E,1\n")
    assert rejected(typo) == {
        1: "wrong column set for part records (the closest kind): missing column(s) price; "
        "unknown column(s) prise"
    }
    forced = write(tmp_path, "v.csv", VEHICLES_CSV)
    assert rejected(forced, kind="fitment") == {
        1: "wrong column set for fitment records: missing column(s) sku"
    }
    extra = jsonl(
        tmp_path,
        "extra.jsonl",
        [{"type": "vehicle", "year": 2012, "make": "Kia", "model": "Rio", "submodel": "LX",
          "engine": "1.6L", "colour": "red"}],
    )  # fmt: skip
    assert rejected(extra) == {1: "unknown field(s) for a vehicle: colour"}


def test_C2_csv_header_in_any_case_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbfSKU,Brand,MPN,Name,Category,Price\r\n"
        b"BP-1,Bosch,1,Pads,Brakes,10\r\n"
        b"BP-2,Bosch,2,Pads \xff,Brakes,10\r\n"
    )

    assert rejected(path) == {3: "not valid UTF-8 text"}
    path.write_bytes(path.read_bytes().replace(b"\xff", b"\xc3\xa9"))
    importing.import_file(path)
    assert Part.objects.get(sku="BP-2").name == "Pads \u00e9"


def test_C2_malformed_json_lines_are_reported(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"type": "vehicle", "year": 2012, "make": "Kia", "model": "Rio", "submodel": "LX",'
        ' "engine": "1.6L"}\n'
        "\n"
        '{"type": "vehicle", "year": 2012,\n'
        "[1, 2]\n"
        '{"year": 2012}\n'
        '{"type": "part", "sku": "A", "brand": "B", "mpn": "C", "name": "D", "category": "E",'
        ' "price": 1.234}\n'
    )

    errors = rejected(path)

    assert errors[3].startswith("malformed JSON: ")
    assert errors[4] == "not a JSON object"
    assert errors[5] == '"type" must be part, vehicle or fitment, not missing'
    assert errors[6] == "price: 1.234 has more than 2 decimal places"
    assert set(errors) == {3, 4, 5, 6}


def test_C2_bad_file_leaves_catalogue_unchanged(tmp_path):
    PartFactory(sku="BP-100", price=Decimal("10.00"))
    before = catalogue_snapshot()
    path = write(tmp_path, "parts.csv", PARTS_CSV + BAD_PART_ROW)

    with pytest.raises(importing.ImportRejected):
        importing.import_file(path)

    assert catalogue_snapshot() == before


def test_C2_failure_midway_rolls_back(tmp_path, monkeypatch):
    PartFactory(sku="BP-100", price=Decimal("10.00"))
    before = catalogue_snapshot()
    records = [
        {"type": "vehicle", "year": 2012, "make": "Honda", "model": "Civic", "submodel": "LX",
         "engine": "1.8L L4"},
        {"type": "part", "sku": "BP-100", "brand": "Bosch", "mpn": "BP100", "name": "Pads",
         "category": "Brakes > Pads", "price": "49.99"},
        {"type": "part", "sku": "NEW-1", "brand": "Akebono", "mpn": "N1", "name": "Rotor",
         "category": "Brakes > Rotors", "price": "80"},
        {"type": "fitment", "sku": "BP-100", "year": 2012, "make": "Honda", "model": "Civic",
         "submodel": "LX", "engine": "1.8L L4", "position": "front"},
    ]  # fmt: skip
    path = jsonl(tmp_path, "all.jsonl", records)

    def crash(self, batch):
        raise RuntimeError("disk full")

    # Vehicles and parts are written by then; fitment fails.
    monkeypatch.setattr(importing._Writer, "_write_fitment", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        importing.import_file(path)

    assert catalogue_snapshot() == before
    assert not PendingIndexUpdate.objects.exists()


def test_C2_jsonl_mixed_kinds(tmp_path):
    # Fitment first: an import writes vehicles and parts before fitment anyway.
    path = jsonl(
        tmp_path,
        "catalogue.ndjson",
        [
            {"type": "fitment", "sku": "rt-1", "year": 2014, "make": "Ford", "model": "F-150",
             "submodel": "XLT", "engine": "5.0L V8", "position": "front_left", "quantity": 2},
            {"type": "part", "sku": "rt-1", "brand": "Akebono", "mpn": "RT 1", "name": "Rotor",
             "category": "Brakes > Rotors", "price": 80.5, "special_order": True,
             "attributes": {"diameter_mm": 330.5}, "core_charge": None},
            {"type": "vehicle", "year": 2014, "make": "Ford", "model": "F-150",
             "submodel": "XLT", "engine": "5.0L V8"},
        ],
    )  # fmt: skip

    report = importing.import_file(path)

    assert report.counts == {
        "vehicle": importing.Counts(created=1),
        "part": importing.Counts(created=1),
        "fitment": importing.Counts(created=1),
    }
    rotor = Part.objects.get(sku="RT-1")
    assert rotor.price == Decimal("80.50")
    assert rotor.is_special_order
    assert rotor.attributes == {"diameter_mm": 330.5}
    fitment = Fitment.objects.get()
    assert (fitment.part, fitment.position, fitment.quantity) == (rotor, "front_left", 2)


def test_C2_jsonl_kind_option_supplies_missing_type(tmp_path):
    path = jsonl(
        tmp_path,
        "vehicles.jsonl",
        [{"year": 2012, "make": "Kia", "model": "Rio", "submodel": "LX", "engine": "1.6L"}],
    )

    importing.import_file(path, kind="vehicle")

    assert Vehicle.objects.get().model.name == "Rio"


def test_C2_changed_parts_are_queued_for_the_search_index(tmp_path):
    import_catalogue(tmp_path)
    queued = set(PendingIndexUpdate.objects.values_list("part_id", flat=True))
    assert queued == set(Part.objects.values_list("id", flat=True))

    PendingIndexUpdate.objects.all().delete()
    import_catalogue(tmp_path)  # nothing changes, nothing is queued
    assert not PendingIndexUpdate.objects.exists()

    path = write(
        tmp_path,
        "one.csv",
        "sku,brand,mpn,name,category,price\nAL-200,Bosch,AL-200,Alternator,Electrical,99\n",
    )
    importing.import_file(path)
    assert list(PendingIndexUpdate.objects.values_list("part_id", flat=True)) == [
        Part.objects.get(sku="AL-200").id
    ]


def test_C2_large_import_rebuilds_the_search_index_after_commit(tmp_path, monkeypatch):
    rebuilds = []
    monkeypatch.setattr(importing, "REINDEX_QUEUE_LIMIT", 2)
    monkeypatch.setattr(
        importing.search_services, "rebuild_index", lambda *, progress: rebuilds.append(progress)
    )

    report = importing.import_file(write(tmp_path, "parts.csv", PARTS_CSV))

    assert report.search == "rebuilt"
    assert rebuilds == [False]
    assert not PendingIndexUpdate.objects.exists()


def test_C2_import_command_prints_counts(tmp_path):
    path = write(tmp_path, "parts.csv", PARTS_CSV)
    out = io.StringIO()

    call_command("import_catalog", str(path), "--no-progress", stdout=out)

    assert "Parts: 3 created, 0 updated, 0 unchanged" in out.getvalue()
    out = io.StringIO()
    call_command("import_catalog", str(path), stdout=out)
    assert "Parts: 0 created, 0 updated, 3 unchanged" in out.getvalue()


def test_C2_import_command_fails_with_the_report(tmp_path):
    path = write(tmp_path, "parts.csv", PARTS_CSV + BAD_PART_ROW)
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 row"):
        call_command("import_catalog", str(path), stderr=err)

    assert "line 5: price: -5 is negative" in err.getvalue()
    assert not Part.objects.exists()
    with pytest.raises(CommandError, match="cannot tell the format"):
        call_command("import_catalog", str(write(tmp_path, "parts.txt", PARTS_CSV)))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_catalog", str(tmp_path / "missing.csv"))


def test_C2_dry_run_checks_without_writing(tmp_path):
    out = io.StringIO()

    call_command("import_catalog", str(write(tmp_path, "p.csv", PARTS_CSV)), "--dry-run",
                 stdout=out)  # fmt: skip

    assert "part: 3 row(s) would be imported" in out.getvalue()
    assert not Part.objects.exists()


@pytest.fixture
def full_catalogue():
    """A catalogue using every column, made without the importer."""
    brakes = CategoryFactory(name="Brakes", slug="brakes")
    pads = CategoryFactory(name="Brake Pads", slug="brake-pads", parent=brakes)
    engine = CategoryFactory(name="Engine", slug="engine")
    bosch = BrandFactory(name="Bosch", slug="bosch")
    civic = VehicleFactory(model=VehicleModelFactory(name="Civic", make__name="Honda"))
    f150 = VehicleFactory(
        year=2014,
        model=VehicleModelFactory(name="F-150", make__name="Ford"),
        submodel__name="XLT",
        engine__name="5.0L V8",
    )
    VehicleFactory(year=1999, model=civic.model, submodel__name="DX")  # fits nothing
    pad = PartFactory(
        sku="BP-1",
        name="-10% kit",  # a formula to a spreadsheet unless quoted (V3, C2)
        brand=bosch,
        category=pads,
        description='Quiet, "ceramic"\nwith shims',
        attributes={"axle": "front", "thickness_mm": 17.5, "shims": True},
        core_charge=Decimal("0.00"),
        weight_lb=Decimal("2.25"),
        is_performance=True,
        lead_time_days=3,
    )
    block = PartFactory(
        sku="ENG-5",
        category=engine,
        price=Decimal("2999.00"),
        core_charge=Decimal("500.00"),
        condition="reman",
        returnability="non_returnable",
        freight_class="truck",
        is_special_order=True,
        is_custom_made=True,
        is_hazardous=True,
        is_active=False,
        length_in=Decimal("30.50"),
    )
    FitmentFactory(part=pad, vehicle=civic, position="front", quantity=1, note="With sensor")
    FitmentFactory(part=pad, vehicle=f150, position="rear", quantity=2)
    FitmentFactory(part=block, vehicle=f150)


def empty_the_catalogue():
    for model in (Fitment, Part, Vehicle, VehicleModel, Make, Submodel, Engine, Brand):
        model.objects.all().delete()
    while Category.objects.exists():
        Category.objects.filter(children__isnull=True).delete()


def export_jsonl() -> str:
    out = io.StringIO()
    exporting.export(out, fmt="jsonl")
    return out.getvalue()


@pytest.mark.usefixtures("full_catalogue")
def test_C2_csv_export_is_formula_safe_and_imports_back_unchanged(tmp_path):
    call_command("export_catalog", "--format", "csv", "--output", str(tmp_path))
    assert "'-10% kit" in (tmp_path / "parts.csv").read_text(encoding="utf-8")
    empty_the_catalogue()
    importing.import_file(tmp_path / "parts.csv")
    assert Part.objects.get(sku="BP-1").name == "-10% kit"


@pytest.mark.usefixtures("full_catalogue")
def test_C2_export_import_round_trip(tmp_path):
    first = export_jsonl()
    (tmp_path / "catalogue.jsonl").write_text(first, encoding="utf-8")
    call_command("export_catalog", "--format", "csv", "--output", str(tmp_path / "csv"))
    category_paths = sorted(Category.objects.values_list("path", flat=True))

    empty_the_catalogue()
    report = importing.import_file(tmp_path / "catalogue.jsonl")

    assert report.counts["part"].created == 2
    assert report.counts["vehicle"].created == 3
    assert report.counts["fitment"].created == 3
    assert export_jsonl() == first
    assert sorted(Category.objects.values_list("path", flat=True)) == category_paths

    # CSV, one file per kind, does the same.
    empty_the_catalogue()
    files = {"vehicle": "vehicles.csv", "part": "parts.csv", "fitment": "fitment.csv"}
    for name in files.values():
        importing.import_file(tmp_path / "csv" / name)
    assert export_jsonl() == first
    for kind, name in files.items():
        again = importing.import_file(tmp_path / "csv" / name)
        assert again.counts[kind] == importing.Counts(unchanged=report.counts[kind].created)


@pytest.mark.usefixtures("full_catalogue")
def test_C2_export_writes_the_import_format():
    lines = [json.loads(line) for line in export_jsonl().splitlines()]

    assert [line["type"] for line in lines] == ["vehicle"] * 3 + ["part"] * 2 + ["fitment"] * 3
    pad = lines[3]
    assert pad["sku"] == "BP-1"
    assert pad["category"] == "Brakes > Brake Pads"
    assert pad["price"] == "49.99"  # decimals as exact strings
    assert pad["performance"] is True
    assert pad["attributes"] == {"axle": "front", "thickness_mm": 17.5, "shims": True}
    out = io.StringIO()
    call_command("export_catalog", "--format", "csv", "--kind", "fitment", stdout=out)
    header, first = out.getvalue().splitlines()[:2]
    assert header == ",".join(importing.COLUMN_NAMES["fitment"])
    assert first == "BP-1,2012,Honda,Civic,Base,2.0L L4 DOHC,front,1,With sensor"


def test_C2_export_csv_of_every_kind_needs_a_directory():
    with pytest.raises(CommandError, match="one kind"):
        call_command("export_catalog", "--format", "csv")


@pytest.mark.usefixtures("full_catalogue")
def test_C2_csv_cells_cannot_run_as_formulas_and_read_back_unchanged(tmp_path):
    texts = {
        "name": "-10% kit",
        "description": '=HYPERLINK("http://attacker.invalid","click")',
        "mpn": "@SUM(A1)",
    }
    Part.objects.filter(sku="BP-1").update(**texts)
    Part.objects.filter(sku="ENG-5").update(name="'=quoted already")
    call_command("export_catalog", "--format", "csv", "--output", str(tmp_path / "csv"))
    written = (tmp_path / "csv" / "parts.csv").read_text(encoding="utf-8")
    assert "'-10% kit" in written and "'@SUM(A1)" in written
    assert "\"'=HYPERLINK(" in written and "''=quoted already" in written
    first = export_jsonl()

    empty_the_catalogue()
    for name in ("vehicles.csv", "parts.csv", "fitment.csv"):
        importing.import_file(tmp_path / "csv" / name)

    assert export_jsonl() == first
    pad = Part.objects.get(sku="BP-1")
    assert (pad.name, pad.description, pad.mpn) == tuple(texts.values())
    assert Part.objects.get(sku="ENG-5").name == "'=quoted already"
