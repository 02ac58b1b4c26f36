"""The client-wide request-rate cap the transport awaits before every attempt.

:class:`RateLimiter` is the interface the transport talks to; :class:`LocalRateLimiter`
is the in-process implementation every client gets by default, and
``thulium_async.redis_limit.RedisRateLimiter`` shares one budget between processes.

The local limiter is a token bucket written as reservations (the generic cell rate
algorithm): each caller takes the next free send time and sleeps until it, so waiters
are served in order, without a lock and without waking all at once. *burst* requests
may go at once after an idle spell.

It also slows the whole client down when the server pushes back: a 429 (or a 503 with
``Retry-After``) pauses every request until the wait the server asked for has passed,
and halves the rate, which then recovers linearly over *recovery* seconds (botocore's
adaptive retry mode is the model). No I/O besides sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from .._core.validation import positive, positive_int

MIN_FRACTION = 0.05  # never throttle below 5 % of the configured rate
DEFAULT_RECOVERY = 30.0


def default_burst(rate: float | None) -> int:
    """Return the burst a client allows at *rate* requests per second: 1 to 10."""
    return max(1, min(10, int(rate or 1)))


@runtime_checkable
class RateLimiter(Protocol):
    """What a client asks of its rate limiter; pass one as ``rate_limit=``.

    The transport calls :meth:`acquire` before every HTTP attempt (retries included)
    and :meth:`throttled` when the server refuses one with 429 (or 503 with
    ``Retry-After``). The client closes its limiter when it closes.
    """

    def must_wait(self) -> bool:
        """Return whether :meth:`acquire` can make a caller wait (cheap to ask)."""

    async def acquire(self) -> float:
        """Wait until the caller may send; return the send time, for :meth:`throttled`."""

    async def throttled(self, retry_after: float | None, sent_at: float) -> None:
        """Record that a request sent at *sent_at* was refused: slow down."""

    def current_rate(self) -> float | None:
        """Return the requests per second in force now, or ``None`` for no cap."""

    async def aclose(self) -> None:
        """Release what the limiter holds (connections); called by the client."""


class LocalRateLimiter:
    """Cap requests per second for one client, and back off together on 429.

    Args:
        rate: requests per second, or ``None`` for no cap (cool-downs still apply).
        burst: requests allowed at once after an idle spell.
        recovery: seconds for a halved rate to climb back to *rate*.

    ``ThuliumClient(rate_limit=50)`` builds one of these; build it yourself to choose
    another *burst* or *recovery*: ``ThuliumClient(..., rate_limit=LocalRateLimiter(50,
    burst=1))``.
    """

    def __init__(
        self,
        rate: float | None,
        *,
        burst: int = 1,
        recovery: float = DEFAULT_RECOVERY,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate is not None:
            rate = positive("rate", rate, "requests per second")
        self.rate = rate
        self._burst = positive_int("burst", burst)
        self._recovery = positive("recovery", recovery)
        self._clock = clock
        self._sleep = sleep
        self._next_free = 0.0  # the theoretical arrival time of the next request
        self._paused_until = 0.0
        self._throttled_at: float | None = None
        self._throttled_rate = 0.0
        self.throttle_events = 0

    def current_rate(self, now: float | None = None) -> float | None:
        """Return the rate in force now: the configured one, or less after a 429."""
        if self.rate is None or self._throttled_at is None:
            return self.rate
        now = self._clock() if now is None else now
        progress = (now - self._throttled_at) / self._recovery
        if progress >= 1.0:
            self._throttled_at = None
            return self.rate
        return self._throttled_rate + (self.rate - self._throttled_rate) * progress

    def must_wait(self) -> bool:
        """Return whether :meth:`acquire` can make a caller wait (cheap to ask)."""
        return self.rate is not None or self._paused_until > 0.0

    async def acquire(self) -> float:
        """Wait until this caller may send, in arrival order; return the send time.

        Pass the returned time to :meth:`throttled` if the request is refused.
        """
        if self.rate is None and not self._paused_until:
            return 0.0  # the common unlimited case costs one comparison
        while True:
            now = self._clock()
            paused_until = self._paused_until
            start = max(now, paused_until)
            rate = self.current_rate(now)
            if rate is None:
                send_at = start
                if paused_until <= now:
                    self._paused_until = 0.0  # cool-down over: back to the fast path
            else:
                interval = 1.0 / rate
                send_at = max(self._next_free - (self._burst - 1) * interval, start)
                self._next_free = max(self._next_free, start) + interval
            if send_at > now:
                await self._sleep(send_at - now)
            # A 429 that arrived while we slept starts a new pause: honour it too,
            # rather than sending into a server that just said "slow down".
            if self._paused_until <= paused_until:
                return send_at

    async def throttled(self, retry_after: float | None, sent_at: float) -> None:
        """Record that the server refused a request sent at *sent_at*: slow down.

        Every request waits out *retry_after*. The rate is halved only for a refusal
        of a request sent after the last halving: the others were already in flight
        when the client slowed down and say nothing new, so a burst of 429s for one
        burst of requests halves the rate once, not once per request.
        """
        now = self._clock()
        self.throttle_events += 1
        if retry_after:
            self._paused_until = max(self._paused_until, now + retry_after)
        if self.rate is None:
            return
        if self._throttled_at is not None and sent_at < self._throttled_at:
            return
        current = self.current_rate(now) or self.rate
        self._throttled_rate = max(self.rate * MIN_FRACTION, current / 2.0)
        self._throttled_at = now

    async def aclose(self) -> None:
        """Nothing to release: the local limiter holds no connections."""
