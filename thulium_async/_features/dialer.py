"""Bulk scheduling: many calls through one client, memory bounded, every number accounted for.

A feeder task reads the input lazily into a queue of *concurrency* items; *concurrency*
workers take one item at a time, decide whether it is sent at all, and schedule it;
their outcomes pass through a queue of the same size to the caller's ``async for``. A
million-row generator costs the memory of ``3 * concurrency`` items; the numbers seen
(for de-duplication) and an earlier run's record (for resume) live in a small SQLite
file (``_ledger``). The rate cap, retries and the never-call-twice rules are the
client's own. What the dialer adds, item by item, before anything is sent:

- a number that is an earlier one (the same identity: its E.164 form in the run's
  phone region, ``_core.phone``) is ``skipped`` (``deduplicate``);
- a number an earlier run scheduled is ``skipped`` (``resume_from``); one it may have
  scheduled (``unknown``, or in flight at a crash) is ``unknown`` again, with the
  reason, and not sent; one it failed is sent again;
- after an answer that says no other number can succeed (401, 403, 404 for the queue),
  nothing more is sent and every remaining item is ``failed`` with RunStoppedError;
- with a ``journal``, the item's intent is durable before its request can be sent;
- once ``stop`` is set, nothing more is read or sent: items waiting to be sent (on the
  rate limit, for a connection) end ``failed``, "not sent", at once; only requests
  already written are waited for.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Awaitable,
    Callable,
    Iterator,
)
from contextlib import aclosing
from datetime import datetime
from typing import Any

import attrs

from .._core import phone as _phone
from .._core.errors import (
    AuthenticationError,
    DeliveryUnknownError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RunStoppedError,
    ThuliumError,
)
from .._core.write_watch import WRITE_WATCH, WriteWatch
from .dial_models import (
    CallOutcome,
    CallRequest,
    DialProgress,
    NewRecord,
    OutcomeStatus,
    RecordSource,
    RefusedItem,
)
from .journal import (
    ALREADY,
    FORMAT,
    Journal,
    JournalWriteError,
    journal_header,
    read_journal,
)
from .ledger import NumberLedger

logger = logging.getLogger("thulium_async")

# send_one(number, when, item): the item as given, for what a number and a time
# do not carry (a NewRecord's fields). Returns the HTTP attempts it made.
ScheduleOne = Callable[[str, datetime | None, object], Awaitable[int]]
PathLike = str | os.PathLike[str]

# Answers that say no other number of the run can succeed either; a journal that cannot
# be written is one too: nothing may be sent that the record would not show.
_SYSTEMIC = (
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
    JournalWriteError,
)


@attrs.frozen(kw_only=True)
class RunOptions:
    """How a run treats items before sending them (see ``Queues.schedule_calls``)."""

    deduplicate: bool = True
    journal: PathLike | None = None
    resume_from: PathLike | None = None
    phone_region: str = _phone.DEFAULT_REGION
    stop: asyncio.Event | None = None
    name: str = "schedule_calls"
    resend_unsettled: bool = False
    """Send again a number the run resumed had in flight or unknown (a batch whose
    request the server treats as idempotent: ``add_records``, ``remove_records``)."""


_WORKER_DONE = object()
_NOT_SENT = (
    "not sent: the run was stopped before this request was written; safe to send again"
)


class _Run:
    """One run's shared state: the record, the ledger, and whether it was stopped."""

    def __init__(self, options: RunOptions, progress: DialProgress) -> None:
        self.progress = progress
        self.name = options.name
        self.region = options.phone_region
        self.stop = options.stop
        # Workers sending an item now, and whether its request may be on the wire: a
        # stop cancels those whose request is not, and only those (see watch_stop).
        self.sending: dict[asyncio.Task[None], WriteWatch] = {}
        self.stop_cancelled: set[asyncio.Task[None]] = set()
        self.closing = False
        self.deduplicate = options.deduplicate
        self.resuming = options.resume_from is not None
        self.resend_unsettled = options.resend_unsettled
        self.ledger: NumberLedger | None = None
        self.journal: Journal | None = None
        self.running: dict[int, tuple[int, str, WriteWatch]] = {}
        if options.deduplicate or options.resume_from is not None:
            self.ledger = NumberLedger()
        try:
            if options.resume_from is not None and self.ledger is not None:
                self.ledger.load_previous(self._previous(options.resume_from))
            if options.journal is not None:
                self.journal = Journal(options.journal, region=self.region)
        except BaseException:
            if self.ledger is not None:
                self.ledger.close()
            raise

    def _previous(self, path: PathLike) -> Iterator[dict[str, Any]]:
        """Read the journal resumed, its numbers keyed as this run keys them.

        Raises:
            InvalidInputError: it was written for another phone region, where the
                same digits can name other people.
        """
        header = journal_header(path)
        written_in = header.get("region")
        if written_in is not None and written_in != self.region:
            raise InvalidInputError(
                f"the journal {os.fspath(path)} was written with phone region "
                f"{written_in!r}, and this run reads numbers in {self.region!r}: the "
                f"same digits could name other people. Resume with phone region "
                f"{written_in!r}"
            )
        records = read_journal(path)
        if header.get("journal") == FORMAT:
            return records
        return _rekeyed(records, self.region)  # format 1: keys were digits alone

    def before_sending(
        self, index: int, number: str, key: str | None
    ) -> CallOutcome | None:
        """Return the outcome of an item that is not to be sent, or None to send it.

        *key* is the number normalised, ``None`` when it is not a valid number (it
        then fails alone when sent, with its own message).
        """
        return self.decide(index, number, key)[0]

    def blocked(self, index: int, number: str) -> CallOutcome | None:
        """Return the ``failed`` outcome of an item the run may no longer send, or None.

        Once ``stop`` is set, or an answer said no number can succeed, nothing more
        is sent.
        """
        if self.stop is not None and self.stop.is_set():
            return _outcome(
                index, number, OutcomeStatus.FAILED, error=ThuliumError(_NOT_SENT)
            )
        stopped = self.progress.stopped_by
        if stopped is not None:
            error = RunStoppedError(
                f"not sent: the run stopped after an answer that no number can "
                f"succeed ({stopped})",
                reason=stopped,
            )
            return _outcome(index, number, OutcomeStatus.FAILED, error=error)
        return None

    def decide(
        self, index: int, number: str, key: str | None
    ) -> tuple[CallOutcome | None, bool]:
        """Return (the outcome of an item not to be sent or None, whether it is resent).

        *resent* is true for a number the run resumed had in flight or unknown, sent
        again because the run's requests are safe to repeat (``resend_unsettled``):
        an earlier attempt of ours may have done what this one asks.
        """
        blocked = self.blocked(index, number)
        if blocked is not None:
            return blocked, False
        ledger = self.ledger
        if ledger is None or key is None:
            return None, False
        resent = False
        if self.resuming:
            previous = ledger.previous(key)
            if previous is not None and previous.status != "failed":
                reason = _RESUMED[previous.status].format(item=previous.index)
                if previous.status in _SETTLED:
                    self._note(index, key, "skipped", was=previous.status, why=reason)
                    skipped = _outcome(
                        index, number, OutcomeStatus.SKIPPED, reason=reason
                    )
                    return skipped, False
                if self.resend_unsettled:
                    resent = True  # safe to repeat: sent again, below
                else:
                    # Perhaps processed: still unknown, for reconcile to settle.
                    self._note(index, key, "unknown", was=previous.status, e=reason)
                    unknown = _outcome(
                        index, number, OutcomeStatus.UNKNOWN, reason=reason
                    )
                    return unknown, False
        if self.deduplicate:
            first = ledger.first_seen(key, index)
            if first is not None:
                reason = f"the same number as item {first}, which is sent instead"
                self._note(index, key, "skipped", first=first)
                duplicate = _outcome(
                    index,
                    number,
                    OutcomeStatus.SKIPPED,
                    reason=reason,
                    duplicate_of=first,
                )
                return duplicate, False
        return None, resent

    def _note(self, index: int, number: str, status: str, **fields: object) -> None:
        if self.journal is not None:
            self.journal.write({"i": index, "n": number, "s": status, **fields})

    def sent(self, outcome: CallOutcome, key: str, **extra: object) -> None:
        """Record the outcome of an item that went out; stop the run if it must.

        *extra* goes into its journal line (``was="already"`` for a number the
        server found already done).
        """
        error = outcome.error
        if self.journal is not None:
            self._note(
                outcome.index,
                key,
                outcome.status.value,
                **({"e": str(error)[:300]} if error is not None else {}),
                **extra,
            )
        if isinstance(error, _SYSTEMIC) and self.progress.stopped_by is None:
            self.progress.stopped_by = error
            logger.error(
                "%s stops sending: %s; the items left are failed, not sent",
                self.name,
                error,
            )

    async def watch_stop(self) -> None:
        """When ``stop`` is set, cancel the sends whose request is not yet written.

        The cancelled workers report their item ``failed`` (not sent) and go on to
        the next, which :meth:`before_sending` fails too. A worker waits on the rate
        limit, a connection or the journal, never in the middle of writing, so a
        watch read here cannot change before the cancellation reaches its task.
        """
        if self.stop is None:
            return
        await self.stop.wait()
        for task, watch in list(self.sending.items()):
            if not watch.written:
                self.stop_cancelled.add(task)
                task.cancel()

    async def close(
        self, abandoned: list[tuple[int, str]], unsent: list[tuple[int, str]]
    ) -> None:
        """Record the items *abandoned* in flight and those *unsent*, then close."""
        for index, number in abandoned:
            self._note(
                index,
                self.key(number) or number,
                "unknown",
                e="interrupted while in flight",
            )
        for index, number in unsent:
            self._note(index, self.key(number) or number, "failed", e=_NOT_SENT)
        if self.journal is not None:
            await self.journal.close()
        if self.ledger is not None:
            self.ledger.close()

    def key(self, number: str) -> str | None:
        """Return *number*'s identity in this run's region (None: not a number)."""
        return _phone.identity(number, self.region)


