"""Requests/s and client CPU per 1,000 requests: raw aiohttp vs the SDK vs httpx.

    python benchmarks/bench_http.py [--requests 20000] [--rounds 7] [--slices 10]
                                    [--httpx-requests 2000] [--concurrency 100 10]

Every contender sends the same requests (same headers, same bodies) to the same server
process, through a pool of CONCURRENCY workers, and decodes the answer: raw aiohttp and
httpx with ``json`` into dicts, the SDK into ``WaitingCaller`` models.

A round opens every contender (one session or client each, kept for the whole round, its
connections opened by a warm-up that is not timed), then sends each contender's requests
in SLICES alternating slices (A B, B A, A B, ...). On a shared machine the speed of the
CPU itself drifts by tens of percent over seconds; slices a third of a second long see
the same drift for every contender, where whole runs one after the other did not. Each
round's totals give one SDK/raw ratio; the report gives the median of the rounds' ratios
and their range.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import functools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path

import aiohttp
from _common import (
    BASE_HEADERS,
    HERE,
    machine,
    median,
    pin_client,
    save,
    server_process,
)

from thulium_async import RetryPolicy, ThuliumClient
from thulium_async._api import converter as _converter

USER, PASSWORD = "bench", "bench-password"
AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
BODY = json.dumps({"phone_number": "500333222"}, separators=(",", ":")).encode()
WHEN = datetime(2026, 11, 23, 9, 30)  # noqa: DTZ001 -- a naive wall-clock call_at
Job = Callable[[], Awaitable[object]]
Opener = Callable[[str, str], contextlib.AbstractAsyncContextManager[Job]]


async def drive(job: Job, requests: int, concurrency: int) -> None:
    remaining = requests

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await job()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


@contextlib.asynccontextmanager
async def raw_job(url: str, endpoint: str) -> AsyncIterator[Job]:
    """One aiohttp session, TCPConnector(limit=100), the same headers; decode JSON."""
    headers = {**BASE_HEADERS, "Authorization": AUTH}
    post_headers = {**headers, "Content-Type": "application/json; charset=utf-8"}
    connector = aiohttp.TCPConnector(limit=100)
    async with aiohttp.ClientSession(connector=connector) as session:
        if endpoint == "waiting_list":
            target = f"{url}/queues/2/waiting_list"

            async def job() -> object:
                async with session.get(target, headers=headers) as response:
                    return await response.json()

        elif endpoint == "schedule_call_at":  # the dialer's usual case: with a time
            target = f"{url}/queues/2/schedule_call"

            async def job() -> object:
                when = WHEN.strftime("%Y-%m-%d %H:%M:%S")
                body = json.dumps({"phone_number": "500333222", "call_at": when})
                async with session.post(
                    target, data=body.encode(), headers=post_headers
                ) as r:
                    return await r.read()

        else:
            target = f"{url}/queues/2/schedule_call"

            async def job() -> object:
                async with session.post(target, data=BODY, headers=post_headers) as r:
                    return await r.read()

        yield job


@contextlib.asynccontextmanager
async def sdk_job(url: str, endpoint: str) -> AsyncIterator[Job]:
    """One ThuliumClient with its defaults (100 connections, retries on)."""
    # Parse with the standard library, as raw aiohttp and httpx do here, even though
    # the bench group installs orjson (the speedups extra), which the SDK would pick.
    _converter.loads = _converter._std_loads
    # The same pool policy as raw aiohttp's default (15 s keep-alive): both contenders
    # then do the same I/O. Under valgrind (bench_instructions.py), 50 times slower,
    # the SDK's 0.5 s default would expire connections that a run at full speed keeps
    # busy, and count reconnects that do not happen in production.
    async with ThuliumClient(
        url, USER, PASSWORD, retry=RetryPolicy(), keepalive_timeout=15.0
    ) as client:
        # The SDK's call is itself the coroutine a user awaits, as raw aiohttp's job
        # is for raw aiohttp: no wrapper coroutine around it.
        if endpoint == "waiting_list":
            yield functools.partial(client.queues.waiting_list, 2)
        elif endpoint == "schedule_call_at":
            yield functools.partial(client.queues.schedule_call, 2, "500333222", WHEN)
        else:
            yield functools.partial(client.queues.schedule_call, 2, "500333222")


@contextlib.asynccontextmanager
async def httpx_job(url: str, endpoint: str) -> AsyncIterator[Job]:
    """One httpx.AsyncClient with 100 connections: what most API SDKs pay."""
    import httpx

    headers = {**BASE_HEADERS, "Authorization": AUTH}
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(limits=limits, headers=headers) as client:
        if endpoint == "waiting_list":
            target = f"{url}/queues/2/waiting_list"

            async def job() -> object:
                return (await client.get(target)).json()

        else:
            target = f"{url}/queues/2/schedule_call"
            post = {"Content-Type": "application/json; charset=utf-8"}

            async def job() -> object:
                return (await client.post(target, content=BODY, headers=post)).content

        yield job


CONTENDERS: dict[str, Opener] = {
    "raw aiohttp": raw_job,
    "sdk": sdk_job,
    "httpx": httpx_job,
}


async def run_raw(url: str, endpoint: str, requests: int, concurrency: int) -> None:
    """Send *requests* through raw aiohttp (bench_instructions.py runs this alone)."""
    async with raw_job(url, endpoint) as job:
        await drive(job, requests, concurrency)


async def run_sdk(url: str, endpoint: str, requests: int, concurrency: int) -> None:
    """Send *requests* through the SDK (bench_instructions.py runs this alone)."""
    async with sdk_job(url, endpoint) as job:
        await drive(job, requests, concurrency)


async def one_round(
    url: str,
    endpoint: str,
    concurrency: int,
    requests: dict[str, int],
    slices: int,
    flip: bool,
) -> dict[str, dict[str, float]]:
    """Run every contender's *requests* in alternating slices; return each one's rates."""
    names = list(requests)[::-1] if flip else list(requests)
    per_slice = {name: requests[name] // slices for name in names}
    spent = {name: [0.0, 0.0] for name in names}  # wall seconds, CPU seconds
    async with contextlib.AsyncExitStack() as stack:
        jobs = {
            name: await stack.enter_async_context(CONTENDERS[name](url, endpoint))
            for name in names
        }
        for name in names:  # open the connections and fill the caches, untimed
            await drive(jobs[name], 2 * concurrency, concurrency)
        for index in range(slices):
            for name in names if index % 2 == 0 else names[::-1]:
                wall, cpu = time.perf_counter(), time.process_time()
                await drive(jobs[name], per_slice[name], concurrency)
                spent[name][0] += time.perf_counter() - wall
                spent[name][1] += time.process_time() - cpu
    sent = {name: per_slice[name] * slices for name in names}
    return {
        name: {"rps": sent[name] / wall, "cpu_per_1000": cpu / sent[name] * 1000}
        for name, (wall, cpu) in spent.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--httpx-requests", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--slices", type=int, default=10)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[100, 10])
    parser.add_argument("--no-httpx", action="store_true")
    parser.add_argument(
        "--chart", default=str(HERE.parent / "docs" / "_static" / "performance.png")
    )
    args = parser.parse_args()
    if min(args.requests, args.httpx_requests) < args.slices:
        parser.error("--requests and --httpx-requests must be at least --slices")
    pinning = pin_client()
    requests = {"raw aiohttp": args.requests, "sdk": args.requests}
    if not args.no_httpx:
        requests["httpx"] = args.httpx_requests
    configs = [
        (e, c) for e in ("waiting_list", "schedule_call") for c in args.concurrency
    ]
    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    with server_process() as url:
        for round_number in range(args.rounds):
            for endpoint, concurrency in configs:
                key = f"{endpoint} c={concurrency}"
                samples = asyncio.run(
                    one_round(
                        url,
                        endpoint,
                        concurrency,
                        requests,
                        args.slices,
                        flip=round_number % 2 == 1,
                    )
                )
                for name, sample in samples.items():
                    results.setdefault(key, {}).setdefault(name, []).append(sample)
                raw, sdk = samples["raw aiohttp"], samples["sdk"]
                print(
                    f"round {round_number + 1} {key:24} raw {raw['rps']:7.0f}/s  "
                    f"sdk {sdk['rps']:7.0f}/s  ratio {sdk['rps'] / raw['rps']:.3f}  "
                    f"cpu ratio {sdk['cpu_per_1000'] / raw['cpu_per_1000']:.3f}",
                    flush=True,
                )
    summary = report(results)
    path = save(
        "http",
        {
            "machine": {**machine(), "pinning": pinning},
            "args": vars(args),
            "summary": summary,
            "samples": results,
        },
    )
    print(f"\nresults: {path}")
    draw(summary, Path(args.chart))


def report(results: dict[str, dict[str, list[dict[str, float]]]]) -> dict[str, object]:
    """Print and return medians; ratios are the median of each round's own ratio."""
    print("\nMedians over rounds (requests/s; client CPU ms per 1,000 requests)")
    print(
        f"{'':22}{'contender':13}{'req/s':>8}{'CPU ms/1k':>11}"
        f"{'vs raw':>8}{'(range)':>14}{'CPU vs raw':>12}"
    )
    summary: dict[str, object] = {}
    for key, by_name in results.items():
        rows = {}
        for name, samples in by_name.items():
            # The contenders of one round ran in alternating slices, so a round's
            # ratio is the paired comparison; its median over rounds is the result.
            paired = list(zip(samples, by_name["raw aiohttp"], strict=True))
            speed = [s["rps"] / r["rps"] for s, r in paired]
            cost = [s["cpu_per_1000"] / r["cpu_per_1000"] for s, r in paired]
            rows[name] = {
                "rps": median([s["rps"] for s in samples]),
                "cpu_ms_per_1000": median([s["cpu_per_1000"] for s in samples]) * 1000,
                "rps_vs_raw": median(speed),
                "rps_vs_raw_range": [min(speed), max(speed)],
                "cpu_vs_raw": median(cost),
                "cpu_vs_raw_range": [min(cost), max(cost)],
            }
            row = rows[name]
            print(
                f"{key:22}{name:13}{row['rps']:8.0f}{row['cpu_ms_per_1000']:11.1f}"
                f"{row['rps_vs_raw']:8.3f}  {min(speed):5.3f}-{max(speed):5.3f}"
                f"{row['cpu_vs_raw']:12.3f}"
            )
        summary[key] = rows
    return summary


def draw(summary: dict[str, object], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no chart")
        return
    keys = list(summary)
    names = list(next(iter(summary.values())))  # type: ignore[call-overload]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.8 / len(names)
    for index, name in enumerate(names):
        xs = [k + index * width for k in range(len(keys))]
        left.bar(xs, [summary[k][name]["rps"] for k in keys], width, label=name)  # type: ignore[index]
        right.bar(
            xs, [summary[k][name]["cpu_ms_per_1000"] for k in keys], width, label=name
        )  # type: ignore[index]
    for axis, title in (
        (left, "requests/s (higher is better)"),
        (right, "client CPU ms per 1,000 requests (lower is better)"),
    ):
        axis.set_xticks([k + width * (len(names) - 1) / 2 for k in range(len(keys))])
        axis.set_xticklabels(keys, rotation=15, fontsize=8)
        axis.set_title(title, fontsize=10)
        axis.legend(fontsize=8)
    right.set_yscale("log")  # httpx is an order of magnitude off; keep aiohttp readable
    right.set_title(
        "client CPU ms per 1,000 requests (lower is better; log scale)", fontsize=10
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"chart: {path}")


if __name__ == "__main__":
    main()
