"""A cookie choice points at a policy version, now owned by the consent app."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("consent", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="cookiechoice",
                    name="policy_version",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cookie_choices",
                        to="consent.privacypolicyversion",
                    ),
                ),
            ],
            # The tables stay as they are: only Django's idea of which app
            # owns them changes.
            database_operations=[],
        ),
    ]
