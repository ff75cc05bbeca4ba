"""Fixtures for the payments tests: tokenized test cards and users."""

import itertools

import pytest

from camshaft.payments.gateways import get_gateway

VISA = "4242 4242 4242 4242"
MASTERCARD = "5555 5555 5555 4444"
AMEX = "3782 822463 10005"
DISCOVER = "6011 1111 1111 1117"
DECLINES = "4000 0000 0000 0002"
NO_FUNDS = "4000 0000 0000 9995"
PROCESSOR_ERROR = "4000 0000 0000 0119"
TEST_CARDS = [VISA, MASTERCARD, AMEX, DISCOVER, DECLINES, NO_FUNDS, PROCESSOR_ERROR]

_keys = itertools.count()


@pytest.fixture
def tokenize():
    """Tokenize a test card through the configured (test) gateway."""

    def tokenize(number: str = VISA, *, cvc: str | None = None):
        if cvc is None:
            cvc = "1234" if number.startswith("3") else "123"
        return get_gateway().tokenize_card(
            number=number, exp_month=12, exp_year=2099, cvc=cvc, holder="Pat Shopper"
        )

    return tokenize


@pytest.fixture
def key():
    """A fresh idempotency key for each logical action in a test."""
    return lambda action="action": f"{action}:{next(_keys)}"


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_user(
        email="clerk@example.com", password="a-long-clerk-pass", is_staff=True
    )
