"""What saturates first under `camshaft loadtest` (B3): the CPU time of the
app server, of PostgreSQL and of the load generator itself, read from /proc
for each process, and what PostgreSQL's busy backends wait on
(pg_stat_activity, sampled every second). Linux only; on another system the
figures are empty and the report says so."""

import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

SAMPLE_SECONDS = 1.0
#: Near this share of every CPU busy, the CPUs are what saturates.
CPU_SATURATED_PERCENT = 90.0
#: Backends waiting on a heavyweight lock, on average, that make locks the bottleneck.
LOCK_WAITERS_SATURATED = 1.0

BACKENDS_SQL = "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
WAITS_SQL = """
SELECT COALESCE(wait_event_type, 'CPU'), COALESCE(wait_event, 'running'), COUNT(*)
FROM pg_stat_activity
WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
GROUP BY 1, 2
"""


@dataclass
class Saturation:
    """CPU per part of the system, in percent of one core and of the machine,
    and PostgreSQL's waits: average busy backends and the commonest waits."""

    cpus: int
    cpu_busy_percent: float = 0.0  # the whole machine, every process
    server_core_percent: float = 0.0
    database_core_percent: float = 0.0
    load_generator_core_percent: float = 0.0
    samples: int = 0
    active_backends: float = 0.0
    lock_waiters: float = 0.0
    waits: dict[str, float] = field(default_factory=dict)  # "Lock:tuple" -> average backends
    verdict: str = ""


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces.
    name_end = text.rindex(")")
    return [text[text.index("(") + 1 : name_end], *text[name_end + 2 :].split()]


def _all_processes() -> dict[int, tuple[str, int, int]]:
    """pid -> (command, parent pid, CPU jiffies used so far)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is None:
            continue
        # After the name: state, ppid, ..., utime (12th), stime (13th).
        found[int(entry.name)] = (fields[0], int(fields[2]), int(fields[12]) + int(fields[13]))
    return found


def _descendants(root: int, processes: dict[int, tuple[str, int, int]]) -> set[int]:
    family = {root}
    while new := {p for p, (_, parent, _) in processes.items() if parent in family} - family:
        family |= new
    return family & processes.keys()


def _machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


class SaturationSampler(threading.Thread):
    """Samples once a second from start() until stop(); `result()` sums up."""

    def __init__(self, *, server_pid: int, load_pid_of=lambda: None):
        super().__init__(daemon=True, name="loadtest-sampler")
        self.server_pid = server_pid
        self.load_pid_of = load_pid_of
        self._stop_event = threading.Event()
        self._first: dict[str, dict[int, int]] = {"server": {}, "database": {}, "load": {}}
        self._last: dict[str, dict[int, int]] = {"server": {}, "database": {}, "load": {}}
        self._waits: Counter[str] = Counter()
        self._active = 0
        self._samples = 0
        self._linux = Path("/proc/stat").exists()
        self._postgres = connection.vendor == "postgresql"
        self._began = time.monotonic()
        self._machine_before = (0, 0)

    def run(self) -> None:
        self._began = time.monotonic()
        self._machine_before = _machine_jiffies() if self._linux else (0, 0)
        try:
            while not self._stop_event.is_set():
                self._sample()
                self._stop_event.wait(SAMPLE_SECONDS)
            self._sample()
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> Saturation:
        self._stop_event.set()
        self.join(timeout=30)
        return self.result()

    def _sample(self) -> None:
        backends: set[int] = set()
        if self._postgres:
            with connection.cursor() as cursor:
                cursor.execute(BACKENDS_SQL)
                backends = {pid for (pid,) in cursor.fetchall()}
        if self._linux:
            processes = _all_processes()
            groups = {
                "server": _descendants(self.server_pid, processes),
                # This store's backends, when PostgreSQL runs on this machine:
                # other databases on the same server are not ours to count.
                "database": {p for p in backends if processes.get(p, ("",))[0] == "postgres"},
                "load": _descendants(pid, processes) if (pid := self.load_pid_of()) else set(),
            }
            for group, pids in groups.items():
                for pid in pids:
                    self._first[group].setdefault(pid, processes[pid][2])
                    self._last[group][pid] = processes[pid][2]
        if self._postgres:
            with connection.cursor() as cursor:
                cursor.execute(WAITS_SQL)
                for kind, event, backends in cursor.fetchall():
                    self._waits[f"{kind}:{event}"] += backends
                    self._active += backends
        self._samples += 1

    def result(self) -> Saturation:
        cpus = os.cpu_count() or 1
        seconds = max(1e-6, time.monotonic() - self._began)
        ticks = os.sysconf("SC_CLK_TCK") if self._linux else 100

        def core_percent(group: str) -> float:
            used = sum(self._last[group][p] - self._first[group][p] for p in self._last[group])
            return round(100 * used / ticks / seconds, 1)

        busy = 0.0
        if self._linux:
            (b0, t0), (b1, t1) = self._machine_before, _machine_jiffies()
            busy = round(100 * (b1 - b0) / max(1, t1 - t0), 1)
        samples = max(1, self._samples)
        lock_waiters = sum(n for key, n in self._waits.items() if key.startswith("Lock:"))
        report = Saturation(
            cpus=cpus,
            cpu_busy_percent=busy,
            server_core_percent=core_percent("server"),
            database_core_percent=core_percent("database"),
            load_generator_core_percent=core_percent("load"),
            samples=self._samples,
            active_backends=round(self._active / samples, 2),
            lock_waiters=round(lock_waiters / samples, 2),
            waits={k: round(n / samples, 2) for k, n in self._waits.most_common(6)},
        )
        report.verdict = verdict(report, postgres=self._postgres, linux=self._linux)
        return report


def verdict(s: Saturation, *, postgres: bool, linux: bool) -> str:
    """One sentence on what saturated first, with the figure that shows it."""
    if not linux:
        return "Not measured: /proc is not available on this system."
    parts = {
        "the app server" + ("" if postgres else " (SQLite inside it)"): s.server_core_percent,
        "PostgreSQL": s.database_core_percent,
        "the load generator": s.load_generator_core_percent,
    }
    # On a shared machine the rest of the busy time is someone else's.
    parts["other processes"] = max(0.0, s.cpu_busy_percent * s.cpus - sum(parts.values()))
    top = max(parts, key=parts.get)
    shares = ", ".join(f"{name} {value:.0f}%" for name, value in parts.items())
    if s.cpu_busy_percent >= CPU_SATURATED_PERCENT:
        return (
            f"The CPUs: {s.cpu_busy_percent:.0f}% of {s.cpus} busy; in % of one core: "
            f"{shares}. {top[0].upper() + top[1:]} used the most."
        )
    if postgres and s.lock_waiters >= LOCK_WAITERS_SATURATED:
        return (
            f"Locks: on average {s.lock_waiters} PostgreSQL backends waited on a lock "
            f"(of {s.active_backends} busy); CPUs {s.cpu_busy_percent:.0f}% busy."
        )
    if postgres and s.active_backends >= s.cpus:
        return (
            f"The database: on average {s.active_backends} backends busy for {s.cpus} CPUs "
            f"(waits: {s.waits}); CPUs {s.cpu_busy_percent:.0f}% busy."
        )
    return f"Nothing saturated: CPUs {s.cpu_busy_percent:.0f}% busy ({shares} of one core)" + (
        f", {s.active_backends} PostgreSQL backends busy on average." if postgres else "."
    )
