"""A fresh store starts with policy "1.0" so registration works at once (V1)."""

from django.db import migrations
from django.utils import timezone

BODY = (
    "Camshaft Auto Parts keeps the personal data you give us (your name, email "
    "address, addresses and orders) only to run your account and deliver your "
    "orders. We never sell it. You can download or delete it from My Account."
)


def create_first_version(apps, schema_editor):
    Version = apps.get_model("privacy", "PrivacyPolicyVersion")
    if not Version.objects.exists():
        now = timezone.now()
        Version.objects.create(
            version="1.0",
            summary="How we use your personal data.",
            body=BODY,
            published_at=now,
            effective_at=now,
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(create_first_version, migrations.RunPython.noop)]
