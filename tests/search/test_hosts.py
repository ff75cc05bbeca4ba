"""B3: several app hosts, each keeping its own search index from one change log.

Each "host" here is an index directory of its own in this process: what
makes a host a host in Camshaft (its SEARCH_INDEX_DIR, its HOST file, its
position in the log). Two real `camshaft serve` processes are in
test_two_hosts.py."""

import contextlib
import datetime
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from camshaft.catalog import services as catalog_services
from camshaft.catalog.models import Part
from camshaft.core.paging import PageRequest
from camshaft.search import backend, changelog, services
from camshaft.search.models import IndexHost, IndexLogHorizon, PendingIndexUpdate
from camshaft.search.selectors import SearchFilters, search_parts
from tests.factories import PartFactory

NEW_PRICE = Decimal("4321.00")


@pytest.fixture
def no_sync_task(settings):
    """Only the hosts a test names apply the log: the sync task queued after
    each commit stays queued (run at once, it would be a third host)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def host(settings, tmp_path):
    """`with host("a"):` runs the body as app host "a"."""

    @contextlib.contextmanager
    def on(name: str):
        before = settings.SEARCH_INDEX_DIR
        settings.SEARCH_INDEX_DIR = tmp_path / f"host-{name}"
        try:
            yield
        finally:
            settings.SEARCH_INDEX_DIR = before

    return on


def at_new_price(name: str) -> int:
    """How many parts called `name` this host's index has at NEW_PRICE."""
    found = search_parts(
        query=name,
        filters=SearchFilters(min_price=NEW_PRICE, max_price=NEW_PRICE),
        page=PageRequest(1, 24),
    )
    assert found.notice is None, found.notice
    return found.total


def change_price(part: Part) -> None:
    part.price = NEW_PRICE
    catalog_services.save_part(part=part)


@pytest.mark.django_db
def test_B3_second_host_applies_a_change_the_first_applied(host):
    part = PartFactory(name="Radiator Hose")
    with host("a"):
        services.sync_index()
    with host("b"):
        services.sync_index()
        assert at_new_price("radiator hose") == 0

    change_price(part)
    with host("a"):
        services.sync_index()
        assert at_new_price("radiator hose") == 1
    with host("b"):
        assert at_new_price("radiator hose") == 0  # not applied here yet
        services.sync_index()
        assert at_new_price("radiator hose") == 1
    assert IndexHost.objects.count() == 2  # both count in the log's reckoning


