"""`camshaft loadtest`: many shoppers at once through gunicorn (B3).

Starts the store (gunicorn, as `camshaft serve` does) on a loopback port,
runs locust's shoppers (camshaft/bench/locustfile.py) headless for a bounded
time, then reports per step p50/p95/p99 and errors, pages per second, orders
per minute, units oversold (must be 0) and how busy the machine's CPUs were,
which says whether they or something else (a lock, the database) saturated.
The members it signs in and the orders they place are removed afterwards."""

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import F, Sum
from django.utils import timezone

from camshaft.bench.saturation import Saturation, SaturationSampler
from camshaft.core import serving

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
#: Steps named so by the locustfile are JSON calls, not pages.
API_STEP = "api "
MEMBER_COUNT = 50
#: The addresses the shoppers order under: what the run removes afterwards.
RUN_EMAILS = ("guest-load@example.com", *(f"load-{n}@example.com" for n in range(MEMBER_COUNT)))
SERVER_START_SECONDS = 60


class LoadTestError(Exception):
    pass


@dataclass
class StepStats:
    name: str
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float


@dataclass
class LoadReport:
    users: int
    seconds: int
    database: str
    workers: int
    pages_per_second: float  # pages a browser shows; the finder's JSON calls are not pages
    requests_per_second: float
    #: Over every request of the run.
    p50_ms: float
    p95_ms: float
    orders_per_minute: float
    errors: int
    oversold_units: int
    cpu_busy_percent: float
    steps: list[StepStats] = field(default_factory=list)
    saturation: Saturation | None = None

    def as_json(self) -> dict:
        return asdict(self)


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LoadTestError("gunicorn stopped before answering; see its output above.")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise LoadTestError(f"The store did not answer {url} within {SERVER_START_SECONDS} s.")


