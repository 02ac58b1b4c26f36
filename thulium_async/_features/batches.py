"""Bulk runs in batches: many numbers per request, and still one outcome per number.

The dialer's run (``dialer``) with one change: a worker gathers up to *batch_size*
items into one request instead of sending each alone. Everything else is the
dialer's, item by item, in the same order: the pre-send checks (duplicates, the run
resumed, a stop, a systemic answer), the journal and the outcomes. So:

- the feeder reads the input lazily into a queue of ``concurrency * batch_size``
  items; each of *concurrency* workers takes items, checks each as it takes it (an
  item that is not to be sent gets its outcome at once), and builds each sendable
  one's part of the request (a bad item fails alone, unsent). A batch is sent when
  it holds *batch_size* items, when the input ends, or when no item came for
  ``_LINGER`` seconds (a trickling source is not held back);
- just before the batch's request is handed to the network (after the rate limit),
  one ``sending`` line per number is made durable in one group commit (the batch's
  :class:`BatchWatch` ``before_write``): a crash at any instant leaves every number
  that may have been sent with a line;
- the answer is read per number (:class:`~.dial_models.BatchReply`); a number the
  server found already done (``ALREADY_EXISTS``, ``NOT_EXIST``) was done by us if
  an earlier attempt of ours may have been processed (the transport resent an
  ambiguous attempt, or the run resumed had it in flight or unknown), and is then
  the same outcome as one done now, with the reason "confirmed on resend";
  otherwise it is ``skipped``, with the server's reason;
- a request that fails as a whole gives every item of the batch the same outcome:
  ``unknown`` if an attempt may have been processed, else ``failed``.

Only endpoints that are safe to repeat by the server's own rule run here: the
transport resends their ambiguous attempts, and a resume sends again what the run
resumed had in flight.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from datetime import datetime
from typing import Any

import attrs

from .._core.errors import (
    APIConnectionError,
    DeliveryUnknownError,
    InvalidInputError,
    ServerError,
    ThuliumError,
)
from .._core.write_watch import WRITE_WATCH, WriteWatch
from .dial_models import (
    BatchReply,
    CallOutcome,
    CallRequest,
    DialProgress,
    NewRecord,
    OutcomeStatus,
    RecordSource,
    Reply,
)
from .dialer import (
    _NOT_SENT,
    _WORKER_DONE,
    RunOptions,
    _outcome,
    _Run,
    _uncancel,
    _unpack,
    check_concurrency,
    drive,
    feed_items,
    refused_item,
    run_options,
    unchecked_item,
)
from .journal import ALREADY

# prepare(number, when, item): the item's part of the request (InvalidInputError: the
# item fails alone, unsent). send(parts): one request for them all; returns the
# server's word on each part, in order.
Prepare = Callable[[str, datetime | None, object], object]
SendBatch = Callable[[list[Any]], Awaitable[list[BatchReply]]]

CONFIRMED = "confirmed on resend"
_LINGER = 0.2
"""Seconds a worker waits for more items before it sends a batch that is not full."""
MAX_BATCH = 10_000


class BatchWatch(WriteWatch):
    """A :class:`WriteWatch` that also tells whether an earlier attempt was ambiguous.

    The transport sets ``written`` before each attempt and clears it before a retry
    only when no attempt so far can have been processed; so ``written`` set again
    while still set means the attempt before may have been processed.
    """

    __slots__ = ("_written", "ambiguous", "attempts")

    def __init__(self, before_write: Callable[[], Awaitable[None]] | None) -> None:
        self._written = False
        self.ambiguous = False
        self.attempts = 0
        super().__init__(before_write)

    @property
    def written(self) -> bool:
        """Whether the request may be on the wire."""
        return self._written

    @written.setter
    def written(self, value: bool) -> None:
        if value:
            self.attempts += 1
            if self._written:
                self.ambiguous = True
        self._written = value


def may_be_processed(error: ThuliumError) -> bool:
    """Whether the attempt that raised *error* may have been processed by the server."""
    if isinstance(error, DeliveryUnknownError):
        return True
    if isinstance(error, APIConnectionError):
        return error.request_sent
    if isinstance(error, ServerError):
        refused = error.status == 503 and (
            error.retry_after is not None or error.errors
        )
        return not refused
    return False


@attrs.define
class _Item:
    position: int
    index: int
    number: str
    call_at: datetime | None
    key: str | None
    part: object
    resent: bool


def check_batch_size(value: object, default: int) -> int:
    """Return *value* (None: *default*) if it is a usable batch size (1 to 10,000)."""
    if value is None:
        return default
    if type(value) is not int or not 1 <= value <= MAX_BATCH:
        raise InvalidInputError(
            f"batch_size must be an int from 1 to {MAX_BATCH}, got {value!r}"
        )
    return value


async def batch_many(
    prepare: Prepare,
    send: SendBatch,
    items: RecordSource,
    *,
    batch_size: int,
    concurrency: int,
    progress: DialProgress,
    options: RunOptions,
    records: bool = False,
) -> AsyncGenerator[CallOutcome, None]:
    """Yield one CallOutcome per item of *items*, sending them *batch_size* at a time."""
    run = _Run(options, progress)
    accepted: tuple[type, ...] = (str, CallRequest)
    allowed = "a CallRequest"
    if records:
        accepted, allowed = (*accepted, NewRecord), "a CallRequest or a NewRecord"
    inbox: asyncio.Queue[tuple[int, object] | None] = asyncio.Queue(
        concurrency * batch_size
    )
    outbox: asyncio.Queue[object] = asyncio.Queue(concurrency)
    input_error: list[BaseException] = []
    stop = options.stop

    def feed() -> Awaitable[None]:
        return feed_items(
            items, inbox, progress=progress, stop=stop, workers=concurrency,
            errors=input_error,
        )  # fmt: skip

    async def emit(outcome: CallOutcome) -> None:
        progress.record(outcome)
        await outbox.put(outcome)

    def check(position: int, item: object) -> CallOutcome | _Item:
        """The item's outcome if it is not to be sent, else its part of the batch."""
        number, call_at, index = _unpack(item, position)
        refused = refused_item(item, index, number, accepted, allowed)
        if refused is not None:
            return refused
        try:
            key = run.key(number)
            decided, resent = run.decide(index, number, key)
        except Exception as exc:  # the ledger's file failed (disk full): do not send
            return unchecked_item(index, number, exc)
        if decided is not None:
            return decided
        try:
            part = prepare(number, call_at, item)
        except ThuliumError as exc:  # a bad field: this item fails alone, unsent
            failed = _outcome(index, number, OutcomeStatus.FAILED, error=exc)
            run.sent(failed, key or number)
            return failed
        return _Item(position, index, number, call_at, key, part, resent)

    async def work() -> None:
        carried: _Item | None = None
        finished = False
        while not finished or carried is not None:
            batch: list[_Item] = []
            keys: set[str] = set()
            if carried is not None:
                batch.append(carried)
                keys.add(carried.key or carried.number)
                carried = None
            while not finished and len(batch) < batch_size:
                try:
                    # Take what is there without yielding: another worker taking
                    # turns on the same queue would split the batch.
                    job = inbox.get_nowait()
                except asyncio.QueueEmpty:
                    try:
                        if batch:
                            job = await asyncio.wait_for(inbox.get(), _LINGER)
                        else:
                            job = await inbox.get()
                    except asyncio.TimeoutError:
                        break  # nothing more for now: send what there is
                if job is None:
                    finished = True
                    break
                checked = check(*job)
                if isinstance(checked, CallOutcome):
                    await emit(checked)
                    continue
                key = checked.key or checked.number
                if key in keys:
                    # The same number twice in one request (deduplicate=False): the
                    # answer names it once, so the second goes in the next batch.
                    carried = checked
                    break
                keys.add(key)
                batch.append(checked)
            if batch:
                for outcome in await send_one_batch(batch):
                    await emit(outcome)
        await outbox.put(_WORKER_DONE)

    async def send_one_batch(batch: list[_Item]) -> list[CallOutcome]:
        outcomes: list[CallOutcome] = []
        blocked = [run.blocked(item.index, item.number) for item in batch]
        if any(blocked):
            for item, outcome in zip(batch, blocked, strict=True):
                done = outcome or _outcome(
                    item.index,
                    item.number,
                    OutcomeStatus.FAILED,
                    error=ThuliumError(_NOT_SENT),
                )
                run.sent(done, item.key or item.number)
                outcomes.append(done)
            return outcomes
        task = asyncio.current_task()
        assert task is not None  # noqa: S101 -- a worker is always a task
        journal = run.journal
        entries = [(item.index, item.key or item.number) for item in batch]
        watch = BatchWatch(
            None if journal is None else functools.partial(journal.intents, entries)
        )
        token = WRITE_WATCH.set(watch)
        for item in batch:
            run.running[item.position] = (item.index, item.number, watch)
        run.sending[task] = watch
        progress.in_flight += len(batch)
        replies: list[BatchReply] | None = None
        error: ThuliumError | None = None
        status = OutcomeStatus.FAILED
        attempts = 0
        try:
            replies = await send([item.part for item in batch])
            attempts = watch.attempts
        except asyncio.CancelledError:
            if run.closing or task not in run.stop_cancelled or watch.written:
                raise
            # Cancelled by the stop while it waited to be sent: nothing went out.
            run.stop_cancelled.discard(task)
            _uncancel(task)
            error = ThuliumError(_NOT_SENT)
        except ThuliumError as exc:
            attempts = exc.attempts
            ambiguous = watch.ambiguous or may_be_processed(exc)
            status = OutcomeStatus.UNKNOWN if ambiguous else OutcomeStatus.FAILED
            error = exc
        except Exception as exc:  # a bug, not the network: keep the run going, safely
            error = ThuliumError(f"unexpected error while sending a batch: {exc!r}")
            error.__cause__ = exc
            status, attempts = OutcomeStatus.UNKNOWN, 1
        finally:
            progress.in_flight -= len(batch)
            for item in batch:
                del run.running[item.position]
            del run.sending[task]
            WRITE_WATCH.reset(token)
        if replies is None:
            for item in batch:
                outcome = _outcome(
                    item.index,
                    item.number,
                    status,
                    call_at=item.call_at,
                    error=error,
                    attempts=attempts,
                )
                run.sent(outcome, item.key or item.number)
                outcomes.append(outcome)
            return outcomes
        for item, reply in zip(batch, replies, strict=True):
            outcome, extra = _read_reply(
                item, reply, attempts, resent=item.resent or watch.ambiguous
            )
            run.sent(outcome, item.key or item.number, **extra)
            outcomes.append(outcome)
        return outcomes

    async with aclosing(
        drive(run, feed, work, workers=concurrency, outbox=outbox, errors=input_error)
    ) as outcomes:
        async for outcome in outcomes:
            yield outcome


