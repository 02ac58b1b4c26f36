"""Structuring waiting_list bodies: strict types, clear errors, forward compatible."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from thulium_async import ResponseDecodeError, WaitingCaller
from thulium_async._api.converter import (
    _std_loads,
    converter_for,
    decode_json,
    structure,
)
from thulium_async._api.fastpath import fast_structure, plain_constructor
from thulium_async._core.wallclock import CLOCK, Clock
from thulium_async._models.fields import either, wire

WARSAW = ZoneInfo("Europe/Warsaw")
SAMPLES = Path(__file__).parent / "samples"


def waiting_list_reader(zone):
    """The waiting list's fast path, as its reader runs it: bytes in, callers or None."""
    fast = fast_structure(list[WaitingCaller], zone)
    assert fast is not None  # the hot model's fields are all plain

    def read(raw):
        try:
            return fast(json.loads(raw))
        except ValueError:
            return None

    return read


ROW = {
    "phone_number": "613459851",
    "started_at": "2014-08-06 14:30:37",
    "customer_id": 5,
    "customer_label": "Acme",
}


def decode(data, zone=WARSAW):
    raw = json.dumps(data).encode()
    return structure(
        data, list[WaitingCaller], zone, method="GET", url="https://x/api/q", raw=raw
    )


def test_vendor_example_structures():
    raw = (SAMPLES / "queues.waiting_list" / "vendor_example.json").read_bytes()
    callers = decode(json.loads(raw))
    assert [c.phone_number for c in callers] == ["613459851", "840526437", "746842523"]
    assert callers[0].customer_id is None
    assert callers[0].customer_label is None
    assert callers[2] == WaitingCaller(
        phone_number="746842523",
        started_at=datetime(2014, 8, 6, 14, 30, 35, tzinfo=WARSAW),
        customer_id=123,
        customer_label="Jan Kowalski",
    )
    assert callers[2].started_at.utcoffset() == timedelta(hours=2)


def test_absent_and_null_optional_fields_both_give_none():
    absent = {"phone_number": "1", "started_at": "2014-08-06 14:30:37"}
    null = {**absent, "customer_id": None, "customer_label": None}
    assert decode([absent]) == decode([null])
    assert decode([absent])[0].customer_id is None


def test_unknown_fields_are_ignored():
    """The vendor adds fields; a new one must not break every client."""
    (caller,) = decode([{**ROW, "priority": 3, "vip": True}])
    assert caller.phone_number == "613459851"


def test_timestamps_are_read_in_the_clients_zone():
    (caller,) = decode([ROW], zone=ZoneInfo("America/New_York"))
    assert caller.started_at.utcoffset() == timedelta(hours=-4)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"phone_number": None}, "$[0].phone_number"),
        ({"phone_number": 613459851}, "$[0].phone_number"),
        ({"started_at": "yesterday"}, "$[0].started_at"),
        ({"started_at": 1407328237}, "$[0].started_at"),
        ({"customer_id": "5a"}, "$[0].customer_id"),
        ({"customer_id": True}, "$[0].customer_id"),
        ({"customer_id": 5.0}, "$[0].customer_id"),
        ({"customer_label": 7}, "$[0].customer_label"),
    ],
)
def test_wrong_types_name_the_field(change, path):
    """A JSON null never becomes "None" and a string never becomes an int."""
    with pytest.raises(ResponseDecodeError) as info:
        decode([{**ROW, **change}])
    assert path in str(info.value)
    assert "body starts" in str(info.value)


def test_missing_required_field_is_named():
    row = {k: v for k, v in ROW.items() if k != "started_at"}
    with pytest.raises(ResponseDecodeError, match=r"\$\[0\]\.started_at"):
        decode([row])


def test_every_bad_field_is_reported_not_only_the_first():
    bad = {**ROW, "phone_number": None, "customer_id": "x"}
    with pytest.raises(ResponseDecodeError) as info:
        decode([ROW, bad])
    assert "$[1].phone_number" in str(info.value)
    assert "$[1].customer_id" in str(info.value)


def test_a_non_object_row_is_an_error():
    with pytest.raises(ResponseDecodeError, match=r"\$\[0\]"):
        decode(["613459851"])


