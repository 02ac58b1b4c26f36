"""URL normalising, Retry-After parsing and the Authorization header."""

from __future__ import annotations

import base64
import json
import math
import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thulium_async import InvalidInputError
from thulium_async._areas.queues import schedule_call_body
from thulium_async._core.validation import phone_number
from thulium_async._http.wire import (
    basic_auth_header,
    join_url,
    normalize_base_url,
    parse_retry_after,
)


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


@given(
    phone=st.from_regex(r"\+?[0-9]{3,15}", fullmatch=True),
    call_at=st.none()
    | st.datetimes(min_value=datetime(1000, 1, 1)).map(
        lambda d: d.strftime("%Y-%m-%d %H:%M:%S")
    ),
)
def test_the_schedule_call_body_is_the_json_an_encoder_would_write(phone, call_at):
    payload = {"phone_number": phone}
    if call_at is not None:
        payload["call_at"] = call_at
    body = schedule_call_body(phone, call_at)
    assert json.loads(body) == payload
    assert body == json.dumps(payload, separators=(",", ":")).encode()


@given(st.text(max_size=20))
def test_every_accepted_phone_number_is_safe_to_format_into_json(text):
    """What schedule_call_body relies on: nothing JSON would escape gets through."""
    try:
        number = phone_number(text)
    except InvalidInputError:
        return
    assert re.fullmatch(r"\+?[0-9]{3,15}", number, flags=re.ASCII)
