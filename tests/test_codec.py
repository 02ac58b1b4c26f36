"""The shared encoding and decoding every endpoint uses: per-field clocks, durations,
strict types, and errors that name the field."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest

from thulium_async import InvalidInputError, ResponseDecodeError
from thulium_async._api.converter import structure
from thulium_async._api.encoding import encode_body, encode_query
from thulium_async._core.wallclock import Clock, clock, format_duration, parse_duration
from thulium_async._models.fields import WIRE

WARSAW = ZoneInfo("Europe/Warsaw")


class Kind(enum.Enum):
    INBOUND = "INBOUND"


@attrs.frozen(kw_only=True)
class Filter:
    date_from: date | datetime | None = attrs.field(
        default=None, metadata=clock(Clock.MINUTES)
    )
    queue_id: int | None = None
    tags: tuple[str, ...] | None = attrs.field(default=None, metadata={WIRE: "tags[]"})
    include_tags: bool = False
    kind: Kind | None = None


@attrs.frozen(kw_only=True)
class Record:
    date: datetime = attrs.field(metadata=clock(Clock.MINUTES))
    created_at: datetime | None = attrs.field(default=None)
    close_time: timedelta | None = None
    active: bool = False
    items: tuple[int, ...] = ()


def read(data, cls=Record):
    raw = json.dumps(data).encode()
    return structure(data, cls, WARSAW, method="GET", url="https://x/api/r", raw=raw)


def test_a_query_is_encoded_field_by_field_in_the_declared_shapes():
    query = Filter(
        date_from=datetime(2026, 11, 23, 9, 30, 59),
        queue_id=2,
        tags=("a", "b"),
        include_tags=True,
        kind=Kind.INBOUND,
    )
    assert encode_query(query, WARSAW) == [
        ("date_from", "2026-11-23 09:30"),
        ("queue_id", "2"),
        ("tags[]", "a"),
        ("tags[]", "b"),
        ("include_tags", "true"),
        ("kind", "INBOUND"),
    ]


def test_a_date_filter_is_sent_as_a_date_and_none_is_left_out():
    assert encode_query(Filter(date_from=date(2026, 11, 1)), WARSAW) == [
        ("date_from", "2026-11-01"),
        ("include_tags", "false"),
    ]


def test_an_aware_datetime_is_converted_into_the_system_zone():
    query = Filter(date_from=datetime(2026, 11, 23, 8, 30, tzinfo=ZoneInfo("UTC")))
    assert encode_query(query, WARSAW)[0] == ("date_from", "2026-11-23 09:30")


def test_a_bad_value_is_refused_naming_its_field():
    with pytest.raises(InvalidInputError, match="date_from"):
        encode_query(Filter(date_from=datetime(2026, 3, 29, 2, 30)), WARSAW)  # a gap
    with pytest.raises(InvalidInputError, match="queue_id"):
        encode_query(Filter(queue_id=object()), WARSAW)  # type: ignore[arg-type]


def test_a_body_is_json_without_the_none_fields():
    body = Record(
        date=datetime(2026, 11, 23, 9, 30),
        close_time=timedelta(hours=30, minutes=5),
        items=(1, 2),
    )
    assert json.loads(encode_body(body, WARSAW)) == {
        "date": "2026-11-23 09:30",
        "close_time": "30:05:00",
        "active": False,
        "items": [1, 2],
    }


def test_answers_are_read_in_each_fields_shape():
    record = read(
        {
            "date": "2026-11-23 09:30",
            "created_at": "2026-11-23 09:30:15",
            "close_time": "123:04:05",
            "active": True,
            "items": [1],
        }
    )
    assert record.date == datetime(2026, 11, 23, 9, 30, tzinfo=WARSAW)
    assert record.created_at == datetime(2026, 11, 23, 9, 30, 15, tzinfo=WARSAW)
    assert record.close_time == timedelta(hours=123, minutes=4, seconds=5)
    assert record.items == (1,)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date", "2026-11-23 09:30:15"),  # seconds where the field has minutes
        ("date", None),
        ("created_at", 5),
        ("close_time", "1:2:3"),
        ("close_time", 90),
        ("active", "false"),  # never truthy text
        ("active", 1),
        ("items", "12"),  # never a string's letters
        ("items", {"0": 1}),
    ],
)
def test_a_mistyped_field_is_named(field, value):
    data = {"date": "2026-11-23 09:30", field: value}
    with pytest.raises(ResponseDecodeError, match=rf"\$\.{field}"):
        read(data)


def test_an_item_in_a_list_is_named_by_its_index():
    with pytest.raises(ResponseDecodeError, match=r"\$\.items\[1\]"):
        read({"date": "2026-11-23 09:30", "items": [1, "2"]})


@pytest.mark.parametrize(
    "value", [timedelta(0), timedelta(seconds=59), timedelta(hours=100, seconds=1)]
)
def test_durations_round_trip(value):
    assert parse_duration(format_duration(value)) == value


def test_a_negative_duration_is_refused():
    with pytest.raises(InvalidInputError):
        format_duration(timedelta(seconds=-1))
