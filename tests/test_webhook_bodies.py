"""Webhook bodies as the network delivers them: split, large, chunked, hostile, stalled.

Real receivers on 127.0.0.1 (aiohttp, and FastAPI under uvicorn), written to over raw
TCP where the test needs to decide how the bytes arrive. No assertion depends on how
fast the machine is: a test waits for an event or for the server's answer, never for
a deadline to pass.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web

from thulium_async._http.wire import basic_auth_header
from thulium_async.webhooks import (
    ChatEvent,
    CustomerCreated,
    WebhookPayloadError,
    aiohttp_handler,
    fastapi_router,
    parse_event,
)

from .conftest import until
from .test_webhook_loop import (
    PASSWORD,
    USER,
    Inbox,
    _aiohttp_app,
    _fastapi_app,
)

AUTH = basic_auth_header(USER, PASSWORD)
SAFETY = 30  # seconds: only so that a broken receiver fails the test, never hangs it


def _head(path: str, port: int, *, length: int | None = None) -> bytes:
    framing = (
        f"Content-Length: {length}"
        if length is not None
        else "Transfer-Encoding: chunked"
    )
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: {AUTH}\r\nContent-Type: application/json\r\n"
        f"{framing}\r\nConnection: close\r\n\r\n"
    ).encode()


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


async def _serve(framework: str, inbox: Inbox, **options) -> tuple[str, object]:
    build = _aiohttp_app if framework == "aiohttp" else _fastapi_app
    return await build(inbox, **options)


@pytest.fixture(params=["aiohttp", "fastapi"])
def framework(request) -> str:
    return str(request.param)


class Announcing:
    """An aiohttp receiver that says when a request reaches it, body not yet read."""

    def __init__(self, **options) -> None:
        self.inbox = Inbox()
        self.arrived = asyncio.Event()
        self.options = options
        self.port = 0

    async def __aenter__(self) -> Announcing:
        @web.middleware
        async def announce(request, handler):
            self.arrived.set()  # the receiver is about to read what is there
            return await handler(request)

        app = web.Application(middlewares=[announce])
        handler = aiohttp_handler(
            self.inbox.handle, username=USER, password=PASSWORD, **self.options
        )
        app.router.add_post("/events", handler)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.port = self.runner.addresses[0][1]
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.runner.cleanup()

    async def send_in_two(self, head: bytes, first: bytes, rest: bytes) -> bytes:
        """Send *head* and *first*, then *rest* once the receiver has begun; answer."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(head + first)
        await writer.drain()
        await asyncio.wait_for(self.arrived.wait(), SAFETY)
        writer.write(rest)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), SAFETY)
        writer.close()
        await writer.wait_closed()
        return answer


async def test_a_delivery_split_across_two_writes_is_received():
    """A small event whose body arrives in two TCP writes is one delivery, not a 400."""
    body = json.dumps({"action": "CUSTOMER_CREATED", "customer_id": 7}).encode()
    async with Announcing() as server:
        head = _head("/events", server.port, length=len(body))
        answer = await server.send_in_two(head, body[:10], body[10:])
        assert _status(answer) == 200, answer
        await until(lambda: len(server.inbox.events) == 1)
        (event,) = server.inbox.events
        assert isinstance(event, CustomerCreated)
        assert event.customer_id == 7


async def test_a_chunked_body_growing_past_the_cap_is_413():
    """A chunked body whose first part fits and whole does not is 413, not 400."""
    chunk = b"[" * 600
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    async with Announcing(max_body=1000) as server:
        head = _head("/events", server.port)
        answer = await server.send_in_two(head, framed, framed + b"0\r\n\r\n")
        assert _status(answer) == 413, answer
        assert server.inbox.events == []


