"""V8: encrypt the order addresses already stored and index the words of
their names for staff's search (O2); reversed, decrypt them again."""

from functools import partial

from django.db import migrations

from camshaft.core import crypto
from camshaft.core.fields import open_stored_values, rewrite_rows

FIELDS = ["full_name", "line1", "line2", "city", "postal_code", "phone"]


def seal_and_index(apps, schema_editor):
    address = apps.get_model("orders", "OrderAddress")
    index = address._meta.get_field("name_words")

    def change(stored):
        sealed = {column: crypto.encrypt(stored[column]) for column in FIELDS if column in stored}
        return {**sealed, "name_words": index.digests(stored.get("full_name", ""))}

    for _ in rewrite_rows(address, FIELDS, change, using=schema_editor.connection.alias):
        pass


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0003_encrypted_addresses"),
    ]

    operations = [
        migrations.RunPython(
            seal_and_index,
            partial(open_stored_values, model="orders.OrderAddress", fields=FIELDS),
        ),
    ]
