"""Soak: 20,000 calls, and a 10,000-record campaign load, at concurrency 200 against
FakeThulium failing 30% of requests.

Not in the default suite (about a minute); run it with ``python -m nox -s soak``.
"""

from __future__ import annotations

import asyncio
import gc
import os
import resource
from collections import Counter

import pytest

from thulium_async import (
    DeliveryUnknownError,
    DialProgress,
    OutcomeStatus,
    RetryPolicy,
    ThuliumClient,
    ThuliumError,
)
from thulium_async._core.phone import identity
from thulium_async._features.journal import read_journal
from thulium_async.testing import FakeThulium, Fault

pytestmark = pytest.mark.soak

CALLS = int(os.environ.get("SOAK_CALLS", "10000"))
FAULTS = [
    Fault.status_response(429, headers={"Retry-After": "0"}),
    Fault.status_response(503),
    Fault.html_error_page(502),
    Fault.drop_before_processing(),
    Fault.processed_then_status(500),
    Fault.processed_then_bare_503(),
    Fault.processed_then_drop(),
    Fault.processed_then_stall(2.0),
    Fault.delay_then_process(0.05),
]
POLICY = RetryPolicy(
    max_attempts=4, initial_delay=0.01, max_delay=0.1, retry_budget=None
)


def soak_client(fake: FakeThulium) -> ThuliumClient:
    """A client for 200 concurrent requests that retries fast and times out at 0.5 s."""
    return ThuliumClient(
        fake.base_url,
        fake.username,
        fake.password,
        retry=POLICY,
        timeout=0.5,
        max_connections=200,
    )


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def client_side_tasks() -> int:
    """Tasks that are not the fake server's own connection handlers."""
    return sum(
        "RequestHandler" not in getattr(t.get_coro(), "__qualname__", "")
        for t in asyncio.all_tasks()
    )


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


async def test_soak_no_duplicates_one_outcome_each_no_growth():
    async with FakeThulium(max_recorded_requests=100) as fake:
        fake.add_caller(2, "500333222")
        fake.set_fault_rate(0.3, seed=99, faults=FAULTS)
        fds_before_client = open_fds()
        async with soak_client(fake) as client:

            async def one(i: int) -> tuple[str, str]:
                number = f"7{i:08d}"
                try:
                    if i % 2:
                        await client.queues.waiting_list(2)
                        return ("get", "ok")
                    await client.queues.schedule_call(2, number)
                    return (number, "scheduled")
                except DeliveryUnknownError:
                    return (number, "unknown")
                except ThuliumError:
                    return (number, "failed")

            async def run(calls: range) -> list[tuple[str, str]]:
                """200 workers pulling from one iterator: memory bounded by them."""
                todo = iter(calls)
                results: list[tuple[str, str]] = []

                async def worker() -> None:
                    for i in todo:
                        results.append(await one(i))

                await asyncio.gather(*(worker() for _ in range(200)))
                return results

            # Warm up, then measure what a long run adds.
            await run(range(-2000, 0))
            gc.collect()
            fds, rss, tasks = open_fds(), rss_mib(), client_side_tasks()
            outcomes = await run(range(2 * CALLS))
            gc.collect()
            assert len(outcomes) == 2 * CALLS  # one outcome per call
            posts = [(n, s) for n, s in outcomes if n != "get"]
            on_server = Counter(c.phone_number for c in fake.scheduled)
            assert max(on_server.values()) == 1, "a number was scheduled twice"
            for number, status in posts:
                if status == "scheduled":
                    assert on_server[number] == 1
                elif status == "failed":
                    assert on_server[number] == 0
            assert client.stats.in_flight == 0
            # Private on purpose: the pool of the client's own session is what is
            # checked (every connection back in it), as no public count shows it.
            connector = client._sessions.get().connector
            assert connector is not None
            assert len(connector._acquired) == 0  # every connection back in the pool
            # Both ends of each pooled connection live in this process: at most the
            # pool's 200 connections twice, whatever the number of calls.
            assert open_fds() <= fds + 2 * 200
            assert client_side_tasks() <= tasks + 5
            assert rss_mib() - rss < 20  # stable memory
            statuses = Counter(s for _, s in posts)
            print(
                f"\nsoak: {dict(statuses)}; RSS {rss:.0f} -> {rss_mib():.0f} MiB; "
                f"fds {fds} -> {open_fds()}"
            )
        for _ in range(100):  # closing the client closes its sockets; the fake follows
            if open_fds() <= fds_before_client + 5:
                break
            await asyncio.sleep(0.02)
        assert open_fds() <= fds_before_client + 5, "sockets left open after close"


async def test_soak_a_campaign_load_adds_each_record_once(tmp_path):
    """add_records through 30 % faults of every kind, journalled, judged by the fake."""
    wanted = [f"8{i:08d}" for i in range(CALLS)]
    async with FakeThulium(max_recorded_requests=100) as fake:
        fake.set_fault_rate(0.3, seed=7, faults=FAULTS)
        async with soak_client(fake) as client:
            progress = DialProgress()
            run = client.outbounds.add_records(
                "00001",
                iter(wanted),
                batch_size=20,  # 500 batches: more of them meet a fault
                concurrency=50,
                progress=progress,
                journal=tmp_path / "load.journal",
            )
            outcomes = [outcome async for outcome in run]
    assert len(outcomes) == CALLS  # one outcome per record
    held = Counter(r["phone_number"] for r in fake.campaigns["00001"])
    assert max(held.values()) == 1
    for outcome in outcomes:
        if outcome.status is OutcomeStatus.SCHEDULED:
            assert held[outcome.phone_number] == 1
        elif outcome.status is OutcomeStatus.FAILED:
            # Failed means not added: never a record the server holds.
            assert held[outcome.phone_number] == 0, outcome
    # Batches cut off after processing were resent, and the server confirmed them.
    assert any(o.reason == "confirmed on resend" for o in outcomes)
    settled = {
        r["n"] for r in read_journal(tmp_path / "load.journal") if r["s"] != "sending"
    }
    # The journal keys each record by its identity (E.164 in the client's region).
    assert settled == {identity(number, "PL") for number in wanted}
    print(f"\ncampaign soak: {progress.summary('added')}")
