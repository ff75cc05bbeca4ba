"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when
DATABASE_URL points there (.ci/run does both)."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_search_index(settings, tmp_path):
    """Each test gets an empty search index of its own, so documents from
    one test never show up in another; nor the words, vehicles and synonyms
    that searches read from the catalogue."""
    from camshaft.search import backend, spelling, suggestions, synonyms, understanding

    def forget():
        backend.reset_cache()
        spelling.forget()
        synonyms.forget()
        understanding.forget()
        suggestions.forget()

    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def _field_encryption_keys(settings, tmp_path):
    """Encrypted fields (V8) use key files of the test's own, never var/'s."""
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.FIELD_ENCRYPTION_KEY_FILE = tmp_path / "field-keys"
    settings.FIELD_LOOKUP_KEY = ""
    settings.FIELD_LOOKUP_KEY_FILE = tmp_path / "field-lookup-key"


@pytest.fixture(autouse=True)
def _media_of_its_own(settings, tmp_path):
    """Part pictures a test stores land in a folder of the test's own."""
    from camshaft.catalog import images

    settings.MEDIA_ROOT = tmp_path / "media"
    images.forget_urls()
    yield
    images.forget_urls()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Run enqueued tasks at once, inside the test (django-tasks listens for
    the setting change and drops its cached backends)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, past the staff second factor (A2)."""
    from tests.staff import sign_in_staff

    return sign_in_staff(client, admin_user)


@pytest.fixture
def staff_client(client, django_user_model):
    """A superuser signed in with their password and past the second factor."""
    from tests.staff import pass_second_factor

    user = django_user_model.objects.create_superuser("clerk@example.com", "a long staff password")
    assert client.login(email="clerk@example.com", password="a long staff password")
    pass_second_factor(client, user)
    return client


def _uses_database(request) -> bool:
    return request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _default_shipping_rates(request):
    """A transactional test flushes every table afterwards, the carriers and
    rate tables a migration installed included: put them back for the tests
    that follow."""
    if not _uses_database(request):
        return
    request.getfixturevalue("_django_db_helper")
    from camshaft.shipping.defaults import install_default_rates
    from camshaft.shipping.models import Carrier, ShippingRate

    install_default_rates(Carrier, ShippingRate)


# A Wednesday afternoon in US Eastern time, clear of O3's weekend window and
# S2's cut-off: tests whose outcome depends on the clock run there, not on
# whatever day CI happens to run.
A_WEDNESDAY_AFTERNOON = "2026-11-18 14:00:00-05:00"


@pytest.fixture
def on_a_weekday():
    import time_machine

    with time_machine.travel(A_WEDNESDAY_AFTERNOON, tick=True):
        yield


@pytest.fixture
def stripe_fake(httpserver, settings):
    """Stripe as the card gateway, its SDK pointed at a local HTTP server
    that answers as Stripe's API reference shows (tests/payments/fakes)."""
    settings.PAYMENT_GATEWAY = "camshaft.payments.gateways.stripe.StripeGateway"
    settings.STRIPE_API_BASE = httpserver.url_for("/").rstrip("/")
    settings.STRIPE_SECRET_KEY = "sk_test_local_fake"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_local_fake"
    settings.PAYMENT_GATEWAY_TIMEOUT = 1
    return httpserver


@pytest.fixture
def paypal_fake(httpserver, settings):
    """PayPal through its own gateway (cards stay with PAYMENT_GATEWAY), its
    SDK pointed at a local HTTP server that answers as PayPal's API reference
    shows (tests/payments/fakes)."""
    from tests.payments.fakes import paypal_api

    settings.PAYPAL_GATEWAY = "camshaft.payments.gateways.paypal.PayPalGateway"
    settings.PAYPAL_API_BASE = httpserver.url_for("/").rstrip("/")
    settings.PAYPAL_CLIENT_ID = "local-fake-client"
    settings.PAYPAL_CLIENT_SECRET = "local-fake-secret"
    settings.PAYPAL_WEBHOOK_ID = "8PT597110X687430LKGECATA"
    settings.PAYMENT_GATEWAY_TIMEOUT = 1
    httpserver.expect_request("/v1/oauth2/token", method="POST").respond_with_json(paypal_api.TOKEN)
    return httpserver
