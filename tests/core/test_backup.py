"""B3, V8: `camshaft backup` and `camshaft restore` bring a store back whole,
its encrypted fields readable with the store's keys, which are never in the
backup itself."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from camshaft.accounts.models import User
from camshaft.core import backup, crypto
from camshaft.inventory.models import StockLevel
from camshaft.orders.models import Order
from tests.staff import CUSTOMER_PHONE, SHIPPING_STREET, customer_with_order

pytestmark = pytest.mark.django_db(transaction=True)


def run(command: str, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, "--no-progress", stdout=out)
    return out.getvalue()


def empty_the_store() -> None:
    call_command("flush", interactive=False, verbosity=0)
    assert not User.objects.exists() and not Order.objects.exists()


def test_B3_restore_reads_encrypted_fields(tmp_path):
    customer, order = customer_with_order()
    stock = sorted(StockLevel.objects.values_list("part_id", "warehouse_id", "quantity"))
    output = run("backup", str(tmp_path / "backup"))
    assert str(crypto.keyring().source) in output  # the keys to keep apart, named

    empty_the_store()
    output = run("restore", str(tmp_path / "backup"))

    restored = User.objects.get(email=customer.email)
    assert restored.phone == CUSTOMER_PHONE  # opened with the store's keys
    order = Order.objects.get(number=order.number)
    assert order.shipping_address.line1 == SHIPPING_STREET
    assert sorted(StockLevel.objects.values_list("part_id", "warehouse_id", "quantity")) == stock
    assert "all open with the keys configured now" in output


def test_V8_a_backup_holds_no_key(tmp_path, settings):
    customer_with_order()
    run("backup", str(tmp_path / "backup"))
    key = settings.FIELD_ENCRYPTION_KEY_FILE.read_text().strip()
    for path in (tmp_path / "backup").iterdir():
        content = path.read_bytes()
        assert key.encode() not in content
        assert CUSTOMER_PHONE.encode() not in content  # sealed in the copy too


def test_B3_restore_keeps_a_store_with_data_unless_told(tmp_path):
    customer, _ = customer_with_order()
    run("backup", str(tmp_path / "backup"))
    User.objects.create_user("later@example.com", "a long password 1")
    with pytest.raises(CommandError, match="--replace"):
        run("restore", str(tmp_path / "backup"))
    assert User.objects.filter(email="later@example.com").exists()

    run("restore", str(tmp_path / "backup"), "--replace")
    assert not User.objects.filter(email="later@example.com").exists()
    assert User.objects.filter(email=customer.email).exists()


def test_B3_restore_refuses_a_damaged_backup(tmp_path):
    customer_with_order()
    run("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / backup.MANIFEST).read_text())
    copy = tmp_path / "backup" / manifest["file"]
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    empty_the_store()
    with pytest.raises(CommandError, match="damaged"):
        run("restore", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="not a Camshaft backup"):
        run("restore", str(tmp_path))
    with pytest.raises(CommandError, match="already holds a backup"):
        run("backup", str(tmp_path / "backup"))


def test_B3_restore_refuses_keys_that_cannot_open_it(tmp_path, settings):
    customer_with_order()
    run("backup", str(tmp_path / "backup"))
    empty_the_store()
    settings.FIELD_ENCRYPTION_KEYS = [crypto.generate_key()]  # another store's key
    with pytest.raises(CommandError, match="cannot open this backup"):
        run("restore", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="open with no key"):
        run("restore", str(tmp_path / "backup"), "--ignore-keys")
