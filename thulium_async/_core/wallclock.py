"""Thulium's wall clock <-> timezone-aware datetimes.

Thulium timestamps (``2014-08-06 14:30:37``) carry no offset: they are the system's local
wall clock. This module is the one place that turns them into aware datetimes and back,
with the daylight-saving rules written down:

- reading, a time in a **fold** (the repeated hour in autumn) is taken as its first
  occurrence (``fold=0``); a time in a **gap** (the skipped hour in spring), which a
  server should never report, is read with the offset in force before the gap, as
  PEP 495 prescribes for ``fold=0``;
- writing, a naive ``call_at`` is the system's wall clock and is sent as is, except a
  time in a gap, which does not exist there and is refused; an aware ``call_at`` is an
  instant, converted into the system's zone (through UTC, so a nonexistent wall time
  becomes the instant's real one), and refused if it lands in a repeated hour, which
  an offset-less wall clock cannot name unambiguously.
"""

from __future__ import annotations

import enum
import re
import zoneinfo
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from .errors import InvalidInputError

_WALL_CLOCK_LENGTH = 19
_DURATION = re.compile(r"([0-9]{1,6}):([0-5][0-9]):([0-5][0-9])")


class Clock(enum.Enum):
    """The shapes Thulium writes its wall clock in; each field uses one of them."""

    SECONDS = "YYYY-MM-DD HH:MM:SS"
    """The waiting list, schedule_call, agent statuses."""
    MINUTES = "YYYY-MM-DD HH:MM"
    """Connections, recordings, tickets, campaign records."""
    DATE = "YYYY-MM-DD"
    """Date-only filters."""
    SECONDS_OR_MINUTES = "YYYY-MM-DD HH:MM[:SS]"
    """A field whose vendor page leaves the shape open (the CRM's ``updated_at``,
    shown as ``""``): read in either of the two shapes Thulium writes, since a
    guess of one would fail a whole list the day it sends the other. Written to the
    second."""


CLOCK = "thulium_clock"
"""The attrs metadata key that says which :class:`Clock` a datetime field uses."""


def clock(shape: Clock) -> dict[str, Clock]:
    """Return the field metadata for a datetime field written in *shape*.

    ``date: datetime = attrs.field(metadata=clock(Clock.MINUTES))``; a field
    without it uses ``Clock.SECONDS``.
    """
    return {CLOCK: shape}


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo:
    return zoneinfo.ZoneInfo(name)


