"""Y3: the full card number and the security code are never stored or logged."""

import logging
import re
import sys
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models

from camshaft.core.logging import RedactPersonalData
from camshaft.payments import services
from camshaft.payments.cards import luhn_valid
from camshaft.payments.gateways import GatewayUnavailable
from tests.payments.conftest import TEST_CARDS

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def card_numbers_in(text: str, numbers: set[str]) -> set[str]:
    """The Luhn-valid test-card numbers found in `text`, however the digits
    are grouped (spaces and dashes ignored)."""
    digits_only = re.sub(r"[ \-]", "", text)
    return {n for n in numbers if luhn_valid(n) and n in digits_only}


def everything_stored() -> str:
    """Every text, char and JSON column of every table, as one string."""
    chunks = []
    for model in apps.get_models():
        columns = [f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if columns:
            for row in model._default_manager.values_list(*columns):
                chunks.extend(str(value) for value in row if value is not None)
    return "\n".join(chunks)


@pytest.mark.django_db
def test_Y3_card_number_never_stored_or_logged(tokenize, caplog, django_user_model):
    caplog.set_level(logging.DEBUG)
    member = django_user_model.objects.create_user(email="m@example.com", password="x-long-pass")
    numbers = {n.replace(" ", "") for n in TEST_CARDS}
    for n, number in enumerate(TEST_CARDS):
        card = tokenize(number)
        services.save_card(user=member, card=card)
        try:
            payment = services.authorize_card_payment(
                amount=Decimal("42.00"), currency="USD", card=card, idempotency_key=f"a:{n}"
            )
        except (services.PaymentDeclined, GatewayUnavailable) as refused:
            logging.getLogger("camshaft.checkout").info("payment refused: %s", refused)
            continue
        services.capture_payment(payment=payment, amount=Decimal("42.00"), idempotency_key=f"c:{n}")
        services.refund_payment(payment=payment, amount=Decimal("2.00"), idempotency_key=f"r:{n}")

    stored = everything_stored()
    assert card_numbers_in("x 4242-4242-4242-4242 y", numbers)  # the scan can see one
    assert "4242" in stored  # the last four are kept, so the scan did read the tables
    assert card_numbers_in(stored, numbers) == set()
    assert caplog.records  # the services did log
    assert card_numbers_in(caplog.text, numbers) == set()
    # A security code travels nowhere but the gateway: no column holds one.
    stored_fields = {f.name for m in apps.get_models() for f in m._meta.fields}
    assert not stored_fields & {"cvc", "cvv", "card_number", "pan", "security_code"}


def test_Y3_log_filter_masks_card_numbers():
    def filtered(msg, *args, exc_info=None) -> logging.LogRecord:
        record = logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, exc_info)
        assert RedactPersonalData().filter(record)
        return record

    assert filtered("card %s declined", "4242 4242 4242 4242").getMessage() == (
        "card [redacted card number] declined"
    )
    assert "5555" not in filtered("pan=5555-5555-5555-4444").getMessage()
    assert "378282246310005" not in filtered("amex 378282246310005 ok").getMessage()
    assert filtered("order 12345 for 3 parts").getMessage() == "order 12345 for 3 parts"

    try:
        raise ValueError("bad card 6011111111111117")
    except ValueError:
        record = filtered("checkout failed", exc_info=sys.exc_info())
    assert "6011111111111117" not in record.exc_text
    assert "[redacted card number]" in record.exc_text
    handler_output = logging.Formatter().format(record)
    assert "6011111111111117" not in handler_output


def test_V8_log_filter_masks_email_addresses():
    record = logging.LogRecord(
        "t",
        logging.INFO,
        __file__,
        1,
        "mail to %s failed",
        ("Pat.O'Neil+parts@example.co.uk",),
        None,
    )
    assert RedactPersonalData().filter(record)
    assert record.getMessage() == "mail to [redacted email] failed"


def test_V8_access_log_keeps_no_query_referrer_or_link_token():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from camshaft.core.logging import AccessLogger

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/account/welcome/SECRET-TOKEN/?email=pat@example.com",
        "PATH_INFO": "/account/welcome/SECRET-TOKEN/",
        "QUERY_STRING": "email=pat@example.com",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://shop.example.com/search/?q=pat@example.com",
        "REMOTE_ADDR": "203.0.113.9",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    took = SimpleNamespace(seconds=0, microseconds=1500)
    atoms = AccessLogger(Config()).atoms(response, request, environ, took)
    line = " ".join(str(value) for value in atoms.values())
    assert "SECRET-TOKEN" not in line and "pat@example.com" not in line
    assert atoms["r"] == "GET /account/welcome/[token]/ HTTP/1.1"
    ordinary = AccessLogger(Config()).atoms(
        response, request, {**environ, "PATH_INFO": "/parts/BRK-1/"}, took
    )
    assert ordinary["U"] == "/parts/BRK-1/"
