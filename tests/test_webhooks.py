"""Receiving Thulium's webhook deliveries through a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web

from thulium_async import ThuliumError
from thulium_async.webhooks import (
    ChatEvent,
    CustomerCreated,
    TicketEvent,
    UnknownEvent,
    WebhookPayloadError,
    aiohttp_handler,
    check_basic_auth,
    parse_event,
)

WARSAW = ZoneInfo("Europe/Warsaw")


def auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_documented_actions_are_typed():
    chat = parse_event(
        json.dumps(
            {
                "action": "CHAT_AGENT_ASSIGNED",
                "conversation_id": "6ed7c941",
                "agent_login": "jkowalski",
                "date": "2026-11-23 09:30:00",
                "chat_queue_id": 3,
            }
        )
    )
    assert isinstance(chat, ChatEvent)
    assert chat.date == datetime(2026, 11, 23, 9, 30, tzinfo=WARSAW)
    assert chat.chat_queue_id == 3
    customer = parse_event(b'{"action": "CUSTOMER_CREATED", "customer_id": "13"}')
    assert isinstance(customer, CustomerCreated)
    assert customer.customer_id == 13
    ticket = parse_event(b'{"action": "TICKET_MESSAGE_RECEIVED", "ticket_id": 5}')
    assert isinstance(ticket, TicketEvent)
    assert ticket.ticket_id == 5


def test_an_unknown_action_is_carried_never_an_error():
    event = parse_event(b'{"action": "CALL_RECORDED", "connection_id": "1.2"}')
    assert isinstance(event, UnknownEvent)
    assert event.action == "CALL_RECORDED"
    assert event.data["connection_id"] == "1.2"


@pytest.mark.parametrize(
    "body", [b"", b"not json", b"[1]", b'{"no": "action"}', b'{"action": 5}', b"\xff"]
)
def test_a_malformed_body_is_a_clear_sdk_error(body):
    with pytest.raises(WebhookPayloadError) as caught:
        parse_event(body)
    assert isinstance(caught.value, ThuliumError)


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (auth("thulium", "s3cret"), True),
        (auth("thulium", "s3cre"), False),
        (auth("other", "s3cret"), False),
        ("Basic !!!", False),
        ("Bearer x", False),
        (None, False),
    ],
)
def test_basic_auth(header, ok):
    assert check_basic_auth(header, "thulium", "s3cret") is ok


async def test_the_receiver_end_to_end():
    received: list[object] = []
    release = asyncio.Event()

    async def slow_handler(event):
        await release.wait()  # slow: the delivery must be answered anyway
        received.append(event)

    async def failing_handler(event):
        raise RuntimeError("the app's own bug")

    app = web.Application()
    app.router.add_post(
        "/events", aiohttp_handler(slow_handler, username="thulium", password="s3cret")
    )
    app.router.add_post("/failing", aiohttp_handler(failing_handler, max_body=64))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            good = {"Authorization": auth("thulium", "s3cret")}
            body = b'{"action": "CUSTOMER_CREATED", "customer_id": 7}'
            async with http.post(f"{base}/events", data=body, headers=good) as answer:
                assert answer.status == 200  # before the handler has finished
            assert received == []
            bad = {"Authorization": auth("thulium", "wrong")}
            async with http.post(f"{base}/events", data=body, headers=bad) as answer:
                assert answer.status == 401
            async with http.post(
                f"{base}/events", data=b"oops", headers=good
            ) as answer:
                assert answer.status == 400
            async with http.post(f"{base}/failing", data=body) as answer:
                assert answer.status == 200  # the handler's failure is logged, not sent
            async with http.post(f"{base}/failing", data=b"x" * 100) as answer:
                assert answer.status == 413
            release.set()
            for _ in range(100):  # wait for the condition: the handler has run
                if received:
                    break
                await asyncio.sleep(0.01)
            (event,) = received
            assert isinstance(event, CustomerCreated)
            assert event.customer_id == 7
    finally:
        await runner.cleanup()
