"""Loopback fault tests: a real server on 127.0.0.1 counts what it received.

This is the only level that sees aiohttp's real connector, so the "never call a customer
twice" guarantees are proven here.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from thulium_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    DeliveryUnknownError,
    ResponseDecodeError,
    RetryPolicy,
    ServerError,
    ThuliumClient,
)
from thulium_async.testing import FakeThulium, Fault, VirtualClock

from .conftest import FAST_RETRY
from .sessions import record_sessions

NUMBER = "500333222"


def bound(fake: FakeThulium, **kwargs) -> ThuliumClient:
    kwargs.setdefault("retry", FAST_RETRY)
    return ThuliumClient(fake.base_url, fake.username, fake.password, **kwargs)


@pytest.mark.parametrize(
    "fault",
    [
        Fault.processed_then_drop(),
        Fault.processed_then_status(500),
        Fault.processed_then_status(502),
        Fault.processed_then_status(504),
        Fault.processed_then_stall(30.0),
    ],
    ids=["drop", "500", "502", "504", "stall-past-timeout"],
)
async def test_ambiguous_schedule_call_is_sent_exactly_once(fake, fault):
    """After the server processed it and the answer was lost, the POST is not resent."""
    async with bound(fake, timeout=0.5) as client:
        fake.fail_next("schedule_call", fault)
        with pytest.raises(DeliveryUnknownError) as info:
            await client.queues.schedule_call(2, NUMBER)
    assert len(fake.requests_to("schedule_call")) == 1
    assert len(fake.calls_to(NUMBER)) == 1
    assert info.value.attempts == 1


async def test_keepalive_drop_on_a_reused_connection_is_not_resent_by_aiohttp(fake):
    """aiohttp retries a reused connection's disconnect for GET only; pin that for POST."""
    async with bound(fake) as client:
        await client.queues.waiting_list(2)  # leaves a pooled keep-alive connection
        fake.fail_next("schedule_call", Fault.processed_then_drop())
        with pytest.raises(DeliveryUnknownError):
            await client.queues.schedule_call(2, NUMBER)
    ports = {r.peer_port for r in fake.requests}
    assert len(ports) == 1  # the POST really went over the reused connection
    assert len(fake.requests_to("schedule_call")) == 1


@pytest.mark.parametrize(
    "fault",
    [
        Fault.status_response(429, headers={"Retry-After": "0"}),
        Fault.status_response(503),
        Fault.status_response(503, headers={"Retry-After": "0"}),
    ],
    ids=["429", "503", "503-retry-after"],
)
async def test_refused_schedule_call_is_retried_and_scheduled_once(fake, fault):
    async with bound(fake) as client:
        fake.fail_next("schedule_call", fault, fault)
        await client.queues.schedule_call(2, NUMBER)
    assert len(fake.requests_to("schedule_call")) == 3
    assert len(fake.calls_to(NUMBER)) == 1


async def test_retry_after_from_the_server_is_honoured(fake, clock):
    waits = clock.sleeps
    async with bound(fake, clock=clock) as client:
        fake.fail_next(
            "schedule_call", Fault.status_response(429, headers={"Retry-After": "3"})
        )
        await client.queues.schedule_call(2, NUMBER)
    assert len(waits) == 1
    assert waits[0] >= 3.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_refused_connection_is_retried_for_schedule_call():
    """Nothing was sent when the connection was refused, so resending is safe."""
    port = _free_port()
    fake = FakeThulium(port=port)

    class StartServerInsteadOfSleeping(VirtualClock):
        async def sleep(self, seconds: float) -> None:
            if fake.port == port and not fake.requests:
                await fake.start()

    async with ThuliumClient(
        fake.base_url,
        fake.username,
        fake.password,
        retry=FAST_RETRY,
        clock=StartServerInsteadOfSleeping(),
    ) as client:
        try:
            await client.queues.schedule_call(2, NUMBER)
        finally:
            await fake.stop()
    assert client.stats.attempts == 2
    assert len(fake.calls_to(NUMBER)) == 1


