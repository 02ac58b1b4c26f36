"""A dialer job over generated numbers: throughput and peak memory, SDK vs raw aiohttp.

    python benchmarks/bench_dialer.py [--sizes 200000 1000000] [--concurrency 100]

Each (contender, size) runs in a fresh process, so its peak RSS (``ru_maxrss``) is its
own; "growth" is that peak minus the RSS measured just before the first call. The
numbers come from a generator, so a flat growth across sizes shows the SDK holds only
``concurrency``-many items at a time. The raw contender does the same job with a
bounded pool of aiohttp workers and no retries, rate cap or per-number outcomes. The SDK
runs twice: with its defaults (de-duplication on: every number is remembered, in a
temporary SQLite file) and with ``deduplicate=False``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator

from _common import BASE_HEADERS, machine, pin_client, save, server_process

USER, PASSWORD = "bench", "bench-password"


def numbers(count: int) -> Iterator[str]:
    for i in range(count):
        yield f"5{i:08d}"


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def sdk_job(
    url: str, count: int, concurrency: int, *, deduplicate: bool = True
) -> dict[str, float]:
    from thulium_async import DialProgress, ThuliumClient

    progress = DialProgress()
    async with ThuliumClient(url, USER, PASSWORD) as client:
        await client.queues.waiting_list(2)  # connect and warm up before measuring
        baseline = rss_mib()
        started = time.perf_counter()
        scheduled = 0
        async for outcome in client.queues.schedule_calls(
            2,
            numbers(count),
            concurrency=concurrency,
            progress=progress,
            deduplicate=deduplicate,
        ):
            scheduled += outcome.status == "scheduled"
        elapsed = time.perf_counter() - started
    return {"baseline_mib": baseline, "seconds": elapsed, "scheduled": scheduled}


async def raw_job(url: str, count: int, concurrency: int) -> dict[str, float]:
    import aiohttp

    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    headers = {
        **BASE_HEADERS,
        "Authorization": f"Basic {token}",
        "Content-Type": "application/json; charset=utf-8",
    }
    target = f"{url}/queues/2/schedule_call"
    source = numbers(count)
    scheduled = 0
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=100)
    ) as session:
        async with session.get(f"{url}/queues/2/waiting_list", headers=headers) as r:
            await r.read()
        baseline = rss_mib()

        async def worker() -> None:
            nonlocal scheduled
            for number in source:
                body = json.dumps({"phone_number": number}).encode()
                async with session.post(target, data=body, headers=headers) as r:
                    await r.read()
                    scheduled += r.status == 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"baseline_mib": baseline, "seconds": elapsed, "scheduled": scheduled}


def run_worker(contender: str, url: str, count: int, concurrency: int) -> None:
    pin_client()
    if contender == "raw":
        result = asyncio.run(raw_job(url, count, concurrency))
    else:
        dedupe = contender == "sdk"
        result = asyncio.run(sdk_job(url, count, concurrency, deduplicate=dedupe))
    result["peak_mib"] = peak_mib()
    print(json.dumps(result))


CONTENDERS = {"raw aiohttp": "raw", "sdk": "sdk", "sdk no dedupe": "sdk-no-dedupe"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--worker", nargs=3, metavar=("CONTENDER", "URL", "COUNT"))
    args = parser.parse_args()
    if args.worker:
        contender, url, count = args.worker
        run_worker(contender, url, int(count), args.concurrency)
        return
    rows = []
    with server_process() as url:
        for size in args.sizes:
            for contender, name in CONTENDERS.items():
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--worker",
                        name,
                        url,
                        str(size),
                        "--concurrency",
                        str(args.concurrency),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                result = json.loads(out.strip().splitlines()[-1])
                result.update(
                    contender=contender,
                    size=size,
                    rate=size / result["seconds"],
                    growth_mib=result["peak_mib"] - result["baseline_mib"],
                )
                rows.append(result)
                print(
                    f"{contender:12} {size:>9,} numbers  {result['rate']:8.0f} calls/s  "
                    f"peak RSS {result['peak_mib']:6.1f} MiB  "
                    f"growth {result['growth_mib']:5.1f} MiB  "
                    f"scheduled {result['scheduled']:,}",
                    flush=True,
                )
    for size in args.sizes:
        of_size = {r["contender"]: r for r in rows if r["size"] == size}
        raw, sdk = of_size["raw aiohttp"], of_size["sdk"]
        plain = of_size["sdk no dedupe"]
        print(
            f"{size:>9,}: SDK throughput {sdk['rate'] / raw['rate']:.2f}x raw aiohttp "
            f"({plain['rate'] / raw['rate']:.2f}x without de-duplication); "
            f"de-duplication costs {sdk['growth_mib'] - plain['growth_mib']:+.1f} MiB"
        )
    path = save("dialer", {"machine": machine(), "args": vars(args), "runs": rows})
    print(f"results: {path}")


if __name__ == "__main__":
    main()
