"""Policy versions and consent records come from the privacy app, newsletter
subscriptions and the do-not-send list from notifications (issue 9). Their
tables keep their names and rows; content types move, so the permissions
staff roles hold follow the models."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = {
    "privacy": ("privacypolicyversion", "consentrecord"),
    "notifications": ("subscription", "suppression"),
}


def _move(apps, *, to_consent: bool) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for app_label, models_moved in MOVED.items():
        source, target = (app_label, "consent") if to_consent else ("consent", app_label)
        for model in models_moved:
            if content_type.objects.filter(app_label=target, model=model).exists():
                continue  # already there (a fresh database makes them after migrating)
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def adopt_content_types(apps, schema_editor):
    _move(apps, to_consent=True)


def give_back_content_types(apps, schema_editor):
    _move(apps, to_consent=False)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("privacy", "0004_data_requests_retention_policy_notice"),
        ("notifications", "0003_encrypt_mail_bodies"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PrivacyPolicyVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("version", models.CharField(max_length=20, unique=True)),
                        ("summary", models.TextField(blank=True)),
                        ("body", models.TextField()),
                        ("published_at", models.DateTimeField()),
                        ("effective_at", models.DateTimeField()),
                        (
                            "material",
                            models.BooleanField(
                                default=False,
                                help_text="Changes what we do with people's data: members are told.",
                            ),
                        ),
                        ("members_notified_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "db_table": "privacy_privacypolicyversion",
                        "ordering": ["-effective_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Suppression",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("email_digest", models.CharField(max_length=64, unique=True)),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("asked", "The person asked"),
                                    ("staff", "Staff, on the person's request"),
                                    ("erased", "Account erased"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("added_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        "verbose_name": "do-not-send entry",
                        "verbose_name_plural": "do-not-send list",
                        "db_table": "notifications_suppression",
                        "ordering": ("-added_at",),
                    },
                ),
                migrations.CreateModel(
                    name="ConsentRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("email", models.EmailField(blank=True, max_length=254)),
                        ("purpose", models.CharField(default="privacy_policy", max_length=40)),
                        ("given_at", models.DateTimeField()),
                        (
                            "channel",
                            models.CharField(
                                choices=[("web", "Web"), ("api", "API"), ("checkout", "Checkout")],
                                max_length=10,
                            ),
                        ),
                        ("withdrawn_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="consents",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "policy_version",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="consents",
                                to="consent.privacypolicyversion",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "privacy_consentrecord",
                        "ordering": ["-given_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["user", "purpose"], name="privacy_con_user_id_8d5164_idx"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Subscription",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("email", models.EmailField(max_length=254, unique=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting for confirmation"),
                                    ("confirmed", "Subscribed"),
                                    ("unsubscribed", "Unsubscribed"),
                                ],
                                default="pending",
                                max_length=12,
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                help_text="Where they asked: web, api, account.", max_length=20
                            ),
                        ),
                        ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                        ("unsubscribed_at", models.DateTimeField(blank=True, null=True)),
                        ("unsubscribed_via", models.CharField(blank=True, max_length=20)),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="subscriptions",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "notifications_subscription",
                        "ordering": ("-requested_at", "-id"),
                        "indexes": [
                            models.Index(fields=["status"], name="subscription_status_idx")
                        ],
                    },
                ),
            ],
            # The tables stay as they are: only Django's idea of which app
            # owns them changes.
            database_operations=[],
        ),
        migrations.RunPython(adopt_content_types, give_back_content_types),
    ]