# What an earlier run recorded that settles a number: it is not sent again.
_SETTLED = ("scheduled", ALREADY)
_RESUMED = {
    "scheduled": "scheduled by the run resumed (its item {item})",
    ALREADY: "already done when the run resumed sent it (its item {item})",
    "unknown": "unknown in the run resumed (its item {item}): may have been "
    "processed; not sent again",
    "sending": "in flight when the run resumed stopped (its item {item}): may have "
    "been processed; not sent again",
}


def _rekeyed(
    records: Iterator[dict[str, Any]], region: str
) -> Iterator[dict[str, Any]]:
    """Re-key a format-1 journal's records (digits alone) into identities."""
    for record in records:
        number = record.get("n")
        if isinstance(number, str):
            record["n"] = _phone.identity(number, region) or number
        yield record


def _outcome(
    index: int,
    number: str,
    status: OutcomeStatus,
    *,
    call_at: datetime | None = None,
    error: ThuliumError | None = None,
    attempts: int = 0,
    reason: str | None = None,
    duplicate_of: int | None = None,
) -> CallOutcome:
    return CallOutcome(
        index=index,
        phone_number=number,
        call_at=call_at,
        status=status,
        error=error,
        attempts=attempts,
        reason=reason,
        duplicate_of=duplicate_of,
    )


