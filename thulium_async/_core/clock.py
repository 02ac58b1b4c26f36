"""The clock a client reads and sleeps on: the system's, or a test's.

:class:`Clock` is what ``ThuliumClient(..., clock=...)`` accepts; the transport times
attempts and retry deadlines with :meth:`Clock.time` and waits with :meth:`Clock.sleep`,
and so does the rate limiter the client builds. ``thulium_async.testing.VirtualClock``
is the one for tests: time that moves only when the client sleeps.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """A monotonic clock and the matching sleep."""

    def time(self) -> float:
        """Return the current time in seconds (only differences mean anything)."""

    async def sleep(self, seconds: float) -> None:
        """Wait *seconds* on this clock."""


class SystemClock:
    """The real clock: ``time.monotonic`` and ``asyncio.sleep``."""

    __slots__ = ()

    def time(self) -> float:
        """Return ``time.monotonic()`` (looked up per call, as a patched one would be)."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep *seconds* for real."""
        await asyncio.sleep(seconds)


SYSTEM_CLOCK = SystemClock()


class VirtualClock:
    """Time for tests: it moves only when something sleeps on it, never by itself.

    Give one to a client, ``ThuliumClient(..., clock=clock)``, and to the fake,
    ``FakeThulium(clock=clock.time)``: the client's retry waits, its rate limit and
    the pauses a 429 imposes then take no real time, and a test asserts on
    :attr:`now` and :attr:`sleeps` rather than on the wall clock, so it passes on a
    busy machine as on an idle one.

    A sleep records the wait, moves the clock on by it at once and lets other tasks
    run once: code that reads the clock and then sleeps until a moment (the rate
    limiter, a retry deadline) sees exactly the times it computed. Tasks that sleep
    at the same moment each move the clock on by their own wait, so their waits
    end no sooner than asked, possibly later: enough for upper bounds on a rate,
    not for a test of which of two overlapping sleepers wakes first.

    Args:
        start: the time the clock shows first, in seconds.

    Attributes:
        now: the time it shows, in seconds.
        sleeps: every wait asked of it, in seconds, in order.
    """

    __slots__ = ("now", "sleeps")

    def __init__(self, start: float = 0.0) -> None:
        self.now = float(start)
        self.sleeps: list[float] = []

    def time(self) -> float:
        """Return :attr:`now`."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Record *seconds*, move the clock past them and let other tasks run."""
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        """Move the clock on by *seconds*, as if that much time passed idle."""
        self.now += max(0.0, seconds)
