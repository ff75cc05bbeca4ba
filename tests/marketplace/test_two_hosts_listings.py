"""M1 on several hosts: a listing that leaves sale through host A leaves
host B's search, and comes back when resumed: B's index follows the same
change log as for parts (see tests/search/test_two_hosts.py). How long it
took is printed, not asserted (speed is the bench's to measure); waiting
gives up after WAIT_SECONDS, far beyond the second it takes.

PostgreSQL only, like the test it borrows its hosts from."""

import time
import uuid

from cryptography.fernet import Fernet

from tests.search import test_two_hosts as hosts

pytestmark = hosts.pytestmark
database = hosts.database  # the fixture: a database of its own, dropped after
WAIT_SECONDS = 30


def _marketplace_total(host: hosts.Host) -> int:
    """How many listings host's own index holds on sale (a count from the
    index; the offers shown are checked against the database as well)."""
    return host.get("/api/v1/search", q="", seller="marketplace", page_size=1)["total"]


def _first_offer(host: hosts.Host) -> int:
    found = host.get("/api/v1/search", q="", seller="marketplace", page_size=1)
    return found["offers"][0]["id"]


def _seconds_until(host: hosts.Host, total: int) -> float | None:
    started = time.monotonic()
    while time.monotonic() < started + WAIT_SECONDS:
        if _marketplace_total(host) == total:
            return time.monotonic() - started
        time.sleep(0.05)
    return None


def _set_status(host: hosts.Host, listing_id: int, status: str) -> None:
    """Through host A's own process, saving one field as checkout does."""
    host.manage_shell(
        "from camshaft.marketplace.models import Listing\n"
        f"listing = Listing.objects.get(pk={listing_id})\n"
        f"listing.status = {status!r}\n"
        "listing.save(update_fields=['status'])\n"
    )


def test_M1_two_hosts_see_a_listing_change(database, tmp_path):
    shared = {
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_LOOKUP_KEY": uuid.uuid4().hex,
    }
    a = hosts.Host("a", database, tmp_path, shared)
    b = hosts.Host("b", database, tmp_path, shared)
    try:
        a.start("--demo-parts", "300")  # with its demo sellers' listings
        a.wait_until_answering(healthy=True)
        b.start()
        b.wait_until_answering(healthy=True)

        listed = _marketplace_total(b)
        assert listed > 0, "the demo store has marketplace listings"
        listing_id = _first_offer(b)

        _set_status(a, listing_id, "paused")
        gone_after = _seconds_until(b, listed - 1)
        assert gone_after is not None, "host B's index still holds the paused listing"
        print(f"host B dropped the paused listing {gone_after:.2f} s after it was committed")

        _set_status(a, listing_id, "active")
        back_after = _seconds_until(b, listed)
        assert back_after is not None, "host B's index does not hold the resumed listing"
        print(f"host B listed the resumed listing {back_after:.2f} s after it was committed")
        assert listing_id in {
            o["id"]
            for o in b.get("/api/v1/search", q="", seller="marketplace", page_size=100)["offers"]
        }
    finally:
        b.stop()
        a.stop()
        a.log.close()
        b.log.close()
