"""Subscriptions and the do-not-send list now belong to the consent app (issue 9)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_encrypt_mail_bodies"),
        ("consent", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="subscription",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="Suppression",
                ),
                migrations.DeleteModel(
                    name="Subscription",
                ),
            ],
            # The tables stay as they are: only Django's idea of which app
            # owns them changes.
            database_operations=[],
        ),
    ]
