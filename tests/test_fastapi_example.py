"""The FastAPI example app, against FakeThulium, with FastAPI's own ASGI tooling."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

fastapi = pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from examples.fastapi_app.app import Settings, create_app  # noqa: E402
from thulium_async.testing import FakeThulium, Fault  # noqa: E402

from .sessions import record_sessions  # noqa: E402


@contextlib.asynccontextmanager
async def running(fake: FakeThulium, **overrides: Any) -> AsyncIterator[Any]:
    settings = Settings(
        base_url=fake.base_url,
        username=fake.username,
        password=overrides.pop("password", fake.password),
        **overrides,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://app"
        ) as http:
            yield app, http


async def test_lifespan_opens_one_client_and_closes_it(fake):
    async with running(fake) as (app, http):
        client = app.state.thulium
        assert (await http.get("/queues/2/waiting")).status_code == 200
        assert not client.closed
    assert client.closed


async def test_waiting_list_endpoint(fake):
    fake.add_caller(2, "500333222", customer_id=7, customer_label="Jan")
    async with running(fake) as (_, http):
        response = await http.get("/queues/2/waiting")
    assert response.status_code == 200
    (caller,) = response.json()
    assert caller["phone_number"] == "500333222"
    assert caller["customer_label"] == "Jan"
    assert caller["waiting_seconds"] >= 0


async def test_200_concurrent_requests_share_one_session(fake, monkeypatch):
    fake.set_fault_rate(1.0, faults=[Fault.delay_then_process(0.01)])
    sessions = record_sessions(monkeypatch)
    async with running(fake) as (_, http):
        responses = await asyncio.gather(
            *(http.get("/queues/2/waiting") for _ in range(100)),
            *(
                http.post("/queues/2/callbacks", json={"phone_number": f"500{i:06d}"})
                for i in range(100)
            ),
        )
        assert len(sessions) == 1  # the client's, opened by the first request
    assert [r.status_code for r in responses] == [200] * 100 + [201] * 100
    assert len({r.peer_port for r in fake.requests}) <= 50  # max_connections
    assert len(fake.scheduled) == 100


async def test_callback_is_scheduled(fake):
    async with running(fake) as (_, http):
        response = await http.post(
            "/queues/2/callbacks",
            json={"phone_number": "500333222", "call_at": "2026-11-23T09:30:00"},
        )
    assert (response.status_code, response.json()) == (201, {"status": "scheduled"})
    assert fake.scheduled[0].call_at == "2026-11-23 09:30:00"


@pytest.mark.parametrize(
    ("setup", "request_args", "status", "header"),
    [
        (
            lambda f: f.fail_next(
                "schedule_call",
                *[Fault.status_response(429, headers={"Retry-After": "30"})] * 2,
            ),
            ("post", "/queues/2/callbacks", {"phone_number": "500333222"}),
            503,
            "30",
        ),
        (
            lambda f: f.fail_next("schedule_call", Fault.processed_then_status(500)),
            ("post", "/queues/2/callbacks", {"phone_number": "500333222"}),
            202,
            None,
        ),
        (
            lambda f: None,
            ("post", "/queues/2/callbacks", {"phone_number": "not-a-number"}),
            422,
            None,
        ),
        (lambda f: None, ("get", "/queues/9/waiting", None), 404, None),
        (
            lambda f: f.fail_next("waiting_list", *[Fault.html_error_page()] * 2),
            ("get", "/queues/2/waiting", None),
            502,
            None,
        ),
        (
            lambda f: f.fail_next("waiting_list", *[Fault.processed_then_stall(5)] * 2),
            ("get", "/queues/2/waiting", None),
            504,
            None,
        ),
    ],
    ids=["429->503", "unknown->202", "invalid->422", "404", "502", "timeout->504"],
)
async def test_sdk_errors_map_to_sensible_http_answers(
    fake, setup, request_args, status, header
):
    setup(fake)
    method, path, body = request_args
    async with running(fake, interactive_timeout=0.3) as (_, http):
        response = await getattr(http, method)(path, **({"json": body} if body else {}))
    assert response.status_code == status, response.text
    if header:
        assert response.headers["Retry-After"] == header
    if status == 202:
        assert response.json()["status"] == "unknown"
        assert len(fake.scheduled) == 1  # scheduled once, not retried


async def test_wrong_api_password_is_our_502_not_the_callers_401(fake):
    async with running(fake, password="wrong") as (_, http):
        response = await http.get("/queues/2/waiting")
    assert response.status_code == 502
    assert "wrong" not in response.text


async def read_event(response) -> dict[str, Any]:
    """Read one server-sent event's JSON data."""
    import json

    data = ""
    while True:
        line = (await response.content.readline()).decode()
        if line.startswith("data: "):
            data += line[6:].strip()
        elif line == "\n" and data:
            event: dict[str, Any] = json.loads(data)
            return event