async def test_a_large_delivery_is_received_whole(framework):
    """An event of 600 KB (many reads on any server) is received, not refused 400."""
    inbox = Inbox()
    url, stop = await _serve(framework, inbox)
    note = "x" * 600_000
    body = json.dumps({"action": "CUSTOMER_CREATED", "customer_id": 8, "note": note})
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, data=body.encode(), headers={"Authorization": AUTH}) as r,
        ):
            assert r.status == 200
        await until(lambda: len(inbox.events) == 1)
        (event,) = inbox.events
        assert isinstance(event, CustomerCreated)
        assert event.data["note"] == note
    finally:
        await stop()  # type: ignore[operator]


async def test_a_chunked_body_over_the_cap_is_413(framework):
    """A body without a length that grows past max_body is 413, never parsed (400)."""
    inbox = Inbox()
    url, stop = await _serve(framework, inbox, max_body=1000)
    parts = urlsplit(url)
    port = parts.port
    assert port is not None
    chunk = b"[" * 800
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_head(parts.path, port))
        for _ in range(2):
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), SAFETY)
        writer.close()
        await writer.wait_closed()
        assert _status(answer) == 413, answer
        assert inbox.events == []
    finally:
        await stop()  # type: ignore[operator]


def _deep(levels: int) -> bytes:
    return (
        b'{"action": "CUSTOMER_CREATED", "x": ' + b"[" * levels + b"]" * levels + b"}"
    )


def test_json_nested_too_deep_is_a_payload_error():
    """100,000 levels of nesting are a malformed body, not a RecursionError."""
    with pytest.raises(WebhookPayloadError, match="nested too deeply"):
        parse_event(_deep(100_000))


async def test_a_deeply_nested_body_is_400_not_500(framework):
    """Either receiver answers 400 to a hostile nesting, and the app sees nothing."""
    inbox = Inbox()
    url, stop = await _serve(framework, inbox)
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, data=_deep(100_000), headers={"Authorization": AUTH}) as r,
        ):
            assert r.status == 400
            assert "nested too deeply" in await r.text()
        assert inbox.events == []
    finally:
        await stop()  # type: ignore[operator]


async def test_a_half_sent_body_is_answered_408_and_closed(framework):
    """A body that stops arriving is cut off after body_timeout: 408, connection closed.

    The timeout is made small through the parameter; the test waits for the server's
    answer and the end of the connection, not for any length of time.
    """
    inbox = Inbox()
    url, stop = await _serve(framework, inbox, body_timeout=0.2)
    parts = urlsplit(url)
    port = parts.port
    assert port is not None
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = _head(parts.path, port, length=100).replace(
            b"Connection: close\r\n", b""
        )
        writer.write(head + b'{"action": ')  # and then nothing more
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), SAFETY)  # b"" once closed
        assert _status(answer) == 408, answer
        assert reader.at_eof()
        writer.close()
        await writer.wait_closed()
        assert inbox.events == []
    finally:
        await stop()  # type: ignore[operator]


@pytest.mark.parametrize("build", [aiohttp_handler, fastapi_router])
@pytest.mark.parametrize("timeout", [0, -1.0, float("nan")])
def test_body_timeout_must_be_positive(build, timeout):
    async def handle(event):
        return None

    with pytest.raises(ValueError, match="body_timeout"):
        build(handle, body_timeout=timeout)


@pytest.mark.parametrize("conversation_id", [77, "77"])
def test_a_conversation_id_sent_as_a_number_is_kept(conversation_id):
    """``"conversation_id": 77`` is the id "77", not None."""
    event = parse_event(
        json.dumps(
            {"action": "CHAT_CONVERSATION_CREATED", "conversation_id": conversation_id}
        )
    )
    assert isinstance(event, ChatEvent)
    assert event.conversation_id == "77"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("agent_login", 1001, "1001"),  # a numeric login
        ("client_name", 12, "12"),
        ("chat_queue_id", "3", 3),
        ("chat_queue_id", 3, 3),
    ],
)
def test_every_chat_field_reads_a_number_or_text(field, value, expected):
    event = parse_event(json.dumps({"action": "CHAT_AGENT_ASSIGNED", field: value}))
    assert getattr(event, field) == expected