async def test_refused_connection_everywhere_is_a_clear_connection_error():
    port = _free_port()
    async with ThuliumClient(
        f"http://127.0.0.1:{port}/api", "u", "p", retry=FAST_RETRY
    ) as client:
        with pytest.raises(APIConnectionError, match="nothing was sent") as info:
            await client.queues.schedule_call(2, NUMBER)
    assert info.value.request_sent is False
    assert info.value.attempts == 4


@pytest.mark.parametrize(
    "fault",
    [
        Fault.drop_before_processing(),
        Fault.processed_then_drop(),
        Fault.status_response(500),
        Fault.html_error_page(502),
        Fault.status_response(503),
        Fault.status_response(504),
        Fault.processed_then_stall(30.0),
    ],
    ids=["drop", "processed-drop", "500", "502-html", "503", "504", "stall"],
)
async def test_waiting_list_recovers_from_each_transient_failure(fake, fault):
    fake.add_caller(2, NUMBER)
    async with bound(fake, timeout=0.5) as client:
        fake.fail_next("waiting_list", fault, fault)
        callers = await client.queues.waiting_list(2)
    assert [c.phone_number for c in callers] == [NUMBER]
    assert len(fake.requests_to("waiting_list")) >= 3


async def test_concurrent_calls_never_exceed_max_connections(fake):
    """300 concurrent calls with max_connections=10: at most 10 sockets, 10 in flight."""
    fake.set_fault_rate(1.0, faults=[Fault.delay_then_process(0.01)])
    async with bound(fake, max_connections=10) as client:
        results = await asyncio.gather(
            *(client.queues.waiting_list(2) for _ in range(150)),
            *(client.queues.schedule_call(2, f"500{i:06d}") for i in range(150)),
        )
    assert len(results) == 300
    assert fake.peak_in_flight <= 10
    assert len({r.peer_port for r in fake.requests}) <= 10
    assert len(fake.scheduled) == 150


@contextlib.asynccontextmanager
async def serve(app: web.Application, **runner_options) -> AsyncIterator[str]:
    runner = web.AppRunner(app, shutdown_timeout=0.1, **runner_options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/api"
    finally:
        await runner.cleanup()


async def test_server_closing_idle_keepalive_does_not_duplicate_a_post(monkeypatch):
    """The server drops idle connections; the next POST goes out once, on a new one."""
    posts: list[web.Request] = []
    seen: list[asyncio.BaseTransport] = []

    async def waiting(request: web.Request) -> web.Response:
        assert request.transport is not None
        seen.append(request.transport)
        return web.json_response([])

    async def schedule(request: web.Request) -> web.Response:
        posts.append(request)
        return web.Response(body=b"")

    app = web.Application()
    app.router.add_get("/api/queues/2/waiting_list", waiting)
    app.router.add_post("/api/queues/2/schedule_call", schedule)
    sessions = record_sessions(monkeypatch)
    async with (
        serve(app, keepalive_timeout=0.05) as url,
        ThuliumClient(url, "u", "p", retry=FAST_RETRY) as client,
    ):
        await client.queues.waiting_list(2)
        (session,) = sessions
        connector = session.connector
        assert connector is not None

        def client_saw_the_close() -> bool:
            pooled = [
                proto for conns in connector._conns.values() for proto, _ in conns
            ]
            return seen[0].is_closing() and not any(p.is_connected() for p in pooled)

        for _ in range(300):  # wait for a condition (both ends closed), not for luck
            if client_saw_the_close():
                break
            await asyncio.sleep(0.01)
        assert client_saw_the_close()
        await client.queues.schedule_call(2, NUMBER)
    assert len(posts) == 1
    assert len(seen) == 1


async def test_headers_then_a_stalled_body_hits_the_attempt_timeout():
    async def stall(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "100"})
        await response.prepare(request)
        await response.write(b'[{"phone')
        await asyncio.sleep(30)
        return response

    app = web.Application()
    app.router.add_get("/api/queues/2/waiting_list", stall)
    policy = RetryPolicy(max_attempts=2, initial_delay=0, max_delay=0)
    async with (
        serve(app) as url,
        ThuliumClient(url, "u", "p", retry=policy, timeout=0.3) as client,
    ):
        with pytest.raises(APITimeoutError) as info:
            await client.queues.waiting_list(2)
    assert info.value.request_sent is True
    assert info.value.attempts == 2