async def test_server_sent_events_stream_the_queue_live(fake):
    import aiohttp

    from .serve_app import serve_app

    settings = Settings(
        base_url=fake.base_url,
        username=fake.username,
        password=fake.password,
        watch_interval=0.02,
    )
    fake.add_caller(2, "500333222", customer_label="Jan")
    async with (
        serve_app(create_app(settings)) as url,
        aiohttp.ClientSession() as http,
        http.get(f"{url}/queues/2/waiting/stream") as response,
    ):
        assert response.headers["Content-Type"].startswith("text/event-stream")
        first = await read_event(response)
        assert [c["phone_number"] for c in first["joined"]] == ["500333222"]
        fake.add_caller(2, "600111222")
        second = await read_event(response)
        assert [c["phone_number"] for c in second["joined"]] == ["600111222"]
        fake.remove_caller(2, "500333222")
        third = await read_event(response)
        assert [c["phone_number"] for c in third["left"]] == ["500333222"]
        assert [c["phone_number"] for c in third["waiting"]] == ["600111222"]


async def test_supervisor_page_is_served(fake):
    async with running(fake) as (_, http):
        response = await http.get("/supervisor/2")
    assert response.status_code == 200
    assert 'EventSource("/queues/2/waiting/stream")' in response.text


async def test_the_agents_stream_shows_statuses_and_the_queue_wait(fake):
    import aiohttp

    from .serve_app import serve_app

    fake.add_agent("jkowalski", status="FREE")
    fake.respond(
        "queues.waiting_stats", {"in_queue": 1, "approx_wait_time": "00:00:40"}
    )
    settings = Settings(
        base_url=fake.base_url,
        username=fake.username,
        password=fake.password,
        watch_interval=0.02,
        agents=["jkowalski"],
    )
    async with (
        serve_app(create_app(settings)) as url,
        aiohttp.ClientSession() as http,
        http.get(f"{url}/queues/2/agents/stream") as response,
    ):
        first = await read_event(response)
        assert first["agents"][0]["status"] == "FREE"
        assert first["stats"] == {"in_queue": 1, "approx_wait_seconds": 40.0}
        fake.set_agent_status("jkowalski", "OUTBOUND_CALL")
        for _ in range(500):  # events until the change shows (each poll sends one)
            event = await read_event(response)
            if event["agents"][0]["status"] != "FREE":
                break
        assert event["agents"][0]["status"] == "OUTBOUND_CALL"
        assert event["agents"][0]["on_call"] is True


async def test_the_agents_stream_does_without_waiting_stats(fake):
    """A system without waiting_stats (a 404): the page shows none."""
    import aiohttp

    from .serve_app import serve_app

    fake.add_agent("jkowalski")
    fake.respond(
        "queues.waiting_stats", {"errors": [{"message": "Not found"}]}, status=404
    )
    settings = Settings(
        base_url=fake.base_url,
        username=fake.username,
        password=fake.password,
        agents=["jkowalski"],
    )
    async with (
        serve_app(create_app(settings)) as url,
        aiohttp.ClientSession() as http,
        http.get(f"{url}/queues/2/agents/stream") as response,
    ):
        first = await read_event(response)
    assert first["stats"] is None
    assert first["agents"][0]["login"] == "jkowalski"


async def test_find_caller_is_the_screen_pop(fake):
    customer_id = fake.add_customer("Kowalski", name="Jan", phone_number="500333222")
    async with running(fake) as (_, http):
        found = await http.get("/callers/500333222")
        missing = await http.get("/callers/600111222")
        bad = await http.get("/callers/not-a-number")
    assert found.status_code == 200
    assert found.json()["customer_id"] == customer_id
    assert missing.status_code == 404
    assert bad.status_code == 422  # InvalidInputError: refused before sending


async def test_webhooks_from_the_fake_reach_the_events_stream(fake, client):
    """The whole loop: the fake's state changes, its delivery, the app, the stream."""
    import aiohttp

    from .serve_app import serve_app

    settings = Settings(
        base_url=fake.base_url,
        username=fake.username,
        password=fake.password,
        webhook_user="thulium",
        webhook_password="hook-secret",
    )
    async with (
        serve_app(create_app(settings)) as url,
        aiohttp.ClientSession() as http,
    ):
        await client.webhooks.create(
            ["CUSTOMER_CREATED", "TICKET_CREATED"],
            f"{url}/thulium/events",
            http_auth_user="thulium",
            http_auth_password="hook-secret",
        )
        customer = await client.customers.create(surname="Nowak")
        await fake.settle_deliveries()  # before the page opens: sent as recent
        async with http.get(f"{url}/events/stream") as response:
            assert response.headers["Content-Type"].startswith("text/event-stream")
            first = await read_event(response)
            assert first["action"] == "CUSTOMER_CREATED"
            assert first["summary"] == f"new customer {customer}"
            ticket = await client.tickets.create(
                to="support@acme.example", subject="Hello", body="Hi"
            )
            second = await read_event(response)
            assert second["summary"] == f"ticket {ticket} opened"
        async with http.post(f"{url}/thulium/events", data=b"{}") as refused:
            assert refused.status == 401  # no Basic auth: refused, nothing streamed
    assert [d.status for d in fake.deliveries] == [200, 200]


async def test_the_app_subscribes_its_receiver_once_across_restarts(fake):
    url = "http://127.0.0.1:8000/thulium/events"
    for _ in range(2):  # a deploy, then a restart
        async with running(
            fake, webhook_url=url, webhook_user="thulium", webhook_password="s3"
        ) as (_, http):
            assert (await http.get("/queues/2/waiting")).status_code == 200
    (subscription,) = fake.webhooks
    assert subscription["subscription_url"] == url
    assert subscription["http_auth_user"] == "thulium"
    assert "CUSTOMER_CREATED" in subscription["actions"]
