"""Thulium wall clock <-> aware datetimes, daylight saving included."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from thulium_async import InvalidInputError
from thulium_async._core.wallclock import (
    format_wall_clock,
    is_in_gap,
    parse_wall_clock,
    resolve_timezone,
)

WARSAW = ZoneInfo("Europe/Warsaw")


def test_parse_gives_aware_time_in_the_zone():
    value = parse_wall_clock("2014-08-06 14:30:37", WARSAW)
    assert value.tzinfo is WARSAW
    assert value.utcoffset() == timedelta(hours=2)  # CEST
    assert value.astimezone(timezone.utc).hour == 12


def test_parse_in_the_autumn_fold_takes_the_first_occurrence():
    """02:30 on 2026-10-25 happens twice in Warsaw; the earlier (CEST) one is chosen."""
    value = parse_wall_clock("2026-10-25 02:30:00", WARSAW)
    assert value.fold == 0
    assert value.utcoffset() == timedelta(hours=2)


def test_parse_in_the_spring_gap_uses_the_offset_before_it():
    """02:30 on 2026-03-29 does not exist in Warsaw; it is read with CET (+1)."""
    value = parse_wall_clock("2026-03-29 02:30:00", WARSAW)
    assert value.utcoffset() == timedelta(hours=1)
    assert value.astimezone(timezone.utc) == datetime(
        2026, 3, 29, 1, 30, tzinfo=timezone.utc
    )


@pytest.mark.parametrize(
    "text",
    [
        "2014-08-06T14:30:37",
        "2014-08-06 14:30",
        "2014-08-06",
        "2014-08-06 14:30:37+02:00",
        "2014-13-06 14:30:37",
        "2014-02-30 14:30:37",
        "\uff12\uff10\uff11\uff14-08-06 14:30:37",  # full-width digits
        "",
    ],
)
def test_parse_refuses_other_shapes(text):
    with pytest.raises(ValueError, match=r"."):
        parse_wall_clock(text, WARSAW)


def test_format_naive_is_the_systems_wall_clock_as_is():
    assert format_wall_clock(datetime(2026, 11, 23, 9, 30), WARSAW) == (
        "2026-11-23 09:30:00"
    )


def test_format_drops_microseconds():
    value = datetime(2026, 11, 23, 9, 30, 5, 999999)
    assert format_wall_clock(value, WARSAW) == "2026-11-23 09:30:05"


def test_format_aware_is_converted_into_the_zone():
    value = datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc)
    assert format_wall_clock(value, WARSAW) == "2026-11-23 09:30:00"
    summer = datetime(2026, 7, 1, 8, 30, tzinfo=timezone.utc)
    assert format_wall_clock(summer, WARSAW) == "2026-07-01 10:30:00"


def test_format_refuses_a_naive_time_in_the_spring_gap():
    with pytest.raises(InvalidInputError, match="does not exist"):
        format_wall_clock(datetime(2026, 3, 29, 2, 30), WARSAW)


def test_format_accepts_a_naive_time_in_the_autumn_fold():
    """The repeated hour exists; the wall-clock string is the same for both."""
    assert format_wall_clock(datetime(2026, 10, 25, 2, 30, fold=1), WARSAW) == (
        "2026-10-25 02:30:00"
    )


def test_gap_detection_edges():
    assert is_in_gap(datetime(2026, 3, 29, 2, 0), WARSAW)
    assert is_in_gap(datetime(2026, 3, 29, 2, 59, 59), WARSAW)
    assert not is_in_gap(datetime(2026, 3, 29, 1, 59, 59), WARSAW)
    assert not is_in_gap(datetime(2026, 3, 29, 3, 0), WARSAW)
    assert not is_in_gap(datetime(2026, 10, 25, 2, 30), WARSAW)


@pytest.mark.parametrize("value", [1700000000, "2026-11-23 09:30:00", None])
def test_format_refuses_non_datetimes(value):
    with pytest.raises(InvalidInputError, match="datetime"):
        format_wall_clock(value, WARSAW)


def test_resolve_timezone():
    assert resolve_timezone("Europe/Warsaw") == WARSAW
    assert resolve_timezone(timezone.utc) is timezone.utc
    with pytest.raises(InvalidInputError, match="unknown time zone"):
        resolve_timezone("Mars/Olympus")
    with pytest.raises(InvalidInputError, match="IANA"):
        resolve_timezone(2)


def test_format_aware_time_written_in_the_gap_sends_its_true_wall_time():
    """02:30 Warsaw on the spring-forward night is the instant 01:30 UTC: 03:30 there."""
    value = datetime(2026, 3, 29, 2, 30, tzinfo=WARSAW)
    assert format_wall_clock(value, WARSAW) == "2026-03-29 03:30:00"


@pytest.mark.parametrize("hour", [0, 1])
def test_format_refuses_an_aware_instant_in_the_repeated_hour(hour):
    """00:30 and 01:30 UTC are both 02:30 in Warsaw on 2026-10-25: which one is meant?"""
    value = datetime(2026, 10, 25, hour, 30, tzinfo=timezone.utc)
    with pytest.raises(InvalidInputError, match="happens twice") as info:
        format_wall_clock(value, WARSAW)
    assert "2026-10-25 02:30:00" in str(info.value)


def test_format_aware_instants_around_the_repeated_hour_are_sent():
    before = datetime(2026, 10, 24, 23, 59, 59, tzinfo=timezone.utc)
    after = datetime(2026, 10, 25, 2, 0, tzinfo=timezone.utc)
    assert format_wall_clock(before, WARSAW) == "2026-10-25 01:59:59"
    assert format_wall_clock(after, WARSAW) == "2026-10-25 03:00:00"


def test_format_aware_fixed_offset_zone_has_no_fold():
    plus_one = timezone(timedelta(hours=1))
    value = datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)
    assert format_wall_clock(value, plus_one) == "2026-10-25 02:30:00"


def test_error_names_the_field():
    with pytest.raises(InvalidInputError, match="next_call_date"):
        format_wall_clock("tomorrow", WARSAW, field="next_call_date")
