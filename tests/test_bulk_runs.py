"""Both bulk runs, ``queues.schedule_calls`` and ``outbounds.add_records``, keep one promise.

The same fault, stop, cancellation and resume scenarios run against each, judged by the
fake's own records: the calls it scheduled, or the records its campaign holds. The
campaign refuses a number it already has, so a record resent after an ambiguous failure
would come back ``failed`` while the server holds it: every check below that a
``failed`` item is absent from the server catches exactly that.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncGenerator, Callable
from typing import Any

import attrs
import pytest

from thulium_async import (
    AuthenticationError,
    CallOutcome,
    DeliveryUnknownError,
    DialProgress,
    NotFoundError,
    OutcomeStatus,
    ThuliumClient,
)
from thulium_async.testing import FakeThulium, Fault

from .conftest import FAST_RETRY


@attrs.frozen
class Bulk:
    """One bulk run, and where the fake keeps what it did."""

    name: str
    endpoint: str
    run: Callable[..., AsyncGenerator[CallOutcome, None]]
    held: Callable[[FakeThulium], list[str]]
    missing_target: object
    resends: bool = False  # safe to repeat by the server's rule: ambiguous resent


SCHEDULE = Bulk(
    "schedule_calls",
    "queues.schedule_call",
    lambda client, items, target=2, **kw: client.queues.schedule_calls(
        target, items, **kw
    ),
    lambda fake: [call.phone_number for call in fake.scheduled],
    7,
)
ADD_RECORDS = Bulk(
    "add_records",
    "outbounds.add_records",
    lambda client, items, target="00001", **kw: client.outbounds.add_records(
        target, items, **{"batch_size": 10, **kw}
    ),
    lambda fake: [record["phone_number"] for record in fake.campaigns["00001"]],
    "00009",
    resends=True,
)
pytestmark = pytest.mark.parametrize(
    "bulk", [SCHEDULE, ADD_RECORDS], ids=lambda b: b.name
)


def numbers(count: int) -> list[str]:
    return [f"600{i:06d}" for i in range(count)]


def bound(fake: FakeThulium, **kwargs: Any) -> ThuliumClient:
    kwargs.setdefault("retry", FAST_RETRY)
    return ThuliumClient(fake.base_url, fake.username, fake.password, **kwargs)


async def test_every_fault_kind_each_number_accounted_for_never_twice(fake, bulk):
    fake.set_fault_rate(0.3, seed=2026)
    wanted = numbers(600)
    progress = DialProgress()
    async with bound(fake, timeout=2.0) as client:
        run = bulk.run(client, wanted, concurrency=25, progress=progress)
        outcomes = [outcome async for outcome in run]
    assert sorted(o.phone_number for o in outcomes) == sorted(wanted)
    assert sorted(o.index for o in outcomes) == list(range(len(wanted)))
    held = Counter(bulk.held(fake))
    assert max(held.values()) == 1
    for outcome in outcomes:
        if outcome.status is OutcomeStatus.SCHEDULED:
            assert held[outcome.phone_number] == 1
            assert outcome.error is None
        elif outcome.status is OutcomeStatus.FAILED:
            assert held[outcome.phone_number] == 0, outcome  # never a refused resend
        elif bulk.resends:  # ambiguous until the retries ran out
            assert outcome.error is not None
        else:
            assert isinstance(outcome.error, DeliveryUnknownError)
    statuses = Counter(o.status for o in outcomes)
    assert statuses[OutcomeStatus.SCHEDULED] > 300
    if bulk.resends:  # the ambiguous ones resent, and confirmed by the server
        confirmed = [o for o in outcomes if o.reason == "confirmed on resend"]
        assert confirmed
        assert all(held[o.phone_number] == 1 for o in confirmed)
    else:
        assert statuses[OutcomeStatus.UNKNOWN] > 0  # the ambiguous ones
    assert progress.completed == 600
    assert (progress.scheduled, progress.failed, progress.unknown) == (
        statuses[OutcomeStatus.SCHEDULED],
        statuses[OutcomeStatus.FAILED],
        statuses[OutcomeStatus.UNKNOWN],
    )
    assert progress.retries > 0
    assert progress.finished
    assert "600 numbers" in progress.summary()


async def test_a_wrong_password_stops_the_run_after_one_request(fake, bulk):
    async with ThuliumClient(
        fake.base_url, fake.username, "wrong", retry=FAST_RETRY
    ) as client:
        progress = DialProgress()
        run = bulk.run(client, numbers(500), concurrency=1, progress=progress)
        outcomes = [outcome async for outcome in run]
    assert len(fake.requests) == 1
    assert isinstance(progress.stopped_by, AuthenticationError)
    assert len(outcomes) == 500
    assert {o.status for o in outcomes} == {OutcomeStatus.FAILED}


async def test_a_missing_queue_or_campaign_stops_the_run(fake, bulk):
    progress = DialProgress()
    async with bound(fake) as client:
        run = bulk.run(
            client,
            numbers(200),
            target=bulk.missing_target,
            concurrency=5,
            progress=progress,
        )
        outcomes = [outcome async for outcome in run]
    assert len(fake.requests) <= 5
    assert isinstance(progress.stopped_by, NotFoundError)
    assert len(outcomes) == 200


async def test_resume_sends_only_what_was_not_settled(fake, bulk, tmp_path):
    if bulk.resends:
        pytest.skip("resent on resume: see test_campaign_batches.py")
    wanted = numbers(60)
    fake.fail_next(
        bulk.endpoint,
        Fault.status_response(400),  # failed: sent again on resume
        Fault.processed_then_status(500),  # unknown: skipped on resume
    )
    first, second = tmp_path / "first.journal", tmp_path / "second.journal"
    async with bound(fake) as client:
        run = bulk.run(client, wanted, concurrency=1, journal=first)
        async with contextlib.aclosing(run) as outcomes:
            async for outcome in outcomes:
                if outcome.index == 20:
                    break  # stopped part way
        again = bulk.run(
            client, wanted, concurrency=5, journal=second, resume_from=first
        )
        resumed = {o.phone_number: o async for o in again}
    held = Counter(bulk.held(fake))
    assert max(held.values()) == 1
    assert resumed[wanted[0]].status is OutcomeStatus.SCHEDULED  # the 400, again
    assert resumed[wanted[1]].status is OutcomeStatus.UNKNOWN  # the unknown one
    for number in set(wanted) - set(held):  # the unknown one, and any in flight
        # Perhaps processed: unknown again, for reconcile, and never sent again.
        assert resumed[number].status is OutcomeStatus.UNKNOWN
        reason = resumed[number].reason or ""
        assert "not sent again" in reason, resumed[number]
    assert all(o.status is not OutcomeStatus.FAILED for o in resumed.values())


async def test_breaking_out_reports_what_was_in_flight(fake, bulk):
    fake.set_fault_rate(1.0, faults=[Fault.delay_then_process(0.05)])
    progress = DialProgress()
    wanted = numbers(1000)
    async with bound(fake) as client:
        run = bulk.run(client, wanted, concurrency=10, progress=progress)
        async with contextlib.aclosing(run) as outcomes:
            async for _ in outcomes:
                break
        assert progress.finished
        assert client.stats.in_flight == 0
        ours = [
            t
            for t in asyncio.all_tasks()
            if t.get_coro().__qualname__.split(".")[0]  # type: ignore[union-attr]
            in ("schedule_many", "batch_many")
        ]
        assert ours == []
        assert await client.queues.waiting_list(2) == []  # the client still works
    assert progress.interrupted  # the requests cut short are listed, not lost
    for index, number in progress.interrupted:
        assert wanted[index] == number
    # Everything read is an outcome, interrupted mid-request, or never started.
    assert progress.completed + len(progress.interrupted) <= progress.read


async def test_cancelling_the_consumer_stops_the_workers(fake, bulk):
    fake.set_fault_rate(1.0, faults=[Fault.delay_then_process(0.05)])
    progress = DialProgress()
    async with bound(fake) as client:

        async def consume() -> None:
            async for _ in bulk.run(
                client, numbers(1000), concurrency=10, progress=progress
            ):
                pass

        task = asyncio.ensure_future(consume())
        for _ in range(500):  # wait for a condition: requests are in flight
            if progress.in_flight:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert progress.finished
        assert client.stats.in_flight == 0
        assert progress.read < 1000