async def schedule_many(
    schedule_one: ScheduleOne,
    numbers: RecordSource,
    *,
    concurrency: int,
    progress: DialProgress,
    options: RunOptions,
    records: bool = False,
) -> AsyncGenerator[CallOutcome, None]:
    """Yield one CallOutcome per item of *numbers*, in completion order.

    If reading *numbers* raises, the items read before get their outcomes first, then
    the exception is raised.
    """
    run = _Run(options, progress)
    accepted: tuple[type, ...] = (str, CallRequest)
    allowed = "a CallRequest"
    if records:
        accepted, allowed = (*accepted, NewRecord), "a CallRequest or a NewRecord"
    inbox: asyncio.Queue[tuple[int, object] | None] = asyncio.Queue(concurrency)
    outbox: asyncio.Queue[object] = asyncio.Queue(concurrency)
    input_error: list[BaseException] = []
    stop = options.stop

    def feed() -> Awaitable[None]:
        return feed_items(
            numbers, inbox, progress=progress, stop=stop, workers=concurrency,
            errors=input_error,
        )  # fmt: skip

    async def work() -> None:
        while (job := await inbox.get()) is not None:
            position, item = job
            outcome = await one(position, item)
            progress.record(outcome)
            await outbox.put(outcome)
        await outbox.put(_WORKER_DONE)

    async def one(position: int, item: object) -> CallOutcome:
        number, call_at, index = _unpack(item, position)
        refused = refused_item(item, index, number, accepted, allowed)
        if refused is not None:
            return refused
        try:
            key = run.key(number)
            decided = run.before_sending(index, number, key)
        except Exception as exc:  # the ledger's file failed (disk full): do not send
            return unchecked_item(index, number, exc)
        if decided is not None:
            return decided
        task = asyncio.current_task()
        assert task is not None  # noqa: S101 -- a worker is always a task
        journal = run.journal
        watch = WriteWatch(
            None
            if journal is None
            else functools.partial(journal.intent, index, key or number)
        )
        token = WRITE_WATCH.set(watch)
        run.running[position] = (index, number, watch)
        run.sending[task] = watch
        progress.in_flight += 1
        error: ThuliumError | None
        try:
            attempts = await schedule_one(number, call_at, item)
        except asyncio.CancelledError:
            if run.closing or task not in run.stop_cancelled or watch.written:
                raise
            # Cancelled by the stop while it waited to be sent: nothing went out.
            run.stop_cancelled.discard(task)
            _uncancel(task)
            status, error, attempts = OutcomeStatus.FAILED, ThuliumError(_NOT_SENT), 0
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
            del run.running[position]
            del run.sending[task]
            WRITE_WATCH.reset(token)
        outcome = _outcome(
            index, number, status, call_at=call_at, error=error, attempts=attempts
        )
        run.sent(outcome, key or number)
        return outcome

    async with aclosing(
        drive(run, feed, work, workers=concurrency, outbox=outbox, errors=input_error)
    ) as outcomes:
        async for outcome in outcomes:
            yield outcome


