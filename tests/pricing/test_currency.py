"""P1: money in the shopper's currency, at rates staff set, never as floats."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from camshaft.core.money import (
    CURRENCIES,
    DisplayCurrency,
    Money,
    UnsupportedCurrency,
    display_currency,
    minor_unit,
)
from camshaft.pricing import selectors, services
from camshaft.pricing.models import ExchangeRate
from tests.factories import PartFactory

pytestmark = pytest.mark.django_db


def test_P1_jpy_has_no_minor_unit():
    assert minor_unit("JPY") == Decimal(1)
    assert minor_unit("USD") == Decimal("0.01")
    assert str(Money(Decimal("6390.4"), "JPY")) == "¥6,390"


def test_P1_conversion_rounds_half_up_to_the_minor_unit():
    services.set_rate(currency="EUR", rate=Decimal("0.9"))
    services.set_rate(currency="JPY", rate=Decimal("150"))
    # 0.05 * 0.9 = 0.045: half up gives 0.05, banker's rounding would give 0.04.
    assert selectors.convert(Money.store(Decimal("0.05")), "EUR") == Money(Decimal("0.05"), "EUR")
    # 10.01 * 150 = 1501.5 yen: whole yen, half up.
    assert selectors.convert(Money.store(Decimal("10.01")), "JPY") == Money(Decimal(1502), "JPY")
    assert selectors.convert(Money.store(Decimal("10")), "EUR", rate=Decimal("0.85")) == Money(
        Decimal("8.50"), "EUR"
    )


def test_P1_conversion_without_a_rate_is_a_clear_error():
    with pytest.raises(selectors.NoRate, match="No exchange rate from USD to GBP"):
        selectors.convert(Money.store(Decimal(1)), "GBP")
    with pytest.raises(UnsupportedCurrency):
        selectors.convert(Money.store(Decimal(1)), "XXX")


def test_P1_staff_rate_change_applies_from_its_date(staff_client):
    now = timezone.now()
    services.set_rate(currency="EUR", rate=Decimal("0.90"), effective_from=now - timedelta(days=2))
    assert selectors.current_rates() == {"EUR": Decimal("0.90")}

    # Staff add a rate from tomorrow in the back office: today's stays.
    response = staff_client.post(
        "/staff/pricing/exchangerate/add/",
        {
            "currency": "EUR",
            "rate": "0.95",
            "effective_from_0": (now + timedelta(days=1)).strftime("%Y-%m-%d"),
            "effective_from_1": (now + timedelta(days=1)).strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content
    new = ExchangeRate.objects.get(rate=Decimal("0.95"))
    assert new.set_by.email == "clerk@example.com"
    assert selectors.current_rate("EUR") == Decimal("0.90")
    assert selectors.rates_at(now + timedelta(days=2)) == {"EUR": Decimal("0.95")}
    assert selectors.rates_at(now - timedelta(days=1)) == {"EUR": Decimal("0.90")}

    # A rate from now on takes effect at once (the cache is cleared on save)
    # and the history is kept.
    services.set_rate(currency="EUR", rate=Decimal("0.92"))
    assert selectors.current_rate("EUR") == Decimal("0.92")
    assert ExchangeRate.objects.filter(currency="EUR").count() == 3

    listing = staff_client.get("/staff/pricing/exchangerate/")
    assert listing.status_code == 200
    assert [r.rate for r in listing.context["cl"].result_list if r.in_effect] == [Decimal("0.92")]
    # Past rows are shown, never edited in place.
    old = staff_client.get(f"/staff/pricing/exchangerate/{new.pk}/change/")
    assert old.status_code == 200
    assert b'name="_save"' not in old.content
    staff_client.post(
        f"/staff/pricing/exchangerate/{new.pk}/change/",
        {"currency": "EUR", "rate": "5", "effective_from_0": "2020-01-01"},
    )
    new.refresh_from_db()
    assert new.rate == Decimal("0.95")


def test_P1_rates_must_be_positive_and_for_a_foreign_currency():
    for bad in (Decimal(0), Decimal("-1"), Decimal("NaN")):
        with pytest.raises(ValidationError):
            services.set_rate(currency="EUR", rate=bad)
    with pytest.raises(ValidationError):
        services.set_rate(currency="EUR", rate=0.9)
    with pytest.raises(ValidationError):
        services.set_rate(currency="USD", rate=Decimal(1))
    with pytest.raises(UnsupportedCurrency):
        services.set_rate(currency="CHF", rate=Decimal(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRate.objects.create(
            currency="EUR", rate=Decimal("-1"), effective_from=timezone.now()
        )


def test_P1_quote_keeps_the_rate_used():
    services.set_rate(currency="GBP", rate=Decimal("0.78912345"))
    money, rate = selectors.quote(Decimal("189.99"), "GBP")
    assert rate == Decimal("0.78912345")
    assert money == Money(Decimal("149.93"), "GBP")
    services.set_rate(currency="GBP", rate=Decimal("0.5"))
    # The order's stored rate reproduces its amount whatever today's rate is.
    assert selectors.convert(Money.store(Decimal("189.99")), "GBP", rate=rate) == money


def test_P1_display_currency_cookie_changes_shown_prices(client):
    part = PartFactory(price=Decimal("10.00"))
    services.set_rate(currency="EUR", rate=Decimal("0.9"))
    assert "$10.00" in client.get(f"/parts/{part.sku}/").content.decode()

    response = client.post("/currency/", {"currency": "EUR", "next": f"/parts/{part.sku}/"})
    assert response.status_code == 302
    assert response["Location"] == f"/parts/{part.sku}/"
    cookie = response.cookies["currency"]
    assert cookie.value == "EUR"
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 60 * 60

    page = client.get(f"/parts/{part.sku}/")
    assert page.wsgi_request.currency == "EUR"
    assert "€9.00" in page.content.decode()
    assert "$10.00" not in page.content.decode()


def test_P1_display_currency_falls_back_to_the_store_currency_without_a_rate(client):
    part = PartFactory(price=Decimal("10.00"))
    client.cookies["currency"] = "GBP"
    page = client.get(f"/parts/{part.sku}/")
    assert page.wsgi_request.currency == "USD"
    assert "$10.00" in page.content.decode()
    client.cookies["currency"] = "<script>"
    assert "$10.00" in client.get(f"/parts/{part.sku}/").content.decode()


def test_P1_currency_choice_only_redirects_to_this_site(client):
    response = client.post("/currency/", {"currency": "eur", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["currency"].value == "EUR"
    assert client.get("/currency/").status_code == 405


@pytest.mark.parametrize("code", ["XXX", "", "usd; drop table", "€"])
def test_P1_unknown_currency_refused(client, code):
    response = client.post("/currency/", {"currency": code})
    assert response.status_code == 400
    assert "is not a currency we support" in response.content.decode()
    assert "currency" not in response.cookies


def test_P1_display_currency_does_not_leak_between_requests(client):
    part = PartFactory(price=Decimal("10.00"))
    services.set_rate(currency="JPY", rate=Decimal("150"))
    client.cookies["currency"] = "JPY"
    assert "¥1,500" in client.get(f"/parts/{part.sku}/").content.decode()
    # The request is over: this thread is back to the store currency...
    assert display_currency.get() is None
    # ...and so is the next shopper, who chose nothing.
    del client.cookies["currency"]
    assert "$10.00" in client.get(f"/parts/{part.sku}/").content.decode()


def test_P1_display_currency_is_per_thread():
    seen = {}
    token = display_currency.set(DisplayCurrency("EUR", Decimal("0.9")))
    try:
        thread = threading.Thread(target=lambda: seen.update(other=display_currency.get()))
        thread.start()
        thread.join()
    finally:
        display_currency.reset(token)
    assert seen["other"] is None


def test_P1_money_filter_converts_store_amounts_only():
    template = Template('{% load money %}{{ a|money }} {{ a|money:"GBP" }} {{ m|money }}')
    context = Context({"a": Decimal("45.90") / Decimal("0.9"), "m": Money(Decimal(5), "CAD")})
    token = display_currency.set(DisplayCurrency("EUR", Decimal("0.9")))
    try:
        assert template.render(context) == "€45.90 £51.00 CA$5.00"
    finally:
        display_currency.reset(token)
    assert template.render(context) == "$51.00 £51.00 CA$5.00"


@given(
    amount=st.decimals(min_value=0, max_value=Decimal("1e9"), places=4, allow_nan=False),
    rate=st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("100000"), places=8),
    currency=st.sampled_from([c for c in CURRENCIES if c != "USD"]),
)
def test_P1_no_floats(amount, rate, currency):
    converted = Money.store(amount).converted(currency, rate=rate)
    assert isinstance(converted.amount, Decimal)
    assert converted.currency == currency
    assert converted.amount.as_tuple().exponent == minor_unit(currency).as_tuple().exponent
    with pytest.raises(TypeError):
        Money(1.5, currency)
    with pytest.raises(TypeError):
        Money.store(amount).converted(currency, rate=float(rate))


def test_P1_api_lists_currencies(client):
    services.set_rate(currency="EUR", rate=Decimal("0.9"))
    body = client.get("/api/v1/currencies").json()
    assert body["store_currency"] == "USD"
    by_code = {c["code"]: c for c in body["currencies"]}
    assert list(by_code) == list(CURRENCIES)
    assert by_code["JPY"]["decimal_places"] == 0
    assert by_code["EUR"] == {"code": "EUR", "decimal_places": 2, "rate": "0.90000000"}
    assert by_code["USD"]["rate"] == "1"
    assert by_code["GBP"]["rate"] is None


def test_P1_api_converts_prices(client):
    services.set_rate(currency="EUR", rate=Decimal("0.9"))
    body = client.get("/api/v1/prices/convert", {"amount": "51.00", "currency": "EUR"}).json()
    assert body == {
        "store_amount": "51.00",
        "store_currency": "USD",
        "amount": "45.90",
        "currency": "EUR",
        "rate": "0.90000000",
        "formatted": "€45.90",
    }
    no_rate = client.get("/api/v1/prices/convert", {"amount": "1", "currency": "JPY"})
    assert no_rate.status_code == 404
    assert "No exchange rate" in no_rate.json()["detail"]
    for bad in ({"amount": "1", "currency": "XXX"}, {"amount": "-1", "currency": "EUR"}):
        assert client.get("/api/v1/prices/convert", bad).status_code == 422


def test_P1_currency_picker_offers_every_currency_and_marks_the_choice(rf):
    from django.template.loader import render_to_string

    request = rf.get("/parts/CS1/?page=2")
    request.currency = "JPY"
    html = render_to_string("pricing/_currency_picker.html", request=request)
    assert 'action="/currency/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="next" value="/parts/CS1/?page=2"' in html
    assert '<option value="JPY" selected>JPY ¥ Japanese Yen</option>' in html
    assert html.count("<option") == len(CURRENCIES)


@pytest.mark.django_db
def test_P1_a_demo_store_gets_demo_rates_but_staff_rates_stay():
    services.set_rate(currency="EUR", rate=Decimal("0.5"))
    seeded = services.seed_demo_rates()
    assert "EUR" not in seeded and "JPY" in seeded
    assert selectors.current_rate("EUR") == Decimal("0.5")
    assert selectors.current_rate("JPY") == services.DEMO_RATES["JPY"]
    assert services.seed_demo_rates() == []
