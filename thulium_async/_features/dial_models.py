"""What a bulk dialer run takes and gives: requests, outcomes and live progress.

Data only: no I/O, no knowledge of HTTP. The run itself is in ``_dialer``.
"""

from __future__ import annotations

import enum
import time
from collections.abc import AsyncIterable, Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from .._core.errors import ThuliumError


class OutcomeStatus(str, enum.Enum):
    """What became of one number; compares equal to its string value."""

    SCHEDULED = "scheduled"
    """Thulium accepted the call."""
    FAILED = "failed"
    """Definitely not scheduled (a bad number, a 4xx, or nothing got through)."""
    UNKNOWN = "unknown"
    """Perhaps scheduled (DeliveryUnknownError, or left unknown or in flight by the
    run resumed); never sent again by the SDK: check (``reconcile``) before sending."""
    SKIPPED = "skipped"
    """Not sent, being a duplicate of an earlier item or scheduled by the run resumed."""

    def __str__(self) -> str:
        return self.value


@attrs.frozen(kw_only=True)
class CallRequest:
    """One call to schedule in bulk: a number and, optionally, when to call it.

    Attributes:
        phone_number: the number, as for ``schedule_call``.
        call_at: when to call (naive: the Thulium system's wall clock); ``None``: now.
        index: what the outcome and the journal call this item (a line number in
            your file, say); ``None``: its position in the input, from 0.
    """

    phone_number: str
    call_at: datetime | None = None
    index: int | None = None


@attrs.frozen(kw_only=True)
class NewRecord:
    """One record to add to a campaign in bulk, with everything ``add_record`` takes.

    Attributes:
        phone_number: the number to call.
        next_call_date: when to call it (naive: the system's wall clock, sent to the
            minute); ``None``: the campaign decides.
        identifier: your id for the record; agent_login: the agent to give it to.
        status_id, dictionary_status_id: its status.
        record_fields: the campaign's own fields, by name.
        order: its place in the campaign.
        index: what the outcome and the journal call this item (a line number in
            your file, say); ``None``: its position in the input, from 0.
    """

    phone_number: str
    next_call_date: datetime | None = None
    identifier: str | None = None
    agent_login: str | None = None
    status_id: int | None = None
    dictionary_status_id: int | None = None
    record_fields: Mapping[str, Any] | None = None
    order: int | None = None
    index: int | None = None


@attrs.frozen
class RefusedItem:
    """An input item already known to be bad (a file's row whose date does not parse).

    Put one in a bulk run's input in the bad item's place: it yields a ``failed``
    outcome with *error*, at its *index*, without sending anything, so a run over a
    file accounts for every row, the unreadable ones too.

    Attributes:
        index: what the outcome and the journal call the item (its line).
        phone_number: the number as the row gave it.
        error: why it is refused, the outcome's error.
    """

    index: int
    phone_number: str
    error: ThuliumError


class Reply(str, enum.Enum):
    """What the server said of one number of a batch, as a bulk run reads it."""

    DONE = "done"
    """Done by this request (``ADDED``, ``REMOVED``)."""
    ALREADY = "already"
    """Already so before this request (``ALREADY_EXISTS``, ``NOT_EXIST``): done by an
    earlier attempt of ours if one may have been processed, else by someone else."""
    REFUSED = "refused"
    """Not done (``FAILED``, ``CALL_IN_PROGRESS``): ``failed``, safe to send again."""
    UNANSWERED = "unanswered"
    """The answer does not name it: perhaps done, ``unknown``, not sent again."""


@attrs.frozen
class BatchReply:
    """The server's word on one item of a batch request.

    Attributes:
        reply: what it says (:class:`Reply`).
        detail: the server's own status or reason, for the outcome (``FAILED:
            Invalid phone number``); for ``ALREADY`` the reason a skip gives
            (``already in the campaign``).
    """

    reply: Reply
    detail: str = ""


NumberSource = (
    Iterable[str | CallRequest | RefusedItem]
    | AsyncIterable[str | CallRequest | RefusedItem]
)
RecordSource = (
    Iterable[str | CallRequest | NewRecord | RefusedItem]
    | AsyncIterable[str | CallRequest | NewRecord | RefusedItem]
)


