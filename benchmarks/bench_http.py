"""Requests/s and client CPU per 1,000 requests: raw aiohttp vs the SDK vs httpx.

    python benchmarks/bench_http.py [--requests 20000] [--rounds 5] [--httpx-requests 2000]

Every contender sends the same requests (same headers, same bodies) to the same server
process, through a pool of CONCURRENCY workers, and decodes the answer: raw aiohttp and
httpx with ``json`` into dicts, the SDK into ``WaitingCaller`` models. Rounds are
interleaved (A B A B, the starting contender alternating), and the medians are compared.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import time
from collections.abc import Awaitable, Callable
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

from thulium_async import RetryPolicy, ThuliumClient, _converter

USER, PASSWORD = "bench", "bench-password"
AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
BODY = json.dumps({"phone_number": "500333222"}, separators=(",", ":")).encode()
Job = Callable[[], Awaitable[object]]


async def drive(job: Job, requests: int, concurrency: int) -> None:
    remaining = requests

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await job()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def run_raw(url: str, endpoint: str, requests: int, concurrency: int) -> None:
    headers = {**BASE_HEADERS, "Authorization": AUTH}
    post_headers = {**headers, "Content-Type": "application/json; charset=utf-8"}
    connector = aiohttp.TCPConnector(limit=100)
    async with aiohttp.ClientSession(connector=connector) as session:
        if endpoint == "waiting_list":
            target = f"{url}/queues/2/waiting_list"

            async def job() -> object:
                async with session.get(target, headers=headers) as response:
                    return await response.json()

        else:
            target = f"{url}/queues/2/schedule_call"

            async def job() -> object:
                async with session.post(target, data=BODY, headers=post_headers) as r:
                    return await r.read()

        await drive(job, requests, concurrency)


async def run_sdk(url: str, endpoint: str, requests: int, concurrency: int) -> None:
    # Parse with the standard library, as raw aiohttp and httpx do here, even though
    # the bench group installs orjson (the speedups extra), which the SDK would pick.
    _converter._loads = _converter._std_loads
    async with ThuliumClient(url, USER, PASSWORD, retry=RetryPolicy()) as client:
        if endpoint == "waiting_list":

            async def job() -> object:
                return await client.queues.waiting_list(2)

        else:

            async def job() -> object:
                return await client.queues.schedule_call(2, "500333222")

        await drive(job, requests, concurrency)


async def run_httpx(url: str, endpoint: str, requests: int, concurrency: int) -> None:
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

        await drive(job, requests, concurrency)


CONTENDERS = {"raw aiohttp": run_raw, "sdk": run_sdk, "httpx": run_httpx}


def measure(
    name: str, url: str, endpoint: str, requests: int, concurrency: int
) -> dict[str, float]:
    runner = CONTENDERS[name]
    wall, cpu = time.perf_counter(), time.process_time()
    asyncio.run(runner(url, endpoint, requests, concurrency))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"rps": requests / wall, "cpu_per_1000": cpu / requests * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--httpx-requests", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[100, 10])
    parser.add_argument("--no-httpx", action="store_true")
    parser.add_argument(
        "--chart", default=str(HERE.parent / "docs" / "_static" / "performance.png")
    )
    args = parser.parse_args()
    pinning = pin_client()
    contenders = ["raw aiohttp", "sdk"] + ([] if args.no_httpx else ["httpx"])
    configs = [
        (e, c) for e in ("waiting_list", "schedule_call") for c in args.concurrency
    ]
    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    with server_process() as url:
        for endpoint, concurrency in configs:  # warm-up: imports, caches, the server
            measure("sdk", url, endpoint, 500, concurrency)
            measure("raw aiohttp", url, endpoint, 500, concurrency)
        for round_number in range(args.rounds):
            for endpoint, concurrency in configs:
                key = f"{endpoint} c={concurrency}"
                order = contenders if round_number % 2 == 0 else contenders[::-1]
                for name in order:
                    count = args.httpx_requests if name == "httpx" else args.requests
                    sample = measure(name, url, endpoint, count, concurrency)
                    results.setdefault(key, {}).setdefault(name, []).append(sample)
                raw = results[key]["raw aiohttp"][-1]
                sdk = results[key]["sdk"][-1]
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
    print("\nMedians (requests/s; client CPU ms per 1,000 requests)")
    print(
        f"{'':26}{'contender':14}{'req/s':>10}{'CPU ms/1k':>12}{'vs raw':>9}{'CPU vs raw':>12}"
    )
    summary: dict[str, object] = {}
    for key, by_name in results.items():
        raw_rps = median([s["rps"] for s in by_name["raw aiohttp"]])
        raw_cpu = median([s["cpu_per_1000"] for s in by_name["raw aiohttp"]])
        rows = {}
        for name, samples in by_name.items():
            rps = median([s["rps"] for s in samples])
            cpu = median([s["cpu_per_1000"] for s in samples])
            # Also the median of each round's own ratio: the two runs of a round are
            # back to back, so a slow spell of the machine hits both.
            paired = list(zip(samples, by_name["raw aiohttp"], strict=False))
            rows[name] = {
                "rps": rps,
                "cpu_ms_per_1000": cpu * 1000,
                "rps_vs_raw": rps / raw_rps,
                "cpu_vs_raw": cpu / raw_cpu,
                "rps_vs_raw_per_round": median(
                    [s["rps"] / r["rps"] for s, r in paired]
                ),
                "cpu_vs_raw_per_round": median(
                    [s["cpu_per_1000"] / r["cpu_per_1000"] for s, r in paired]
                ),
            }
            print(
                f"{key:26}{name:14}{rps:10.0f}{cpu * 1000:12.1f}"
                f"{rps / raw_rps:9.3f}{cpu / raw_cpu:12.3f}"
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
