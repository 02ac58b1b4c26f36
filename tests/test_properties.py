"""Property-based tests: whatever comes in, only well-formed requests or SDK errors go out."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, CIMultiDictProxy

from thulium_async import (
    InvalidInputError,
    ResponseDecodeError,
    RetryPolicy,
    ThuliumClient,
    ThuliumError,
    WaitingCaller,
)
from thulium_async._api.converter import decode_json, structure
from thulium_async._core.errors import snippet
from thulium_async._core.validation import phone_number, queue_id
from thulium_async._core.wallclock import format_wall_clock, parse_wall_clock
from thulium_async._http.wire import parse_retry_after
from thulium_async.testing import VirtualClock

WARSAW = ZoneInfo("Europe/Warsaw")
WALL_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
anything = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.binary()
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(anything)
def test_queue_ids_are_accepted_only_as_positive_ints(value: Any) -> None:
    try:
        result = queue_id(value)
    except InvalidInputError:
        return
    assert type(result) is int
    assert result > 0


@given(st.one_of(st.text(), st.from_regex(r"\+?[0-9 \-]{3,20}", fullmatch=True)))
def test_phone_numbers_are_normalised_or_refused(value: str) -> None:
    try:
        result = phone_number(value)
    except InvalidInputError:
        return
    assert re.fullmatch(r"\+?[0-9]{3,15}", result)


@given(st.datetimes(timezones=st.none() | st.timezones()))
def test_call_at_becomes_a_wall_clock_string_or_a_clear_refusal(
    value: datetime,
) -> None:
    try:
        text = format_wall_clock(value, WARSAW)
    except InvalidInputError:
        return
    assert WALL_CLOCK.fullmatch(text), text
    if value.tzinfo is None:
        assert text == value.replace(microsecond=0).isoformat(sep=" ")
    else:
        # Read back in the zone, it is the same instant, to the second.
        back = parse_wall_clock(text, WARSAW)
        delta = abs(back - value.replace(microsecond=0))
        assert delta in (timedelta(0), timedelta(hours=1))  # hour: a DST fold


@given(st.text() | st.none())
def test_retry_after_never_raises_and_is_finite_or_none(header: str | None) -> None:
    value = parse_retry_after(header)
    assert value is None or (math.isfinite(value) and value >= 0)


@given(st.binary(max_size=200))
def test_any_bytes_decode_or_raise_decode_error(raw: bytes) -> None:
    with contextlib.suppress(ResponseDecodeError):
        decode_json(raw, method="GET", url="u")


def _row() -> st.SearchStrategy[Any]:
    valid = st.fixed_dictionaries(
        {
            "phone_number": st.text(min_size=1, max_size=12),
            "started_at": st.datetimes(
                min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)
            ).map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
        },
        optional={
            "customer_id": st.none() | st.integers(),
            "customer_label": st.none() | st.text(max_size=12),
        },
    )
    broken = st.dictionaries(
        st.sampled_from(
            ["phone_number", "started_at", "customer_id", "customer_label", "x"]
        ),
        json_values,
    )
    return valid | broken | json_values


@given(st.lists(_row(), max_size=6) | json_values)
def test_any_json_structures_into_models_or_raises_decode_error(data: Any) -> None:
    raw = json.dumps(data).encode()
    try:
        callers = structure(
            data, list[WaitingCaller], WARSAW, method="GET", url="u", raw=raw
        )
    except ResponseDecodeError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert repr(snippet(raw)) in message  # the message shows the body's start
        return
    assert isinstance(data, list)
    for caller in callers:
        assert isinstance(caller.phone_number, str)
        assert caller.started_at.tzinfo is WARSAW


class _Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = CIMultiDictProxy(CIMultiDict(headers))
        self.content_length = len(body)
        self._body = body

    async def read(self) -> bytes:
        return self._body

    async def __aenter__(self) -> _Answer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass


class _ScriptedSession:
    """Stands in for aiohttp: answers each request with the next scripted answer."""

    closed = False

    def __init__(self, answers: list[_Answer]) -> None:
        self.answers = answers
        self.sent = 0

    def request(self, method: str, url: object, **kwargs: object) -> _Answer:
        self.sent += 1
        return self.answers[min(self.sent - 1, len(self.answers) - 1)]

    async def close(self) -> None:
        pass


retry_after_values = st.one_of(
    st.none(),
    st.sampled_from(["", "soon", "-5", "nan", "inf", "1e308", "99999999", "0.001"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-10, 10**9).map(str),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9000, 1, 1)).map(
        lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT")
    ),
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(100, 599), retry_after_values, st.binary(max_size=50)),
        min_size=1,
        max_size=5,
    ),
    st.booleans(),
)
def test_any_status_and_retry_after_never_crash_or_oversleep(
    script: list[tuple[int, str | None, bytes]], post: bool
) -> None:
    """Whatever the server answers, the caller gets a result or a ThuliumError, and
    the retry waits never add up past the policy's deadline."""
    policy = RetryPolicy(
        max_attempts=5, initial_delay=0.5, max_delay=4.0, deadline=10.0
    )
    answers = [
        _Answer(status, {"Retry-After": ra} if ra is not None else {}, body)
        for status, ra, body in script
    ]
    session = _ScriptedSession(answers)
    clock = VirtualClock()
    slept = clock.sleeps

    async def scenario() -> None:
        async with ThuliumClient(
            "https://acme.thulium.com/api", "u", "p", retry=policy, clock=clock
        ) as client:
            # Private on purpose: the scripted session stands in for aiohttp below
            # the transport, so each example costs no socket (session= takes only a
            # real aiohttp.ClientSession).
            client._sessions._session = session  # type: ignore[assignment]
            client._sessions._loop = asyncio.get_running_loop()
            try:
                if post:
                    await client.queues.schedule_call(2, "500333222")
                else:
                    await client.queues.waiting_list(2)
            except ThuliumError:
                pass

    asyncio.run(scenario())
    retry_waits = slept[: max(0, session.sent - 1)]
    assert sum(retry_waits) <= policy.deadline + 1e-9
    assert session.sent <= policy.max_attempts


@given(st.datetimes(timezones=st.just(timezone.utc)))
def test_aware_call_at_near_the_ends_of_time_is_refused_not_crashed(
    value: datetime,
) -> None:
    with contextlib.suppress(InvalidInputError):
        format_wall_clock(value, ZoneInfo("Pacific/Kiritimati"))
