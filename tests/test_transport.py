"""Transport unit tests with aioresponses: status mapping, retries, waits, error mapping."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import types

import aiohttp
import pytest
from yarl import URL

from thulium_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    DeliveryUnknownError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    RetryPolicy,
    ServerError,
    ThuliumClient,
    ThuliumError,
    UnprocessableEntityError,
)
from thulium_async.testing import VirtualClock

from .conftest import BASE_URL, FAST_RETRY

PASSWORD = "s3cret-Pa55"
WAITING = URL(f"{BASE_URL}/queues/2/waiting_list")
SCHEDULE = URL(f"{BASE_URL}/queues/2/schedule_call")
ROW = {"phone_number": "500333222", "started_at": "2026-11-22 10:00:00"}


@pytest.fixture
async def api(clock):
    """A client whose waits take no time: they are recorded in ``clock.sleeps``."""
    async with ThuliumClient(
        BASE_URL, "api_user", PASSWORD, retry=FAST_RETRY, clock=clock
    ) as c:
        yield c


def calls(mock_http, method, url):
    return mock_http.requests.get((method, url), [])


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (418, APIStatusError),
        (422, UnprocessableEntityError),
    ],
)
async def test_client_errors_map_to_classes_and_are_not_retried(
    api, mock_http, status, cls
):
    mock_http.get(WAITING, status=status, payload={"error": "nope"})
    with pytest.raises(cls) as info:
        await api.queues.waiting_list(2)
    error = info.value
    assert type(error) is cls
    assert (error.status, error.body, error.method) == (
        status,
        {"error": "nope"},
        "GET",
    )
    assert error.url == str(WAITING)
    assert error.attempts == 1
    assert len(calls(mock_http, "GET", WAITING)) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_get_retries_5xx_until_attempts_run_out(api, mock_http, status):
    for _ in range(4):
        mock_http.get(WAITING, status=status, body="<html>Bad Gateway</html>")
    with pytest.raises(ServerError) as info:
        await api.queues.waiting_list(2)
    assert info.value.status == status
    assert info.value.body == "<html>Bad Gateway</html>"
    assert info.value.attempts == 4
    assert len(calls(mock_http, "GET", WAITING)) == 4


async def test_get_recovers_after_transient_failures(api, mock_http):
    mock_http.get(WAITING, status=503)
    mock_http.get(WAITING, exception=aiohttp.ServerDisconnectedError())
    mock_http.get(WAITING, payload=[ROW])
    callers = await api.queues.waiting_list(2)
    assert [c.phone_number for c in callers] == ["500333222"]
    assert api.stats.attempts == 3
    assert api.stats.retries == 2


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_post_ambiguous_status_is_delivery_unknown_and_sent_once(
    api, mock_http, status
):
    """A 500/502/504 after the body was sent may mean the call was scheduled."""
    mock_http.post(SCHEDULE, status=status)
    with pytest.raises(DeliveryUnknownError) as info:
        await api.queues.schedule_call(2, "500333222")
    assert info.value.status == status
    assert isinstance(info.value.__cause__, ServerError)
    assert len(calls(mock_http, "POST", SCHEDULE)) == 1


@pytest.mark.parametrize("status", [429, 503])
async def test_post_refused_unprocessed_is_retried(api, mock_http, status):
    mock_http.post(SCHEDULE, status=status, headers={"Retry-After": "0"})
    mock_http.post(SCHEDULE, status=200, body="")
    await api.queues.schedule_call(2, "500333222")
    assert len(calls(mock_http, "POST", SCHEDULE)) == 2


async def test_retry_after_is_waited_at_least(api, mock_http, clock):
    """A 429 with Retry-After: 2 waits at least two seconds before the next attempt."""
    waits = clock.sleeps
    mock_http.post(SCHEDULE, status=429, headers={"Retry-After": "2"})
    mock_http.post(SCHEDULE, status=200)
    await api.queues.schedule_call(2, "500333222")
    assert len(waits) == 1
    assert waits[0] >= 2.0


async def test_retry_after_past_the_deadline_fails_now(api, mock_http, clock):
    """No server can stall a caller with an absurd Retry-After."""
    waits = clock.sleeps
    mock_http.get(WAITING, status=429, headers={"Retry-After": "86400"})
    with pytest.raises(RateLimitError) as info:
        await api.queues.waiting_list(2)
    assert info.value.retry_after == 86400
    assert waits == []
    assert len(calls(mock_http, "GET", WAITING)) == 1


async def test_no_wait_starts_that_would_end_past_the_deadline(mock_http):
    policy = RetryPolicy(max_attempts=10, initial_delay=0, max_delay=0, deadline=1.0)
    clock = VirtualClock()
    waits = clock.sleeps
    async with ThuliumClient(BASE_URL, "u", "p", retry=policy, clock=clock) as api:
        for _ in range(3):
            mock_http.get(WAITING, status=503, headers={"Retry-After": "0.6"})
        with pytest.raises(ServerError) as info:
            await api.queues.waiting_list(2)
    assert waits == [0.6]  # a second 0.6 s wait would end at 1.2 s > 1.0 s
    assert info.value.attempts == 2


async def test_garbage_retry_after_falls_back_to_backoff(api, mock_http, clock):
    waits = clock.sleeps
    mock_http.get(WAITING, status=503, headers={"Retry-After": "soon-ish"})
    mock_http.get(WAITING, payload=[])
    assert await api.queues.waiting_list(2) == []
    assert waits[0] <= FAST_RETRY.max_delay


async def test_max_attempts_one_never_retries(mock_http):
    async with ThuliumClient(
        BASE_URL, "u", "p", retry=RetryPolicy(max_attempts=1)
    ) as api:
        mock_http.get(WAITING, status=503)
        with pytest.raises(ServerError):
            await api.queues.waiting_list(2)
        mock_http.post(SCHEDULE, status=500)
        with pytest.raises(DeliveryUnknownError):
            await api.queues.schedule_call(2, "500333222")
    assert len(calls(mock_http, "GET", WAITING)) == 1


async def test_retry_unsafe_opts_in_to_resending_posts(mock_http):
    policy = RetryPolicy(initial_delay=0, max_delay=0, retry_unsafe=True)
    async with ThuliumClient(BASE_URL, "u", "p", retry=policy) as api:
        mock_http.post(SCHEDULE, status=500)
        mock_http.post(SCHEDULE, status=200)
        await api.queues.schedule_call(2, "500333222")
        assert len(calls(mock_http, "POST", SCHEDULE)) == 2
        for _ in range(4):
            mock_http.post(SCHEDULE, status=502)
        with pytest.raises(DeliveryUnknownError) as info:
            await api.queues.schedule_call(2, "500333222")
    assert info.value.attempts == 4


async def test_post_after_an_ambiguous_attempt_stays_unknown_even_if_later_not_sent(
    mock_http,
):
    """Once an attempt may have been processed, failing later cannot make it 'failed'."""
    policy = RetryPolicy(initial_delay=0, max_delay=0, retry_unsafe=True)
    async with ThuliumClient(BASE_URL, "u", "p", retry=policy) as api:
        mock_http.post(SCHEDULE, status=504)
        for _ in range(3):
            mock_http.post(SCHEDULE, exception=_connector_error())
        with pytest.raises(DeliveryUnknownError):
            await api.queues.schedule_call(2, "500333222")


async def test_post_refused_then_ambiguous_is_unknown_after_two_sends(api, mock_http):
    mock_http.post(SCHEDULE, status=503, headers={"Retry-After": "0"})
    mock_http.post(SCHEDULE, status=500)
    with pytest.raises(DeliveryUnknownError) as info:
        await api.queues.schedule_call(2, "500333222")
    assert info.value.attempts == 2
    assert len(calls(mock_http, "POST", SCHEDULE)) == 2


def _connector_error(cls=aiohttp.ClientConnectorError):
    key = types.SimpleNamespace(host="acme.thulium.com", port=443, ssl=True)
    return cls(key, OSError(111, "Connection refused"))


@pytest.mark.parametrize(
    ("exception", "cls", "sent"),
    [
        (_connector_error(), APIConnectionError, False),
        (_connector_error(aiohttp.ClientConnectorDNSError), APIConnectionError, False),
        (aiohttp.ConnectionTimeoutError(), APITimeoutError, False),
        (aiohttp.SocketTimeoutError(), APITimeoutError, True),
        (asyncio.TimeoutError(), APITimeoutError, True),
        (aiohttp.ServerDisconnectedError(), APIConnectionError, True),
        (aiohttp.ClientOSError(104, "reset"), APIConnectionError, True),
        (aiohttp.ClientPayloadError("truncated"), APIConnectionError, True),
        (ConnectionResetError(104, "reset"), APIConnectionError, True),
    ],
)
async def test_aiohttp_failures_map_to_sdk_errors_and_retry_decisions(
    api, mock_http, exception, cls, sent
):
    """Every aiohttp failure becomes an SDK error; only 'not sent' POSTs are resent."""
    for _ in range(4):
        mock_http.get(WAITING, exception=exception)
    with pytest.raises(cls) as info:
        await api.queues.waiting_list(2)
    assert type(info.value) is cls
    assert info.value.request_sent is sent
    assert len(calls(mock_http, "GET", WAITING)) == 4  # GET: always retried

    for _ in range(4):
        mock_http.post(SCHEDULE, exception=exception)
    expected = cls if not sent else DeliveryUnknownError
    with pytest.raises(expected):
        await api.queues.schedule_call(2, "500333222")
    assert len(calls(mock_http, "POST", SCHEDULE)) == (4 if not sent else 1)


async def test_redirects_are_not_followed_and_explain_base_url(api, mock_http):
    mock_http.get(
        WAITING, status=301, headers={"Location": "https://login.example.org/"}
    )
    with pytest.raises(APIStatusError, match="base_url") as info:
        await api.queues.waiting_list(2)
    assert info.value.status == 301
    assert len(calls(mock_http, "GET", WAITING)) == 1
    (call,) = calls(mock_http, "GET", WAITING)
    assert call.kwargs["allow_redirects"] is False


async def test_requests_carry_auth_json_headers_and_user_agent(api, mock_http):
    mock_http.post(SCHEDULE, status=200)
    await api.queues.schedule_call(2, "+48 500-333-222")
    (call,) = calls(mock_http, "POST", SCHEDULE)
    headers = call.kwargs["headers"]
    token = base64.b64encode(f"api_user:{PASSWORD}".encode()).decode()
    assert headers["Authorization"] == f"Basic {token}"
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"].startswith("application/json")
    assert headers["User-Agent"].startswith("thulium-async/")
    assert "aiohttp/" in headers["User-Agent"]
    assert json.loads(call.kwargs["data"]) == {"phone_number": "+48500333222"}


async def test_oversized_waiting_list_is_an_error_not_an_out_of_memory(mock_http):
    async with ThuliumClient(BASE_URL, "u", "p", max_response_size=1000) as api:
        mock_http.get(WAITING, payload=[ROW] * 100)
        with pytest.raises(ResponseDecodeError, match="size cap"):
            await api.queues.waiting_list(2)
        mock_http.post(SCHEDULE, status=200, body="x" * 5000)
        await api.queues.schedule_call(2, "500333222")  # scheduled: body irrelevant


async def test_schedule_calls_empty_200_is_success(api, mock_http):
    mock_http.post(SCHEDULE, status=200, body="", content_type="text/html")
    assert await api.queues.schedule_call(2, "500333222") is None


async def test_retries_log_a_warning_without_secrets_or_numbers(api, mock_http, caplog):
    caplog.set_level(logging.DEBUG, logger="thulium_async")
    mock_http.post(
        SCHEDULE,
        status=503,
        body="busy, try 500333222 later",
        headers={"Retry-After": "0"},
    )
    mock_http.post(SCHEDULE, status=200)
    await api.queues.schedule_call(2, "500333222")
    (record,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = record.getMessage()
    assert "POST queues/2/schedule_call" in message
    assert "attempt 1 of 4" in message
    assert "status 503" in message
    for secret in (PASSWORD, "500333222"):
        assert secret not in caplog.text


async def test_concurrent_failing_calls_each_count_their_own_attempts(mock_http):
    policy = RetryPolicy(
        max_attempts=3, initial_delay=0, max_delay=0, retry_budget=None
    )
    async with ThuliumClient(BASE_URL, "u", "p", retry=policy) as api:
        for i in range(1, 51):
            url = URL(f"{BASE_URL}/queues/{i}/waiting_list")
            for _ in range(3):
                mock_http.get(url, status=502)
        results = await asyncio.gather(
            *(api.queues.waiting_list(i) for i in range(1, 51)),
            return_exceptions=True,
        )
    assert all(isinstance(r, ServerError) and r.attempts == 3 for r in results)


async def test_every_error_is_a_thulium_error(api, mock_http):
    mock_http.get(WAITING, body="<html>oops</html>", content_type="text/html")
    with pytest.raises(ThuliumError):
        await api.queues.waiting_list(2)


async def test_spent_retry_budget_fails_fast_until_successes_refill_it(mock_http):
    """An outage cannot become a retry storm: with the budget spent, no retries."""
    policy = RetryPolicy(max_attempts=4, initial_delay=0, max_delay=0, retry_budget=20)
    async with ThuliumClient(BASE_URL, "u", "p", retry=policy) as api:
        for _ in range(3):
            mock_http.get(WAITING, status=502)
        with pytest.raises(ServerError) as info:
            await api.queues.waiting_list(2)
        assert info.value.attempts == 3  # 10 + 10 tokens, then the budget is spent
        mock_http.get(WAITING, status=502)
        with pytest.raises(ServerError) as info:
            await api.queues.waiting_list(2)
        assert info.value.attempts == 1
        assert api.stats.retries_refused == 2
        for _ in range(10):
            mock_http.get(WAITING, payload=[])
            await api.queues.waiting_list(2)
        mock_http.get(WAITING, status=502)
        mock_http.get(WAITING, payload=[])
        assert await api.queues.waiting_list(2) == []  # refilled: retried again


async def test_a_429_pauses_the_whole_client_for_retry_after(mock_http):
    """One 429 with Retry-After holds back every request of the client, not just one."""
    no_retry = RetryPolicy(max_attempts=1)
    clock = VirtualClock(100.0)
    slept = clock.sleeps
    async with ThuliumClient(BASE_URL, "u", "p", retry=no_retry, clock=clock) as api:
        mock_http.get(WAITING, status=429, headers={"Retry-After": "5"})
        with pytest.raises(RateLimitError):
            await api.queues.waiting_list(2)
        assert api.stats.throttled == 1
        # Another request, one second later, waits out the rest of the pause:
        clock.advance(1.0)
        mock_http.post(SCHEDULE, status=200)
        await api.queues.schedule_call(2, "500333222")
        assert slept == [pytest.approx(4.0)]
