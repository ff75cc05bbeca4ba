"""B3: read replicas through a database router. The catalogue's reads of a
request go to a replica until the request writes; everything else, and
everything after a write, reads the primary."""

import json
import os
import subprocess
import sys
import warnings

import pytest
from django.conf import settings as django_settings
from django.db import router
from django.http import HttpResponse

from camshaft.accounts.models import User
from camshaft.cart.models import Cart
from camshaft.catalog.models import Brand, Category, Part, PartImage
from camshaft.core import replicas
from camshaft.core.middleware import ReadReplicas
from camshaft.fitment.models import Fitment, Make, Vehicle
from camshaft.inventory.models import StockLevel, Warehouse
from camshaft.orders.models import Order, OrderLine
from camshaft.search.models import IndexHost, PendingIndexUpdate, SynonymRule
from tests.factories import BrandFactory, PartFactory

REPLICA = "replica1"


@pytest.fixture
def a_replica(settings):
    """A replica alias configured as docs/operations.md says, mirroring the test database."""
    with warnings.catch_warnings():  # Django warns that connections are not rebuilt: none need be
        warnings.simplefilter("ignore", UserWarning)
        settings.DATABASES = {
            **settings.DATABASES,
            REPLICA: {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}},
        }
    return REPLICA


def reads_in_a_request(request, body):
    """Run `body` inside ReadReplicas as the view of `request`; returns the
    response and what body returned."""
    seen = {}

    def view(req):
        seen["result"] = body()
        return HttpResponse("ok")

    response = ReadReplicas(view)(request)
    return response, seen["result"]


REPLICA_SERVED = [Part, Brand, Category, PartImage, Fitment, Vehicle, Make, SynonymRule]
PRIMARY_ONLY = [StockLevel, Warehouse, Order, OrderLine, Cart, User, PendingIndexUpdate, IndexHost]


@pytest.mark.parametrize("model", REPLICA_SERVED, ids=lambda m: m._meta.label)
def test_B3_catalogue_reads_of_a_request_go_to_a_replica(a_replica, rf, model):
    _, alias = reads_in_a_request(rf.get("/"), lambda: router.db_for_read(model))
    assert alias == REPLICA


@pytest.mark.parametrize("model", PRIMARY_ONLY, ids=lambda m: m._meta.label)
def test_B3_stock_orders_carts_accounts_and_the_change_log_read_the_primary(a_replica, rf, model):
    _, alias = reads_in_a_request(rf.get("/"), lambda: router.db_for_read(model))
    assert alias == "default"


@pytest.mark.parametrize("model", REPLICA_SERVED + PRIMARY_ONLY, ids=lambda m: m._meta.label)
def test_B3_every_write_goes_to_the_primary(a_replica, rf, model):
    _, alias = reads_in_a_request(rf.post("/"), lambda: router.db_for_write(model))
    assert alias == "default"


def test_B3_outside_a_request_everything_reads_the_primary(a_replica):
    """The worker builds each host's index from the primary, never a lagging replica."""
    assert router.db_for_read(Part) == "default"
    assert router.db_for_read(Fitment) == "default"


def test_B3_without_replicas_everything_reads_the_primary(rf):
    assert replicas.replica_aliases() == []
    _, alias = reads_in_a_request(rf.get("/"), lambda: router.db_for_read(Part))
    assert alias == "default"


@pytest.mark.django_db(transaction=True)
def test_B3_a_request_that_wrote_reads_its_own_writes_from_the_primary(a_replica, rf):
    def write_then_read():
        before = router.db_for_read(Part)
        BrandFactory(name="Written")
        return before, router.db_for_read(Part), router.db_for_read(Fitment)

    response, (before, after, fitment) = reads_in_a_request(rf.post("/"), write_then_read)
    assert before == REPLICA
    assert after == "default" and fitment == "default"
    # It changed the catalogue: the same browser stays on the primary a few seconds.
    assert ReadReplicas.COOKIE in response.cookies
    request = rf.get("/")
    request.COOKIES[ReadReplicas.COOKIE] = response.cookies[ReadReplicas.COOKIE].value
    _, next_page = reads_in_a_request(request, lambda: router.db_for_read(Part))
    assert next_page == "default"