def resolve_timezone(value: object) -> tzinfo:
    """Return a tzinfo for an IANA zone name or a tzinfo instance.

    Raises:
        InvalidInputError: an unknown zone name or a value of another type.
    """
    if isinstance(value, tzinfo):
        return value
    if isinstance(value, str):
        try:
            return _zone(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InvalidInputError(
                f"unknown time zone {value!r}; use an IANA name like 'Europe/Warsaw'"
            ) from None
    raise InvalidInputError(
        f"timezone must be an IANA name or a tzinfo, got {type(value).__name__}"
    )


def parse_clock(text: str, zone: tzinfo, shape: Clock) -> datetime:
    """Return the aware datetime for *text* written in *shape*, read in *zone*.

    Raises:
        ValueError: *text* is not in *shape*.
    """
    if shape is Clock.SECONDS:
        return parse_wall_clock(text, zone)
    if shape is Clock.SECONDS_OR_MINUTES:
        try:
            return parse_wall_clock(text if len(text) != 16 else text + ":00", zone)
        except ValueError:
            raise ValueError(
                f"expected 'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD HH:MM', got {text!r}"
            ) from None
    if shape is Clock.MINUTES:
        if len(text) != 16 or text[13] != ":":
            raise ValueError(f"expected 'YYYY-MM-DD HH:MM', got {text!r}")
        return parse_wall_clock(text + ":00", zone)
    if len(text) != 10:
        raise ValueError(f"expected 'YYYY-MM-DD', got {text!r}")
    return parse_wall_clock(text + " 00:00:00", zone)


def format_clock(value: object, zone: tzinfo, shape: Clock, field: str) -> str:
    """Return *value* (a datetime, or a date) as Thulium writes *shape*, in *zone*.

    A ``date`` is sent as ``YYYY-MM-DD`` whatever the shape (date filters take it);
    a ``datetime`` as :func:`format_wall_clock` does, cut to *shape*.

    Raises:
        InvalidInputError: as :func:`format_wall_clock`, naming *field*.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    text = format_wall_clock(value, zone, field=field)
    if shape is Clock.MINUTES:
        return text[:16]
    if shape is Clock.DATE:
        return text[:10]
    return text


def parse_duration(text: str) -> timedelta:
    """Return the duration Thulium writes as ``HHH:MM:SS`` (hours may pass 24).

    Raises:
        ValueError: *text* is not in that shape.
    """
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"expected a duration 'HH:MM:SS', got {text!r}")
    hours, minutes, seconds = map(int, match.groups())
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def format_duration(value: timedelta) -> str:
    """Return *value* as ``HH:MM:SS``, hours not wrapped at 24, seconds truncated."""
    total = int(value.total_seconds())
    if total < 0:
        raise InvalidInputError(f"a duration cannot be negative, got {value!r}")
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def parse_wall_clock(text: str, zone: tzinfo) -> datetime:
    """Return the aware datetime for a Thulium timestamp read in *zone*.

    Raises:
        ValueError: *text* is not exactly ``YYYY-MM-DD HH:MM:SS``.
    """
    # A shape check first: fromisoformat alone would also take offsets, "T" separators
    # and dates without times, which Thulium does not send.
    if (
        len(text) != _WALL_CLOCK_LENGTH
        or text[4] != "-"
        or text[7] != "-"
        or text[10] != " "
        or text[13] != ":"
        or text[16] != ":"
        or not text.isascii()
    ):
        raise ValueError(f"expected 'YYYY-MM-DD HH:MM:SS', got {text!r}")
    naive = datetime.fromisoformat(text)
    # Building the aware datetime from fields is about 2.5x faster than
    # naive.replace(tzinfo=zone) on CPython 3.11 (keyword parsing), and this runs once
    # per caller in every waiting list. fold stays 0, as replace() would leave it.
    return datetime(
        naive.year,
        naive.month,
        naive.day,
        naive.hour,
        naive.minute,
        naive.second,
        0,
        zone,
    )


def is_in_gap(naive: datetime, zone: tzinfo) -> bool:
    """Return whether wall-clock time *naive* is skipped in *zone* (spring forward).

    PEP 495: inside a gap, ``fold=0`` takes the offset from before the transition and
    ``fold=1`` the one after, so the first is the smaller; in a repeated hour it is
    the other way round, and elsewhere they are equal. One comparison of two offsets,
    no round trip through UTC.
    """
    local = naive.replace(tzinfo=zone, fold=0)
    before = local.utcoffset()
    after = local.replace(fold=1).utcoffset()
    return before is not None and after is not None and before < after


def format_wall_clock(value: object, zone: tzinfo, field: str = "call_at") -> str:
    """Return *value* as Thulium's wall-clock string in *zone*, to the second.

    A naive *value* is the system's wall clock and is sent as it is, unless it falls
    in a gap (it does not exist there). An aware *value* is an instant: it is sent
    as that instant's wall time in *zone* (an aware time written in *zone* inside a
    gap, such as 02:30 on the spring-forward night, is the instant PEP 495 gives it
    and goes out as 03:30), unless that wall time falls in the repeated hour of an
    autumn night, which the offset-less wall clock cannot tell apart: refused.

    Raises:
        InvalidInputError: not a datetime; a naive time in a gap; an aware time
            whose wall time in *zone* is repeated.
    """
    if not isinstance(value, datetime):
        raise InvalidInputError(
            f"{field} must be a datetime, got {type(value).__name__}: {value!r}"
        )
    try:
        if value.tzinfo is not None and value.utcoffset() is not None:
            # Through UTC: astimezone() into the zone the value already names would
            # return it unchanged, nonexistent wall time and all.
            local = value.astimezone(timezone.utc).astimezone(zone)
            if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
                raise InvalidInputError(_repeated_hour(field, value, local, zone))
            return wall_clock_text(local)
        naive = value.replace(tzinfo=None)
        in_gap = is_in_gap(naive, zone)
    except OverflowError:  # within hours of year 1 or 9999, the zone is out of range
        raise InvalidInputError(
            f"{field} {value!r} is out of the range {zone} can represent"
        ) from None
    if in_gap:
        raise InvalidInputError(
            f"{field} {naive.isoformat(sep=' ')} does not exist in {zone}: the clocks "
            "skip that hour for daylight saving time; pass a time outside the gap or "
            "an aware datetime"
        )
    return wall_clock_text(naive)


def _repeated_hour(field: str, value: datetime, local: datetime, zone: tzinfo) -> str:
    wall = wall_clock_text(local)
    return (
        f"{field} {value.isoformat(sep=' ')} is {wall} in {zone}, a wall-clock time "
        "that happens twice that night (the clocks go back for daylight saving "
        "time). Thulium takes times without an offset, so it cannot tell which of "
        "the two is meant and might call an hour off. Pass an instant outside the "
        "repeated hour, or the naive wall-clock time if either occurrence will do"
    )


def wall_clock_text(value: datetime) -> str:
    """Return *value*'s wall clock as ``YYYY-MM-DD HH:MM:SS``, ignoring any tzinfo."""
    # Not strftime: on glibc "%Y" does not zero-pad years below 1000.
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