@pytest.mark.parametrize(
    "raw", [b"<html><body>502 Bad Gateway</body></html>", b'[{"phone', b""]
)
def test_bodies_that_are_not_json_show_a_snippet(raw):
    with pytest.raises(ResponseDecodeError, match="not JSON") as info:
        decode_json(raw, method="GET", url="https://x/api/q")
    assert info.value.body == raw.decode()[:200]


def test_converter_is_built_once_per_zone():
    assert converter_for(WARSAW) is converter_for(WARSAW)


def test_plain_constructor_builds_equal_frozen_models():
    build = plain_constructor(WaitingCaller)
    assert build is not WaitingCaller  # the fast path is in use for the hot model
    started = datetime(2026, 1, 1, tzinfo=WARSAW)
    fast = build(
        phone_number="1", started_at=started, customer_id=None, customer_label="x"
    )
    slow = WaitingCaller(
        phone_number="1", started_at=started, customer_id=None, customer_label="x"
    )
    assert fast == slow
    assert hash(fast) == hash(slow)
    with pytest.raises(AttributeError):
        fast.phone_number = "2"  # type: ignore[misc]


def test_plain_constructor_refuses_classes_whose_init_does_more():
    """A validator, converter, factory or post-init would be skipped: use __init__."""

    @attrs.frozen
    class Validated:
        x: int = attrs.field(validator=attrs.validators.instance_of(int))

    @attrs.frozen
    class Converted:
        x: int = attrs.field(converter=int)

    @attrs.frozen
    class WithFactory:
        x: list[int] = attrs.field(factory=list)

    @attrs.frozen
    class PostInit:
        x: int

        def __attrs_post_init__(self) -> None:
            pass

    @attrs.define(slots=False)
    class NoSlots:
        x: int

    for cls in (Validated, Converted, WithFactory, PostInit, NoSlots):
        assert plain_constructor(cls) is cls


def test_a_customer_id_sent_as_text_is_read_off_the_fast_path():
    """``"customer_id": "42"`` is customer 42: the fast path, which takes numbers only,
    hands the body to the detailed converter, which reads the id either way.
    """
    body = json.dumps([ROW, {**ROW, "customer_id": "42"}]).encode()
    assert waiting_list_reader(WARSAW)(body) is None
    callers = decode(json.loads(body))
    assert [c.customer_id for c in callers] == [5, 42]


def test_fast_and_detailed_paths_agree_on_valid_bodies():
    rows = [
        ROW,
        {**ROW, "customer_id": None, "customer_label": None},
        {"phone_number": "1", "started_at": "2026-10-25 02:30:00"},
        {**ROW, "extra": [1, 2]},
    ]
    fast = waiting_list_reader(WARSAW)(json.dumps(rows).encode())
    detailed = converter_for(WARSAW).structure(rows, list[WaitingCaller])
    assert fast == detailed


@pytest.mark.parametrize(
    "row",
    [
        {**ROW, "customer_id": True},  # a bool is not an int
        {**ROW, "customer_id": "4 2"},
        {**ROW, "customer_label": 7},
        {**ROW, "phone_number": None},
        {**ROW, "started_at": "2026-10-25T02:30:00"},
        {key: value for key, value in ROW.items() if key != "started_at"},
        ["not", "an", "object"],
    ],
)
def test_the_fast_list_path_refuses_what_the_detailed_one_refuses(row):
    """A refusal on the fast path hands the body to the detailed converter to explain."""
    body = json.dumps([ROW, row]).encode()
    assert waiting_list_reader(WARSAW)(body) is None
    with pytest.raises(ResponseDecodeError, match=r"\$\[1\]"):
        structure(
            json.loads(body),
            list[WaitingCaller],
            WARSAW,
            method="GET",
            url="https://acme.thulium.com/api/queues/2/waiting_list",
            raw=body,
        )


@pytest.mark.parametrize(
    "raw",
    [
        b'[{"a": 1}]',
        b" [1, 2] \n",  # whitespace around the value
        b"\xef\xbb\xbf[1]",  # a UTF-8 byte order mark
        '["za\u017c\u00f3\u0142\u0107"]'.encode(),
        b"{}",
    ],
)
def test_the_standard_loader_reads_what_json_loads_reads(raw):
    assert _std_loads(raw) == json.loads(raw)


