"""Paging a long list: the SDK's paginator against a sequential offset loop over aiohttp.

    python benchmarks/bench_paging.py [--records 20000 100000] [--latency 0.02]

A local server holds the records and adds *latency* seconds to every request, as a
remote API would; pages are 100 records. The raw contender asks for one page after
the other, as a hand-written loop does; the SDK's ``client.paginate`` (raw dicts) and
``client.connections.list`` (typed ``Connection`` models, the path of ``connections
export``) fetch the pages after the first a few at a time (their default, 8) and yield
the items in order.
Reported: wall time, the speed-up, and the peak of Python memory allocated while
reading (tracemalloc), which should not grow with the number of records.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import aiohttp
from _common import machine, save
from aiohttp import web

PAGE = 100


def make_app(total: int, latency: float) -> web.Application:
    async def records(request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", PAGE))
        offset = int(request.query.get("offset", 0))
        await asyncio.sleep(latency)
        result = [  # the shape of GET connections, as the vendor documents it
            {
                "connection_id": f"1700000000.{i}",
                "date": "2026-11-23 09:30",
                "src": "221234567",
                "dst": f"5{i:08d}",
                "disposition": "ANSWERED",
                "type": "OUTBOUND",
                "duration": i % 300,
                "billsec": i % 250,
                "queue_id": 2,
                "user_login": "jkowalski",
            }
            for i in range(offset, min(offset + limit, total))
        ]
        return web.json_response({"count": total, "result": result})

    app = web.Application()
    app.router.add_get("/api/connections", records)
    return app


async def raw_loop(base: str) -> int:
    seen = 0
    async with aiohttp.ClientSession() as session:
        offset = 0
        while True:
            params = {"limit": str(PAGE), "offset": str(offset)}
            async with session.get(f"{base}/connections", params=params) as response:
                page = await response.json()
            seen += len(page["result"])
            offset += PAGE
            if offset >= page["count"] or not page["result"]:
                return seen


async def sdk_paginator(base: str) -> int:
    from thulium_async import ThuliumClient

    seen = 0
    async with ThuliumClient(base, "bench", "bench-password") as client:
        async for _ in client.paginate("connections", limit=PAGE):
            seen += 1
    return seen


async def sdk_connections(base: str) -> int:
    """The typed history (``connections export``'s path): every record a Connection."""
    from thulium_async import ThuliumClient

    seen = 0
    async with ThuliumClient(base, "bench", "bench-password") as client:
        async for _ in client.connections.list():
            seen += 1
    return seen


async def measure(job, base: str) -> tuple[float, float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    seen = await job(base)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 2**20, seen


async def serve(records: int, latency: float, port_file: str) -> None:
    """Run the list server until killed (in its own process, off the client's CPU)."""
    runner = web.AppRunner(make_app(records, latency), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    Path(port_file).write_text(str(runner.addresses[0][1]))  # noqa: ASYNC240 -- once
    await asyncio.Event().wait()


@contextlib.contextmanager
def server(records: int, latency: float) -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        process = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                str(records),
                str(latency),
                str(port_file),
            ]
        )
        try:
            deadline = time.monotonic() + 30
            while not port_file.exists() or not port_file.read_text():
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the list server did not start")
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port_file.read_text()}/api"
        finally:
            process.terminate()
            process.wait(10)


async def run(base: str, records: int) -> list[dict[str, object]]:
    rows = []
    for name, job in (
        ("raw sequential loop", raw_loop),
        ("sdk paginate", sdk_paginator),
        ("sdk connections.list", sdk_connections),
    ):
        elapsed, peak, seen = await measure(job, base)
        assert seen == records, (name, seen)
        rows.append(
            {
                "contender": name,
                "records": records,
                "seconds": elapsed,
                "peak_mib": peak,
            }
        )
        print(
            f"{name:20} {records:>7,} records  {elapsed:6.2f} s  "
            f"peak allocated {peak:5.1f} MiB",
            flush=True,
        )
    raw = rows[0]
    for row in rows[1:]:
        speedup = raw["seconds"] / row["seconds"]  # type: ignore[operator]
        print(f"{records:>7,}: {row['contender']} {speedup:.1f}x faster")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        count, latency, port_file = args.serve
        asyncio.run(serve(int(count), float(latency), port_file))
        return
    rows = []
    for records in args.records:
        with server(records, args.latency) as base:
            rows += asyncio.run(run(base, records))
    path = save("paging", {"machine": machine(), "args": vars(args), "runs": rows})
    print(f"results: {path}")


if __name__ == "__main__":
    main()
