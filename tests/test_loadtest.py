"""B3: `camshaft loadtest` reads locust's figures right and refuses runs it cannot bound."""

import pytest
from django.core.management import CommandError, call_command
from uvicorn_worker import UvicornWorker

from camshaft.bench.load import LoadReport, _pages_per_second, _read_steps, format_report
from camshaft.bench.saturation import Saturation, _descendants, verdict

COLUMNS = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)
STATS = "\n".join(
    [
        COLUMNS,
        "GET,search,87,0,93,101,70,170,9000,2.2,0,93,100,110,120,140,150,160,170,170,170,170",
        "POST,place order,8,1,130,140,120,190,5000,0.2,0.02,"
        "130,140,140,150,190,190,190,190,190,190,190",
        ",Aggregated,95,1,95,105,70,190,8600,2.4,0.02,95,100,110,120,150,160,180,190,190,190,190",
    ]
)


def test_B3_loadtest_reads_each_step_and_the_totals(tmp_path):
    (tmp_path / "load_stats.csv").write_text(STATS)
    steps, overall, rate = _read_steps(tmp_path / "load")
    assert [(s.name, s.requests, s.failures, s.p95_ms) for s in steps] == [
        ("search", 87, 0, 150.0),
        ("place order", 8, 1, 190.0),
    ]
    assert (overall.failures, overall.p50_ms, overall.p95_ms, rate) == (1, 95.0, 160.0, 2.4)
    report = LoadReport(
        50, 120, "sqlite3", 3, 2.2, rate, overall.p50_ms, overall.p95_ms, 4.0, 1, 0, 61.0, steps
    )
    table = format_report(report)
    assert "50 shoppers for 120 s on sqlite3" in table and "place order" in table
    assert "2.2 pages/s (2.4 requests/s, p50 95 ms, p95 160 ms)" in table


def test_B3_loadtest_counts_pages_without_the_finders_json_calls(tmp_path):
    api = "GET,api finder: years,50,0,9,9,5,20,300,5.0,0,9,9,9,9,9,9,9,9,9,9,9"
    (tmp_path / "load_stats.csv").write_text(STATS.replace(COLUMNS, f"{COLUMNS}\n{api}"))
    assert _pages_per_second(tmp_path / "load") == pytest.approx(2.4)


def test_B3_loadtest_finds_the_server_and_its_workers_among_the_processes():
    processes = {
        10: ("python3", 1, 500),  # gunicorn's master
        11: ("python3", 10, 900),  # its workers
        12: ("python3", 10, 800),
        13: ("python3", 11, 5),  # a worker's child
        20: ("postgres", 1, 700),  # not ours
    }
    assert _descendants(10, processes) == {10, 11, 12, 13}


@pytest.mark.parametrize(
    ("figures", "postgres", "starts"),
    [
        ({"cpu_busy_percent": 97.0, "server_core_percent": 150.0}, True, "The CPUs: 97% of 2"),
        ({"cpu_busy_percent": 60.0, "lock_waiters": 3.5, "active_backends": 6}, True, "Locks:"),
        ({"cpu_busy_percent": 60.0, "active_backends": 4.0}, True, "The database:"),
        ({"cpu_busy_percent": 40.0, "server_core_percent": 70.0}, False, "Nothing saturated"),
    ],
)
def test_B3_loadtest_says_what_saturated_first(figures, postgres, starts):
    said = verdict(Saturation(cpus=2, **figures), postgres=postgres, linux=True)
    assert said.startswith(starts)


def test_B3_loadtest_counts_other_processes_on_a_shared_machine():
    figures = Saturation(cpus=2, cpu_busy_percent=100.0, server_core_percent=20.0)
    said = verdict(figures, postgres=True, linux=True)
    assert "other processes 180%" in said and "Other processes used the most" in said


def test_B3_loadtest_measures_the_app_processes_camshaft_serve_runs():
    """The load test serves the store with `camshaft serve`'s own command:
    the ASGI application under gunicorn with uvicorn's worker, as many app
    processes as asked (the database channel layer joins them, B4)."""
    from camshaft.core import serving

    command = serving.gunicorn_command(bind="127.0.0.1:8765", workers=3, access_log=False)
    assert "camshaft.asgi:application" in command
    worker = command[command.index("--worker-class") + 1]
    assert worker == "camshaft.core.workers.StoreWorker"
    from camshaft.core.workers import StoreWorker

    assert issubclass(StoreWorker, UvicornWorker)
    assert serving.app_workers(3) == 3
    # Idle connections outlive a shopper's pause between pages (no resets).
    assert int(command[command.index("--keep-alive") + 1]) >= 60


@pytest.mark.parametrize("args", [["--users", "0"], ["--seconds", "5"], ["--seconds", "7200"]])
def test_B3_loadtest_refuses_unbounded_runs(args):
    with pytest.raises(CommandError, match="Use 1-2000 users"):
        call_command("loadtest", *args)


def test_B4_chat_server_reads_no_frame_far_beyond_the_chats_largest():
    """uvicorn reads 16 MiB frames by default; the store's worker stops at
    a few times the chat's largest frame."""
    from camshaft.chat.consumers import MAX_FRAME
    from camshaft.core.workers import WS_MAX_BYTES, StoreWorker

    assert MAX_FRAME < WS_MAX_BYTES <= 64 * 1024
    assert StoreWorker.CONFIG_KWARGS["ws_max_size"] == WS_MAX_BYTES
    assert StoreWorker.CONFIG_KWARGS["loop"] == UvicornWorker.CONFIG_KWARGS["loop"]


def test_B3_serve_pools_postgresql_connections_unless_told_otherwise(settings, monkeypatch):
    """On PostgreSQL each app process keeps a pool (a connection per request
    in flight ran PostgreSQL out of clients at 200 shoppers); DB_POOL_SIZE
    chooses its size, 0 none. SQLite has no pool."""
    from camshaft.core import serving

    monkeypatch.setattr(serving, "on_postgresql", lambda: True)
    assert serving.server_env({})["DB_POOL_SIZE"] == str(serving.DEFAULT_POOL_SIZE)
    assert serving.server_env({"DB_POOL_SIZE": "0"})["DB_POOL_SIZE"] == "0"
    assert serving.server_env({"DB_POOL_SIZE": "20"})["DB_POOL_SIZE"] == "20"

    monkeypatch.setattr(serving, "on_postgresql", lambda: False)
    assert "DB_POOL_SIZE" not in serving.server_env({})
    assert serving.server_env({})["DJANGO_SETTINGS_MODULE"] == settings.SETTINGS_MODULE
