"""watch_waiting_list: changes as callers come and go, steady polling, errors reported."""

from __future__ import annotations

import asyncio
import contextlib
import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from thulium_async import (
    InvalidInputError,
    NotFoundError,
    ServerError,
    WaitingCaller,
    WaitingListChange,
)
from thulium_async._features.watch import watch
from thulium_async.testing import Fault

WARSAW = ZoneInfo("Europe/Warsaw")


def caller(number: str, minute: int = 0) -> WaitingCaller:
    return WaitingCaller(
        phone_number=number,
        started_at=datetime(2026, 11, 22, 10, minute, tzinfo=WARSAW),
    )


class Script:
    """A fetch that plays back snapshots (or errors), and a fake clock and sleep."""

    def __init__(self, *snapshots: object, poll_cost: float = 0.0) -> None:
        self.snapshots = list(snapshots)
        self.now = 0.0
        self.sleeps: list[float] = []
        self.poll_times: list[float] = []
        self.poll_cost = poll_cost

    async def fetch(self) -> list[WaitingCaller]:
        self.poll_times.append(self.now)
        self.now += self.poll_cost
        item = self.snapshots.pop(0) if len(self.snapshots) > 1 else self.snapshots[0]
        if isinstance(item, Exception):
            raise item
        assert isinstance(item, list)
        return list(item)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # like a real sleep, give the loop a turn

    def watch(self, **kwargs: object):
        options = {"interval": 2.0, "jitter": 0.0, **kwargs}
        return watch(
            self.fetch,
            sleep=self.sleep,
            clock=lambda: self.now,
            rng=random.Random(1),
            **options,  # type: ignore[arg-type]
        )


async def take(stream, count: int) -> list[WaitingListChange]:
    changes = []
    async with contextlib.aclosing(stream) as changes_stream:
        async for change in changes_stream:
            changes.append(change)
            if len(changes) == count:
                break
    return changes


async def test_first_change_lists_everyone_then_only_differences():
    a, b, c = caller("1"), caller("2"), caller("3")
    script = Script([a, b], [a, b], [a, b], [b, c], [b])
    first, second, third = await take(script.watch(), 3)
    assert first.joined == (a, b)
    assert first.left == ()
    assert first.waiting == (a, b)
    assert (second.joined, second.left, second.waiting) == ((c,), (a,), (b, c))
    assert (third.joined, third.left) == ((), (c,))
    assert len(script.poll_times) == 5  # unchanged polls yield nothing


async def test_a_number_that_comes_back_is_seen_again():
    first_wait, second_wait = caller("1", minute=0), caller("1", minute=5)
    script = Script([first_wait], [], [second_wait])
    _, left, back = await take(script.watch(), 3)
    assert left.left == (first_wait,)
    assert back.joined == (second_wait,)


async def test_polling_keeps_to_the_schedule_without_drift():
    """Each poll costs 0.5 s; polls still start every 2 s, not every 2.5 s."""
    script = Script([caller("1")], poll_cost=0.5)
    stream = script.watch()
    await stream.__anext__()
    consumer = asyncio.ensure_future(stream.__anext__())  # waits forever: no change
    for _ in range(50):
        await asyncio.sleep(0)
        if len(script.poll_times) >= 6:
            break
    consumer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await consumer
    await stream.aclose()
    starts = script.poll_times[:6]
    assert starts == pytest.approx([0.0, 2.0, 4.0, 6.0, 8.0, 10.0])


async def test_jitter_spreads_polls_within_bounds():
    script = Script([caller("1")])
    stream = script.watch(jitter=0.1)
    await stream.__anext__()
    task = asyncio.ensure_future(stream.__anext__())
    for _ in range(100):
        await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await stream.aclose()
    gaps = [
        b - a for a, b in zip(script.poll_times, script.poll_times[1:], strict=False)
    ]
    assert len(gaps) > 10
    assert all(1.8 - 1e-9 <= gap <= 2.2 + 1e-9 for gap in gaps)
    assert len({round(gap, 6) for gap in gaps}) > 1  # not lockstep


async def test_transient_failures_are_reported_and_polled_with_backoff():
    a = caller("1")
    outage = ServerError("down", status=503, body="", method="GET", url="u")
    script = Script([a], outage, outage, outage, [a, caller("2")])
    changes = await take(script.watch(max_backoff=10.0), 5)
    assert [c.error is not None for c in changes] == [False, True, True, True, False]
    assert all(c.waiting == (a,) for c in changes[1:4])  # the last list known
    assert changes[4].joined == (caller("2"),)
    backoffs = script.sleeps[1:4]
    assert backoffs == [4.0, 8.0, 10.0]  # doubling, capped at max_backoff


async def test_a_definitive_failure_ends_the_stream():
    gone = NotFoundError("no queue", status=404, body="", method="GET", url="u")
    script = Script([caller("1")], gone)
    stream = script.watch()
    await stream.__anext__()
    with pytest.raises(NotFoundError):
        await stream.__anext__()


async def test_against_the_fake_server(client, fake):
    fake.add_caller(2, "500333222", started_at="2026-11-22 10:00:00")
    stream = client.queues.watch_waiting_list(2, interval=0.02)
    seen = []
    async with contextlib.aclosing(stream) as changes:
        async for change in changes:
            seen.append(change)
            if len(seen) == 1:
                fake.add_caller(2, "600111222", started_at="2026-11-22 10:01:00")
            elif len(seen) == 2:
                fake.remove_caller(2, "500333222")
            else:
                break
    assert [c.phone_number for c in seen[0].joined] == ["500333222"]
    assert [c.phone_number for c in seen[1].joined] == ["600111222"]
    assert [c.phone_number for c in seen[2].left] == ["500333222"]
    assert [c.phone_number for c in seen[2].waiting] == ["600111222"]


async def test_outage_at_the_fake_is_reported_then_recovers(client, fake):
    fake.fail_next("waiting_list", *[Fault.status_response(503)] * 4)
    stream = client.queues.watch_waiting_list(2, interval=0.01, max_backoff=0.02)
    async with contextlib.aclosing(stream) as changes:
        first = await changes.__anext__()
        fake.add_caller(2, "500333222")
        second = await changes.__anext__()
    assert isinstance(first.error, ServerError)
    assert second.error is None
    assert [c.phone_number for c in second.joined] == ["500333222"]


async def test_cancelling_stops_polling_at_once(client, fake):
    async def consume() -> None:
        async for _ in client.queues.watch_waiting_list(2, interval=0.01):
            pass

    task = asyncio.ensure_future(consume())
    for _ in range(100):
        if len(fake.requests) >= 3:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # A request already written to the socket may still arrive; nothing after it.
    at_cancel = len(fake.requests)
    await asyncio.sleep(0.05)
    settled = len(fake.requests)
    assert settled <= at_cancel + 1
    await asyncio.sleep(0.05)  # had polling gone on, 5 more polls would be here
    assert len(fake.requests) == settled


@pytest.mark.parametrize(
    "kwargs",
    [{"interval": 0}, {"interval": -1}, {"jitter": 1.0}, {"max_backoff": 0}],
)
def test_bad_arguments_are_refused_at_call_time(kwargs):
    from thulium_async import ThuliumClient

    client = ThuliumClient("https://acme.thulium.com/api", "u", "p")
    with pytest.raises(InvalidInputError):
        client.queues.watch_waiting_list(2, **kwargs)
