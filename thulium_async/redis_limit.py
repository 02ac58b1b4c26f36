"""One request-rate budget for every process and machine that calls one Thulium account.

Thulium limits the account, not the worker, so a dialer spread over many processes needs
a limiter they all draw from. :class:`RedisRateLimiter` keeps the same state as the
in-process :class:`~thulium_async.LocalRateLimiter` (the next free send time of a
generic-cell-rate token bucket, a pause after a 429 and a halved rate that recovers) in
one Redis hash, and changes it with two short Lua scripts, so each request costs one
atomic round trip and every client sees every other client's 429.

Why not the ``limits`` library: its limiters answer "allowed now, yes or no" against
windows of whole seconds, timed by each client's own clock. A refused caller has to poll,
a second's budget may go out in one burst, clocks that disagree between machines shift
the windows, its keys embed the limit (so halving the rate after a 429 would start an
empty window) and there is no shared pause. The scripts here take Redis's own clock,
hand out send times in order and keep the pause and the halving beside the bucket.

Install with ``pip install "thulium-async[redis]"``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any, cast

from ._core.errors import InvalidInputError, RateLimiterUnavailableError
from ._core.validation import positive, positive_int
from ._http.ratelimit import (
    DEFAULT_RECOVERY,
    MIN_FRACTION,
    LocalRateLimiter,
    default_burst,
)

try:
    import redis.asyncio as aioredis
    from redis.exceptions import RedisError
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "thulium_async.redis_limit needs the redis package: "
        'pip install "thulium-async[redis]"'
    ) from exc

__all__ = ["RedisRateLimiter"]

logger = logging.getLogger("thulium_async.redis_limit")

_KEY_PREFIX = "thulium_async:rate:"

# Shared by both scripts: the rate in force at `now` (microseconds, Redis's clock),
# the configured one or, after a 429, the halved one climbing back over `recovery`.
_CURRENT_RATE = """
local function current_rate(now, rate, recovery, thr_at, thr_rate)
  if thr_at == nil then return rate end
  local progress = (now - thr_at) / recovery
  if progress >= 1 then return rate end
  return thr_rate + (rate - thr_rate) * progress
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rate = tonumber(ARGV[1])
local recovery = tonumber(ARGV[2]) * 1000000
"""

# KEYS[1]: the hash. ARGV: rate/s, recovery s, burst, idle ttl ms.
# Reserves the next send time; returns {wait us, pause end us, rate in force x1000,
# send time us}.
_ACQUIRE = (
    _CURRENT_RATE
    + """
local burst = tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[1], 'tat', 'paused', 'thr_at', 'thr_rate')
local tat = tonumber(s[1]) or 0
local paused = tonumber(s[2]) or 0
local rate_now = current_rate(now, rate, recovery, tonumber(s[3]), tonumber(s[4]))
local interval = 1000000 / rate_now
local start = math.max(now, paused)
local send_at = math.max(tat - (burst - 1) * interval, start)
tat = math.max(tat, start) + interval
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat))
redis.call('PEXPIRE', KEYS[1], math.ceil((tat - now) / 1000) + tonumber(ARGV[4]))
return {math.floor(send_at - now), math.floor(paused), math.floor(rate_now * 1000),
        math.floor(send_at)}
"""
)

# KEYS[1]: the hash. ARGV: rate/s, recovery s, retry-after s (0: none), sent_at us,
# minimum fraction, idle ttl ms. Pauses everyone and halves the rate once per burst.
_THROTTLED = (
    _CURRENT_RATE
    + """
local retry_after = tonumber(ARGV[3])
local sent_at = tonumber(ARGV[4])
local s = redis.call('HMGET', KEYS[1], 'paused', 'thr_at', 'thr_rate')
local paused = tonumber(s[1]) or 0
local thr_at = tonumber(s[2])
redis.call('HINCRBY', KEYS[1], 'events', 1)
if retry_after > 0 then
  paused = math.max(paused, now + retry_after * 1000000)
  redis.call('HSET', KEYS[1], 'paused', string.format('%.0f', paused))
