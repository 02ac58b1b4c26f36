"""Loading a campaign: one POST per record (before #29) vs batches, against FakeThulium.

    python benchmarks/bench_campaign_load.py [--records 100000] [--batch-size 100]

Both contenders run ``outbounds.add_records``' machinery (de-duplication, outcomes,
progress) against a FakeThulium in this process, with its request validation, on
127.0.0.1, each against a fresh campaign:

- ``per_record``: the run before batches, one ``POST outbounds/:id/records`` per
  record (the dialer's ``bulk_run`` sending ``outbounds.add_record``);
- ``batched``: ``outbounds.add_records`` as it is, ``POST batch/outbounds/:id/records``
  with *batch_size* records a request.

Reported: requests the fake received, seconds, records per second, and the
speed-up. The fake's own records are checked: every number added once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from typing import Any

from _common import machine, save

from thulium_async import ThuliumClient
from thulium_async._api.operations import endpoint_of
from thulium_async._areas.campaigns import Outbounds, _bulk_body
from thulium_async._features.dialer import bulk_run
from thulium_async.testing import FakeThulium

ADD_RECORD = endpoint_of(Outbounds.add_record)


def numbers(count: int) -> list[str]:
    return [f"5{i:08d}" for i in range(count)]


async def per_record(client: ThuliumClient, count: int, concurrency: int) -> int:
    """The load as it was: one POST per record, through the dialer."""
    send = client.outbounds._send_counted

    async def add_one(number: str, when: Any, item: object) -> int:
        return await send(ADD_RECORD, "00001", body=_bulk_body(number, when, item))

    run = bulk_run(
        add_one,
        numbers(count),
        concurrency=concurrency,
        progress=None,
        deduplicate=True,
        journal=None,
        resume_from=None,
        stop=None,
        phone_region="PL",
        name="add_records",
        records=True,
    )
    return sum([o.status == "scheduled" async for o in run])


async def batched(
    client: ThuliumClient, count: int, concurrency: int, batch_size: int
) -> int:
    run = client.outbounds.add_records(
        "00001", numbers(count), concurrency=concurrency, batch_size=batch_size
    )
    return sum([o.status == "scheduled" async for o in run])


async def measure(
    name: str, count: int, concurrency: int, batch: int
) -> dict[str, Any]:
    async with FakeThulium() as fake:
        async with ThuliumClient(fake.base_url, fake.username, fake.password) as client:
            started = time.perf_counter()
            if name == "per_record":
                added = await per_record(client, count, concurrency)
            else:
                added = await batched(client, count, concurrency, batch)
            seconds = time.perf_counter() - started
        held = Counter(r["phone_number"] for r in fake.campaigns["00001"])
        assert added == count == len(held), (added, count, len(held))
        assert max(held.values()) == 1
        return {
            "records": count,
            "requests": len(fake.requests),
            "seconds": round(seconds, 2),
            "records_per_second": round(count / seconds),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    results: dict[str, Any] = {"machine": machine()}
    for name in ("per_record", "batched"):
        results[name] = asyncio.run(
            measure(name, args.records, args.concurrency, args.batch_size)
        )
        print(name, json.dumps(results[name]))
    before, after = results["per_record"], results["batched"]
    results["requests_ratio_percent"] = round(
        100 * after["requests"] / before["requests"], 2
    )
    results["speed_up"] = round(before["seconds"] / after["seconds"], 1)
    print(
        f"batched: {after['requests']} requests, "
        f"{results['requests_ratio_percent']} % of {before['requests']}; "
        f"{results['speed_up']}x faster ({before['seconds']} s -> {after['seconds']} s)"
    )
    save("campaign_load", results)


if __name__ == "__main__":
    main()
