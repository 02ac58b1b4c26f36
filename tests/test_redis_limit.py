"""RedisRateLimiter without a Redis server: bad arguments, and Redis unreachable.

The happy path needs a real redis-server: tests/distributed (``nox -s distributed``).
"""

from __future__ import annotations

import logging
import re
import socket

import pytest

from thulium_async import (
    InvalidInputError,
    LocalRateLimiter,
    RateLimiter,
    RateLimiterUnavailableError,
    ThuliumClient,
)
from thulium_async.redis_limit import RedisRateLimiter
from thulium_async.testing import FakeThulium


def client_of(fake: FakeThulium, limiter: RedisRateLimiter) -> ThuliumClient:
    return ThuliumClient(
        fake.base_url, fake.username, fake.password, rate_limit=limiter
    )


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": 0}, "rate must be > 0"),
        ({"rate": "10"}, "rate must be a number"),
        ({"rate": 10, "burst": 0}, "burst must be an int >= 1"),
        ({"rate": 10, "key": ""}, "key must be a non-empty string"),
        ({"rate": 10, "fallback_rate": -1}, "fallback_rate must be > 0"),
        ({"rate": 10, "timeout": 0}, "timeout must be > 0"),
    ],
)
def test_bad_arguments_are_refused_clearly(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        RedisRateLimiter("redis://127.0.0.1:6379/0", **kwargs)


def test_redis_must_be_a_url_or_a_client():
    with pytest.raises(
        InvalidInputError, match=re.escape("redis:// URL or a redis.asyncio.Redis")
    ):
        RedisRateLimiter(6379, rate=10)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="not a valid URL"):
        RedisRateLimiter("http://127.0.0.1", rate=10)


def test_it_is_a_rate_limiter_and_says_where_without_the_password():
    limiter = RedisRateLimiter("redis://:s3cret@10.0.0.5:6390/2", rate=10, key="acme")
    assert isinstance(limiter, RateLimiter)
    assert "10.0.0.5:6390/2" in repr(limiter)
    assert "s3cret" not in repr(limiter)
    assert limiter.current_rate() == 10


async def test_unreachable_redis_fails_fast_and_nothing_is_sent(fake_thulium):
    port = closed_port()
    limiter = RedisRateLimiter(f"redis://:s3cret@127.0.0.1:{port}/0", rate=10)
    async with client_of(fake_thulium, limiter) as client:
        with pytest.raises(RateLimiterUnavailableError) as caught:
            await client.queues.schedule_call(2, "500100200")
    assert f"127.0.0.1:{port}/0" in str(caught.value)
    assert "nothing was sent" in str(caught.value)
    assert "fallback_rate" in str(caught.value)  # says what to do about it
    assert "s3cret" not in str(caught.value)
    assert caught.value.redis == f"127.0.0.1:{port}/0"
    assert fake_thulium.requests == []


async def test_unreachable_redis_with_a_fallback_sends_under_the_local_rate(
    fake_thulium, caplog
):
    limiter = RedisRateLimiter(
        f"redis://127.0.0.1:{closed_port()}/0", rate=100, fallback_rate=7
    )
    async with client_of(fake_thulium, limiter) as client:
        with caplog.at_level(logging.WARNING, "thulium_async.redis_limit"):
            for number in ("500100201", "500100202", "500100203"):
                await client.queues.schedule_call(2, number)
        assert client.rate_limit == 7
    assert len(fake_thulium.scheduled) == 3
    assert limiter.unavailable_events == 1  # one outage, one warning
    assert caplog.text.count("using a local limit of 7 requests/s") == 1


def test_the_client_refuses_a_rate_limit_that_is_neither_a_rate_nor_a_limiter():
    with pytest.raises(
        InvalidInputError, match="rate_limit must be requests per second"
    ):
        ThuliumClient("https://acme.thulium.com/api", "u", "p", rate_limit="fast")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": -1}, "rate must be > 0"),
        ({"rate": 5, "burst": 0}, "burst must be an int >= 1"),
        ({"rate": 5, "recovery": 0}, "recovery must be > 0"),
    ],
)
def test_local_limiter_arguments_are_checked(kwargs, message):
    rate = kwargs.pop("rate")
    with pytest.raises(InvalidInputError, match=message):
        LocalRateLimiter(rate, **kwargs)


async def test_the_client_uses_a_limiter_it_is_given_and_closes_it():
    closed = []

    class Recording(LocalRateLimiter):
        async def aclose(self) -> None:
            closed.append(True)

    limiter = Recording(5.0, burst=2)
    client = ThuliumClient("https://acme.thulium.com/api", "u", "p", rate_limit=limiter)
    assert client.rate_limit == 5.0
    view = client.with_options(timeout=1.0)
    await view.close()
    assert closed == []  # a view owns nothing
    await client.close()
    assert closed == [True]
