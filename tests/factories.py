"""factory-boy factories: each test builds the catalogue it needs."""

import io
from decimal import Decimal

import factory
from django.utils.text import slugify

from camshaft.catalog.models import Brand, Category, Part
from camshaft.fitment.models import Engine, Fitment, Make, Submodel, Vehicle, VehicleModel
from camshaft.inventory.models import StockLevel, Warehouse


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name", "parent")

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    parent = None


class PartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Part

    sku = factory.Sequence(lambda n: f"CS{100000 + n}")
    brand = factory.SubFactory(BrandFactory)
    mpn = factory.Sequence(lambda n: f"MP-{5000 + n}")
    name = factory.Sequence(lambda n: f"Part {n}")
    description = "A part."
    category = factory.SubFactory(CategoryFactory)
    price = Decimal("49.99")


def picture_bytes(fmt: str = "PNG", size=(400, 300), color=(200, 40, 40)) -> bytes:
    """A small picture file made with Pillow, in any format Pillow writes."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def add_pictures(part, count: int = 1, **picture):
    """Pictures added to `part` the way staff and imports add them (the service)."""
    from camshaft.catalog import services

    return services.add_part_images(
        part=part,
        pictures=[services.NewPicture(picture_bytes(**picture)) for _ in range(count)],
    )


class MakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Make
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Make {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class VehicleModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VehicleModel
        django_get_or_create = ("make", "name")

    make = factory.SubFactory(MakeFactory)
    name = factory.Sequence(lambda n: f"Model {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class SubmodelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submodel
        django_get_or_create = ("name",)

    name = "Base"


class EngineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engine
        django_get_or_create = ("name",)

    name = "2.0L L4 DOHC"


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    year = 2012
    model = factory.SubFactory(VehicleModelFactory)
    make = factory.LazyAttribute(lambda o: o.model.make)
    submodel = factory.SubFactory(SubmodelFactory)
    engine = factory.SubFactory(EngineFactory)


class FitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fitment

    part = factory.SubFactory(PartFactory)
    vehicle = factory.SubFactory(VehicleFactory)
    position = ""
    quantity = 1


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"WH{n}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")
    street = "1 Dock Road"
    city = "Columbus"
    state = "OH"
    postal_code = "43004"
    country = "US"


class StockLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLevel

    part = factory.SubFactory(PartFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    quantity = 5


# --- People, addresses and bare orders (privacy tests: V6, V10) -------------
from django.utils import timezone  # noqa: E402


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.User"
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"member{n}@example.com")


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Address"

    user = factory.SubFactory(MemberFactory)
    full_name = "Alex Driver"
    line1 = "1 Rue du Moteur"
    city = "Lyon"
    postal_code = "69001"
    country = "FR"


class OrderAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.OrderAddress"

    full_name = "Sam Guest"
    line1 = "Kolbenweg 3"
    city = "Stuttgart"
    postal_code = "70173"
    country = "DE"
    phone = "+49 711 555 0100"


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "payments.Payment"

    method = "card"
    amount = Decimal("10.00")
    currency = "USD"
    status = "authorized"


class OrderFactory(factory.django.DjangoModelFactory):
    """An order as a row, without checkout, stock or payment behind it."""

    class Meta:
        model = "orders.Order"

    number = factory.Sequence(lambda n: f"CS-T{n:05d}")
    user = None
    email = factory.Sequence(lambda n: f"guest{n}@example.com")
    status = "placed"
    placed_at = factory.LazyFunction(timezone.now)
    currency = "USD"
    items_total = Decimal("10.00")
    grand_total = Decimal("10.00")
    shipping_method = "standard"
    shipping_method_name = "Standard"
    billing_address = factory.SubFactory(OrderAddressFactory)
    shipping_address = factory.SubFactory(OrderAddressFactory)
    payment = factory.SubFactory(PaymentFactory)
    idempotency_key = factory.Sequence(lambda n: f"test-order-{n}")


class AnalyticsVisitorFactory(factory.django.DjangoModelFactory):
    """A pseudonymous id that has agreed to analytics (V9)."""

    class Meta:
        model = "analytics.Visitor"

    key = factory.Sequence(lambda n: f"{n:032x}")
    channel = "web"


class AnalyticsEventFactory(factory.django.DjangoModelFactory):
    """One analytics event; a page view unless `kind` says otherwise."""

    class Meta:
        model = "analytics.Event"

    kind = "page_view"
    visitor = factory.Sequence(lambda n: f"v{n:031x}")


# --- Price match (P2) ---------------------------------------------------------


class PriceMatchClaimFactory(factory.django.DjangoModelFactory):
    """A claim as filed; for the report and the queue, where how it was
    filed does not matter (tests of filing go through the service)."""

    class Meta:
        model = "pricematch.PriceMatchClaim"

    number = factory.Sequence(lambda n: f"PM-T{n:07d}")
    part = factory.SubFactory(PartFactory)
    email = factory.Sequence(lambda n: f"claimant{n}@example.com")
    channel = "web"
    filed_at = factory.LazyFunction(timezone.now)
    competitor = "Rival Parts"
    competitor_key = factory.LazyAttribute(lambda o: o.competitor.casefold())
    url = "https://rival.example.com/part"
    brand = factory.LazyAttribute(lambda o: o.part.brand.name)
    mpn = factory.LazyAttribute(lambda o: o.part.mpn)
    condition = "new"
    in_stock = True
    quantity = 1
    currency = "USD"
    unit_price = Decimal("30.00")
    shipping = Decimal("0.00")
    their_total = Decimal("30.00")
    our_unit_price = factory.LazyAttribute(lambda o: o.part.price)
    our_shipping = Decimal("0.00")
    country = "US"


class PriceFloorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pricematch.PriceFloor"

    category = factory.SubFactory(CategoryFactory)
    min_percent = Decimal(80)
    min_price = None
