"""tickets.update, tags.create and the fields tickets.create and tickets.reply gained,
against FakeThulium: what goes on the wire, and what is refused before sending."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from thulium_async import InvalidInputError

WARSAW = ZoneInfo("Europe/Warsaw")


async def test_create_sends_attachments_direction_tags_and_substatus(fake, client):
    ticket_id = await client.tickets.create(
        to="desk@example.com",
        subject="Hello",
        body="Hi",
        attachments=["61527075253ba62a76ca5c"],
        direction="out",
        tags=["vip", "new"],
        status_id=1,
        substatus_id=2,
    )
    (sent,) = fake.requests_to("tickets.create")
    body = json.loads(sent.body)
    assert body["attachments"] == ["61527075253ba62a76ca5c"]
    assert body["direction"] == "out"
    assert body["tags"] == ["vip", "new"]
    assert (body["status_id"], body["substatus_id"]) == (1, 2)
    assert ticket_id in fake.tickets


async def test_reply_sends_its_date_and_attachments(fake, client):
    ticket_id = await client.tickets.create(
        to="desk@example.com", subject="S", body="B"
    )
    await client.tickets.reply(
        ticket_id,
        body="Thanks",
        user_login="akowalski",
        date=datetime(2026, 11, 23, 9, 30, tzinfo=WARSAW),
        attachments=["61527075253ba62a76ca5c"],
    )
    (sent,) = fake.requests_to("tickets.reply")
    body = json.loads(sent.body)
    assert body["date"] == "2026-11-23 09:30"
    assert body["attachments"] == ["61527075253ba62a76ca5c"]


async def test_update_changes_only_what_is_sent(fake, client):
    ticket_id = await client.tickets.create(
        to="desk@example.com", subject="S", body="B", user_login="akowalski"
    )
    await client.tickets.update(ticket_id, status_id=3, tags=["vip"])
    (sent,) = fake.requests_to("tickets.update")
    assert sent.method == "PUT"
    assert json.loads(sent.body) == {"status_id": 3, "tags": ["vip"]}
    ticket = await client.tickets.get(ticket_id)
    assert ticket.status_id == 3
    assert ticket.user_login == "akowalski"


async def test_update_with_no_tags_clears_them(fake, client):
    """``tags=[]`` is a change of its own: the ticket's tags, none."""
    ticket_id = await client.tickets.create(
        to="desk@example.com", subject="S", body="B", tags=["vip"]
    )
    await client.tickets.update(ticket_id, tags=[])
    (sent,) = fake.requests_to("tickets.update")
    assert json.loads(sent.body) == {"tags": []}


async def test_update_of_a_missing_ticket_is_not_found(fake, client):
    from thulium_async import NotFoundError

    await client.tickets.create(to="desk@example.com", subject="S", body="B")
    with pytest.raises(NotFoundError):
        await client.tickets.update(99999, status_id=1)


async def test_tags_create_answers_the_status(fake, client):
    assert await client.tags.create(["new", "vip"]) == "success"
    (sent,) = fake.requests_to("tags.create")
    assert json.loads(sent.body) == {"tags": ["new", "vip"]}


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.tickets.update(1),  # nothing to change
        lambda c: c.tickets.update(1, tags="vip"),
        lambda c: c.tickets.update(0, status_id=1),
        lambda c: c.tickets.create(to="a@b.c", subject="s", body="b", direction="in"),
        lambda c: c.tickets.create(to="a@b.c", subject="s", body="b", tags=[""]),
        lambda c: c.tickets.create(to="a@b.c", subject="s", body="b", substatus_id=0),
        lambda c: c.tickets.reply(1, body="b", user_login="a", date="2026-11-23"),
        lambda c: c.tickets.reply(1, body="b", user_login="a", attachments="t"),
        lambda c: c.tickets.update(1, tags=[" "]),
        lambda c: c.tickets.update(1, custom_fields={1: "x"}),
        lambda c: c.tickets.create(to="desk", subject="s", body="b"),
        lambda c: c.tickets.create(to="a@b.c", subject="s", body="b", cc=["x"]),
        lambda c: c.tickets.reply(1, body="b", user_login="a", attachments=[""]),
        lambda c: c.tags.create([]),
        lambda c: c.tags.create("vip"),
        lambda c: c.tags.create(["vip", ""]),
    ],
)
async def test_bad_arguments_are_refused_before_sending(fake, client, call):
    with pytest.raises(InvalidInputError):
        await call(client)
    assert fake.requests == []
