"""B3, C1-C3, I1: `camshaft demo` builds a realistic, consistent catalogue, the same for a seed."""

import datetime
import hashlib
import io
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Max, Min

from camshaft.catalog import images
from camshaft.catalog.demo import build_demo_catalogue, pictures, vocabulary
from camshaft.catalog.demo.generator import cylinders_of, fitment_positions, scoped_series
from camshaft.catalog.models import (
    Brand,
    Category,
    FreightClass,
    Part,
    PartImage,
    Returnability,
    normalize_code,
)
from camshaft.fitment.models import Fitment, Position, Vehicle
from camshaft.inventory.models import StockLevel, Warehouse

pytestmark = pytest.mark.django_db

PARTS = 300


def demo(parts: int = PARTS, seed: int = 7, **options) -> str:
    out = io.StringIO()
    call_command("demo", parts=parts, seed=seed, no_progress=True, stdout=out, **options)
    return out.getvalue()


def catalogue_digest() -> str:
    """Every row the demo writes, in id order (updated_at is the load time)."""
    digest = hashlib.sha256()
    for model in (Brand, Category, Part, Vehicle, Fitment, StockLevel):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "updated_at"]
        for row in model.objects.order_by("id").values_list(*fields).iterator():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_C2_demo_catalogue_is_deterministic_for_a_seed():
    demo(seed=7)
    first = catalogue_digest()

    demo(seed=7, replace=True)
    assert catalogue_digest() == first

    demo(seed=8, replace=True)
    assert catalogue_digest() != first


def test_C2_demo_builds_at_least_ten_fitment_rows_per_part():
    output = demo()

    assert Part.objects.count() == PARTS
    assert Fitment.objects.count() >= 10 * PARTS
    assert not Part.objects.filter(fitments__isnull=True).exists(), "every part fits something"
    assert "fitment rows" in output and "search index" in output


def test_C3_demo_fitment_clusters_on_runs_of_years_of_one_make():
    demo()

    years_by_part = defaultdict(set)
    makes_by_part = defaultdict(set)
    for part_id, year, make_id in Fitment.objects.values_list(
        "part_id", "vehicle__year", "vehicle__make_id"
    ):
        years_by_part[part_id].add(year)
        makes_by_part[part_id].add(make_id)
    assert all(len(makes) == 1 for makes in makes_by_part.values())
    # A run of consecutive years (a gap only where a model was not built).
    gaps = sum(1 for years in years_by_part.values() if max(years) - min(years) + 1 > len(years))
    assert gaps <= PARTS * 0.05

    positions = set(Fitment.objects.values_list("position", flat=True))
    assert positions <= set(Position.values)
    assert {"front", "rear"} <= positions
    assert Fitment.objects.filter(quantity__gt=1).exists(), "struts come in pairs, plugs in sets"
    assert Fitment.objects.exclude(note="").exists()


def test_C3_demo_vehicles_span_1990_to_this_year():
    demo()
    this_year = datetime.date.today().year

    span = Vehicle.objects.aggregate(first=Min("year"), last=Max("year"))
    assert span["first"] == 1990
    assert this_year <= span["last"] <= this_year + 1
    assert 40_000 <= Vehicle.objects.count() <= 120_000
    assert Vehicle.objects.values("make").distinct().count() >= 35
    assert Vehicle.objects.filter(make__name="Honda", model__name="Civic", year=this_year).exists()
    # Each model year offers 1-5 trims and 1-4 engines.
    per_model_year = Vehicle.objects.values("model", "year").annotate(
        trims=Count("submodel", distinct=True), engines=Count("engine", distinct=True)
    )
    assert max(row["trims"] for row in per_model_year) <= 5
    assert max(row["engines"] for row in per_model_year) <= 4


def test_C1_demo_flags_are_consistent():
    demo(parts=3000)

    batteries = Part.objects.filter(category__path="batteries/automotive-batteries")
    assert batteries.exists()
    assert not batteries.filter(is_hazardous=False).exists()
    assert not batteries.exclude(
        returnability__in=[Returnability.UNOPENED_ONLY, Returnability.NON_RETURNABLE]
    ).exists()
    assert (
        not batteries.filter(is_special_order=False, is_custom_made=False)
        .exclude(returnability=Returnability.UNOPENED_ONLY)
        .exists()
    )
    assert not Part.objects.filter(is_hazardous=True).exclude(pk__in=batteries).exists()

    engines = Part.objects.filter(category__path__startswith="engines-and-transmissions/")
    assert engines.exists()
    assert not engines.exclude(freight_class=FreightClass.TRUCK).exists()
    assert (
        not Part.objects.filter(freight_class=FreightClass.TRUCK).exclude(pk__in=engines).exists()
    )

    special = Part.objects.filter(is_special_order=True) | Part.objects.filter(is_custom_made=True)
    assert special.exists()
    assert not special.exclude(returnability=Returnability.NON_RETURNABLE).exists()
    ordinary = Part.objects.filter(is_special_order=False, is_custom_made=False)
    assert (
        not ordinary.filter(category__path__startswith="electrical/")
        .exclude(returnability=Returnability.UNOPENED_ONLY)
        .exists()
    )
    assert (
        not ordinary.filter(category__path__endswith="/repair-manuals")
        .exclude(returnability=Returnability.SEALED_ONLY)
        .exists()
    )
    assert 0.01 <= Part.objects.filter(is_special_order=True).count() / 3000 <= 0.04

    alternators = Part.objects.filter(category__path="electrical/alternators", condition="new")
    assert alternators.exists()
    assert not alternators.filter(core_charge__isnull=True).exists()
    assert not Part.objects.filter(
        category__path="brakes/brake-pads", core_charge__isnull=False
    ).exists()
    assert Part.objects.filter(is_performance=True).exists()


