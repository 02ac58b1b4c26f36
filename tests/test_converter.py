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
    plain_constructor,
    structure,
)
from thulium_async._areas.queues_fast import waiting_list_reader

WARSAW = ZoneInfo("Europe/Warsaw")
SAMPLES = Path(__file__).parent / "samples"
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


def test_the_fast_path_goes_through_the_class_when_the_model_is_not_plain(monkeypatch):
    """If WaitingCaller ever gains a validator, the fast path must not skip it."""
    import thulium_async._areas.queues_fast as fast_module

    monkeypatch.setattr(fast_module, "plain_constructor", lambda cls: cls)
    rows = [ROW, {**ROW, "customer_id": None}]
    fast = fast_module.waiting_list_reader(WARSAW)(json.dumps(rows).encode())
    assert fast == converter_for(WARSAW).structure(rows, list[WaitingCaller])
