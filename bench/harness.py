"""Shared pieces of the benchmarks: a gunicorn server, a concurrent HTTP load, a report."""

from __future__ import annotations

import http.client
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production-like process on this machine."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smarketing.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-" + "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "API_THROTTLE_USER": "1000000/minute",
        "DJANGO_LOG_LEVEL": "WARNING",
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> str:
    """Run a manage.py command with `env`; what it printed."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@contextmanager
def gunicorn(workers: int, env: dict[str, str]) -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "smarketing.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    finished: list[float] = field(default_factory=list, repr=False)  # when each 200 came

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


# One request: method, path, JSON body (None: no body).
Call = tuple[str, str, bytes | None]


def load(
    port: int, path: str, headers: dict[str, str], clients: int, per_client: int
) -> LoadResult:
    """`clients` threads, each with one keep-alive connection, each sending `per_client` GETs."""
    return load_calls(port, headers, [[("GET", path, None)] * per_client] * clients)


def load_calls(port: int, headers: dict[str, str], calls: list[list[Call]]) -> LoadResult:
    """One thread per list of `calls`, each with one keep-alive connection, sending its
    calls in order; every thread starts at once. An answer other than 200 is an error."""
    latencies: list[float] = []
    finished: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(len(calls) + 1)

    def client(mine: list[Call]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        took: list[float] = []
        done: list[float] = []
        bad = 0
        start.wait()
        for method, path, body in mine:
            began = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            ended = time.perf_counter()
            took.append((ended - began) * 1000)
            if response.status == 200:
                done.append(ended)
            else:
                bad += 1
        conn.close()
        with lock:
            latencies.extend(took)
            finished.extend(done)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(mine,)) for mine in calls]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return LoadResult(
        len(latencies), errors[0], seconds, cuts[49], cuts[94], cuts[98], sorted(finished)
    )


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"


def update_section(name: str, body: str) -> None:
    """Replace the section between `<!-- bench:NAME -->` markers in docs/benchmarks.md."""
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text()
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text)
