"""B3: two app hosts (two `camshaft serve` processes, each with its own
SEARCH_INDEX_DIR) on one PostgreSQL database: a price changed through host
A shows in search on host B, also across B's restart. How long it took is
printed, not asserted (speed is the bench's to measure, not a test's: about
a second here, docs/operations.md); the test waits up to a minute.

PostgreSQL only: that is how a store runs several hosts. It makes a
database of its own on the server DATABASE_URL names and drops it after."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet

DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres"), reason="several hosts share one PostgreSQL database"
)
WAIT_SECONDS = 60
STARTUP_SECONDS = 300


@pytest.fixture
def database():
    import psycopg

    url = urllib.parse.urlsplit(DATABASE_URL)
    name = f"camshaft_two_hosts_{uuid.uuid4().hex[:10]}"
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url._replace(path=f"/{name}").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Host:
    def __init__(self, name: str, database_url: str, tmp_path, shared: dict):
        self.name = name
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            **shared,
            "DATABASE_URL": database_url,
            "CAMSHAFT_VAR_DIR": str(tmp_path / f"var-{name}"),
            "SEARCH_INDEX_DIR": str(tmp_path / f"search-{name}"),
            "PYTHONUNBUFFERED": "1",
        }
        self.log = open(tmp_path / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = None

    def start(self, *extra: str) -> None:
        extra = ("--workers", "1", *extra)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "camshaft.cli", "serve", "--port", str(self.port), *extra],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # serve, its gunicorn and worker: one group to stop
        )

    def wait_until_answering(self, *, healthy: bool = False) -> None:
        """Until /healthz answers (and says "ok", when `healthy`: a new host
        serves at once, degraded, while its worker builds its index)."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"host {self.name} exited; see {self.log.name}"
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as answer:  # noqa: S310
                    if not healthy or json.loads(answer.read())["status"] == "ok":
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        pytest.fail(f"host {self.name} did not answer within {STARTUP_SECONDS} s")

    def get(self, path: str, **params) -> dict:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.base}{path}?{query}", timeout=10) as answer:  # noqa: S310
            return json.loads(answer.read())

    def manage_shell(self, code: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "camshaft.cli", "manage", "shell", "-c", code],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


def _listed_at(host: Host, *, name: str, sku: str, price: Decimal) -> bool:
    """The part shows in host's search when filtered to exactly `price`:
    the filter runs on the host's own index, so this is its index speaking."""
    found = host.get("/api/v1/search", q=name, min_price=price, max_price=price, page_size=100)
    return sku in {p["sku"] for p in found["results"]}


def _seconds_until_listed(host: Host, **part) -> float:
    started = time.monotonic()
    deadline = started + WAIT_SECONDS  # a missed change fails here, not by hanging
    while time.monotonic() < deadline:
        if _listed_at(host, **part):
            return time.monotonic() - started
        time.sleep(0.05)
    return float("inf")


def _change_price(host: Host, *, sku: str, price: Decimal) -> None:
    """Through host A's own process and the service the back office calls."""
    host.manage_shell(
        "from decimal import Decimal\n"
        "from camshaft.catalog.models import Part\n"
        "from camshaft.catalog.services import save_part\n"
        f"part = Part.objects.get(sku={sku!r})\n"
        f"part.price = Decimal({str(price)!r})\n"
        "save_part(part=part)\n"
    )


def test_B3_second_host_sees_price_change(database, tmp_path):
    shared = {
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_LOOKUP_KEY": uuid.uuid4().hex,
    }
    a = Host("a", database, tmp_path, shared)
    b = Host("b", database, tmp_path, shared)
    try:
        a.start("--demo-parts", "300")
        a.wait_until_answering(healthy=True)
        b.start()  # the catalogue exists: b builds its own index from the database
        b.wait_until_answering(healthy=True)

        (part,) = a.get("/api/v1/search", q="", page_size=1)["results"]
        sku, name = part["sku"], part["name"]
        first, second = Decimal("4321.00"), Decimal("4322.00")
        assert not _listed_at(b, name=name, sku=sku, price=first)

        _change_price(a, sku=sku, price=first)
        seen_after = _seconds_until_listed(b, name=name, sku=sku, price=first)
        print(f"host B listed the new price {seen_after:.2f} s after it was committed")
        assert seen_after != float("inf"), "host B never listed the new price"

        # B restarts; the price changes through A meanwhile.
        b.stop()
        _change_price(a, sku=sku, price=second)
        b.start()
        b.wait_until_answering()
        seen_after = _seconds_until_listed(b, name=name, sku=sku, price=second)
        print(f"restarted host B listed the price {seen_after:.2f} s after answering again")
        assert seen_after != float("inf"), "restarted host B never listed the new price"
        assert b.get("/healthz")["status"] == "ok"
    finally:
        b.stop()
        a.stop()
        a.log.close()
        b.log.close()