end
if thr_at == nil or sent_at >= thr_at then
  local rate_now = current_rate(now, rate, recovery, thr_at, tonumber(s[3]))
  local halved = math.max(rate * tonumber(ARGV[5]), rate_now / 2)
  redis.call('HSET', KEYS[1], 'thr_at', string.format('%.0f', now),
             'thr_rate', tostring(halved))
end
local ttl = math.ceil((math.max(paused, now) - now) / 1000 + recovery / 1000)
redis.call('PEXPIRE', KEYS[1], ttl + tonumber(ARGV[6]))
return math.floor(now)
"""
)


class RedisRateLimiter:
    """A rate limit shared through Redis by every client that uses the same *key*.

    Pass it as ``ThuliumClient(..., rate_limit=RedisRateLimiter(...))`` in every
    process; the client closes it when it closes. Give every process the same *rate*,
    *burst* and *key*: together they send at most *rate* requests per second (plus
    *burst* after an idle spell), a 429 any of them sees pauses all of them for the
    ``Retry-After`` the server asked for, and halves the shared rate, which recovers
    over *recovery* seconds.

    Each request costs one Redis round trip (two when it had to wait, to see a pause
    that began while it slept); times come from the Redis server's clock, so the
    machines' clocks need not agree.

    Args:
        redis: a ``redis://`` URL, or a ``redis.asyncio.Redis`` you own (then it is
            never closed here).
        rate: requests per second for all processes together.
        key: names the shared budget: one per Thulium account (``"acme"``).
        burst: requests allowed at once after an idle spell (default: up to 10).
        recovery: seconds for a halved rate to climb back to *rate*.
        fallback_rate: what to do when Redis does not answer. ``None`` (the default)
            fails fast: every request raises
            :class:`~thulium_async.RateLimiterUnavailableError` and nothing is sent.
            A number switches this process to a local limit of that many requests
            per second (choose *rate* divided by the number of processes, so the
            account's budget holds) and logs a warning; Redis is tried again every
            *retry_interval* seconds.
        retry_interval: seconds between attempts to reach Redis again in fallback.
        timeout: seconds to wait for Redis before counting it unreachable.

    ``unavailable_events`` counts the times Redis could not be reached (with a
    fallback, one outage counts once).

    Raises:
        InvalidInputError: an argument is invalid.
    """

    def __init__(
        self,
        redis: str | aioredis.Redis,
        *,
        rate: float,
        key: str = "default",
        burst: int | None = None,
        recovery: float = DEFAULT_RECOVERY,
        fallback_rate: float | None = None,
        retry_interval: float = 5.0,
        timeout: float = 1.0,
    ) -> None:
        self.rate = positive("rate", rate, "requests per second")
        self._burst = default_burst(self.rate) if burst is None else burst
        positive_int("burst", self._burst)
        self._recovery = positive("recovery", recovery)
        self.key = _KEY_PREFIX + _budget_name(key)
        self._retry_interval = positive("retry_interval", retry_interval)
        timeout = positive("timeout", timeout)
        self._fallback: LocalRateLimiter | None = None
        if fallback_rate is not None:
            rate_ = positive("fallback_rate", fallback_rate, "requests per second")
            self._fallback = LocalRateLimiter(
                rate_, burst=default_burst(rate_), recovery=self._recovery
            )
        if isinstance(redis, str):
            try:
                self._redis: aioredis.Redis = aioredis.Redis.from_url(
                    redis, socket_timeout=timeout, socket_connect_timeout=timeout
                )
            except ValueError as exc:
                raise InvalidInputError(f"redis is not a valid URL: {exc}") from None
            self._owns_redis = True
        elif isinstance(redis, aioredis.Redis):
            self._redis = redis
            self._owns_redis = False
        else:
            raise InvalidInputError(
                "redis must be a redis:// URL or a redis.asyncio.Redis, "
                f"got {type(redis).__name__}"
            )
        self._where = _describe(self._redis)
        self._acquire_script = self._redis.register_script(_ACQUIRE)
        self._throttled_script = self._redis.register_script(_THROTTLED)
        self._idle_ttl_ms = int(self._recovery * 1000) + 60_000
        self._rate_now = self.rate
        self._local_until = 0.0  # monotonic time until which Redis is not asked
        self._in_fallback = False  # Redis failed and has not answered since
        self.unavailable_events = 0

    def __repr__(self) -> str:
        return (
            f"<RedisRateLimiter key={self.key!r} rate={self.rate:g}/s "
            f"redis={self._where!r}>"
        )

    def must_wait(self) -> bool:
        """Always: every request takes its turn from the shared budget."""
        return True

    def current_rate(self) -> float:
        """Return the shared rate in force when this process last asked Redis."""
        if self._in_fallback and self._fallback is not None:
            return self._fallback.current_rate() or self.rate
        return self._rate_now

    async def acquire(self) -> float:
        """Wait for this request's turn in the shared budget; return its send time.

        Raises:
            RateLimiterUnavailableError: Redis did not answer and there is no
                *fallback_rate*.
        """
        while True:
            if time.monotonic() < self._local_until:  # in fallback, between probes
                return await self._local().acquire()
            try:
                wait_us, paused_us, rate_milli, send_at_us = await self._acquire_script(
                    keys=[self.key],
                    args=[self.rate, self._recovery, self._burst, self._idle_ttl_ms],
                )
            except (RedisError, OSError) as exc:
                self._unavailable(exc)
                continue
            if self._in_fallback:
                self._in_fallback = False
                logger.warning("shared rate limit at %s is back in use", self._where)
            self._rate_now = rate_milli / 1000
            # Send times are on Redis's clock, which all processes share.
            if wait_us <= 0:
                return float(send_at_us) / 1_000_000
            await asyncio.sleep(wait_us / 1_000_000)
            # A 429 somewhere while we slept starts a new pause: honour it too.
            if not await self._paused_since(paused_us):
                return float(send_at_us) / 1_000_000

    async def throttled(self, retry_after: float | None, sent_at: float) -> None:
        """Tell every process that the server refused a request: pause and slow down."""
        if self._in_fallback:
            await self._local().throttled(retry_after, sent_at)
            return
        try:
            await self._throttled_script(
                keys=[self.key],
                args=[
                    self.rate,
                    self._recovery,
                    retry_after or 0,
                    int(sent_at * 1_000_000),
                    MIN_FRACTION,
                    self._idle_ttl_ms,
                ],
            )
        except (RedisError, OSError) as exc:
            # The refusal itself is already reported to the caller; losing this
            # signal only means other processes learn of the 429 from their own.
            logger.warning(
                "could not share a 429 through %s: %s", self._where, _reason(exc)
            )

    async def aclose(self) -> None:
        """Close the Redis connections, if this limiter opened them."""
        if self._owns_redis:
            await self._redis.aclose()

    async def _paused_since(self, paused_us: int) -> bool:
        try:
            value = await cast(
                "Awaitable[bytes | None]", self._redis.hget(self.key, "paused")
            )
        except (RedisError, OSError):
            return False  # the reservation stands; the next acquire will report
        return value is not None and int(value) > paused_us

    def _local(self) -> LocalRateLimiter:
        assert self._fallback is not None  # noqa: S101 -- set when _local_until is
        return self._fallback

    def _unavailable(self, exc: BaseException) -> None:
        if self._fallback is None:
            self.unavailable_events += 1
            raise RateLimiterUnavailableError(
                f"the shared rate limit at {self._where} did not answer "
                f"({_reason(exc)}); nothing was sent to Thulium. Start Redis, or "
                "give RedisRateLimiter a fallback_rate to go on with a local limit",
                redis=self._where,
            ) from None
        if not self._in_fallback:  # warn once per outage, not once per request
            self._in_fallback = True
            self.unavailable_events += 1
            logger.warning(
                "shared rate limit at %s did not answer (%s); using a local limit of "
                "%g requests/s, asking Redis again every %g s",
                self._where,
                _reason(exc),
                self._fallback.rate,
                self._retry_interval,
            )
        self._local_until = time.monotonic() + self._retry_interval


def _budget_name(key: object) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidInputError(
            f"key must be a non-empty string, e.g. 'acme', got {key!r}"
        )
    return key


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _describe(client: Any) -> str:
    """Return ``host:port/db`` of *client*'s pool, never its password."""
    kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {})
    if "path" in kwargs:
        return f"unix:{kwargs['path']}"
    host = kwargs.get("host", "localhost")
    return f"{host}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
