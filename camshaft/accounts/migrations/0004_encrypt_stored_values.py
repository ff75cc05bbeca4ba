"""V8: encrypt the phone numbers, dates of birth and addresses already
stored (and decrypt them again if this migration is reversed)."""

from functools import partial

from django.db import migrations

from camshaft.core.fields import open_stored_values, seal_stored_values

USER = {"model": "accounts.User", "fields": ["phone", "date_of_birth"]}
ADDRESS = {
    "model": "accounts.Address",
    "fields": ["full_name", "line1", "line2", "city", "postal_code", "phone"],
}


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_encrypted_personal_fields"),
    ]

    operations = [
        migrations.RunPython(
            partial(seal_stored_values, **USER), partial(open_stored_values, **USER)
        ),
        migrations.RunPython(
            partial(seal_stored_values, **ADDRESS), partial(open_stored_values, **ADDRESS)
        ),
    ]