def _read_reply(
    item: _Item, reply: BatchReply, attempts: int, *, resent: bool
) -> tuple[CallOutcome, dict[str, object]]:
    """One item's outcome from the server's word on it, and its journal line's extra."""
    if reply.reply is Reply.DONE:
        status, reason, error = OutcomeStatus.SCHEDULED, None, None
    elif reply.reply is Reply.UNANSWERED:
        status, reason = OutcomeStatus.UNKNOWN, None
        error = ThuliumError(reply.detail)
    elif reply.reply is Reply.ALREADY and resent:
        # An earlier attempt of ours may have done it, and the server says it is
        # done: it is, and by us as far as anyone can tell.
        status, reason, error = OutcomeStatus.SCHEDULED, CONFIRMED, None
    elif reply.reply is Reply.ALREADY:
        outcome = _outcome(
            item.index,
            item.number,
            OutcomeStatus.SKIPPED,
            call_at=item.call_at,
            attempts=attempts,
            reason=reply.detail,
        )
        return outcome, {"was": ALREADY, "why": reply.detail}
    else:
        status, reason = OutcomeStatus.FAILED, None
        error = ThuliumError(reply.detail)
    outcome = _outcome(
        item.index,
        item.number,
        status,
        call_at=item.call_at,
        error=error,
        attempts=attempts,
        reason=reason,
    )
    return outcome, {}


def batch_run(
    prepare: Prepare,
    send: SendBatch,
    items: RecordSource,
    *,
    batch_size: int,
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
    """Check a batched run's arguments now, then return its outcomes (:func:`batch_many`)."""
    workers = check_concurrency(concurrency)
    options = run_options(
        deduplicate,
        journal,
        resume_from,
        stop=stop,
        phone_region=phone_region,
        name=name,
        resend_unsettled=True,
    )
    return batch_many(
        prepare,
        send,
        items,
        batch_size=batch_size,
        concurrency=workers,
        progress=progress if progress is not None else DialProgress(),
        options=options,
        records=records,
    )
