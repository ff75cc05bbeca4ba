"""V8: phone numbers, addresses and dates of birth are encrypted at rest,
with key rotation, and staff can still find an order by a customer's name."""

import stat
from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, connections
from django.db.utils import load_backend

from camshaft.accounts.models import Address, User
from camshaft.checkout.models import Checkout
from camshaft.core import crypto
from camshaft.orders.models import OrderAddress
from tests.factories import AddressFactory, MemberFactory, OrderFactory
from tests.shopping import ADDRESS, ready_cart

PHONE = "+1 614 555 0142"
STREET = "742 Evergreen Terrace"
POSTAL_CODE = "45402-7781"
BIRTHDAY = date(1984, 2, 29)
SECRETS = (PHONE, STREET, POSTAL_CODE, BIRTHDAY.isoformat())


def raw_rows(table: str, *columns: str) -> list[tuple]:
    """What the database itself holds, read past the model fields."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")  # noqa: S608
        return cursor.fetchall()


def stored_text(table: str, *columns: str) -> str:
    return "\n".join(str(value) for row in raw_rows(table, *columns) for value in row)


def customer() -> User:
    member = MemberFactory(phone=PHONE, date_of_birth=BIRTHDAY)
    AddressFactory(user=member, line1=STREET, postal_code=POSTAL_CODE, phone=PHONE)
    return member


# ------------------------------------------------------------ the fields


@pytest.mark.django_db
def test_V8_values_read_back_as_they_were_written():
    member = customer()
    order = OrderFactory(billing_address__line1=STREET, billing_address__phone=PHONE)
    cart = ready_cart(user=member)

    member = User.objects.get(pk=member.pk)
    assert (member.phone, member.date_of_birth) == (PHONE, BIRTHDAY)
    address = Address.objects.get(user=member)
    assert (address.line1, address.postal_code, address.city, address.line2) == (
        STREET,
        POSTAL_CODE,
        "Lyon",
        "",
    )
    billed = OrderAddress.objects.get(pk=order.billing_address_id)
    assert (billed.line1, billed.phone, billed.country) == (STREET, PHONE, "DE")
    assert Checkout.objects.get(cart=cart).billing_address["line1"] == ADDRESS["line1"]


@pytest.mark.django_db
def test_V8_raw_columns_hold_tokens_not_clear_text():
    """Read with a plain cursor (on SQLite and PostgreSQL alike)."""
    customer()
    OrderFactory(billing_address__line1=STREET, billing_address__postal_code=POSTAL_CODE)
    ready_cart(user=MemberFactory(), email="pat@example.com")

    held = "\n".join(
        [
            stored_text("accounts_user", "phone", "date_of_birth"),
            stored_text("accounts_address", "full_name", "line1", "city", "postal_code", "phone"),
            stored_text("orders_orderaddress", "full_name", "line1", "postal_code", "phone"),
            stored_text("checkout_checkout", "billing_address", "shipping_address"),
        ]
    )
    for secret in (*SECRETS, "Alex Driver", "Sam Guest", "Lyon", ADDRESS["line1"], "43004"):
        assert secret not in held
    (token,) = raw_rows("accounts_address", "line1")[0]
    assert crypto.decrypt(token) == STREET
    # Country and region stay readable: tax, shipping zones and breach notices query them.
    assert raw_rows("accounts_address", "country") == [("FR",)]


@pytest.mark.django_db
def test_V8_blank_and_missing_values_stay_blank():
    member = MemberFactory(phone="", date_of_birth=None)
    assert raw_rows("accounts_user", "phone", "date_of_birth") == [("", None)]
    assert User.objects.filter(date_of_birth__isnull=True).get() == member
    member = User.objects.get(pk=member.pk)
    assert (member.phone, member.date_of_birth) == ("", None)


@pytest.mark.django_db
def test_V8_filtering_on_an_encrypted_column_is_refused_clearly():
    with pytest.raises(FieldError, match="encrypted at rest"):
        list(User.objects.filter(phone=PHONE))
    with pytest.raises(FieldError, match="encrypted at rest"):
        list(OrderAddress.objects.filter(full_name__icontains="sam"))


@pytest.mark.django_db
def test_V8_validators_still_check_the_plain_value():
    member = MemberFactory()
    member.phone = "call me maybe"
    with pytest.raises(Exception, match="phone number"):
        member.full_clean()
    member.phone = "9" * 31
    with pytest.raises(Exception, match="at most 30"):
        member.full_clean()


# ------------------------------------------------------------ keys


def test_V8_key_file_is_made_on_first_use_readable_by_its_owner_only(settings):
    token = crypto.encrypt(PHONE)
    path = settings.FIELD_ENCRYPTION_KEY_FILE
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Fernet(path.read_text().strip()).decrypt(token.encode()).decode() == PHONE


def test_V8_keys_from_the_environment_come_first_and_no_file_is_made(settings):
    key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key]
    token = crypto.encrypt(PHONE)
    assert Fernet(key).decrypt(token.encode()).decode() == PHONE
    assert not settings.FIELD_ENCRYPTION_KEY_FILE.exists()


def test_V8_a_bad_key_is_refused_without_being_echoed(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key-at-all"]
    with pytest.raises(ImproperlyConfigured, match="key 1") as refused:
        crypto.encrypt(PHONE)
    assert "not-a-fernet-key" not in str(refused.value)


def test_V8_old_key_still_decrypts_after_a_new_key_is_added(settings):
    old = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    token = crypto.encrypt(PHONE)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    assert crypto.decrypt(token) == PHONE
    assert not crypto.is_current(token)
    assert crypto.is_current(crypto.encrypt(PHONE))


def test_V8_a_value_whose_key_is_gone_is_reported(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = crypto.encrypt(PHONE)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.UndecryptableValue, match="rotate-keys"):
        crypto.decrypt(token)


def test_V8_lookup_digest_is_keyed_normalized_and_survives_rotation(settings):
    digest = crypto.lookup_digest("Robin  DRIVER", purpose="name")
    assert digest == crypto.lookup_digest("robin driver", purpose="name")
    assert digest != crypto.lookup_digest("robin driver", purpose="city")
    crypto.add_key_to_file()
    assert crypto.lookup_digest("Robin Driver", purpose="name") == digest
    settings.FIELD_LOOKUP_KEY = "another store's lookup key"
    assert crypto.lookup_digest("Robin Driver", purpose="name") != digest


# ------------------------------------------------------------ rotate-keys


@pytest.mark.django_db
def test_V8_rotate_keys_reencrypts_so_the_old_key_can_be_removed(settings, capsys):
    member = customer()
    ready_cart(user=member)
    order = OrderFactory(billing_address__phone=PHONE)
    key_file = settings.FIELD_ENCRYPTION_KEY_FILE
    old_key = key_file.read_text().strip()
    before = raw_rows("accounts_user", "phone")

    call_command("rotate_keys", "--new-key", "--batch-size", "1", "--no-progress")

    new_key, kept_old = key_file.read_text().split()
    assert kept_old == old_key and new_key != old_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert raw_rows("accounts_user", "phone") != before
    output = capsys.readouterr().out
    assert "accounts.User: 2 value(s) re-encrypted" in output
    assert "older key(s) may now be removed" in output

    key_file.write_text(new_key + "\n")  # the old key retired
    member = User.objects.get(pk=member.pk)
    assert (member.phone, member.date_of_birth) == (PHONE, BIRTHDAY)
    assert Address.objects.get(user=member).line1 == STREET
    assert OrderAddress.objects.get(pk=order.billing_address_id).phone == PHONE
    assert Checkout.objects.get(cart__user=member).billing_address["line1"] == ADDRESS["line1"]

    call_command("rotate_keys", "--no-progress")
    assert "Re-encrypted 0 value(s)" in capsys.readouterr().out


@pytest.mark.django_db
def test_V8_rotate_keys_with_keys_from_the_environment_says_what_to_do(settings, capsys):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    member = customer()
    before = raw_rows("accounts_user", "phone")

    call_command("rotate_keys", "--new-key", "--no-progress")

    steps = capsys.readouterr().out
    new_key = steps.split("FIELD_ENCRYPTION_KEYS=")[1].split(",")[0]
    Fernet(new_key)  # a usable key
    assert "Restart" in steps
    assert raw_rows("accounts_user", "phone") == before
    assert not settings.FIELD_ENCRYPTION_KEY_FILE.exists()
    assert User.objects.get(pk=member.pk).phone == PHONE


@pytest.mark.django_db
def test_V8_rotate_keys_stops_on_a_value_no_key_opens(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    customer()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(Exception, match="put back the key"):
        call_command("rotate_keys", "--no-progress")


# ------------------------------------------------------------ the raw file


@pytest.fixture
def sqlite_file_store(tmp_path):
    """A store in an SQLite file of its own, reached through a connection
    alias, with the tables that hold the encrypted fields."""
    if connection.vendor != "sqlite":
        pytest.skip(
            "The store's database is PostgreSQL here: its files belong to the server. "
            "test_V8_raw_columns_hold_tokens_not_clear_text covers what it stores."
        )
    alias = "v8_file_store"
    config = connections.configure_settings(
        {
            "default": dict(django_settings.DATABASES["default"]),
            alias: {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "store.db")},
        }
    )[alias]
    store = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    connections[alias] = store
    with store.schema_editor() as editor:
        for model in (User, Address, OrderAddress):
            editor.create_model(model)
    yield alias, tmp_path / "store.db"
    store.close()
    del connections[alias]


@pytest.mark.django_db
def test_V8_raw_database_file_holds_no_phone_street_postal_code_or_birthday_in_clear(
    sqlite_file_store,
):
    alias, path = sqlite_file_store
    (member,) = User.objects.using(alias).bulk_create(
        [User(email="file@example.com", phone=PHONE, date_of_birth=BIRTHDAY)]
    )
    member = User.objects.using(alias).get(email="file@example.com")
    fields = {"line1": STREET, "city": "Dayton", "region": "Miami Valley", "country": "US"}
    Address.objects.using(alias).bulk_create(
        [Address(user=member, full_name="File Owner", postal_code=POSTAL_CODE, **fields)]
    )
    OrderAddress.objects.using(alias).bulk_create(
        [OrderAddress(full_name="File Owner", phone=PHONE, postal_code=POSTAL_CODE, **fields)]
    )
    assert User.objects.using(alias).get().phone == PHONE
    with connections[alias].cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connections[alias].close()

    held = b"".join(p.read_bytes() for p in path.parent.glob("store.db*"))
    for secret in SECRETS:
        assert secret.encode() not in held, secret
    # The file is really read: what stays in clear is found in it.
    assert b"file@example.com" in held
    assert b"Miami Valley" in held


# ------------------------------------------------------------ pages, API, back office


@pytest.mark.django_db
def test_V8_address_saved_in_the_browser_is_shown_in_clear_and_stored_encrypted(client):
    member = MemberFactory()
    client.force_login(member)
    form = {**ADDRESS, "line1": STREET, "postal_code": POSTAL_CODE, "phone": PHONE}
    assert client.post("/account/addresses/add/", form).status_code == 302
    page = client.get("/account/addresses/").content.decode()
    assert STREET in page
    assert STREET not in stored_text("accounts_address", "line1")
    assert PHONE not in stored_text("accounts_address", "phone")


@pytest.mark.django_db
def test_V8_address_added_through_the_api_is_stored_encrypted(client):
    from camshaft.accounts.services import issue_api_token

    member = MemberFactory()
    api = {"Authorization": f"Bearer {issue_api_token(user=member).key}"}
    body = {**ADDRESS, "line1": STREET, "postal_code": POSTAL_CODE}
    answer = client.post("/api/v1/me/addresses", body, content_type="application/json", headers=api)
    assert answer.status_code == 201, answer.content
    assert answer.json()["line1"] == STREET
    assert client.get("/api/v1/me/addresses", headers=api).json()[0]["postal_code"] == POSTAL_CODE
    assert POSTAL_CODE not in stored_text("accounts_address", "postal_code")


@pytest.mark.django_db
def test_V8_staff_see_the_phone_and_find_an_order_by_a_word_of_the_name(staff_client):
    member = customer()
    assert PHONE in staff_client.get(f"/staff/accounts/user/{member.pk}/change/").content.decode()
    wanted = OrderFactory(billing_address__full_name="Robin Q. Driver")
    other = OrderFactory(billing_address__full_name="Sam Guest", shipping_address__full_name="X")

    found = staff_client.get("/staff/orders/order/", {"q": "driver"}).content.decode()
    assert wanted.number in found and other.number not in found
    found = staff_client.get("/staff/orders/order/", {"q": "robin DRIVER"}).content.decode()
    assert wanted.number in found
    # Whole words only: the database holds keyed hashes of words, not text.
    assert (
        wanted.number
        not in staff_client.get("/staff/orders/order/", {"q": "driv"}).content.decode()
    )
    assert (
        other.number
        in staff_client.get("/staff/orders/order/", {"q": other.number}).content.decode()
    )
