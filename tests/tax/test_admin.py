"""T1 in the back office: staff add jurisdictions and dated rates; saved
rates are history, never edited."""

import re
from datetime import date
from decimal import Decimal

import pytest

from camshaft.tax.models import Facility, TaxJurisdiction, TaxRate
from tests.tax.factories import TaxJurisdictionFactory, TaxRateFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/staff/tax/taxjurisdiction/add/"


def jurisdiction_form(*, rate="0.0575", effective_from="2020-01-01", saved_rates=(), **fields):
    """The POST of the jurisdiction page: its fields, the read-only history
    (saved_rates: their ids) and one row for a new rate."""
    data = {
        "name": "Ohio sales tax",
        "country": "US",
        "region": "OH",
        "level": "region",
        "district": "",
        "postal_prefixes": "",
        "taxes_shipping": "on",
        "is_active": "on",
        "rates-TOTAL_FORMS": str(len(saved_rates)),
        "rates-INITIAL_FORMS": str(len(saved_rates)),
        "rates-MIN_NUM_FORMS": "0",
        "rates-MAX_NUM_FORMS": "0",
        "rates-2-TOTAL_FORMS": "1",
        "rates-2-INITIAL_FORMS": "0",
        "rates-2-MIN_NUM_FORMS": "0",
        "rates-2-MAX_NUM_FORMS": "1000",
        "rates-2-0-rate": rate,
        "rates-2-0-effective_from": effective_from,
    }
    for n, saved in enumerate(saved_rates):
        data[f"rates-{n}-id"] = str(saved.id)
        data[f"rates-{n}-jurisdiction"] = str(saved.jurisdiction_id)
        data[f"rates-{n}-rate"] = "0.99"  # a hand-made attempt to rewrite history
    data.update(fields)
    return data


def errors_of(response) -> str:
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S))


def test_T1_staff_add_a_jurisdiction_with_its_first_rate(staff_client):
    response = staff_client.post(ADD_URL, jurisdiction_form(region="oh"))

    assert response.status_code == 302, errors_of(response)
    ohio = TaxJurisdiction.objects.get()
    assert (ohio.country, ohio.region, ohio.taxes_shipping) == ("US", "OH", True)
    rate = ohio.rates.get()
    assert (rate.rate, rate.effective_from) == (Decimal("0.0575"), date(2020, 1, 1))
    assert rate.set_by.email == "clerk@example.com"

    listing = staff_client.get("/staff/tax/taxjurisdiction/")
    assert "5.75 %" in listing.text


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("-0.01", "A tax rate cannot be negative."),
        ("1", "A tax rate is a fraction below 1"),
        ("5.75", "enter 0.0575 for 5.75 %, not 5.75."),
        ("0.0000001", "no more than 6 decimal places"),
        ("five", "Enter a number."),
    ],
)
def test_T1_bad_rates_are_refused_in_the_back_office(staff_client, rate, message):
    response = staff_client.post(ADD_URL, jurisdiction_form(rate=rate))

    assert response.status_code == 200
    assert message in errors_of(response)
    assert not TaxJurisdiction.objects.exists()
    assert not TaxRate.objects.exists()


def test_T1_unknown_country_is_refused_in_the_back_office(staff_client):
    response = staff_client.post(ADD_URL, jurisdiction_form(country="XX"))

    assert response.status_code == 200
    assert "XX is not a country code" in errors_of(response)
    assert not TaxJurisdiction.objects.exists()

    facility = staff_client.post(
        "/staff/tax/facility/add/",
        {"name": "Office", "street": "1 High St", "city": "Reno", "country": "ZZ"},
    )
    assert facility.status_code == 200
    assert "ZZ is not a country code" in errors_of(facility)
    assert not Facility.objects.exists()


def test_T1_bad_jurisdiction_shape_is_refused_in_the_back_office(staff_client):
    response = staff_client.post(
        ADD_URL,
        jurisdiction_form(level="county", district="Franklin County", postal_prefixes="430-432"),
    )

    assert response.status_code == 200
    assert "list each one, e.g. 430, 431, 432" in errors_of(response)


def test_T1_saved_rates_are_read_only_and_a_new_rate_is_a_new_row(staff_client):
    ohio = TaxJurisdictionFactory(name="Ohio sales tax")
    old = TaxRateFactory(jurisdiction=ohio, rate=Decimal("0.0575"))
    change_url = f"/staff/tax/taxjurisdiction/{ohio.id}/change/"

    page = staff_client.get(change_url)
    assert page.status_code == 200
    assert 'name="rates-0-rate"' not in page.text  # shown, not editable
    assert "0.057500" in page.text
    assert 'name="rates-2-0-rate"' in page.text

    response = staff_client.post(
        change_url,
        jurisdiction_form(rate="0.06", effective_from="2027-01-01", saved_rates=[old]),
    )

    assert response.status_code == 302, errors_of(response)
    old.refresh_from_db()
    assert old.rate == Decimal("0.0575")
    assert list(ohio.rates.values_list("rate", "effective_from")) == [
        (Decimal("0.06"), date(2027, 1, 1)),
        (Decimal("0.0575"), date(2020, 1, 1)),
    ]


def test_T1_jurisdictions_are_deactivated_not_deleted(staff_client):
    ohio = TaxJurisdictionFactory()

    response = staff_client.get(f"/staff/tax/taxjurisdiction/{ohio.id}/delete/")

    assert response.status_code == 403
    assert TaxJurisdiction.objects.filter(id=ohio.id).exists()


def test_T1_staff_add_a_facility(staff_client):
    response = staff_client.post(
        "/staff/tax/facility/add/",
        {
            "name": "Reno office",
            "street": "200 Main Street",
            "city": "Reno",
            "region": "nv",
            "postal_code": "89501",
            "country": "US",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, errors_of(response)
    assert Facility.objects.get().region == "NV"
