"""Deployment checks (`camshaft check-deploy`, or `check --deploy`): what a
real store must not run with. Each names the setting that fixes it; see the
first-install steps in docs/operations.md."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

TEST_GATEWAY = "camshaft.payments.gateways.test.TestGateway"


@register(Tags.security, deploy=True)
def check_store_settings(app_configs=None, **kwargs) -> list[Warning]:
    found = []
    if not settings.PRODUCTION:
        found.append(
            Warning(
                "CAMSHAFT_ENV is not 'production': cookies are not HTTPS-only, there is no "
                "HSTS and `camshaft serve` builds demo data into an empty store.",
                hint="Set CAMSHAFT_ENV=production on a real store.",
                id="camshaft.W101",
            )
        )
    if settings.SECRET_KEY_FROM_FILE:
        found.append(
            Warning(
                "SECRET_KEY is read from a file in the store's var/ folder.",
                hint="Set SECRET_KEY in the environment (kept apart from the data).",
                id="camshaft.W102",
            )
        )
    if not (settings.FIELD_ENCRYPTION_KEYS and settings.FIELD_LOOKUP_KEY):
        found.append(
            Warning(
                "The keys that encrypt personal fields are kept in var/, beside the database "
                "they protect: a copy of that folder holds both (V8).",
                hint="Set FIELD_ENCRYPTION_KEYS and FIELD_LOOKUP_KEY in the environment "
                "(docs/encryption.md).",
                id="camshaft.W103",
            )
        )
    if settings.PAYMENT_GATEWAY == TEST_GATEWAY:
        found.append(
            Warning(
                "Payments go to the built-in test gateway: it approves test cards and takes "
                "no money.",
                hint="Set PAYMENT_GATEWAY to a real processor's adapter (docs/payments.md); a "
                "staging store rehearsing with test cards silences camshaft.W104.",
                id="camshaft.W104",
            )
        )
    if settings.EMAIL_TO_FILES:
        found.append(
            Warning(
                "Mail is written to files in var/mail/ and never sent: shoppers get no order "
                "mail and staff no invitation.",
                hint="Set EMAIL_URL, e.g. smtp://user:password@mail-host:587.",
                id="camshaft.W105",
            )
        )
    return found
