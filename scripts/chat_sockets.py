"""Open N live-chat sockets against a store and report what they cost (B4).

    python scripts/chat_sockets.py [--sockets 200] [--keep DIR]

Builds a small store in a temporary folder (CAMSHAFT_VAR_DIR), serves it the
way `camshaft serve` does (gunicorn with uvicorn's worker, one process
without REDIS_URL), measures the server's resident memory (RSS of gunicorn
and its workers, from /proc), opens N shopper sockets that each say hello,
measures again, and while they are all open times a few pages and an API
call to show the store keeps answering. Prints a JSON report. Linux only
(/proc)."""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websockets


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_kib(pid: int) -> int:
    """Resident memory of `pid` and its children, in KiB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def fetch(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - our own server
        answer.read()
        return answer.status, (time.perf_counter() - started) * 1000


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the store did not answer at {url}")


async def open_sockets(base: str, count: int) -> list:
    opened = []
    for _ in range(count):
        sock = await websockets.connect(
            base.replace("http", "ws", 1) + "/ws/chat/", origin=base, max_size=2**16
        )
        json.loads(await sock.recv())  # the status frame
        opened.append(sock)
    return opened


def timings(base: str) -> dict[str, dict]:
    found = {}
    for name, path in (
        ("healthz", "/healthz"),
        ("home", "/"),
        ("api_chat_status", "/api/v1/chat/status"),
        ("chat_status", "/chat/status"),
    ):
        status, ms = fetch(base + path)
        found[name] = {"status": status, "ms": round(ms, 1)}
    return found


async def measure(base: str, pid: int, count: int) -> dict:
    before = rss_kib(pid)
    idle = timings(base)
    started = time.perf_counter()
    sockets = await open_sockets(base, count)
    opened_in = time.perf_counter() - started
    await asyncio.sleep(1)
    after = rss_kib(pid)
    # The loop keeps serving the sockets while the pages are asked for.
    busy = await asyncio.to_thread(timings, base)
    for sock in sockets:
        await sock.close()
    return {
        "sockets": count,
        "opened_in_s": round(opened_in, 2),
        "rss_before_mib": round(before / 1024, 1),
        "rss_with_sockets_mib": round(after / 1024, 1),
        "cost_mib": round((after - before) / 1024, 1),
        "cost_per_socket_kib": round((after - before) / count, 1),
        "pages_without_sockets": idle,
        "pages_with_sockets_open": busy,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--keep", help="use (and keep) this folder for the store")
    args = parser.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix="camshaft-chat-")
    env = {**os.environ, "CAMSHAFT_VAR_DIR": folder, "DJANGO_SETTINGS_MODULE": "camshaft.settings"}
    cli = [sys.executable, "-m", "camshaft.cli"]
    subprocess.run(
        [*cli, "serve", "--setup-only", "--demo-parts", "50"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "camshaft.asgi:application",
            "--worker-class",
            "uvicorn_worker.UvicornWorker",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz")
        report = asyncio.run(measure(base, server.pid, args.sockets))
    finally:
        server.terminate()
        server.wait()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
