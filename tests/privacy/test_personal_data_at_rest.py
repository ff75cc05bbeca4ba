"""V8: after a customer has done everything a customer can do, no table
holds their phone, street, city, postal code or date of birth in clear: not
the main tables, not the mail they were sent, not the logs; on SQLite not
even the database's pages."""

import logging
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from camshaft.accounts.services import check_credentials
from camshaft.core.models import AuditAction
from camshaft.core.services import record_access
from tests.privacy.test_data_rights import THEO, theo  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

CLEAR_TEXT = {
    "phone": THEO["phone"],
    "street": THEO["street"],
    "city": "Worthington",
    "postal code": THEO["postal_code"],
    "date of birth": "1987-06-05",
}
RAW_TYPES = {"CharField", "TextField", "JSONField", "BinaryField", "SlugField", "EmailField"}


def raw_text_of_every_table() -> dict[str, str]:
    """Every text, JSON and binary column of every table, read past the
    model fields (so what the database holds, sealed or not)."""
    quote = connection.ops.quote_name
    held = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            f.column
            for f in model._meta.local_concrete_fields
            if f.get_internal_type() in RAW_TYPES
        ]
        if not columns:
            continue
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}"  # noqa: S608
            )
            rows = cursor.fetchall()
        held[table] = "\n".join(
            bytes(value).decode("latin-1") if isinstance(value, bytes | memoryview) else str(value)
            for row in rows
            for value in row
            if value is not None
        )
    return held


def test_V8_scan_finds_no_clear_personal_data_anywhere(theo, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    # Traces a member leaves besides orders: a wrong password, a staff look.
    with pytest.raises(Exception):  # noqa: B017 - InvalidCredentials
        check_credentials(email=theo.email, password="wrong one", client_ip="203.0.113.7")
    record_access(
        staff=None, actor="a clerk", action=AuditAction.VIEWED, subject_user_id=theo.pk,
        subject_email=theo.email, detail="Viewed the customer page",
    )  # fmt: skip

    held = raw_text_of_every_table()
    assert theo.email in "\n".join(held.values())  # the scan reads the tables it should
    found = {
        (table, name)
        for table, text in held.items()
        for name, value in CLEAR_TEXT.items()
        if value.lower() in text.lower()
    }
    assert found == set()
    for name, value in CLEAR_TEXT.items():
        assert value not in caplog.text, name
    # The store's folder: the search index (and any file a test run left there).
    for path in Path(settings.SEARCH_INDEX_DIR).rglob("*"):
        if path.is_file():
            content = path.read_bytes().decode("latin-1")
            assert [n for n, v in CLEAR_TEXT.items() if v in content] == [], path

    if connection.vendor == "sqlite":
        # Every page of the database, free ones included, as its file holds them.
        pages = connection.connection.serialize().decode("latin-1")
        assert theo.email in pages
        for name, value in CLEAR_TEXT.items():
            assert value not in pages, name


def test_V4_after_erasure_the_scan_finds_not_even_the_name_or_email(theo):  # noqa: F811
    from camshaft.notifications.services import deliver_due_messages
    from camshaft.privacy.services import erase_person

    erase_person(user=theo, reason="asked by mail", by=None)
    deliver_due_messages()  # the goodbye mail goes, then its copy is blanked
    gone = {
        **CLEAR_TEXT,
        "email": THEO["email"],
        "first name": THEO["first_name"],
        "last name": THEO["last_name"],
    }
    held = raw_text_of_every_table()
    found = {
        (table, name)
        for table, text in held.items()
        for name, value in gone.items()
        if value.lower() in text.lower()
    }
    assert found == set()
    if connection.vendor == "sqlite":
        pages = connection.connection.serialize().decode("latin-1").lower()
        assert [name for name, value in gone.items() if value.lower() in pages] == []
