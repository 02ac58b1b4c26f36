"""Shared benchmark plumbing: the server process, CPU pinning, results files."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "results"
BASE_HEADERS = {"Accept": "application/json", "User-Agent": "bench"}


def pin_client() -> str:
    """Pin this process to CPU 0 (the server gets CPU 1); return a description."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {0})
        return "client on CPU 0, server on CPU 1"
    return "unpinned"


@contextlib.contextmanager
def server_process() -> Iterator[str]:
    """Start server.py in another process; yield its API root URL."""
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        args = [sys.executable, str(HERE / "server.py"), port_file]
        if (os.cpu_count() or 1) >= 2:
            args.append("1")
        process = subprocess.Popen(args)
        try:
            deadline = time.monotonic() + 30
            while not os.path.exists(port_file):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the benchmark server did not start")
                time.sleep(0.05)
            port = Path(port_file).read_text().strip()
            yield f"http://127.0.0.1:{port}/api"
        finally:
            process.terminate()
            process.wait(timeout=10)


def machine() -> dict[str, object]:
    """Describe the machine and versions, for the results file."""
    import aiohttp

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "aiohttp": aiohttp.__version__,
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def save(name: str, data: dict[str, object]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path
