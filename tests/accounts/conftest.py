"""Members, tokens and mail for the account tests."""

from datetime import date

import pytest

from camshaft.accounts.models import Address, User
from camshaft.accounts.services import issue_api_token

PASSWORD = "gasket-torque-41"


@pytest.fixture
def make_member(db):
    def make(email="pat@example.com", password=PASSWORD, **extra) -> User:
        extra.setdefault("date_of_birth", date(1990, 5, 17))
        return User.objects.create_user(email, password, **extra)

    return make


@pytest.fixture
def member(make_member) -> User:
    return make_member()


@pytest.fixture
def make_address():
    def make(user, **extra) -> Address:
        fields = {
            "full_name": "Pat Driver",
            "line1": "12 Piston Street",
            "city": "Columbus",
            "region": "OH",
            "postal_code": "43004",
            "country": "US",
            **extra,
        }
        return Address.objects.create(user=user, **fields)

    return make


@pytest.fixture
def bearer():
    """Authorization headers for a fresh API token of `user`."""

    def headers(user) -> dict:
        return {"Authorization": f"Bearer {issue_api_token(user=user).key}"}

    return headers
