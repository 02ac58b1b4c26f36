"""schedule_calls: one outcome per number, nobody called twice, bounded and stoppable."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import datetime

import pytest

from thulium_async import (
    CallOutcome,
    CallRequest,
    DialProgress,
    InvalidInputError,
    OutcomeStatus,
    RetryPolicy,
    ThuliumClient,
)
from thulium_async.testing import FakeThulium, Fault, VirtualClock

from .conftest import FAST_RETRY


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"600{i:06d}" for i in range(start, start + count)]


def bound(fake: FakeThulium, **kwargs) -> ThuliumClient:
    kwargs.setdefault("retry", FAST_RETRY)
    return ThuliumClient(fake.base_url, fake.username, fake.password, **kwargs)


async def collect(client: ThuliumClient, items, **kwargs) -> list[CallOutcome]:
    return [o async for o in client.queues.schedule_calls(2, items, **kwargs)]


async def test_status_is_a_str_enum(client):
    (outcome,) = await collect(client, ["500333222"])
    assert outcome.status == "scheduled"
    assert outcome.status is OutcomeStatus.SCHEDULED
    assert str(outcome.status) == "scheduled"
    assert outcome.attempts == 1


async def test_bad_items_fail_alone_and_the_run_goes_on(client, fake):
    items = [
        "500333222",
        "not-a-number",
        None,
        500333223,
        CallRequest(phone_number="500333224", call_at=datetime(2026, 11, 23, 9, 30)),
        CallRequest(phone_number="500333225", call_at=datetime(2026, 3, 29, 2, 30)),
    ]
    outcomes = {o.index: o for o in await collect(client, items)}
    assert [outcomes[i].status for i in range(6)] == [
        "scheduled",
        "failed",
        "failed",
        "failed",
        "scheduled",
        "failed",
    ]
    for i in (1, 2, 3, 5):
        assert isinstance(outcomes[i].error, InvalidInputError)
        assert outcomes[i].attempts == 0
    assert "CallRequest" in str(outcomes[2].error)
    assert sorted(c.phone_number for c in fake.scheduled) == ["500333222", "500333224"]
    assert fake.calls_to("500333224")[0].call_at == "2026-11-23 09:30:00"


async def test_concurrency_caps_requests_in_flight(fake):
    fake.set_fault_rate(1.0, faults=[Fault.delay_then_process(0.01)])
    async with bound(fake) as client:
        outcomes = await collect(client, numbers(120), concurrency=7)
    assert len(outcomes) == 120
    assert fake.peak_in_flight <= 7


async def test_rate_limit_is_never_exceeded_at_the_server():
    """60 requests at rate_limit=40 (burst 10), timed on a virtual clock.

    The client and the fake read one VirtualClock, so the times do not depend on
    the machine's speed: by any moment t the server has received at most 10 + 40 t
    requests, and the last arrives no sooner than (60 - 10) / 40 s. (A request is
    stamped when the fake reads it, which is never before the client let it go.)
    """
    clock = VirtualClock()
    async with (
        FakeThulium(clock=clock.time) as fake,
        bound(fake, rate_limit=40.0, clock=clock) as client,
    ):
        await collect(client, numbers(60), concurrency=20)
    arrivals = sorted(r.received_at for r in fake.requests)
    assert len(arrivals) == 60
    assert arrivals[-1] >= (60 - 10) / 40 - 1e-9
    for received, at in enumerate(arrivals, start=1):
        assert received <= 10 + 40 * at + 1e-9, (received, at)


async def test_server_throttling_slows_the_whole_client_and_loses_nothing():
    """A server limit below the client's: 429s slow everyone; all numbers scheduled once.

    On a virtual clock shared with the fake, so the server's limit is exceeded as
    surely on a slow machine as on a fast one.
    """
    clock = VirtualClock()
    policy = RetryPolicy(max_attempts=8, initial_delay=0.01, max_delay=0.05)
    async with FakeThulium(clock=clock.time) as fake:
        fake.limit_rate(60, retry_after=0.2)
        async with bound(fake, rate_limit=400.0, retry=policy, clock=clock) as client:
            outcomes = await collect(client, numbers(90), concurrency=40)
            assert fake.throttled > 0
            assert client.stats.throttled == fake.throttled
            assert client.rate_limit is not None
            assert client.rate_limit < 400.0  # still recovering from the last 429
        assert Counter(o.status.value for o in outcomes) == {"scheduled": 90}
        assert len(fake.scheduled) == 90
        # The requests already in flight when the first 429 came back are refused
        # too; after that the client-wide pause and the halved rate stop the
        # refusals, so there is about one round of 429s (at most `concurrency`).
        assert fake.throttled <= 40


async def test_input_is_consumed_lazily(client):
    pulled = 0

    def endless() -> Iterator[str]:
        nonlocal pulled
        for number in numbers(1_000_000):
            pulled += 1
            yield number

    async with contextlib.aclosing(
        client.queues.schedule_calls(2, endless(), concurrency=5)
    ) as outcomes:
        async for _ in outcomes:
            break
    assert pulled <= 3 * 5 + 2  # inbox + workers + outbox, not the whole input


async def test_async_iterable_input(client, fake):
    async def source() -> AsyncIterator[str]:
        for number in numbers(30):
            await asyncio.sleep(0)
            yield number

    outcomes = await collect(client, source(), concurrency=4)
    assert len(outcomes) == 30
    assert len(fake.scheduled) == 30


async def test_a_failing_input_finishes_what_was_read_then_raises(client, fake):
    def broken() -> Iterator[str]:
        yield from numbers(12)
        raise OSError("disk went away")

    seen: list[CallOutcome] = []

    async def run() -> None:
        async for outcome in client.queues.schedule_calls(2, broken(), concurrency=3):
            seen.append(outcome)

    with pytest.raises(OSError, match="disk went away"):
        await run()
    assert len(seen) == 12
    assert len(fake.scheduled) == 12


async def test_an_exception_in_the_loop_body_stops_the_run(client):
    progress = DialProgress()

    async def run() -> None:
        async with contextlib.aclosing(
            client.queues.schedule_calls(2, numbers(500), progress=progress)
        ) as outcomes:
            async for _ in outcomes:
                raise RuntimeError("consumer failed")

    with pytest.raises(RuntimeError, match="consumer failed"):
        await run()
    assert progress.finished
    assert progress.read < 500


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [({"concurrency": 0}, "concurrency"), ({"concurrency": "5"}, "concurrency")],
)
def test_bad_arguments_raise_at_call_time(kwargs, fragment):
    client = ThuliumClient("https://acme.thulium.com/api", "u", "p")
    with pytest.raises(InvalidInputError, match=fragment):
        client.queues.schedule_calls(2, [], **kwargs)
    with pytest.raises(InvalidInputError, match="queue_id"):
        client.queues.schedule_calls(0, [])


async def test_empty_input_yields_nothing(client):
    assert await collect(client, []) == []
