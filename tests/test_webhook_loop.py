"""The webhook loop end to end: subscribe on FakeThulium, change its state, receive.

Real loopback servers on both sides: the fake POSTs each event its state changes
produce to the subscription's URL, where the SDK's own receivers (aiohttp and FastAPI)
check auth and hand typed events to the app. The fake's delivery records and the
app's received events are the truth.
"""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from thulium_async._http.wire import basic_auth_header
from thulium_async.webhooks import (
    CustomerCreated,
    Event,
    TicketEvent,
    UnknownEvent,
    aiohttp_handler,
    fastapi_router,
)

from .conftest import until

USER, PASSWORD = "thulium", "s3cret-hook"


class Inbox:
    """What the app received, and a switch that holds its handler while a test asks."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.release = asyncio.Event()
        self.release.set()
        self.on_done: Callable[[], None] | None = None  # told once an event is handled

    async def handle(self, event: Event) -> None:
        await self.release.wait()
        self.events.append(event)
        if self.on_done is not None:
            self.on_done()


async def _aiohttp_app(inbox: Inbox, **options) -> tuple[str, Callable[[], object]]:
    app = web.Application()
    handler = aiohttp_handler(inbox.handle, username=USER, password=PASSWORD, **options)
    app.router.add_post("/thulium/events", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return f"http://127.0.0.1:{port}/thulium/events", runner.cleanup


async def _fastapi_app(inbox: Inbox, **options) -> tuple[str, Callable[[], object]]:
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()
    app.include_router(
        fastapi_router(inbox.handle, username=USER, password=PASSWORD, **options)
    )
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve(sockets=[listener]))
    await until(lambda: server.started, timeout=30)

    async def stop() -> None:
        server.should_exit = True
        await task
        listener.close()

    return f"http://127.0.0.1:{port}/thulium/events", stop


@pytest_asyncio.fixture(params=["aiohttp", "fastapi"])
async def receiver(request) -> AsyncIterator[tuple[str, Inbox]]:
    inbox = Inbox()
    build = _aiohttp_app if request.param == "aiohttp" else _fastapi_app
    url, stop = await build(inbox)
    try:
        yield url, inbox
    finally:
        await stop()  # type: ignore[misc]


async def test_state_changes_on_the_fake_arrive_as_typed_events(fake, client, receiver):
    url, inbox = receiver
    hook = await client.webhooks.create(
        ["CUSTOMER_CREATED", "TICKET_CREATED", "TICKET_MESSAGE_RECEIVED"],
        url,
        http_auth_user=USER,
        http_auth_password=PASSWORD,
    )
    assert PASSWORD not in repr(hook)
    assert [w.subscription_url for w in await client.webhooks.list()] == [url]

    customer = await client.customers.create(surname="Nowak", name="Anna")
    ticket = await client.tickets.create(
        to="support@acme.example", subject="Invoice", body="Where is it?",
        customer_id=customer,
    )  # fmt: skip
    await client.tickets.reply(ticket, body="Attached.", user_login="jkowalski")
    await fake.settle_deliveries()
    await until(lambda: len(inbox.events) == 3)

    assert [d.status for d in fake.deliveries] == [200, 200, 200]
    by_action = {event.action: event for event in inbox.events}
    created = by_action["CUSTOMER_CREATED"]
    assert isinstance(created, CustomerCreated)
    assert created.customer_id == customer
    opened = by_action["TICKET_CREATED"]
    assert isinstance(opened, TicketEvent)
    assert (opened.ticket_id, opened.customer_id) == (ticket, customer)
    replied = by_action["TICKET_MESSAGE_RECEIVED"]
    assert isinstance(replied, TicketEvent)
    assert replied.ticket_id == ticket
    assert replied.message_id == fake.tickets[ticket]["messages"][-1]["message_id"]
    for event in (created, opened, replied):  # aware, in the system's zone
        assert event.date is not None
        assert event.date.tzinfo is not None
        assert abs((event.date - fake.now()).total_seconds()) < 120


async def test_only_the_subscribed_actions_are_delivered(fake, client, receiver):
    url, inbox = receiver
    await client.webhooks.create(
        ["TICKET_CREATED"], url, http_auth_user=USER, http_auth_password=PASSWORD
    )
    await client.customers.create(surname="Nowak")
    await fake.settle_deliveries()
    assert fake.deliveries == []
    assert inbox.events == []


async def test_a_wrong_password_is_refused_and_nothing_reaches_the_app(
    fake, client, receiver
):
    url, inbox = receiver
    await client.webhooks.create(
        ["CUSTOMER_CREATED"], url, http_auth_user=USER, http_auth_password="guess"
    )
    await client.webhooks.create(["CUSTOMER_CREATED"], url)  # no auth at all
    await client.customers.create(surname="Nowak")
    await fake.settle_deliveries()
    assert sorted(d.status for d in fake.deliveries) == [401, 401]
    assert inbox.events == []


async def test_an_unknown_action_reaches_the_app_as_an_unknown_event(
    fake, client, receiver
):
    url, inbox = receiver
    await client.webhooks.create(
        ["CALL_RECORDING_READY"], url, http_auth_user=USER, http_auth_password=PASSWORD
    )
    fake.send_event("CALL_RECORDING_READY", connection_id="1712.7", size=10)
    await fake.settle_deliveries()
    await until(lambda: len(inbox.events) == 1)
    (event,) = inbox.events
    assert isinstance(event, UnknownEvent)
    assert event.data["connection_id"] == "1712.7"


async def test_a_slow_handler_never_delays_the_answer(fake, client, receiver):
    url, inbox = receiver
    inbox.release.clear()  # the app's handler hangs until released
    await client.webhooks.create(
        ["CUSTOMER_CREATED"], url, http_auth_user=USER, http_auth_password=PASSWORD
    )
    await client.customers.create(surname="Nowak")
    await fake.settle_deliveries()
    assert [d.status for d in fake.deliveries] == [200]  # answered, still handling
    assert inbox.events == []
    inbox.release.set()
    await until(lambda: len(inbox.events) == 1)


async def test_malformed_and_oversized_bodies_are_refused(receiver):
    url, inbox = receiver
    good = {"Authorization": basic_auth_header(USER, PASSWORD)}
    async with aiohttp.ClientSession() as http:
        for body, status in (
            (b"not json", 400),
            (b'{"no": "action"}', 400),
            (b"[1, 2]", 400),
            (b"x" * (1024 * 1024 + 1), 413),
        ):
            data = io.BytesIO(body) if len(body) > 1024 else body
            async with http.post(url, data=data, headers=good) as answer:
                assert answer.status == status, body[:20]
        async with http.post(url, data=b'{"action": "X"}') as answer:
            assert answer.status == 401
    assert inbox.events == []


async def test_the_fake_never_delivers_beyond_loopback(fake, client):
    await client.webhooks.create(
        ["CUSTOMER_CREATED"], "https://hooks.example.com/thulium"
    )
    await client.customers.create(surname="Nowak")
    await fake.settle_deliveries()
    (delivery,) = fake.deliveries
    assert delivery.status is None
    assert "127.0.0.1 only" in (delivery.error or "")


async def test_an_unreachable_receiver_is_recorded_not_raised(fake, client):
    unused = socket.socket()
    unused.bind(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    unused.close()  # nothing listens there now
    await client.webhooks.create(
        ["CUSTOMER_CREATED"], f"http://127.0.0.1:{port}/events"
    )
    await client.customers.create(surname="Nowak")
    await fake.settle_deliveries()
    (delivery,) = fake.deliveries
    assert delivery.status is None
    assert delivery.error


@pytest.mark.parametrize(
    ("username", "password"), [("u", None), (None, "p")], ids=["no-password", "no-user"]
)
def test_a_receiver_needs_both_user_and_password(username, password):
    async def handle(event):
        return None

    with pytest.raises(ValueError, match="go together"):
        aiohttp_handler(handle, username=username, password=password)
    with pytest.raises(ValueError, match="go together"):
        fastapi_router(handle, username=username, password=password)


async def _deliver(url: str) -> int:
    body = b'{"action": "CUSTOMER_CREATED", "customer_id": 7}'
    headers = {"Authorization": basic_auth_header(USER, PASSWORD)}
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=body, headers=headers) as answer,
    ):
        return answer.status


@pytest.mark.parametrize("framework", ["aiohttp", "fastapi"])
async def test_shutdown_lets_running_handlers_finish(framework):
    inbox = Inbox()
    inbox.release.clear()  # the handler is still at work when shutdown begins
    if framework == "aiohttp":
        app = web.Application()
        app.router.add_post(
            "/thulium/events",
            aiohttp_handler(inbox.handle, username=USER, password=PASSWORD, app=app),
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/thulium/events"
        stop = runner.cleanup
    else:
        from fastapi import FastAPI

        from .serve_app import serve_app

        fastapi_app = FastAPI()
        fastapi_app.include_router(
            fastapi_router(inbox.handle, username=USER, password=PASSWORD)
        )
        serving = serve_app(fastapi_app)
        base = await serving.__aenter__()
        url = f"{base}/thulium/events"

        async def stop() -> None:
            await serving.__aexit__(None, None, None)

    assert await _deliver(url) == 200
    order: list[str] = []
    inbox.on_done = lambda: order.append("handled")
    # Released while the app shuts down: a shutdown that did not wait would be over
    # long before; one that waits ends only after the handler.
    asyncio.get_running_loop().call_later(0.2, inbox.release.set)
    await asyncio.wait_for(stop(), 10)
    order.append("stopped")
    assert order == ["handled", "stopped"]


async def test_a_handler_past_the_drain_timeout_is_cancelled_and_logged(caplog):
    import logging

    from fastapi import FastAPI

    caplog.set_level(logging.WARNING, logger="thulium_async")
    inbox = Inbox()
    inbox.release.clear()  # never released: the handler hangs
    app = FastAPI()
    app.include_router(
        fastapi_router(
            inbox.handle, username=USER, password=PASSWORD, drain_timeout=0.05
        )
    )
    import httpx

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as c:
            answer = await c.post(
                "/thulium/events",
                content=b'{"action": "CUSTOMER_CREATED"}',
                headers={"Authorization": basic_auth_header(USER, PASSWORD)},
            )
            assert answer.status_code == 200
    assert inbox.events == []
    assert "stopped 1 webhook handlers" in caplog.text
