"""T1: tax only where the store has nexus, at the destination's dated rates."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from camshaft.tax import services
from camshaft.tax.models import TaxJurisdiction, TaxRate
from camshaft.tax.selectors import Destination, TaxableLine, has_nexus, tax_for
from tests.factories import WarehouseFactory
from tests.tax.factories import FacilityFactory, TaxJurisdictionFactory, TaxRateFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)
COLUMBUS = Destination(country="US", region="OH", postal_code="43215")
CLEVELAND = Destination(country="US", region="OH", postal_code="44101")


def ohio(rate="0.0575", *, taxes_shipping=True):
    jurisdiction = TaxJurisdictionFactory(
        name="Ohio sales tax", country="US", region="OH", taxes_shipping=taxes_shipping
    )
    TaxRateFactory(jurisdiction=jurisdiction, rate=Decimal(rate))
    return jurisdiction


def franklin_county(rate="0.015", *, taxes_shipping=True):
    jurisdiction = TaxJurisdictionFactory(
        name="Franklin County sales tax",
        country="US",
        region="OH",
        level=TaxJurisdiction.Level.COUNTY,
        district="Franklin County",
        postal_prefixes="430, 431 432",
        taxes_shipping=taxes_shipping,
    )
    TaxRateFactory(jurisdiction=jurisdiction, rate=Decimal(rate))
    return jurisdiction


def quote(destination, *amounts, shipping="0.00", currency="USD", on=TODAY):
    return tax_for(
        destination=destination,
        lines=[TaxableLine(key=i, amount=Decimal(a)) for i, a in enumerate(amounts)],
        shipping=Decimal(shipping),
        currency=currency,
        on=on,
    )


def test_T1_no_nexus_no_tax():
    ohio()
    WarehouseFactory(state="NV", city="Reno", postal_code="89506")  # nexus in Nevada only

    taxed = quote(CLEVELAND, "100.00", shipping="9.99")

    assert taxed.line_rates == {0: Decimal(0)}
    assert taxed.line_taxes == {0: Decimal("0.00")}
    assert taxed.shipping_tax == Decimal("0.00")
    assert taxed.total == Decimal("0.00")
    assert taxed.jurisdictions == ()
    assert not has_nexus(country="US", region="OH")
    assert has_nexus(country="US", region="NV")


def test_T1_no_jurisdiction_set_up_is_no_tax_not_an_error():
    WarehouseFactory(country="DE", state="", postal_code="10115")

    taxed = quote(Destination(country="DE", postal_code="10117"), "50.00", shipping="5.00")

    assert taxed.total == Decimal("0.00")
    assert taxed.jurisdictions == ()
    assert quote(Destination(country=""), "50.00").total == Decimal("0.00")


def test_T1_state_nexus_from_a_warehouse():
    ohio()
    WarehouseFactory(state="OH")

    taxed = quote(CLEVELAND, "100.00", "19.99")

    assert has_nexus(country="US", region="OH")
    assert has_nexus(country="us", region=" oh ")
    assert taxed.line_rates == {0: Decimal("0.0575"), 1: Decimal("0.0575")}
    # 19.99 × 0.0575 = 1.149425
    assert taxed.line_taxes == {0: Decimal("5.75"), 1: Decimal("1.15")}
    assert taxed.total == Decimal("6.90")
    assert taxed.jurisdictions == ("Ohio sales tax",)


def test_T1_state_nexus_is_per_state_not_per_country():
    ohio()
    TaxRateFactory(
        jurisdiction=TaxJurisdictionFactory(name="Texas sales tax", region="TX"),
        rate=Decimal("0.0625"),
    )
    WarehouseFactory(state="TX", city="Dallas", postal_code="75211")

    assert quote(CLEVELAND, "100.00").total == Decimal("0.00")
    assert quote(Destination("US", "TX", "75001"), "100.00").total == Decimal("6.25")


def test_T1_nexus_from_a_facility():
    nevada = TaxJurisdictionFactory(name="Nevada sales tax", region="NV")
    TaxRateFactory(jurisdiction=nevada, rate=Decimal("0.0685"))
    reno = Destination(country="US", region="NV", postal_code="89501")
    assert quote(reno, "100.00").total == Decimal("0.00")

    office = FacilityFactory(region="nv")  # no warehouse in Nevada, only an office

    assert office.region == "NV"
    assert has_nexus(country="US", region="NV")
    assert quote(reno, "100.00").total == Decimal("6.85")

    office.is_active = False
    office.save()
    assert not has_nexus(country="US", region="NV")
    assert quote(reno, "100.00").total == Decimal("0.00")


def test_T1_country_level_vat():
    vat = TaxJurisdictionFactory(
        name="Netherlands VAT",
        country="NL",
        region="",
        level=TaxJurisdiction.Level.COUNTRY,
        taxes_shipping=True,
    )
    TaxRateFactory(jurisdiction=vat, rate=Decimal("0.21"))
    amsterdam = Destination(country="NL", postal_code="1012 JS")
    WarehouseFactory(country="GB", state="", city="Birmingham", postal_code="B6 7DB")
    assert quote(amsterdam, "100.00").total == Decimal("0.00")  # nexus in the UK is not in NL

    WarehouseFactory(country="NL", state="", city="Rotterdam", postal_code="3087 BM")
    taxed = quote(amsterdam, "100.00", shipping="10.00")

    assert has_nexus(country="NL")
    assert taxed.line_taxes == {0: Decimal("21.00")}
    assert taxed.shipping_tax == Decimal("2.10")
    assert taxed.total == Decimal("23.10")
    assert taxed.jurisdictions == ("Netherlands VAT",)


def test_T1_country_level_tax_needs_nexus_anywhere_in_the_country_a_provincial_one_there():
    gst = TaxJurisdictionFactory(
        name="Canada GST", country="CA", region="", level=TaxJurisdiction.Level.COUNTRY
    )
    TaxRateFactory(jurisdiction=gst, rate=Decimal("0.05"))
    pst = TaxJurisdictionFactory(name="British Columbia PST", country="CA", region="BC")
    TaxRateFactory(jurisdiction=pst, rate=Decimal("0.07"))
    WarehouseFactory(country="CA", state="ON", city="Mississauga", postal_code="L5T 2G1")

    taxed = quote(Destination("CA", "BC", "V6B 1A1"), "100.00")

    assert taxed.line_rates == {0: Decimal("0.05")}
    assert taxed.jurisdictions == ("Canada GST",)


def test_T1_district_by_postal_prefix_adds_to_the_state_rate():
    ohio()
    franklin_county()
    WarehouseFactory(state="OH")

    in_county = quote(COLUMBUS, "100.00")
    assert in_county.line_rates == {0: Decimal("0.0725")}
    assert in_county.line_taxes == {0: Decimal("7.25")}
    assert in_county.jurisdictions == ("Ohio sales tax", "Franklin County sales tax")

    # Compared upper-cased with spaces removed; ZIP+4 still starts with the prefix.
    assert quote(Destination("US", "oh", " 432 15-1234"), "100.00").total == Decimal("7.25")
    outside = quote(CLEVELAND, "100.00")
    assert outside.line_rates == {0: Decimal("0.0575")}
    assert outside.jurisdictions == ("Ohio sales tax",)


def test_T1_district_prefixes_match_letters_of_a_canadian_postal_code():
    TaxRateFactory(
        jurisdiction=TaxJurisdictionFactory(name="Ontario HST", country="CA", region="ON"),
        rate=Decimal("0.13"),
    )
    TaxRateFactory(
        jurisdiction=TaxJurisdictionFactory(
            name="Mississauga levy",
            country="CA",
            region="ON",
            level=TaxJurisdiction.Level.CITY,
            district="Mississauga",
            postal_prefixes="l5t l5s",
        ),
        rate=Decimal("0.01"),
    )
    WarehouseFactory(country="CA", state="ON", postal_code="L5T 2G1")

    assert quote(Destination("CA", "ON", "l5t 2g1"), "100.00").total == Decimal("14.00")
    assert quote(Destination("CA", "ON", "M5V 3L9"), "100.00").total == Decimal("13.00")


def test_T1_shipping_taxed_only_where_the_jurisdiction_says_so():
    ohio(taxes_shipping=True)
    franklin_county(taxes_shipping=False)
    TaxRateFactory(
        jurisdiction=TaxJurisdictionFactory(
            name="Nevada sales tax", region="NV", taxes_shipping=False
        ),
        rate=Decimal("0.0685"),
    )
    WarehouseFactory(state="OH")
    WarehouseFactory(state="NV", city="Reno", postal_code="89506")

    columbus = quote(COLUMBUS, "100.00", shipping="20.00")
    assert columbus.line_taxes == {0: Decimal("7.25")}
    assert columbus.shipping_tax == Decimal("1.15")  # Ohio's 5.75 % only
    assert columbus.total == Decimal("8.40")

    reno = quote(Destination("US", "NV", "89501"), "100.00", shipping="20.00")
    assert reno.line_taxes == {0: Decimal("6.85")}
    assert reno.shipping_tax == Decimal("0.00")


def test_T1_each_line_is_rounded_half_up_to_the_minor_unit():
    TaxRateFactory(
        jurisdiction=TaxJurisdictionFactory(name="Texas sales tax", region="TX"),
        rate=Decimal("0.0625"),
    )
    WarehouseFactory(state="TX", city="Dallas", postal_code="75211")
    dallas = Destination("US", "TX", "75201")

    # 0.40 × 0.0625 = 0.025: half up gives 0.03 (half even would give 0.02),
    # on each line, so three lines owe 0.09, not 1.20 × 0.0625 = 0.075 → 0.08.
    taxed = quote(dallas, "0.40", "0.40", "0.40")
    assert taxed.line_taxes == {0: Decimal("0.03"), 1: Decimal("0.03"), 2: Decimal("0.03")}
    assert taxed.total == Decimal("0.09")
    assert quote(dallas, "10.10").line_taxes == {0: Decimal("0.63")}  # 0.63125

    # The yen has no minor unit: 1,000 × 0.0625 = 62.5 → 63; 1,001 → 62.5625 → 63.
    yen = quote(dallas, "1000", "1001", "8", currency="JPY")
    assert yen.line_taxes == {0: Decimal(63), 1: Decimal(63), 2: Decimal(1)}
    assert all(tax.as_tuple().exponent == 0 for tax in yen.line_taxes.values())
    assert yen.total == Decimal(127)


def test_T1_a_dated_rate_change_applies_from_its_date_and_not_before():
    state = ohio("0.0575")
    WarehouseFactory(state="OH")
    services.set_rate(jurisdiction=state, rate=Decimal("0.06"), effective_from=date(2027, 1, 1))

    # An order placed before the change keeps the old rate (orders store
    # what they were charged; asking again for that day gives the same).
    assert quote(CLEVELAND, "100.00", on=date(2026, 12, 31)).total == Decimal("5.75")
    assert quote(CLEVELAND, "100.00", on=date(2027, 1, 1)).total == Decimal("6.00")
    assert TaxRate.objects.filter(jurisdiction=state).count() == 2  # history kept

    # Before its first rate a jurisdiction charges nothing and is not shown.
    early = quote(CLEVELAND, "100.00", on=date(2019, 12, 31))
    assert early.total == Decimal("0.00")
    assert early.jurisdictions == ()

    # A correction on the same day: the later row wins from that day.
    services.set_rate(jurisdiction=state, rate=Decimal("0.0625"), effective_from=date(2027, 1, 1))
    assert quote(CLEVELAND, "100.00", on=date(2027, 6, 1)).total == Decimal("6.25")
    assert quote(CLEVELAND, "100.00", on=date(2026, 12, 31)).total == Decimal("5.75")


def test_T1_inactive_warehouse_gives_no_nexus():
    ohio()
    WarehouseFactory(state="OH", is_active=False)

    assert not has_nexus(country="US", region="OH")
    assert not has_nexus(country="US")
    assert quote(CLEVELAND, "100.00").total == Decimal("0.00")


def test_T1_inactive_jurisdiction_charges_nothing():
    state = ohio()
    WarehouseFactory(state="OH")
    state.is_active = False
    state.save()

    assert quote(CLEVELAND, "100.00").total == Decimal("0.00")


def test_T1_bad_rates_are_refused_by_the_service():
    state = TaxJurisdictionFactory()
    day = date(2026, 1, 1)
    for rate, message in [
        (Decimal("-0.01"), "cannot be negative"),
        (Decimal(1), "a fraction below 1"),
        (Decimal("5.75"), re.escape("enter 0.0575 for 5.75 %, not 5.75.")),
        (Decimal("0.0000001"), "no more than 6 decimal places"),
        (Decimal("NaN"), "must be a number"),
        (0.0575, "never a float"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.set_rate(jurisdiction=state, rate=rate, effective_from=day)
    assert not TaxRate.objects.exists()

    # The database refuses them too, should anything skip the validation.
    for rate in (Decimal("-0.01"), Decimal(1)):
        with pytest.raises(IntegrityError), transaction.atomic():
            TaxRate.objects.create(jurisdiction=state, rate=rate, effective_from=day)

    assert services.set_rate(jurisdiction=state, rate=Decimal(0), effective_from=day).rate == 0


def test_T1_bad_jurisdictions_are_refused_by_the_service():
    with pytest.raises(ValidationError, match="'XX' is not a country code"):
        services.add_jurisdiction(name="Nowhere", country="XX", region="AB")
    with pytest.raises(ValidationError, match=re.escape("list each one, e.g. 430, 431, 432")):
        services.add_jurisdiction(
            name="Franklin County",
            country="US",
            region="OH",
            level=TaxJurisdiction.Level.COUNTY,
            district="Franklin County",
            postal_prefixes="430-432",
        )
    with pytest.raises(ValidationError, match="leave it blank"):
        services.add_jurisdiction(
            name="VAT", country="NL", region="ZH", level=TaxJurisdiction.Level.COUNTRY
        )
    with pytest.raises(ValidationError, match="Enter the state/province code"):
        services.add_jurisdiction(name="Ohio", country="US")
    with pytest.raises(ValidationError, match="Name the county"):
        services.add_jurisdiction(
            name="County", country="US", region="OH", level=TaxJurisdiction.Level.COUNTY
        )
    assert not TaxJurisdiction.objects.exists()

    county = services.add_jurisdiction(
        name="Franklin County sales tax",
        country="us",
        region="oh",
        level=TaxJurisdiction.Level.COUNTY,
        district=" Franklin County ",
        postal_prefixes="430,431  432, 430",
    )
    assert (county.country, county.region, county.district) == ("US", "OH", "Franklin County")
    assert county.postal_prefixes == "430, 431, 432"
    with pytest.raises(ValidationError, match="exists already; add a rate to it instead"):
        services.add_jurisdiction(
            name="Franklin again",
            country="US",
            region="OH",
            level=TaxJurisdiction.Level.COUNTY,
            district="Franklin County",
        )


def test_T1_a_float_amount_or_a_repeated_line_is_a_programming_error():
    with pytest.raises(TypeError, match="never a float"):
        tax_for(
            destination=CLEVELAND,
            lines=[TaxableLine(key="a", amount=10.0)],
            shipping=Decimal(0),
            currency="USD",
            on=TODAY,
        )
    with pytest.raises(ValueError, match="two taxable lines have the key 'a'"):
        quote_lines = [TaxableLine("a", Decimal(1)), TaxableLine("a", Decimal(2))]
        tax_for(
            destination=CLEVELAND,
            lines=quote_lines,
            shipping=Decimal(0),
            currency="USD",
            on=TODAY,
        )


@pytest.mark.parametrize("line_count", [1, 200])
def test_T1_tax_takes_a_fixed_number_of_queries(django_assert_max_num_queries, line_count):
    ohio()
    franklin_county()
    TaxRateFactory(jurisdiction=TaxJurisdiction.objects.get(district=""), rate=Decimal("0.06"))
    WarehouseFactory(state="OH")
    FacilityFactory(region="OH")
    lines = [TaxableLine(key=("line", n), amount=Decimal("12.34")) for n in range(line_count)]

    with django_assert_max_num_queries(2):
        taxed = tax_for(
            destination=COLUMBUS,
            lines=lines,
            shipping=Decimal("9.99"),
            currency="USD",
            on=TODAY,
        )

    assert len(taxed.line_taxes) == line_count
    assert taxed.line_rates[("line", 0)] == Decimal("0.075")  # 0.06 + 0.015


def test_T1_demo_tax_for_the_demo_warehouses():
    created = services.seed_demo_tax()

    assert sorted(
        (r.jurisdiction.name, r.rate, r.jurisdiction.taxes_shipping) for r in created
    ) == [
        ("Franklin County sales tax", Decimal("0.015"), True),
        ("Netherlands VAT", Decimal("0.21"), True),
        ("Nevada sales tax", Decimal("0.0685"), False),
        ("Ohio sales tax", Decimal("0.0575"), True),
        ("Ontario HST", Decimal("0.13"), True),
        ("Texas sales tax", Decimal("0.0625"), True),
        ("United Kingdom VAT", Decimal("0.20"), True),
    ]
    assert services.seed_demo_tax() == []  # only what is missing

    WarehouseFactory(code="CMH", state="OH", postal_code="43207")
    WarehouseFactory(code="RTM", country="NL", state="", postal_code="3087 BM")
    columbus = quote(COLUMBUS, "100.00", shipping="10.00")
    assert columbus.total == Decimal("7.98")  # 7.25 + 0.725 → 0.73
    assert quote(Destination("NL", "", "1012 JS"), "100.00").total == Decimal("21.00")
    assert quote(Destination("US", "TX", "75201"), "100.00").total == Decimal("0.00")


def test_T1_demo_tax_leaves_what_staff_set_up_alone():
    state = services.add_jurisdiction(name="Ohio (ours)", country="US", region="OH")
    services.set_rate(jurisdiction=state, rate=Decimal("0.08"), effective_from=date(2021, 1, 1))
    texas = services.add_jurisdiction(name="Texas (no rate yet)", country="US", region="TX")

    created = services.seed_demo_tax()

    assert "Ohio sales tax" not in {r.jurisdiction.name for r in created}
    assert list(state.rates.values_list("rate", flat=True)) == [Decimal("0.080000")]
    assert [r.rate for r in created if r.jurisdiction == texas] == [Decimal("0.0625")]
