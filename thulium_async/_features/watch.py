"""A stream of waiting-list changes, built on polling the waiting_list snapshot.

One poll at a time (the next starts only after the caller has taken the change), on a
schedule kept against the clock so that it never drifts, with a little jitter so that
many dashboards do not poll in lockstep. Transient failures are reported on the change
and polled again with backoff; definitive ones (401, 403, 404, ...) end the stream.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import datetime

import attrs

from .._core.errors import (
    APIConnectionError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    ThuliumError,
)
from .._models.queues import WaitingCaller

# Failures worth polling through: the API may come back. Anything else (bad
# credentials, no such queue) will not fix itself, so it ends the stream.
_TRANSIENT = (APIConnectionError, ServerError, RateLimitError, ResponseDecodeError)
_CallerKey = tuple[str, datetime]


@attrs.frozen(kw_only=True)
class WaitingListChange:
    """What changed in a queue's waiting list since the previous poll.

    Attributes:
        joined: callers waiting now who were not before (on the first change:
            everyone waiting).
        left: callers who were waiting and are not any more.
        waiting: everyone waiting now, newest first as Thulium lists them (after a
            failed poll: the last list known).
        error: the failure, when this poll failed; the watcher keeps polling with
            backoff. ``None`` for a successful poll.
        polled_at: when the poll finished, timezone-aware UTC.
    """

    joined: tuple[WaitingCaller, ...]
    left: tuple[WaitingCaller, ...]
    waiting: tuple[WaitingCaller, ...]
    error: ThuliumError | None = None
    polled_at: datetime


def _key(caller: WaitingCaller) -> _CallerKey:
    # The same number can leave and come back: its new wait has a new started_at.
    return (caller.phone_number, caller.started_at)


async def watch(
    fetch: Callable[[], Awaitable[list[WaitingCaller]]],
    *,
    interval: float,
    jitter: float = 0.1,
    max_backoff: float = 60.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    rng: random.Random | None = None,
) -> AsyncGenerator[WaitingListChange, None]:
    """Yield a change for the first poll, then for every poll that differs or fails."""
    rng = rng or random.Random()  # noqa: S311 -- jitter, not cryptography
    known: dict[_CallerKey, WaitingCaller] | None = None
    failures = 0
    due = clock()
    while True:
        try:
            current = await fetch()
        except _TRANSIENT as exc:
            failures += 1
            yield WaitingListChange(
                joined=(),
                left=(),
                waiting=tuple(known.values()) if known else (),
                error=exc,
                polled_at=now(),
            )
            backoff = min(max_backoff, interval * 2.0**failures)
            await sleep(backoff * rng.uniform(1.0 - jitter, 1.0 + jitter))
            due = clock()
            continue
        failures = 0
        latest = {_key(caller): caller for caller in current}
        if known is None:
            yield WaitingListChange(
                joined=tuple(current), left=(), waiting=tuple(current), polled_at=now()
            )
        else:
            joined = tuple(c for k, c in latest.items() if k not in known)
            left = tuple(c for k, c in known.items() if k not in latest)
            if joined or left:
                yield WaitingListChange(
                    joined=joined, left=left, waiting=tuple(current), polled_at=now()
                )
        known = latest
        due += interval * rng.uniform(1.0 - jitter, 1.0 + jitter)
        wait = due - clock()
        if wait <= 0:  # a slow poll or a slow consumer: skip missed ticks, do not burst
            due = clock()
            wait = 0.0
        await sleep(wait)