def _sync_until_past(entry_key: int, deadline_seconds: float = 60.0) -> int:
    """Sync this host until the position it reported is past `entry_key` (on
    PostgreSQL positions follow the oldest transaction running anywhere on
    the server; a moved position is reported at most once a second)."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        services.sync_index()
        position = IndexHost.objects.get(host_id=backend.host_id()).position
        if position > entry_key or time.monotonic() > deadline:
            return position
        time.sleep(0.1)


def _newest_key() -> int:
    field = "txid" if connection.vendor == "postgresql" else "id"
    return PendingIndexUpdate.objects.order_by(f"-{field}").values_list(field, flat=True).first()


@pytest.mark.django_db(transaction=True)
def test_B3_log_is_pruned_only_once_every_live_host_has_applied_it(host, no_sync_task):
    part = PartFactory(name="Fuel Filter")
    with host("a"):
        services.sync_index()
    with host("b"):
        services.sync_index()
    change_price(part)
    entry = _newest_key()

    with host("a"):
        assert _sync_until_past(entry) > entry
        changelog.prune()
    assert PendingIndexUpdate.objects.filter(part_id=part.id).exists()  # b still needs it

    with host("b"):
        assert _sync_until_past(entry) > entry
        pruned = changelog.prune()
    assert pruned.pruned_below > entry
    assert not PendingIndexUpdate.objects.filter(part_id=part.id).exists()


@pytest.mark.django_db(transaction=True)
def test_B3_host_gone_long_is_dropped_and_rebuilds_when_it_comes_back(host, settings, no_sync_task):
    part = PartFactory(name="Brake Caliper")
    with host("gone"):
        services.sync_index()
        gone_id = backend.host_id()
        old_generation = backend.current_generation()
    with host("live"):
        services.sync_index()
    # "gone" is switched off for longer than the timeout; the store goes on.
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.SEARCH_HOST_TIMEOUT_SECONDS + 1)
    IndexHost.objects.filter(host_id=gone_id).update(seen_at=long_ago)
    change_price(part)
    entry = _newest_key()
    with host("live"):
        assert _sync_until_past(entry) > entry
        changelog.prune()
    assert gone_id not in IndexHost.objects.values_list("host_id", flat=True)
    assert not PendingIndexUpdate.objects.filter(part_id=part.id).exists()

    with host("gone"):  # back: the log no longer holds what it missed
        services.sync_index()
        assert backend.current_generation() != old_generation  # rebuilt
        assert at_new_price("brake caliper") == 1
        back = IndexHost.objects.get(host_id=gone_id)
    assert back.position >= IndexLogHorizon.objects.get().pruned_below


@pytest.mark.django_db
def test_B3_new_host_starts_from_the_newest_snapshot_then_catches_up(host, settings, tmp_path):
    settings.SEARCH_SNAPSHOT_DIR = str(tmp_path / "snapshots")
    part = PartFactory(name="Wheel Bearing")
    with host("a"):
        services.sync_index()
        assert services.publish_snapshot() is not None
    change_price(part)  # after the snapshot: the new host must catch up

    def no_rebuild(**_):
        raise AssertionError("a new host with a snapshot to start from rebuilt instead")

    with host("new"), pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "_rebuild_locked", no_rebuild)
        services.sync_index()
        assert at_new_price("wheel bearing") == 1


@pytest.mark.django_db
def test_B3_snapshot_the_log_no_longer_covers_is_not_used(host, settings, tmp_path):
    settings.SEARCH_SNAPSHOT_DIR = str(tmp_path / "snapshots")
    part = PartFactory(name="Tie Rod End")
    with host("a"):
        services.sync_index()
        snapshot = services.publish_snapshot()
    IndexLogHorizon.objects.update_or_create(
        pk=1, defaults={"pruned_below": backend.read_position(snapshot) + 1}
    )
    change_price(part)
    with host("new"):
        services.sync_index()
        assert at_new_price("tie rod end") == 1  # rebuilt from the database
        assert backend.read_position(backend.current_generation()) >= (
            backend.read_position(snapshot) + 1
        )


@pytest.mark.django_db(transaction=True)
def test_B3_entry_committed_late_under_a_lower_id_is_not_skipped(host, no_sync_task):
    """PostgreSQL hands out ids before commit: here id N is taken by a
    transaction that commits after id N+1 was written, committed and
    applied. Reading by id alone would step over N for ever."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite commits writers one at a time, in id order")
    import psycopg

    slow_part = PartFactory(name="Oxygen Sensor")
    quick_part = PartFactory(name="Spark Plug")
    with host("a"):
        services.sync_index()

    settings_dict = connection.settings_dict
    slow = psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        password=settings_dict["PASSWORD"] or None,
    )
    try:
        with slow.cursor() as cursor:  # psycopg opens a transaction: not committed yet
            cursor.execute(
                "UPDATE catalog_part SET price = %s WHERE id = %s", [NEW_PRICE, slow_part.id]
            )
            cursor.execute(
                "INSERT INTO search_pendingindexupdate (part_id, queued_at, txid) "
                "VALUES (%s, now(), pg_current_xact_id()::text::bigint) RETURNING id",
                [slow_part.id],
            )
            (slow_id,) = cursor.fetchone()
        change_price(quick_part)  # a higher id, committed first
        assert PendingIndexUpdate.objects.get(part_id=quick_part.id).id > slow_id
        with host("a"):
            services.sync_index()
            assert at_new_price("spark plug") == 1
            assert at_new_price("oxygen sensor") == 0
        slow.commit()
    finally:
        slow.close()

    with host("a"):
        deadline = time.monotonic() + 10
        while at_new_price("oxygen sensor") == 0 and time.monotonic() < deadline:
            services.sync_index()
        assert at_new_price("oxygen sensor") == 1


@pytest.mark.django_db
def test_B3_reindex_publishes_a_snapshot_for_new_hosts(settings, tmp_path, capsys):
    settings.SEARCH_SNAPSHOT_DIR = str(tmp_path / "snapshots")
    PartFactory(name="Water Pump")
    call_command("reindex", no_progress=True)
    (snapshot,) = backend.snapshots(tmp_path / "snapshots")
    assert f"Snapshot for new hosts: {snapshot}" in capsys.readouterr().out
    assert backend.read_position(snapshot) == backend.read_position(backend.current_generation())
