"""URL normalising, Retry-After parsing and the Authorization header."""

from __future__ import annotations

import base64
import json
import math
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thulium_async import InvalidInputError
from thulium_async._api.encoding import body_encoder
from thulium_async._areas.queues import SCHEDULE_CALL
from thulium_async._core.validation import phone_number
from thulium_async._core.wallclock import format_wall_clock
from thulium_async._http.wire import (
    basic_auth_header,
    join_url,
    normalize_base_url,
    parse_retry_after,
)

ScheduleCallBody: Any = SCHEDULE_CALL.body  # made from the method's signature


@pytest.mark.parametrize(
    "raw",
    [
        "https://acme.thulium.com/api",
        "https://acme.thulium.com/api/",
        "https://acme.thulium.com/api//",
        "  https://acme.thulium.com/api  ",
    ],
)
def test_base_url_forms_all_reach_the_api_path(raw):
    """The /api prefix survives with or without trailing slashes."""
    url = join_url(normalize_base_url(raw), "queues/2/waiting_list")
    assert str(url) == "https://acme.thulium.com/api/queues/2/waiting_list"


def test_base_url_without_path_joins_at_root():
    url = join_url(normalize_base_url("https://acme.thulium.com"), "queues/2/x")
    assert str(url) == "https://acme.thulium.com/queues/2/x"


@pytest.mark.parametrize(
    "raw",
    ["http://127.0.0.1:8080/api", "http://localhost/api", "http://[::1]:9/api"],
)
def test_plain_http_is_allowed_on_loopback(raw):
    assert normalize_base_url(raw).scheme == "http"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("http://acme.thulium.com/api", "unencrypted"),
        ("ftp://acme.thulium.com/api", "https://"),
        ("acme.thulium.com/api", "https://"),
        ("", "non-empty"),
        (None, "non-empty"),
        ("https://user:pw@acme.thulium.com/api", "credentials"),
        ("https://acme.thulium.com/api?x=1", "query"),
        ("https://acme.thulium.com/api#top", "fragment"),
    ],
)
def test_bad_base_urls_are_refused_clearly(raw, fragment):
    with pytest.raises(InvalidInputError, match=fragment):
        normalize_base_url(raw)


def test_plain_http_to_a_remote_host_needs_explicit_opt_in():
    url = normalize_base_url("http://intranet.example/api", allow_insecure_http=True)
    assert str(url) == "http://intranet.example/api/"


def test_basic_auth_header_is_utf8_base64_of_user_colon_password():
    header = basic_auth_header("api_user", "pässwörd")
    assert header.startswith("Basic ")
    assert base64.b64decode(header[6:]).decode() == "api_user:pässwörd"


NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2", 2.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("Sun, 22 Nov 2026 12:00:30 GMT", 30.0),
        ("Sun, 22 Nov 2026 11:00:00 GMT", 0.0),  # in the past: no wait
        ("Wed, 22 Nov 2034 12:00:00 GMT", (timedelta(days=2922)).total_seconds()),
    ],
)
def test_retry_after_seconds_and_dates(header, expected):
    assert parse_retry_after(header, now=NOW) == pytest.approx(expected)


@pytest.mark.parametrize(
    "header", [None, "", "soon", "-5", "nan", "inf", "-inf", "1e400", "Mon, 99 Foo"]
)
def test_unusable_retry_after_gives_none(header):
    """Garbage, negatives and non-finite values fall back to the backoff."""
    assert parse_retry_after(header, now=NOW) is None


def test_huge_finite_retry_after_is_returned_for_the_deadline_to_refuse():
    value = parse_retry_after("99999999", now=NOW)
    assert value is not None
    assert math.isfinite(value)


WARSAW = ZoneInfo("Europe/Warsaw")


@given(
    phone=st.from_regex(r"\+?[0-9]{3,15}", fullmatch=True),
    call_at=st.none() | st.datetimes(min_value=datetime(1000, 1, 1)),
)
def test_the_schedule_call_body_is_the_json_an_encoder_would_write(phone, call_at):
    """The encoder built from schedule_call's body writes compact JSON, call_at to the second."""
    payload = {"phone_number": phone}
    try:
        text = None if call_at is None else format_wall_clock(call_at, WARSAW)
    except InvalidInputError:  # in a daylight-saving gap: refused by both
        with pytest.raises(InvalidInputError):
            body_encoder(ScheduleCallBody, WARSAW)(
                ScheduleCallBody(phone_number=phone, call_at=call_at)
            )
        return
    if text is not None:
        payload["call_at"] = text
    body = body_encoder(ScheduleCallBody, WARSAW)(
        ScheduleCallBody(phone_number=phone, call_at=call_at)
    )
    assert body == json.dumps(payload, separators=(",", ":")).encode()


@pytest.mark.parametrize("call_at", ["2026-11-23 09:30:00", date(2026, 11, 23), 5])
def test_a_call_at_that_is_not_a_datetime_is_refused_naming_it(call_at):
    """A field declared a datetime takes nothing else, a date or its text included."""
    encode = body_encoder(ScheduleCallBody, WARSAW)
    with pytest.raises(InvalidInputError, match="call_at must be a datetime"):
        encode(ScheduleCallBody(phone_number="500333222", call_at=call_at))


def test_a_remembered_wall_clock_text_is_the_same_instant_or_wall_time():
    """Equal datetimes share one text; the two instants of an autumn hour do not."""
    encode = body_encoder(ScheduleCallBody, WARSAW)
    new_york = ZoneInfo("America/New_York")
    first = datetime(2026, 11, 1, 1, 30, tzinfo=new_york)  # EDT
    second = first.replace(fold=1)  # EST, an hour later, yet == first
    assert first == second
    bodies = [
        json.loads(encode(ScheduleCallBody(phone_number="1", call_at=when)))
        for when in (first, second, first, second)
    ]
    assert [body["call_at"] for body in bodies] == [
        "2026-11-01 06:30:00",
        "2026-11-01 07:30:00",
        "2026-11-01 06:30:00",
        "2026-11-01 07:30:00",
    ]
    naive = datetime(2026, 11, 1, 6, 30)
    aware = datetime(2026, 11, 1, 6, 30, tzinfo=WARSAW)
    assert encode(ScheduleCallBody(phone_number="1", call_at=naive)) == encode(
        ScheduleCallBody(phone_number="1", call_at=aware)
    )


def test_text_in_a_body_is_escaped_as_json_and_sent_as_utf8():
    encode = body_encoder(ScheduleCallBody, WARSAW)
    body = encode(ScheduleCallBody(phone_number='za\u017c"\\\n', call_at=None))
    assert json.loads(body) == {"phone_number": 'za\u017c"\\\n'}
    assert "\u017c".encode() in body
    with pytest.raises(InvalidInputError, match="cannot be sent as JSON"):
        encode(ScheduleCallBody(phone_number="\ud800", call_at=None))


@given(st.text(max_size=20))
def test_every_accepted_phone_number_is_safe_to_format_into_json(text):
    """Accepted numbers are plain digits: nothing a JSON string would escape."""
    try:
        number = phone_number(text)
    except InvalidInputError:
        return
    assert re.fullmatch(r"\+?[0-9]{3,15}", number, flags=re.ASCII)
