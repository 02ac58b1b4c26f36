"""Agents, the call history and recordings against FakeThulium: what goes on the
wire, what comes back, and what is refused before anything is sent."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from thulium_async import (
    AgentState,
    DeliveryUnknownError,
    InvalidInputError,
)
from thulium_async.testing import Fault

WARSAW = ZoneInfo("Europe/Warsaw")


async def test_an_agent_and_its_status(fake, client):
    fake.respond(
        "agents.get",
        {"agent_id": 1, "login": "jkowalski", "active": True, "number": 559933},
    )
    fake.respond(
        "agents.status",
        {"login": "jkowalski", "status": "FREE", "last_change": "2026-11-23 09:30:44"},
    )
    agent = await client.agents.get("jkowalski")
    assert (agent.agent_id, agent.number) == (1, "559933")
    status = await client.agents.status("jkowalski")
    assert status.status is AgentState.FREE
    assert status.status == "FREE"
    assert status.last_change == datetime(2026, 11, 23, 9, 30, 44, tzinfo=WARSAW)
    (request,) = fake.requests_to("agents.status")
    assert request.path == "/api/agents/jkowalski/status"


async def test_a_status_the_vendor_adds_later_is_carried(fake, client):
    fake.respond("agents.status", {"login": "jkowalski", "status": "BREAK"})
    status = await client.agents.status("jkowalski")
    assert status.status == "BREAK"
    assert not status.status.is_known
    assert AgentState.FREE.is_known


@pytest.mark.parametrize("login", ["", "..", "a/b", "x y", None, 7])
async def test_a_bad_login_is_refused_before_sending(fake, client, login):
    with pytest.raises(InvalidInputError, match="login"):
        await client.agents.status(login)
    assert fake.requests == []


async def test_agents_call_sends_the_documented_body(fake, client):
    await client.agents.call(
        "jkowalski",
        "+48 500-333-222",
        outbound_id="00001",
        custom_data={"order": 17},
    )
    (request,) = fake.requests_to("agents.call")
    assert json.loads(request.body) == {
        "phone_number": "+48500333222",
        "outbound_id": "00001",
        "custom_data": {"order": 17},
    }


async def test_agents_call_needs_a_number_or_a_customer(fake, client):
    with pytest.raises(InvalidInputError, match="phone_number or customer_id"):
        await client.agents.call("jkowalski")
    await client.agents.call("jkowalski", customer_id=321)
    (request,) = fake.requests_to("agents.call")
    assert json.loads(request.body) == {"customer_id": 321}


async def test_a_call_cut_off_after_processing_rings_nobody_twice(fake, client):
    fake.fail_next("connections.call", Fault.processed_then_status(502))
    with pytest.raises(DeliveryUnknownError, match="ring the person twice"):
        await client.connections.call("sip1", "500333222")
    assert len(fake.requests_to("connections.call")) == 1


async def test_agents_create_reads_the_string_id(fake, client):
    fake.respond("agents.create", {"agent_id": "11", "agent_login": "jkowalski"})
    created = await client.agents.create(
        name="Jan",
        surname="Kowalski",
        login="jkowalski",
        password="secret",
        number="345",
        roles=[1, 2],
        language="en",
    )
    assert (created.agent_id, created.agent_login) == (11, "jkowalski")
    (request,) = fake.requests_to("agents.create")
    body = json.loads(request.body)
    assert body["roles"] == [1, 2]
    assert "email" not in body


@pytest.mark.parametrize(
    "bad",
    [{"language": "de"}, {"outbound_mode": "x"}, {"email": "nope"}, {"roles": "12"}],
)
async def test_agents_create_refuses_bad_fields(fake, client, bad):
    fields = {
        "name": "Jan",
        "surname": "K",
        "login": "jk",
        "password": "p",
        "number": "1",
    }
    with pytest.raises(InvalidInputError, match=next(iter(bad))):
        await client.agents.create(**{**fields, **bad})
    assert fake.requests == []


def _connection(index: int) -> dict[str, object]:
    return {
        "connection_id": f"1700000000.{index}",
        "date": "2026-11-23 09:30",
        "src": "500333222",
        "dst": "221234567",
        "disposition": "ANSWERED",
        "type": "OUTBOUND",
        "duration": 60,
        "billsec": 55,
        "queue_id": 2,
    }


async def test_the_history_query_is_encoded_as_the_vendor_writes_it(fake, client):
    fake.respond("connections.list", [_connection(0)])
    first = await client.connections.list(
        date_from=date(2026, 11, 1),
        date_to=datetime(2026, 11, 23, 18, 0, 59),
        queue_id=2,
        tags=["vip", "retry"],
        include_tags=True,
    )
    assert first.count == 1
    assert first.items[0].date == datetime(2026, 11, 23, 9, 30, tzinfo=WARSAW)
    (request,) = fake.requests_to("connections.list")
    assert request.query == {
        "date_from": ["2026-11-01"],
        "date_to": ["2026-11-23 18:00"],
        "queue_id": ["2"],
        "tags[]": ["vip", "retry"],
        "include_tags": ["true"],
        "limit": ["100"],
        "offset": ["0"],
    }


async def test_the_whole_history_is_read_in_order(fake, client):
    fake.respond("connections.list", [_connection(i) for i in range(345)])
    ids = [c.connection_id async for c in client.connections.list(concurrency=3)]
    assert ids == [f"1700000000.{i}" for i in range(345)]
    assert len(fake.requests_to("connections.list")) == 4


@pytest.mark.parametrize(
    "bad",
    [
        {"limit": 101},  # the vendor's maximum is 100
        {"date_from": "2026-11-01"},
        {"date_from": date(2026, 11, 2), "date_to": date(2026, 11, 1)},
        {"queue_id": 0},
        {"tags": "vip"},
        {"dst": "not a number"},
        {"connection_id": "1/2"},
    ],
)
async def test_the_history_refuses_bad_filters_at_once(fake, client, bad):
    with pytest.raises(InvalidInputError):
        client.connections.list(**bad)
    assert fake.requests == []


async def test_recordings_and_a_topic(fake, client):
    fake.respond(
        "recordings.list",
        [
            {
                "connection_id": "1.2",
                "date": "2026-11-23 09:30",
                "created_at": "2026-11-23 09:45",
                "type": "INBOUND",
            }
        ],
    )
    (recording,) = [r async for r in client.recordings.list()]
    assert recording.created_at == datetime(2026, 11, 23, 9, 45, tzinfo=WARSAW)
    fake.respond(
        "connections.topic",
        {"topic_id": 96, "custom_fields": [{"field_id": 1, "value": "x"}]},
    )
    topic = await client.connections.topic("1416225570.341")
    assert topic.custom_fields[0].value == "x"


async def test_waiting_stats_types_what_is_known_and_keeps_the_rest(fake, client):
    fake.respond(
        "queues.waiting_stats",
        {"in_queue": 2, "approx_wait_time": "00:01:30", "longest": "00:03:00"},
    )
    stats = await client.queues.waiting_stats(2)
    assert stats.in_queue == 2
    assert stats.approx_wait_time == timedelta(minutes=1, seconds=30)
    assert stats.fields["longest"] == "00:03:00"