@pytest.mark.django_db(transaction=True)
def test_B3_a_write_outside_the_catalogue_pins_the_request_but_sets_no_cookie(a_replica, rf):
    def write_a_cart():
        Cart.objects.filter(pk=0).delete()  # no row: still a write, routed to the primary
        return router.db_for_read(Part)

    response, alias = reads_in_a_request(rf.post("/"), write_a_cart)
    assert alias == "default" and ReadReplicas.COOKIE not in response.cookies


@pytest.mark.django_db
def test_B3_row_locks_and_reads_inside_a_transaction_use_the_primary(a_replica, rf):
    part = PartFactory()

    def lock():
        queryset = Part.objects.select_for_update().filter(pk=part.pk)
        return queryset.db

    _, alias = reads_in_a_request(rf.post("/"), lock)
    assert alias == "default"
    # pytest-django runs this test inside a transaction on the primary: a
    # read there must see that transaction's rows.
    _, alias = reads_in_a_request(rf.get("/"), lambda: Part.objects.filter(pk=part.pk).db)
    assert alias == "default"


def test_B3_a_forged_or_stale_cookie_changes_nothing_but_where_reads_go(a_replica, rf):
    for value in ("not a number", "0"):
        request = rf.get("/")
        request.COOKIES[ReadReplicas.COOKIE] = value
        _, alias = reads_in_a_request(request, lambda: router.db_for_read(Part))
        assert alias == REPLICA


def test_B3_replicas_are_never_migrated(a_replica):
    assert router.allow_migrate("default", "catalog")
    assert not router.allow_migrate(REPLICA, "catalog")


def _settings_in_a_new_process(code: str, **env) -> str:
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "camshaft.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout


def test_B3_replica_urls_become_aliases_mirrored_in_tests():
    out = _settings_in_a_new_process(
        "from django.conf import settings as s; "
        "print(sorted(a for a in s.DATABASES)); "
        "print(s.DATABASES['replica2']['HOST'], s.DATABASES['replica2']['TEST']['MIRROR'])",
        DATABASE_URL="postgres://camshaft@primary.internal:5432/camshaft",
        DATABASE_REPLICA_URLS=(
            "postgres://camshaft@replica-a.internal:5432/camshaft, "
            "postgres://camshaft@replica-b.internal:5432/camshaft"
        ),
    )
    assert out.splitlines() == ["['default', 'replica1', 'replica2']", "replica-b.internal default"]


def test_B3_deploy_checks_pass_with_replicas(tmp_path):
    """`manage.py check --deploy` with replicas configured as documented."""
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    else:
        url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**database)
    manage = django_settings.BASE_DIR / "manage.py"
    result = subprocess.run(
        [sys.executable, str(manage), "check", "--deploy", "--fail-level", "ERROR"],
        env={
            # A deployed store never allows async-unsafe calls (async.E001),
            # whatever the environment the tests were started in.
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DATABASE_URL": url,
            "DATABASE_REPLICA_URLS": f"{url},{url}",
            "CAMSHAFT_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    problems = [line for line in result.stderr.splitlines() if ".E" in line or "Error" in line]
    assert result.returncode == 0, problems or result.stderr[-2000:]
    assert "replica" not in result.stderr.lower()


def _database_settings_in_a_new_process(**env) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; "
        "print(json.dumps({'age': d['CONN_MAX_AGE'], 'pool': d.get('OPTIONS', {}).get('pool')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "camshaft.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_B3_postgresql_keeps_no_connection_per_thread_and_pools_when_asked():
    """Under ASGI each request runs in its own thread: kept connections would
    pile up per thread, so the default is one per request; DB_POOL_SIZE gives
    each app process a shared pool instead (docs/operations.md)."""
    url = "postgres://store@db.internal:5432/store"
    env = {"DATABASE_URL": url, "DB_CONN_MAX_AGE": "", "DB_POOL_SIZE": ""}
    env = {key: value for key, value in env.items() if value}
    assert _database_settings_in_a_new_process(**env) == {"age": 0, "pool": None}
    pooled = _database_settings_in_a_new_process(**env, DB_POOL_SIZE="8")
    assert pooled["age"] == 0 and pooled["pool"]["max_size"] == 8
