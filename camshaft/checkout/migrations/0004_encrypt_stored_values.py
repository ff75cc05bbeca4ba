"""V8: encrypt the addresses of checkouts in progress (and decrypt them
again if this migration is reversed)."""

from functools import partial

from django.db import migrations

from camshaft.core.fields import open_stored_values, seal_stored_values

CHECKOUT = {"model": "checkout.Checkout", "fields": ["billing_address", "shipping_address"]}


class Migration(migrations.Migration):

    dependencies = [
        ("checkout", "0003_encrypted_addresses"),
    ]

    operations = [
        migrations.RunPython(
            partial(seal_stored_values, **CHECKOUT), partial(open_stored_values, **CHECKOUT)
        ),
    ]