@attrs.frozen(kw_only=True)
class CallOutcome:
    """The one outcome of one input item of ``schedule_calls``.

    Attributes:
        index: the item's ``CallRequest.index``, else its position in the input from 0.
        phone_number: the number as it was given.
        call_at: the ``call_at`` as it was given, or ``None``.
        status: ``"scheduled"``, ``"failed"``, ``"unknown"`` or ``"skipped"``.
        error: the ThuliumError for failed and unknown outcomes, else ``None`` (and
            ``None`` for an ``unknown`` carried over from a resumed run: see
            *reason*).
        attempts: HTTP attempts made for this item (0 if not sent).
        reason: why it was not sent: for ``skipped``, and for an ``unknown``
            carried over from the run resumed (in flight at its crash, or unknown
            there).
        duplicate_of: for a skipped duplicate, the index of the item it repeats.
    """

    index: int
    phone_number: str
    call_at: datetime | None
    status: OutcomeStatus
    error: ThuliumError | None = None
    attempts: int = 0
    reason: str | None = None
    duplicate_of: int | None = None


@attrs.define
class DialProgress:
    """Live counters of a ``schedule_calls`` run; pass one in and poll it from a UI.

    Attributes:
        read: items taken from the input so far.
        in_flight: items being scheduled right now.
        scheduled: outcomes with status ``scheduled``.
        failed: outcomes with status ``failed``.
        unknown: outcomes with status ``unknown``.
        skipped: outcomes with status ``skipped`` (duplicates, resumed).
        retries: HTTP retries made for this run's items.
        interrupted: (index, phone_number) of items whose request was written when
            the run was stopped early (break, cancel or error): they may have been
            scheduled.
        not_sent: (index, phone_number) of items that were waiting to be sent (on
            the rate limit, for a connection) when the run was stopped early: no
            request went out for them, so they are safe to send again.
        stopped_by: the answer that stopped the run early (401, 403, 404 for the
            queue), after which nothing more was sent; ``None`` otherwise.
        started_at: ``time.monotonic()`` when the run started.
        finished: whether the run is over.
    """

    read: int = 0
    in_flight: int = 0
    scheduled: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: int = 0
    retries: int = 0
    interrupted: list[tuple[int, str]] = attrs.field(factory=list)
    not_sent: list[tuple[int, str]] = attrs.field(factory=list)
    stopped_by: ThuliumError | None = None
    started_at: float = attrs.field(factory=time.monotonic)
    finished: bool = False

    @property
    def completed(self) -> int:
        """Items with an outcome."""
        return self.scheduled + self.failed + self.unknown + self.skipped

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started_at

    @property
    def rate(self) -> float:
        """Outcomes per second since the run started."""
        elapsed = self.elapsed
        return self.completed / elapsed if elapsed > 0 else 0.0

    def summary(self, done: str = "scheduled") -> str:
        """Return one line for people: counts, retries, time and rate, and how it ended.

        Args:
            done: the word for a ``scheduled`` outcome (``"added"`` when loading a
                campaign).
        """
        line = (
            f"{self.completed} numbers: {self.scheduled} {done}, {self.failed} "
            f"failed, {self.unknown} unknown, {self.skipped} skipped"
        )
        if self.interrupted or self.not_sent:
            parts = []
            if self.interrupted:
                parts.append(
                    f"{len(self.interrupted)} in flight when stopped (unknown: may "
                    f"have been {done})"
                )
            if self.not_sent:
                parts.append(
                    f"{len(self.not_sent)} waiting to be sent when stopped (failed: "
                    "not sent, safe to send again)"
                )
            line = f"interrupted: {line}, and {' and '.join(parts)}"
        if self.stopped_by is not None:
            line = f"stopped early ({self.stopped_by}): {line}"
        return (
            f"{line}; {self.retries} retries; {self.elapsed:.1f} s ({self.rate:.1f}/s)"
        )

    def record(self, outcome: CallOutcome) -> None:
        """Count *outcome*."""
        status = outcome.status
        if status is OutcomeStatus.SCHEDULED:
            self.scheduled += 1
        elif status is OutcomeStatus.FAILED:
            self.failed += 1
        elif status is OutcomeStatus.SKIPPED:
            self.skipped += 1
        else:
            self.unknown += 1
        self.retries += max(0, outcome.attempts - 1)