async def test_an_endless_body_is_cut_off_by_the_size_cap():
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        chunk = b"[" + b" " * 65535
        with contextlib.suppress(ConnectionError):
            for _ in range(10_000):  # bounded: at most ~650 MB, far past the cap
                await response.write(chunk)
        return response

    app = web.Application()
    app.router.add_get("/api/queues/2/waiting_list", endless)
    async with (
        serve(app) as url,
        ThuliumClient(url, "u", "p", max_response_size=1_000_000) as client,
    ):
        with pytest.raises(ResponseDecodeError, match="size cap"):
            await client.queues.waiting_list(2)


async def test_html_502_page_ends_as_server_error_with_the_page(fake):
    async with bound(fake, retry=RetryPolicy(max_attempts=2, initial_delay=0)) as c:
        fake.fail_next("waiting_list", Fault.html_error_page(), Fault.html_error_page())
        with pytest.raises(ServerError) as info:
            await c.queues.waiting_list(2)
    assert info.value.status == 502
    assert "Bad Gateway" in info.value.body


async def test_cancelled_call_releases_its_connection(fake):
    """Cancelling mid-request leaves no connection behind; the next call works."""
    fake.fail_next("waiting_list", Fault.delay_then_process(30))
    async with bound(fake, max_connections=1) as client:
        task = asyncio.create_task(client.queues.waiting_list(2))
        for _ in range(200):
            if fake.in_flight:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert client.stats.in_flight == 0
        assert await client.queues.waiting_list(2) == []


async def test_a_redirect_to_another_host_never_reaches_it():
    """The API answers 302 to a second server: nothing, credentials least of all,
    arrives there, and the caller is told to check base_url."""
    reached: list[web.Request] = []

    async def elsewhere(request: web.Request) -> web.Response:
        reached.append(request)
        return web.json_response([])

    other = web.Application()
    other.router.add_route("*", "/{tail:.*}", elsewhere)
    async with serve(other) as other_url:

        async def redirect(request: web.Request) -> web.Response:
            raise web.HTTPFound(f"{other_url}/queues/2/waiting_list")

        api = web.Application()
        api.router.add_route("*", "/api/queues/2/{tail:.*}", redirect)
        async with (
            serve(api) as url,
            ThuliumClient(url, "u", "s3cret", retry=FAST_RETRY) as client,
        ):
            with pytest.raises(APIStatusError, match="base_url") as info:
                await client.queues.waiting_list(2)
            with pytest.raises(APIStatusError):
                await client.queues.schedule_call(2, NUMBER)
    assert info.value.status == 302
    assert reached == []


async def test_a_gzip_bomb_is_cut_off_by_the_size_cap():
    """A small compressed body that inflates past the cap is refused, not inflated."""
    import gzip

    bomb = gzip.compress(b"[" + b" " * 50_000_000 + b"]")  # about 50 KB on the wire

    async def inflating(request: web.Request) -> web.Response:
        return web.Response(
            body=bomb,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    app = web.Application()
    app.router.add_get("/api/queues/2/waiting_list", inflating)
    async with (
        serve(app) as url,
        ThuliumClient(url, "u", "p", max_response_size=1_000_000) as client,
    ):
        with pytest.raises(ResponseDecodeError, match="size cap"):
            await client.queues.waiting_list(2)
    assert len(bomb) < 1_000_000  # it really was small before inflating


async def test_invalid_utf8_in_a_2xx_body_is_a_decode_error():
    async def garbled(request: web.Request) -> web.Response:
        return web.Response(body=b'[{"phone_number": "\xff\xfe"}]')

    app = web.Application()
    app.router.add_get("/api/queues/2/waiting_list", garbled)
    async with serve(app) as url, ThuliumClient(url, "u", "p") as client:
        with pytest.raises(ResponseDecodeError, match="not JSON"):
            await client.queues.waiting_list(2)
