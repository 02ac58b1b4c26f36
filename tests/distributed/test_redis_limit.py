"""RedisRateLimiter against a real redis-server: limiters stand in for processes.

Each RedisRateLimiter shares nothing with another but the Redis hash, so several in one
test process behave as several worker processes would; tests/distributed/
test_arq_dialer.py repeats the key checks with real worker processes.
"""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from redis.asyncio import Redis

from thulium_async import RateLimiterUnavailableError, ThuliumClient
from thulium_async.redis_limit import RedisRateLimiter
from thulium_async.testing import FakeThulium, Fault

from .conftest import RedisServer

pytestmark = pytest.mark.distributed


def busiest_second(times: list[float]) -> int:
    """The most events in any window [t, t + 1 s) that starts at an event."""
    times = sorted(times)
    most, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def acquire_times(limiter: RedisRateLimiter, count: int) -> list[float]:
    async def one() -> float:
        await limiter.acquire()
        return time.monotonic()

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def test_three_limiters_together_never_exceed_the_shared_rate(redis_server):
    limiters = [
        RedisRateLimiter(redis_server.url, rate=100, burst=5, key="cap")
        for _ in range(3)
    ]
    started = time.monotonic()
    results = await asyncio.gather(*(acquire_times(lim, 60) for lim in limiters))
    elapsed = time.monotonic() - started
    times = [t for part in results for t in part]
    assert busiest_second(times) <= 100 + 5
    assert elapsed >= (180 - 5) / 100 * 0.95  # they really waited for each other
    for limiter in limiters:
        await limiter.aclose()


async def test_separate_keys_are_separate_budgets(redis_server):
    a = RedisRateLimiter(redis_server.url, rate=10, burst=10, key="acme")
    b = RedisRateLimiter(redis_server.url, rate=10, burst=10, key="globex")
    started = time.monotonic()
    await acquire_times(a, 10)
    await acquire_times(b, 10)  # acme's burst is spent; globex's is not
    assert time.monotonic() - started < 0.5
    await a.aclose()
    await b.aclose()


async def test_a_429_seen_by_one_pauses_the_others_and_halves_the_rate(redis_server):
    a = RedisRateLimiter(redis_server.url, rate=40, key="pause")
    b = RedisRateLimiter(redis_server.url, rate=40, key="pause")
    sent_at = await a.acquire()
    await a.throttled(1.0, sent_at)
    started = time.monotonic()
    await b.acquire()
    assert time.monotonic() - started >= 0.95
    assert b.current_rate() == pytest.approx(20.0, rel=0.05)
    await a.aclose()
    await b.aclose()


async def test_refusals_of_one_burst_halve_the_shared_rate_once(redis_server):
    a = RedisRateLimiter(redis_server.url, rate=100, burst=10, recovery=1000, key="b")
    sent = [await a.acquire() for _ in range(10)]
    for sent_at in sent:
        await a.throttled(None, sent_at)
    await a.acquire()
    assert a.current_rate() == pytest.approx(50.0, rel=0.02)
    # A request sent after the halving and refused too: halve again.
    later = await a.acquire()
    await a.throttled(None, later)
    await a.acquire()
    assert a.current_rate() == pytest.approx(25.0, rel=0.02)
    await a.aclose()


async def test_a_pause_that_starts_while_a_caller_waits_is_honoured(redis_server):
    a = RedisRateLimiter(redis_server.url, rate=2, burst=1, key="sleeper")
    b = RedisRateLimiter(redis_server.url, rate=2, burst=1, key="sleeper")
    await a.acquire()  # the next turn is 0.5 s away
    probe = Redis.from_url(redis_server.url)
    taken = await probe.hget(a.key, "tat")
    started = time.monotonic()
    waiter = asyncio.create_task(b.acquire())
    # Polling Redis (no event to wait on) until b holds its reservation.
    while await probe.hget(a.key, "tat") == taken:  # noqa: ASYNC110
        await asyncio.sleep(0.005)
    await probe.aclose()
    await a.throttled(1.5, time.time())
    await waiter
    assert time.monotonic() - started >= 1.5
    await a.aclose()
    await b.aclose()


async def test_clients_in_two_processes_share_a_429_pause(redis_server):
    """Client A is refused once; client B sends nothing until the pause is over."""
    async with FakeThulium() as fake:
        clients = [
            ThuliumClient(
                fake.base_url,
                fake.username,
                fake.password,
                rate_limit=RedisRateLimiter(redis_server.url, rate=50, key="e2e"),
            )
            for _ in range(2)
        ]
        fake.fail_next(
            "schedule_call", Fault.status_response(429, headers={"Retry-After": "1"})
        )
        await clients[0].queues.schedule_call(2, "500100100")  # refused, then retried
        refused = fake.requests[0].received_at
        await clients[1].queues.schedule_call(2, "500100101")
        received = [r.received_at for r in fake.requests]
        assert len(received) == 3
        assert received[1] - refused >= 0.95  # A's retry waited out the pause
        assert received[2] - refused >= 0.95  # and so did B, which saw no 429
        assert clients[1].rate_limit == pytest.approx(25.0, rel=0.05)
        for client in clients:
            await client.close()


async def test_a_redis_client_passed_in_is_left_open(redis: Redis):
    limiter = RedisRateLimiter(redis, rate=10, key="owned")
    await limiter.acquire()
    await limiter.aclose()
    assert await redis.ping()


async def test_redis_going_away_fails_fast_then_works_again():
    server = RedisServer()
    server.start()
    limiter = RedisRateLimiter(server.url, rate=100, key="outage", timeout=0.5)
    try:
        await limiter.acquire()
        server.stop()
        with pytest.raises(
            RateLimiterUnavailableError, match=f"127.0.0.1:{server.port}"
        ):
            await limiter.acquire()
        server.start()
        await limiter.acquire()
    finally:
        await limiter.aclose()
        server.close()


async def test_redis_going_away_falls_back_to_the_local_rate_and_comes_back(caplog):
    server = RedisServer()
    server.start()
    limiter = RedisRateLimiter(
        server.url,
        rate=100,
        key="fallback",
        fallback_rate=5,
        retry_interval=0.3,
        timeout=0.5,
    )
    probe = Redis.from_url(server.url)
    try:
        await limiter.acquire()
        server.stop()
        with caplog.at_level(logging.WARNING, "thulium_async.redis_limit"):
            started = time.monotonic()
            await acquire_times(limiter, 10)  # burst 5, then 5/s locally
            assert time.monotonic() - started >= 0.9
        assert limiter.unavailable_events == 1
        assert "using a local limit of 5 requests/s" in caplog.text
        server.start()
        await asyncio.sleep(0.3)
        await limiter.acquire()
        assert await probe.hget(limiter.key, "tat") is not None  # Redis again
        assert "back in use" in caplog.text
    finally:
        await probe.aclose()
        await limiter.aclose()
        server.close()
