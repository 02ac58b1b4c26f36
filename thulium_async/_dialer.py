"""Bulk scheduling: many calls through one client, memory bounded, every number accounted for.

A feeder task reads the input lazily into a queue of *concurrency* items; *concurrency*
workers schedule one call at a time; their outcomes pass through a queue of the same
size to the caller's ``async for``. Each stage waits for the next, so a million-row
generator costs the memory of ``3 * concurrency`` items. The rate cap, retries and the
never-call-twice rules are the client's own: the dialer adds none of its own.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Awaitable,
    Callable,
    Iterable,
)
from datetime import datetime

import attrs

from ._errors import DeliveryUnknownError, InvalidInputError, ThuliumError

logger = logging.getLogger("thulium_async")

ScheduleOne = Callable[[str, datetime | None], Awaitable[int]]


class OutcomeStatus(str, enum.Enum):
    """What became of one number; compares equal to its string value."""

    SCHEDULED = "scheduled"
    """Thulium accepted the call."""
    FAILED = "failed"
    """Definitely not scheduled (a bad number, a 4xx, or nothing got through)."""
    UNKNOWN = "unknown"
    """Perhaps scheduled (DeliveryUnknownError); check before sending again."""

    def __str__(self) -> str:
        return self.value


@attrs.frozen(kw_only=True)
class CallRequest:
    """One call to schedule in bulk: a number and, optionally, when to call it.

    Attributes:
        phone_number: the number, as for ``schedule_call``.
        call_at: when to call (naive: the Thulium system's wall clock); ``None``: now.
    """

    phone_number: str
    call_at: datetime | None = None


NumberSource = Iterable[str | CallRequest] | AsyncIterable[str | CallRequest]


@attrs.frozen(kw_only=True)
class CallOutcome:
    """The one outcome of one input item of ``schedule_calls``.

    Attributes:
        index: the item's position in the input, from 0.
        phone_number: the number as it was given.
        call_at: the ``call_at`` as it was given, or ``None``.
        status: ``"scheduled"``, ``"failed"`` or ``"unknown"``.
        error: the ThuliumError for failed and unknown outcomes, else ``None``.
        attempts: HTTP attempts made for this item (0 if refused before sending).
    """

    index: int
    phone_number: str
    call_at: datetime | None
    status: OutcomeStatus
    error: ThuliumError | None = None
    attempts: int = 0


@attrs.define
class DialProgress:
    """Live counters of a ``schedule_calls`` run; pass one in and poll it from a UI.

    Attributes:
        read: items taken from the input so far.
        in_flight: items being scheduled right now.
        scheduled: outcomes with status ``scheduled``.
        failed: outcomes with status ``failed``.
        unknown: outcomes with status ``unknown``.
        retries: HTTP retries made for this run's items.
        interrupted: (index, phone_number) of items that were in flight when the run
            was stopped early (break, cancel or error): they may have been scheduled.
        started_at: ``time.monotonic()`` when the run started.
        finished: whether the run is over.
    """

    read: int = 0
    in_flight: int = 0
    scheduled: int = 0
    failed: int = 0
    unknown: int = 0
    retries: int = 0
    interrupted: list[tuple[int, str]] = attrs.field(factory=list)
    started_at: float = attrs.field(factory=time.monotonic)
    finished: bool = False

    @property
    def completed(self) -> int:
        """Items with an outcome."""
        return self.scheduled + self.failed + self.unknown

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started_at

    @property
    def rate(self) -> float:
        """Outcomes per second since the run started."""
        elapsed = self.elapsed
        return self.completed / elapsed if elapsed > 0 else 0.0

    def summary(self) -> str:
        """Return one line for people: counts, retries, time and rate."""
        return (
            f"{self.completed} numbers: {self.scheduled} scheduled, {self.failed} "
            f"failed, {self.unknown} unknown; {self.retries} retries; "
            f"{self.elapsed:.1f} s ({self.rate:.1f}/s)"
        )

    def _record(self, outcome: CallOutcome) -> None:
        if outcome.status is OutcomeStatus.SCHEDULED:
            self.scheduled += 1
        elif outcome.status is OutcomeStatus.FAILED:
            self.failed += 1
        else:
            self.unknown += 1
        self.retries += max(0, outcome.attempts - 1)


_WORKER_DONE = object()


async def schedule_many(
    schedule_one: ScheduleOne,
    numbers: NumberSource,
    *,
    concurrency: int,
    progress: DialProgress,
) -> AsyncGenerator[CallOutcome, None]:
    """Yield one CallOutcome per item of *numbers*, in completion order.

    If reading *numbers* raises, the items read before get their outcomes first, then
    the exception is raised.
    """
    inbox: asyncio.Queue[tuple[int, object] | None] = asyncio.Queue(concurrency)
    outbox: asyncio.Queue[object] = asyncio.Queue(concurrency)
    input_error: list[BaseException] = []
    running: dict[int, str] = {}

    async def feed() -> None:
        index = 0
        try:
            if isinstance(numbers, AsyncIterable):
                async for item in numbers:
                    progress.read += 1
                    await inbox.put((index, item))
                    index += 1
            else:
                for item in numbers:
                    progress.read += 1
                    await inbox.put((index, item))
                    index += 1
        except Exception as exc:  # the caller's iterator failed: finish, then re-raise
            input_error.append(exc)
        for _ in range(concurrency):
            await inbox.put(None)

    async def work() -> None:
        while (job := await inbox.get()) is not None:
            index, item = job
            await outbox.put(await _one(index, item))
        await outbox.put(_WORKER_DONE)

    async def _one(index: int, item: object) -> CallOutcome:
        number, call_at = _unpack(item)
        running[index] = number
        progress.in_flight += 1
        error: ThuliumError | None
        try:
            if not isinstance(item, (str, CallRequest)):
                raise InvalidInputError(
                    f"item {index} must be a phone-number string or a CallRequest, "
                    f"got {type(item).__name__}"
                )
            attempts = await schedule_one(number, call_at)
        except DeliveryUnknownError as exc:
            status, error, attempts = OutcomeStatus.UNKNOWN, exc, exc.attempts
        except ThuliumError as exc:
            status, error, attempts = OutcomeStatus.FAILED, exc, exc.attempts
        except Exception as exc:  # a bug, not the network: keep the run going, safely
            error = ThuliumError(f"unexpected error while scheduling: {exc!r}")
            error.__cause__ = exc
            status, attempts = OutcomeStatus.UNKNOWN, 1
        else:
            status, error = OutcomeStatus.SCHEDULED, None
        finally:
            progress.in_flight -= 1
            del running[index]
        outcome = CallOutcome(
            index=index,
            phone_number=number,
            call_at=call_at,
            status=status,
            error=error,
            attempts=attempts,
        )
        progress._record(outcome)
        return outcome

    tasks = [asyncio.ensure_future(feed())]
    tasks += [asyncio.ensure_future(work()) for _ in range(concurrency)]
    try:
        remaining = concurrency
        while remaining:
            outcome = await outbox.get()
            if outcome is _WORKER_DONE:
                remaining -= 1
            else:
                assert isinstance(outcome, CallOutcome)  # noqa: S101 -- only kind left
                yield outcome
        if input_error:
            raise input_error[0]
    finally:
        progress.interrupted.extend(sorted(running.items()))
        if running:
            logger.warning(
                "schedule_calls stopped with %d calls in flight; they may have been "
                "scheduled (see DialProgress.interrupted)",
                len(running),
            )
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        progress.finished = True


def _unpack(item: object) -> tuple[str, datetime | None]:
    if isinstance(item, str):
        return item, None
    if isinstance(item, CallRequest):
        return item.phone_number, item.call_at
    return str(item), None  # for the outcome only: the item fails before sending


def check_concurrency(value: object) -> int:
    """Return *value* if it is a usable concurrency (an int from 1 to 10,000)."""
    if type(value) is not int or not 1 <= value <= 10_000:
        raise InvalidInputError(
            f"concurrency must be an int from 1 to 10000, got {value!r}"
        )
    return value
