"""Decoding that loses nothing: ids as number or text, the wall clock in either shape.

Thulium writes the same kind of id as a number on one page and as text on another
(``agent_id`` is ``"11"`` in ``POST agents``, a number elsewhere), so every id field
reads both; and where a page leaves a timestamp's shape open (the CRM's
``updated_at``), both shapes Thulium writes are read, rather than failing a whole list.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from thulium_async import ResponseDecodeError
from thulium_async._api.converter import structure
from thulium_async._core.wallclock import Clock, parse_clock
from thulium_async._models.agents import Agent, AgentStatus
from thulium_async._models.calls import Connection, ConnectionTopic, TopicValue
from thulium_async._models.crm import Customer, TicketMessage
from thulium_async._models.queues import Topic, TopicField, WaitingCaller

WARSAW = ZoneInfo("Europe/Warsaw")
CONNECTION = {
    "connection_id": "1416225570.341",
    "date": "2014-07-07 11:08",
    "src": "123123",
    "dst": "1234",
    "disposition": "ANSWERED",
    "type": "INBOUND",
}

# (model, a valid body without the field, the id field): every id field the audit
# found typed as a plain int, which failed the whole answer when sent as text.
ID_FIELDS = [
    (Agent, {"agent_id": 1, "login": "jkowalski"}, "group_id"),
    (AgentStatus, {"login": "jkowalski", "status": "PAUSED"}, "pause_id"),
    (Connection, CONNECTION, "queue_id"),
    (Connection, CONNECTION, "customer_id"),
    (Connection, CONNECTION, "ticket_id"),
    (Connection, CONNECTION, "topic_id"),
    (ConnectionTopic, {}, "topic_id"),
    (TopicValue, {"value": "x"}, "field_id"),
    (TicketMessage, {"type": "MAIL"}, "message_id"),
    (Topic, {"name": "Sales"}, "id"),
    (TopicField, {"name": "Note", "type": "TEXT"}, "id"),
    (
        WaitingCaller,
        {"phone_number": "500333222", "started_at": "2026-11-02 10:00:00"},
        "customer_id",
    ),
]


def read(data, cls):
    raw = json.dumps(data).encode()
    return structure(data, cls, WARSAW, method="GET", url="https://x/api/y", raw=raw)


@pytest.mark.parametrize("sent", [77, "77"], ids=["number", "text"])
@pytest.mark.parametrize(
    ("cls", "body", "field"),
    ID_FIELDS,
    ids=[f"{c.__name__}.{f}" for c, _, f in ID_FIELDS],
)
def test_an_id_is_read_as_a_number_or_as_text(cls, body, field, sent):
    assert getattr(read({**body, field: sent}, cls), field) == 77


@pytest.mark.parametrize(
    ("cls", "body", "field"),
    ID_FIELDS,
    ids=[f"{c.__name__}.{f}" for c, _, f in ID_FIELDS],
)
def test_an_id_that_is_neither_is_still_an_error_naming_it(cls, body, field):
    """Lenient on number-or-digits, never on anything else: no silent None."""
    with pytest.raises(ResponseDecodeError, match=field):
        read({**body, field: "seventy"}, cls)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("2026-11-02 10:00:00", datetime(2026, 11, 2, 10, 0, tzinfo=WARSAW)),
        ("2026-11-02 10:00", datetime(2026, 11, 2, 10, 0, tzinfo=WARSAW)),
        ("2026-11-02 10:17:42", datetime(2026, 11, 2, 10, 17, 42, tzinfo=WARSAW)),
        ("", None),  # the page's own example: no value
        (None, None),
    ],
)
def test_the_crm_updated_at_is_read_in_either_shape(sent, expected):
    customer = read({"customer_id": 5, "updated_at": sent}, Customer)
    assert customer.updated_at == expected


@pytest.mark.parametrize(
    "text", ["2026-11-02", "2026-11-02T10:00", "2026-11-02 10", "2026-11-02 10:00:0"]
)
def test_other_shapes_are_still_refused(text):
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock(text, WARSAW, Clock.SECONDS_OR_MINUTES)
    with pytest.raises(ResponseDecodeError, match="updated_at"):
        read({"customer_id": 5, "updated_at": text}, Customer)


async def test_customers_list_reads_a_minutes_updated_at(fake, client):
    """The whole customers.list failed when one record's updated_at had no seconds."""
    first = fake.add_customer("Nowak")
    second = fake.add_customer("Kowalska")
    fake.customers[second]["updated_at"] = "2026-11-02 10:00"
    page = await client.customers.list()
    by_id = {c.customer_id: c for c in page.items}
    assert set(by_id) == {first, second}
    assert by_id[second].updated_at == datetime(2026, 11, 2, 10, 0, tzinfo=WARSAW)


async def test_a_2xx_body_nested_too_deeply_is_a_decode_error(fake, client):
    """100,000 levels of nesting are a ResponseDecodeError, never a RecursionError,
    on the waiting list's fast path and on the detailed one alike.
    """
    from thulium_async.testing import Fault

    deep = "[" * 100_000 + "]" * 100_000
    fake.fail_next("waiting_list", Fault.status_response(200, body=deep))
    with pytest.raises(ResponseDecodeError, match="not JSON"):
        await client.queues.waiting_list(2)
    fake.fail_next("customers.list", Fault.status_response(200, body=deep))
    with pytest.raises(ResponseDecodeError, match="not JSON"):
        await client.customers.list()