async def feed_items(
    items: RecordSource,
    inbox: asyncio.Queue[tuple[int, object] | None],
    *,
    progress: DialProgress,
    stop: asyncio.Event | None,
    workers: int,
    errors: list[BaseException],
) -> None:
    """Put each of *items* in *inbox* with its position, then one ``None`` a worker.

    Lazily: the queue's bound is the memory bound. Stops reading once *stop* is set;
    an exception from the caller's iterator goes to *errors*, raised after the items
    read before it have their outcomes.
    """
    position = 0
    try:
        if isinstance(items, AsyncIterable):
            async for item in items:
                progress.read += 1
                await inbox.put((position, item))
                position += 1
                if stop is not None and stop.is_set():
                    break
        else:
            for item in items:
                progress.read += 1
                await inbox.put((position, item))
                position += 1
                if stop is not None and stop.is_set():
                    break
    except Exception as exc:  # the caller's iterator failed: finish, then re-raise
        errors.append(exc)
    for _ in range(workers):
        await inbox.put(None)


def refused_item(
    item: object, index: int, number: str, accepted: tuple[type, ...], allowed: str
) -> CallOutcome | None:
    """The ``failed`` outcome of an item known bad before any check, else None."""
    if isinstance(item, RefusedItem):
        return _outcome(index, number, OutcomeStatus.FAILED, error=item.error)
    if not isinstance(item, accepted):
        bad = InvalidInputError(
            f"item {index} must be a phone-number string or {allowed}, "
            f"got {type(item).__name__}"
        )
        return _outcome(index, number, OutcomeStatus.FAILED, error=bad)
    return None


def unchecked_item(index: int, number: str, exc: Exception) -> CallOutcome:
    """The ``failed`` outcome of an item the ledger could not check (a full disk)."""
    unchecked = ThuliumError(
        f"not sent: could not check item {index} against the numbers seen "
        f"({exc!r}); pass deduplicate=False to run without that check"
    )
    unchecked.__cause__ = exc
    return _outcome(index, number, OutcomeStatus.FAILED, error=unchecked)


async def drive(
    run: _Run,
    feed: Callable[[], Awaitable[None]],
    work: Callable[[], Awaitable[None]],
    *,
    workers: int,
    outbox: asyncio.Queue[object],
    errors: list[BaseException],
) -> AsyncGenerator[CallOutcome, None]:
    """Run the feeder, the stop watch and *workers* workers; yield their outcomes.

    However it ends (the input done, a break, a cancel, an error), the requests still
    on the wire are recorded as interrupted (they may have been processed), those
    still waiting as not sent, the tasks are cancelled and the run is closed.
    """
    progress = run.progress
    tasks = [asyncio.ensure_future(feed()), asyncio.ensure_future(run.watch_stop())]
    tasks += [asyncio.ensure_future(work()) for _ in range(workers)]
    try:
        remaining = workers
        while remaining:
            outcome = await outbox.get()
            if outcome is _WORKER_DONE:
                remaining -= 1
            else:
                assert isinstance(outcome, CallOutcome)  # noqa: S101 -- only kind left
                yield outcome
        if errors:
            raise errors[0]
    finally:
        run.closing = True
        # Only a request that may be on the wire may have been processed; one still
        # waiting (rate limit, a connection, the journal) was not sent at all.
        abandoned: list[tuple[int, str]] = []
        unsent: list[tuple[int, str]] = []
        for index, number, watch in run.running.values():
            (abandoned if watch.written else unsent).append((index, number))
        abandoned.sort()
        unsent.sort()
        progress.interrupted.extend(abandoned)
        progress.not_sent.extend(unsent)
        if abandoned:
            logger.warning(
                "the bulk run stopped with %d requests in flight; they may have been "
                "processed (see DialProgress.interrupted)",
                len(abandoned),
            )
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await run.close(abandoned, unsent)
        progress.finished = True