def test_C1_demo_parts_are_well_formed():
    demo()

    for part in Part.objects.all():
        assert part.sku == part.sku.upper()
        assert part.mpn_key == normalize_code(part.mpn)
        assert part.price > 0
        assert part.weight_lb > 0 and part.length_in > 0
        assert part.description.endswith(".")
        assert "warranty" in part.attributes
    assert Part.objects.values("sku").distinct().count() == PARTS
    tops = Category.objects.filter(parent=None).annotate(n=Count("children"))
    assert 14 <= tops.count() <= 18
    assert all(3 <= top.n <= 12 for top in tops)
    assert Brand.objects.count() >= 60


def test_I1_demo_stocks_parts_in_several_warehouses():
    demo(parts=2000)

    warehouses = Warehouse.objects.all()
    assert 4 <= warehouses.count() <= 6
    assert {w.country for w in warehouses} >= {"US", "CA", "NL", "GB"}
    assert all(w.street and w.latitude is not None and w.longitude is not None for w in warehouses)

    in_stock = Counter(StockLevel.objects.filter(quantity__gt=0).values_list("part_id", flat=True))
    assert max(in_stock.values()) <= 3
    assert sum(1 for n in in_stock.values() if n > 1) > 200, "many parts sit in two or more"
    out_everywhere = 2000 - len(in_stock)
    assert 0.10 <= out_everywhere / 2000 <= 0.20
    assert StockLevel.objects.values("warehouse").distinct().count() == warehouses.count()
    assert not StockLevel.objects.filter(part__is_special_order=True).exists()


def test_B3_demo_refuses_to_overwrite_a_catalogue_without_replace():
    demo()

    with pytest.raises(CommandError, match="--replace"):
        demo()
    assert Part.objects.count() == PARTS


def test_B3_demo_rebuilds_the_search_index():
    report = build_demo_catalogue(parts=50, seed=3)

    assert report.search_documents == 50
    assert set(report.timings) >= {"parts", "fitment", "stock", "search index"}


def test_demo_position_words_map_to_fitment_positions():
    assert fitment_positions("Front", both_sides=False) == ("front",)
    assert fitment_positions("Front", both_sides=True) == ("front_left", "front_right")
    assert fitment_positions("Front Lower Left", both_sides=False) == ("front_left",)
    assert fitment_positions("Front and Rear=", both_sides=False) == ("front", "rear")
    assert fitment_positions("Driver Side", both_sides=False) == ("left",)
    assert fitment_positions("Upper", both_sides=False) == ("upper",)
    assert fitment_positions("Upstream", both_sides=False) == ("",)
    assert cylinders_of("3.5L V6 SOHC") == 6
    assert cylinders_of("2.0L L4 DOHC Turbo") == 4
    assert cylinders_of("2.8L VR6 SOHC") == 6
    assert cylinders_of("2.5L H4 DOHC") == 4
    assert scoped_series(("QuietCast@Brake Pads", "Premium"), "Spark Plugs", "Ignition") == (
        "Premium",
    )


def test_demo_vocabulary_brands_make_only_known_kinds():
    kinds = {k.name for top in vocabulary.CATEGORIES for k in top.kinds}
    tops = {top.name for top in vocabulary.CATEGORIES}
    assert len(kinds) == sum(len(top.kinds) for top in vocabulary.CATEGORIES), "unique names"
    for brand in vocabulary.BRANDS:
        assert set(brand.makes) <= kinds | tops, brand.name
        scopes = {
            scope
            for entry in brand.series + brand.performance_series
            for scope in entry.partition("@")[2].split("|")
            if scope
        }
        assert scopes <= kinds | tops, brand.name
    assert len({b.code for b in vocabulary.BRANDS}) == len(vocabulary.BRANDS)


def test_C7_demo_parts_share_a_handful_of_drawings_shaded_by_brand(settings):
    demo()
    rows = list(PartImage.objects.values_list("part_id", "image", "is_primary"))
    part_ids = list(Part.objects.order_by("id").values_list("id", flat=True))
    assert sorted(pid for pid, _, _ in rows) == part_ids
    assert all(primary for _, _, primary in rows)
    names = {name for _, name, _ in rows}
    assert len(names) <= len(set(pictures.SHAPES.values())) * len(pictures.SHADES)
    for name in names:
        assert (settings.MEDIA_ROOT / name).exists()
        assert all((settings.MEDIA_ROOT / t).exists() for t in images.thumbnail_names(name))
    brakes = Part.objects.filter(category__parent__name="Brakes").select_related("brand")
    by_brand = {p.brand_id: PartImage.objects.get(part=p).image.name for p in brakes}
    assert {name.split("-")[0] for name in by_brand.values()} == {"demo/disc"}
    assert len(set(by_brand.values())) > 1, "brands shade the drawing differently"