@pytest.mark.parametrize("raw", [b"[1] [2]", b"[1,", b"", b"\xff[1]", b"nul"])
def test_the_standard_loader_refuses_what_json_loads_refuses(raw):
    with pytest.raises(ValueError):  # noqa: PT011 -- json's own errors, whatever they say
        json.loads(raw)
    with pytest.raises(ValueError):  # noqa: PT011
        _std_loads(raw)


def test_the_fast_path_goes_through_the_class_when_the_model_is_not_plain():
    """A model whose __init__ does more (a validator) is built through it."""

    @attrs.frozen(kw_only=True)
    class Checked:
        name: str = attrs.field(validator=attrs.validators.min_len(2))
        when: datetime | None = None

    fast = fast_structure(list[Checked], WARSAW)
    assert fast is not None
    rows = [{"name": "ab", "when": "2026-01-01 10:00:00"}, {"name": "cd"}]
    assert fast(rows) == converter_for(WARSAW).structure(rows, list[Checked])
    with pytest.raises(ValueError, match="name"):
        fast([{"name": "x"}])


@attrs.frozen(kw_only=True)
class _Plain:
    text: str
    number: int
    flag: bool
    when: datetime
    maybe_text: str | None = None
    maybe_id: int | None = attrs.field(default=None, metadata=either())
    maybe_label: str | None = attrs.field(default=None, metadata=either())
    maybe_when: datetime | None = None
    renamed: str | None = attrs.field(default=None, metadata=wire("from"))


def _fast(type_):
    structure = fast_structure(type_, WARSAW)
    assert structure is not None
    return structure


_PLAIN_ROW = {
    "text": "a",
    "number": 1,
    "flag": True,
    "when": "2026-03-29 01:59:59",
    "maybe_text": "",
    "maybe_id": 7,
    "maybe_label": "x",
    "maybe_when": None,
    "from": "there",
}


@pytest.mark.parametrize(
    "row",
    [
        _PLAIN_ROW,
        {
            k: v
            for k, v in _PLAIN_ROW.items()
            if k.startswith(("text", "num", "fl", "when"))
        },
        {**_PLAIN_ROW, "maybe_when": "2026-10-25 02:30:00", "extra": {"a": 1}},
    ],
)
def test_a_generated_fast_path_reads_what_the_converter_reads(row):
    """The code generated from a declaration agrees with the converter on what it takes."""
    fast = fast_structure(_Plain, WARSAW)
    assert fast is not None
    expected = converter_for(WARSAW).structure(row, _Plain)
    assert fast(row) == expected
    assert _fast(list[_Plain])([row, row]) == [expected, expected]


@pytest.mark.parametrize(
    "change",
    [
        {"text": None},
        {"number": True},  # a bool is not an int
        {"number": "1"},
        {"flag": 1},
        {"when": ""},
        {"when": "2026-03-29T01:00:00"},
        {"maybe_text": 5},
        {"maybe_id": "7"},  # digits: the converter reads them, the fast path does not
        {"maybe_id": ""},
        {"maybe_label": ""},  # the converter reads "" as none
        {"maybe_label": 5},
        {"maybe_when": ""},
        {"from": 1},
    ],
)
def test_a_generated_fast_path_refuses_what_it_cannot_vouch_for(change):
    """Whatever the fast path refuses, the converter reads or explains."""
    row = {**_PLAIN_ROW, **change}
    assert _fast(_Plain)(row) is None
    assert _fast(list[_Plain])([_PLAIN_ROW, row]) is None
    assert _fast(_Plain)(["not", "an", "object"]) is None
    assert _fast(list[_Plain])({"not": "a list"}) is None


def test_a_required_field_missing_is_refused_by_the_fast_path():
    row = {k: v for k, v in _PLAIN_ROW.items() if k != "number"}
    assert _fast(_Plain)(row) is None


def test_models_with_fields_that_are_not_plain_have_no_fast_path():
    @attrs.frozen
    class Nested:
        inner: _Plain

    @attrs.frozen
    class Minutes:
        at: datetime = attrs.field(metadata={CLOCK: Clock.MINUTES})

    @attrs.frozen
    class Defaulted:
        count: int = 0

    for cls in (Nested, Minutes, Defaulted):
        assert fast_structure(cls, WARSAW) is None
    assert fast_structure(dict[str, _Plain], WARSAW) is None