def _uncancel(task: asyncio.Task[None]) -> None:
    """Forget one cancellation of *task* it has handled (Python 3.11+ counts them)."""
    uncancel = getattr(task, "uncancel", None)
    if uncancel is not None:
        uncancel()


def _unpack(item: object, position: int) -> tuple[str, datetime | None, int]:
    if isinstance(item, str):
        return item, None, position
    if isinstance(item, CallRequest):
        index = position if item.index is None else item.index
        return item.phone_number, item.call_at, index
    if isinstance(item, NewRecord):
        index = position if item.index is None else item.index
        return item.phone_number, item.next_call_date, index
    if isinstance(item, RefusedItem):
        return item.phone_number, None, item.index
    return str(item), None, position  # for the outcome only: it fails before sending


def check_concurrency(value: object) -> int:
    """Return *value* if it is a usable concurrency (an int from 1 to 10,000)."""
    if type(value) is not int or not 1 <= value <= 10_000:
        raise InvalidInputError(
            f"concurrency must be an int from 1 to 10000, got {value!r}"
        )
    return value


def run_options(
    deduplicate: object,
    journal: object,
    resume_from: object,
    *,
    stop: object = None,
    phone_region: str = _phone.DEFAULT_REGION,
    name: str = "schedule_calls",
    resend_unsettled: bool = False,
) -> RunOptions:
    """Check a bulk run's ``deduplicate``, ``journal``, ``resume_from`` and ``stop``."""
    if not isinstance(deduplicate, bool):
        raise InvalidInputError(
            f"deduplicate must be True or False, got {deduplicate!r}"
        )
    if stop is not None and not isinstance(stop, asyncio.Event):
        raise InvalidInputError(
            f"stop must be an asyncio.Event or None, got {type(stop).__name__}"
        )
    paths: list[str | None] = []
    for label, path in (("journal", journal), ("resume_from", resume_from)):
        if path is not None and not isinstance(path, (str, os.PathLike)):
            raise InvalidInputError(
                f"{label} must be a path, got {type(path).__name__}"
            )
        paths.append(None if path is None else str(os.fspath(path)))
    record, previous = paths
    if previous is not None and not os.path.isfile(previous):
        raise InvalidInputError(f"resume_from {previous!r}: no such journal")
    if (
        record is not None
        and previous is not None
        and os.path.abspath(record) == os.path.abspath(previous)
    ):
        raise InvalidInputError("journal and resume_from must be different files")
    return RunOptions(
        deduplicate=deduplicate,
        journal=record,
        resume_from=previous,
        phone_region=phone_region,
        stop=stop,
        name=name,
        resend_unsettled=resend_unsettled,
    )


def bulk_run(
    send_one: ScheduleOne,
    items: RecordSource,
    *,
    concurrency: object,
    progress: DialProgress | None,
    deduplicate: object,
    journal: object,
    resume_from: object,
    stop: object,
    phone_region: str,
    name: str,
    records: bool = False,
) -> AsyncGenerator[CallOutcome, None]:
    """Check a bulk run's arguments now, then return its outcomes (:func:`schedule_many`).

    Plain, not a coroutine: a bad argument raises at the call, not at the first
    iteration. *records*: the items may be NewRecord too (``add_records``). *name*
    is the method the user called, for log lines.
    """
    workers = check_concurrency(concurrency)
    options = run_options(
        deduplicate,
        journal,
        resume_from,
        stop=stop,
        phone_region=phone_region,
        name=name,
    )
    return schedule_many(
        send_one,
        items,
        concurrency=workers,
        progress=progress if progress is not None else DialProgress(),
        options=options,
        records=records,
    )
