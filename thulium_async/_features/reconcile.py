"""Resolving "unknown" dialer outcomes against the call history: matching only, no I/O.

A scheduled call, once made, appears in the history as an OUTBOUND connection to that
number from that queue, though perhaps written in another form (``48500333222`` for
``500333222``): a history record answers a number when both have the same identity
(their E.164 form in the client's phone region, ``_core.phone``), or, for a form that
identity cannot read, when their digits end alike over a national number's length. This module says which numbers are being looked for, over
which time windows, and which history records answer them; the queue namespace reads
the history (one paged query per window, not one per number) and feeds it here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta

import attrs

from .._core import phone as _phone
from .._core.errors import InvalidInputError
from .._models.calls import Connection
from .dial_models import CallOutcome, OutcomeStatus

_MIN_OVERLAP = 9  # digits: a national number, whatever prefix either side adds


class ReconcileStatus(str, enum.Enum):
    """What the call history says about one ``unknown`` number."""

    CALLED = "called"
    """The history holds an outbound call to the number from the queue, so the
    request was processed. Do not schedule it again."""
    NOT_FOUND = "not_found"
    """No such call in the history yet. The request may not have been processed, or
    its call is still waiting for its time (``call_at``) or for a free agent."""

    def __str__(self) -> str:
        return self.value


@attrs.frozen(kw_only=True)
class ReconcileResult:
    """What the history says about one number whose outcome was ``unknown``.

    Attributes:
        phone_number: the number, as it was given.
        status: :class:`ReconcileStatus`: ``called`` or ``not_found``.
        connection: for ``called``, the first matching call in the history.
        index: the outcome's (or report row's) item index, when it had one.
        call_at: when the call was asked for, if it was (``None``: now).
    """

    phone_number: str
    status: ReconcileStatus
    connection: Connection | None = None
    index: int | None = None
    call_at: datetime | None = None


@attrs.frozen
class Sought:
    """One number being looked for."""

    phone_number: str
    digits: str
    index: int | None
    call_at: datetime | None


def digits_of(number: str) -> str:
    """Return only the digits of *number* (``+48 500-333-222`` -> ``48500333222``)."""
    return "".join(ch for ch in number if ch.isdigit())


def same_number(a: str, b: str) -> bool:
    """Whether digit strings *a* and *b* name the same line.

    Equal, or one ends with the other and they share at least 9 digits: the history
    may write ``48500333222`` for a call scheduled to ``500333222``.
    """
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= _MIN_OVERLAP and long.endswith(short)


def unknowns(items: Iterable[object]) -> list[Sought]:
    """Return the numbers of the ``unknown`` outcomes (or report rows) in *items*.

    An item is a :class:`~thulium_async.CallOutcome` or a mapping with the columns of
    a ``schedule-calls`` report (``item``, ``phone_number``, ``status``, ``call_at``).
    Every other status is skipped: only ``unknown`` needs the history's word.
    """
    sought: list[Sought] = []
    for position, item in enumerate(items):
        if isinstance(item, CallOutcome):
            if item.status is OutcomeStatus.UNKNOWN:
                sought.append(
                    Sought(
                        item.phone_number,
                        digits_of(item.phone_number),
                        item.index,
                        item.call_at,
                    )
                )
            continue
        if not isinstance(item, Mapping):
            raise InvalidInputError(
                f"outcomes[{position}] must be a CallOutcome or a report row "
                f"(a mapping), got {type(item).__name__}"
            )
        if str(item.get("status", "")).strip() != OutcomeStatus.UNKNOWN.value:
            continue
        number = str(item.get("phone_number") or "").strip()
        if not digits_of(number):
            raise InvalidInputError(
                f"outcomes[{position}]: an unknown row without a phone number"
            )
        sought.append(
            Sought(number, digits_of(number), _index(item.get("item")), _when(item))
        )
    return sought


def _index(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


def _when(row: Mapping[str, object]) -> datetime | None:
    text = str(row.get("call_at") or "").strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"call_at {text!r} is not a date and time") from None


def windows(
    since: datetime, until: datetime, size: timedelta
) -> Iterator[tuple[datetime, datetime]]:
    """Split [since, until] into consecutive windows of at most *size*."""
    start = since
    while start < until:
        end = min(start + size, until)
        yield start, end
        start = end


class Matcher:
    """Collect, for each sought number, the first outbound call to it in the history.

    Args:
        sought: the numbers looked for.
        region: the phone region numbers are read in (``"PL"``).
    """

    def __init__(
        self, sought: list[Sought], region: str = _phone.DEFAULT_REGION
    ) -> None:
        self._sought = sought
        self._region = region
        self._by_key: dict[str, list[int]] = {}
        self._by_tail: dict[str, list[int]] = {}
        for position, item in enumerate(sought):
            key = _phone.identity(item.phone_number, region) or item.digits
            self._by_key.setdefault(key, []).append(position)
            self._by_tail.setdefault(item.digits[-_MIN_OVERLAP:], []).append(position)
        self._found: dict[int, Connection] = {}

    @property
    def done(self) -> bool:
        """Whether every number has been found (the history need not be read on)."""
        return len(self._found) == len(self._sought)

    def offer(self, connection: Connection) -> None:
        """Match one history record against the numbers sought."""
        if connection.type.upper() != "OUTBOUND":
            return
        key = _phone.identity(connection.dst, self._region)
        if key is not None:
            for position in self._by_key.get(key, ()):
                if position not in self._found:
                    self._found[position] = connection
        dst = digits_of(connection.dst)
        for position in self._by_tail.get(dst[-_MIN_OVERLAP:], ()):
            if position not in self._found and same_number(
                self._sought[position].digits, dst
            ):
                self._found[position] = connection

    def results(self) -> list[ReconcileResult]:
        """One result per sought number, in the order they were given."""
        out = []
        for position, item in enumerate(self._sought):
            found = self._found.get(position)
            out.append(
                ReconcileResult(
                    phone_number=item.phone_number,
                    status=(
                        ReconcileStatus.CALLED
                        if found is not None
                        else ReconcileStatus.NOT_FOUND
                    ),
                    connection=found,
                    index=item.index,
                    call_at=item.call_at,
                )
            )
        return out
