"""The rate limiter: a cap that is never exceeded, bursts, and backing off together."""

from __future__ import annotations

import asyncio

import pytest

from thulium_async._http.ratelimit import LocalRateLimiter
from thulium_async.testing import VirtualClock


def limiter(rate, **kwargs):
    time = VirtualClock(1000.0)
    return LocalRateLimiter(rate, clock=time.time, sleep=time.sleep, **kwargs), time


async def send_times(
    limit: LocalRateLimiter, time: VirtualClock, count: int
) -> list[float]:
    times = []
    for _ in range(count):
        await limit.acquire()
        times.append(time.now)
    return times


async def test_unlimited_never_waits():
    limit, time = limiter(None)
    assert await send_times(limit, time, 1000) == [1000.0] * 1000


async def test_rate_is_never_exceeded_in_any_one_second_window():
    limit, time = limiter(40.0, burst=10)
    times = await send_times(limit, time, 200)
    for start in times:
        in_window = [t for t in times if start <= t < start + 1.0]
        assert len(in_window) <= 40 + 10  # the rate plus the allowed burst
    # 60 requests at 40/s with a burst of 10 take at least (60 - 10) / 40 s.
    assert times[59] - times[0] >= (60 - 10) / 40 - 1e-9


async def test_burst_goes_at_once_after_idle_then_the_rate_applies():
    limit, time = limiter(10.0, burst=5)
    times = await send_times(limit, time, 7)
    assert times[:5] == pytest.approx([1000.0] * 5)
    assert times[5] == pytest.approx(1000.1)
    assert times[6] == pytest.approx(1000.2)


async def test_throttle_pauses_everyone_and_halves_the_rate_then_recovers():
    limit, time = limiter(20.0, recovery=10.0)
    await limit.throttled(retry_after=3.0, sent_at=time.now)
    assert limit.current_rate() == pytest.approx(10.0)
    (first,) = await send_times(limit, time, 1)
    assert first == pytest.approx(1003.0)
    time.now += 5.0  # halfway through recovery from the throttle at t=1000
    assert limit.current_rate() == pytest.approx(10.0 + 10.0 * 0.8)
    time.now += 100.0
    assert limit.current_rate() == 20.0


async def test_repeated_throttles_never_go_below_a_floor():
    limit, time = limiter(20.0)
    for _ in range(50):
        time.now += 0.01
        await limit.throttled(None, sent_at=time.now)
    assert limit.current_rate() == pytest.approx(1.0, rel=0.05)


async def test_a_burst_of_429s_for_requests_already_in_flight_halves_once():
    """20 requests sent together, all refused: one halving, not twenty."""
    limit, time = limiter(100.0, recovery=1000.0)
    sent = time.now
    time.now += 0.05
    for _ in range(20):
        await limit.throttled(None, sent_at=sent)
    assert limit.current_rate() == pytest.approx(50.0, rel=0.01)
    # A request sent after the client slowed down and still refused: halve again.
    time.now += 0.05
    await limit.throttled(None, sent_at=time.now)
    assert limit.current_rate() == pytest.approx(25.0, rel=0.01)


async def test_unlimited_client_still_honours_a_cool_down():
    limit, time = limiter(None)
    await limit.throttled(retry_after=2.0, sent_at=time.now)
    assert await send_times(limit, time, 2) == [1002.0, 1002.0]
    assert limit._paused_until == 0.0  # back on the fast path


async def test_concurrent_waiters_are_served_in_order_at_the_rate():
    limit = LocalRateLimiter(200.0, burst=1)
    order: list[int] = []

    async def one(i: int) -> None:
        await limit.acquire()
        order.append(i)

    await asyncio.gather(*(one(i) for i in range(20)))
    assert order == list(range(20))


async def test_a_pause_that_starts_while_a_caller_sleeps_is_honoured():
    """A caller that reserved a slot, then a 429 arrives: it waits out the pause too."""
    time = VirtualClock(1000.0)

    async def sleep_while_a_429_arrives(seconds: float) -> None:
        if time.now < 1000.5:
            await limit.throttled(retry_after=10.0, sent_at=time.now)
        time.now += seconds

    limit = LocalRateLimiter(1.0, clock=time.time, sleep=sleep_while_a_429_arrives)
    await limit.acquire()  # takes the burst; the next slot is one second away
    sent_at = await limit.acquire()
    assert sent_at >= 1010.0
    assert time.now >= 1010.0