def _refuse_a_busy_port(port: int) -> None:
    """Another server on the port would answer the health check and take the load."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise LoadTestError(f"Port {port} is in use: choose another with --port.") from None


def _make_members(password: str) -> list[int]:
    from camshaft.accounts.models import User

    members = []
    for number in range(MEMBER_COUNT):
        email = f"load-{number}@example.com"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, password, password_chosen_at=timezone.now()
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        members.append(user.pk)
    return members


def _oversold_units() -> int:
    from camshaft.inventory.models import StockLevel

    over = StockLevel.objects.filter(reserved__gt=F("quantity")).aggregate(
        units=Sum(F("reserved") - F("quantity"))
    )
    return over["units"] or 0


def _remove_orders(members: list[int]) -> None:
    """Release the stock of the orders the run placed and remove them, then
    the members it made."""
    from camshaft.accounts.models import User
    from camshaft.bench.orders import delete_bench_orders

    delete_bench_orders([], emails=RUN_EMAILS)
    User.objects.filter(pk__in=members).delete()


def _pages_per_second(prefix: Path) -> float:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", newline="")))  # noqa: SIM115
    return sum(
        float(row["Requests/s"])
        for row in rows
        if row["Name"] != "Aggregated" and not row["Name"].startswith(API_STEP)
    )


def _read_steps(prefix: Path) -> tuple[list[StepStats], StepStats, float]:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", newline="")))  # noqa: SIM115
    steps = [
        StepStats(
            name=row["Name"],
            requests=int(row["Request Count"]),
            failures=int(row["Failure Count"]),
            p50_ms=float(row["50%"] or 0),
            p95_ms=float(row["95%"] or 0),
            p99_ms=float(row["99%"] or 0),
        )
        for row in rows
        if row["Name"] != "Aggregated"
    ]
    total = next(row for row in rows if row["Name"] == "Aggregated")
    overall = StepStats(
        name="all",
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        p50_ms=float(total["50%"] or 0),
        p95_ms=float(total["95%"] or 0),
        p99_ms=float(total["99%"] or 0),
    )
    return steps, overall, float(total["Requests/s"])


def run_load_test(*, users: int, seconds: int, port: int, workers: int) -> LoadReport:
    from camshaft.orders.models import Order

    locust = shutil.which("locust") or str(Path(sys.executable).with_name("locust"))
    if not Path(locust).exists():
        raise LoadTestError("locust is not installed: pip install -e '.[load]'")
    _refuse_a_busy_port(port)
    password = os.urandom(12).hex()
    members = _make_members(password)
    base = f"http://127.0.0.1:{port}"
    env = {
        **serving.server_env(),
        "TRUSTED_PROXIES": "1",  # each shopper's X-Forwarded-For is its address
    }
    # What `camshaft serve` runs, so the figures are the store's.
    workers = serving.app_workers(workers)
    server = subprocess.Popen(
        serving.gunicorn_command(bind=f"127.0.0.1:{port}", workers=workers, access_log=False),
        env=env,
    )
    started = timezone.now()
    load: subprocess.Popen | None = None
    sampler = SaturationSampler(server_pid=server.pid, load_pid_of=lambda: load and load.pid)
    try:
        _wait_until_up(f"{base}/healthz", server)
        with tempfile.TemporaryDirectory() as folder:
            prefix = Path(folder) / "load"
            sampler.start()
            load = subprocess.Popen(
                [
                    locust,
                    "-f",
                    str(LOCUSTFILE),
                    "--headless",
                    "--only-summary",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(max(1, users // 10)),
                    "--run-time",
                    f"{seconds}s",
                    "--host",
                    base,
                    "--csv",
                    str(prefix),
                    "--stop-timeout",
                    "10",
                    "--exit-code-on-error",
                    "0",
                ],
                env={
                    **env,
                    "LOADTEST_MEMBERS": str(MEMBER_COUNT),
                    "LOADTEST_MEMBER_PASSWORD": password,
                },
            )
            if load.wait() != 0:
                raise LoadTestError(f"locust stopped with exit code {load.returncode}.")
            saturation = sampler.stop()
            steps, overall, rate = _read_steps(prefix)
            pages = _pages_per_second(prefix)
    finally:
        server.terminate()
        server.wait()
        if load is not None and load.poll() is None:
            load.terminate()
            load.wait()
        if sampler.is_alive():
            sampler.stop()
    placed = Order.objects.filter(placed_at__gte=started, email__in=RUN_EMAILS).count()
    report = LoadReport(
        users=users,
        seconds=seconds,
        database=settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        workers=workers,
        pages_per_second=round(pages, 1),
        requests_per_second=round(rate, 1),
        p50_ms=overall.p50_ms,
        p95_ms=overall.p95_ms,
        orders_per_minute=round(placed * 60 / seconds, 1),
        errors=overall.failures,
        oversold_units=_oversold_units(),
        cpu_busy_percent=saturation.cpu_busy_percent,
        steps=steps,
        saturation=saturation,
    )
    _remove_orders(members)
    return report


def format_report(report: LoadReport) -> str:
    lines = [
        f"{report.users} shoppers for {report.seconds} s on {report.database}, "
        f"{report.workers} app processes: {report.pages_per_second} pages/s "
        f"({report.requests_per_second} requests/s, p50 {report.p50_ms:.0f} ms, "
        f"p95 {report.p95_ms:.0f} ms), "
        f"{report.orders_per_minute} orders/min, {report.errors} errors, "
        f"{report.oversold_units} units oversold, CPUs {report.cpu_busy_percent}% busy",
    ]
    if (s := report.saturation) is not None:
        lines += [
            f"CPU in % of one core: app server {s.server_core_percent}, PostgreSQL "
            f"{s.database_core_percent}, load generator {s.load_generator_core_percent}"
            + (
                f"; PostgreSQL backends busy {s.active_backends}, waiting on locks "
                f"{s.lock_waiters} (average of {s.samples} samples); waits {s.waits}"
                if s.samples and (s.active_backends or s.waits)
                else ""
            ),
            f"Saturates first: {s.verdict}",
        ]
    lines += [
        "",
        f"{'step':34} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}",
    ]
    for step in sorted(report.steps, key=lambda s: -s.requests):
        lines.append(
            f"{step.name[:34]:34} {step.requests:>9} {step.failures:>7} "
            f"{step.p50_ms:>8.0f} {step.p95_ms:>8.0f} {step.p99_ms:>8.0f}"
        )
    return "\n".join(lines)


def write_json(report: LoadReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.as_json(), indent=2) + "\n")
