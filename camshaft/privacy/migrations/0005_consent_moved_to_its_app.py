"""Policy versions and consent records now belong to the consent app (issue 9)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_policy_versions_in_consent"),
        ("privacy", "0004_data_requests_retention_policy_notice"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="consentrecord",
                    name="policy_version",
                ),
                migrations.RemoveField(
                    model_name="consentrecord",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="PrivacyPolicyVersion",
                ),
                migrations.DeleteModel(
                    name="ConsentRecord",
                ),
            ],
            # The tables stay as they are: only Django's idea of which app
            # owns them changes.
            database_operations=[],
        ),
    ]
