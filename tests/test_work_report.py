"""agents.work_report and lists answered as a bare array: every row, whatever page
size the server really gives, against FakeThulium."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from thulium_async import InvalidInputError, Page, WorkReportRow


def rows(n: int) -> list[dict[str, object]]:
    return [
        {
            "agent": {"login": "jkowalski", "name": "Janko", "surname": "Walski"},
            "period": f"2026-11-{i % 28 + 1:02d} #{i}",
            "inbound": {"count": i, "answered_count": i, "missed": 0},
            "outbound": {"count": 1},
        }
        for i in range(n)
    ]


def report(client, **kwargs):
    return client.agents.work_report(
        agent_logins=["jkowalski"],
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 30),
        **kwargs,
    )


async def test_every_row_is_read_when_the_server_caps_the_page_lower(fake, client):
    """The vendor's maximum (100) is asked for; the server gives 30 a page; no row is lost."""
    fake.respond("agents.work_report", rows(250))
    fake.cap_limit("agents.work_report", 30)
    got = [row async for row in report(client)]
    assert [row.inbound.count for row in got] == list(range(250))
    sent = fake.requests_to("agents.work_report")
    assert {r.query["limit"][0] for r in sent} == {"100"}
    assert [int(r.query["offset"][0]) for r in sent] == list(range(0, 251, 30))


async def test_a_bare_list_stops_at_a_short_page(fake, client):
    """Full pages, then a shorter one: the list ends there, no request more."""
    fake.respond("agents.work_report", rows(250))
    got = [row async for row in report(client)]
    assert len(got) == 250
    offsets = [r.query["offset"][0] for r in fake.requests_to("agents.work_report")]
    assert offsets == ["0", "100", "200"]


async def test_a_bare_list_of_full_pages_stops_at_an_empty_page(fake, client):
    fake.respond("agents.work_report", rows(200))
    assert len([row async for row in report(client)]) == 200
    assert len(fake.requests_to("agents.work_report")) == 3


async def test_the_first_page_has_no_total(fake, client):
    fake.respond("agents.work_report", rows(250))
    first = await report(client, limit=50, offset=10)
    assert isinstance(first, Page)
    assert (len(first.items), first.offset, first.limit) == (50, 10, 50)
    assert not first.has_total
    assert first.count == 60  # a lower bound: the rows up to this page's end
    row = first.items[0]
    assert isinstance(row, WorkReportRow)
    assert row.inbound is not None
    assert (row.agent.login, row.inbound.answered_count) == ("jkowalski", 10)
    assert row.fields["outbound"] == {"count": 1}  # what the cut page does not show
    assert row.inbound.fields["missed"] == 0


async def test_the_query_is_the_documented_one(fake, client):
    pages = client.agents.work_report(
        agent_logins=["jkowalski", "anowak"],
        agent_group_ids=[2, 3],
        date_from=datetime(2026, 11, 1, 11, 12),
        date_to=date(2026, 11, 2),
        aggregate_by="day",
        queues_ids=[1, 3],
        outbound_threshold=10,
    )
    await pages
    (sent,) = fake.requests_to("agents.work_report")
    assert sent.query["agent_logins[]"] == ["jkowalski", "anowak"]
    assert sent.query["agent_group_ids[]"] == ["2", "3"]
    assert sent.query["queues_ids[]"] == ["1", "3"]
    assert sent.query["date_from"] == ["2026-11-01 11:12:00"]
    assert sent.query["date_to"] == ["2026-11-02"]
    assert sent.query["aggregate_by"] == ["day"]
    assert sent.query["outbound_threshold"] == ["10"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"agent_logins": None},
        {"agent_logins": "jkowalski"},
        {"agent_logins": ["../x"]},
        {"agent_group_ids": [0]},
        {"aggregate_by": "fortnight"},
        {"outbound_threshold": -1},
        {"date_from": "2026-11-01"},
        {"date_from": date(2026, 12, 1)},
        {"limit": 101},
    ],
)
async def test_bad_arguments_are_refused_before_sending(fake, client, kwargs):
    call = {
        "agent_logins": ["jkowalski"],
        "date_from": date(2026, 11, 1),
        "date_to": date(2026, 11, 30),
        **kwargs,
    }
    with pytest.raises(InvalidInputError):
        client.agents.work_report(**call)
    assert fake.requests == []


async def test_paginate_reads_a_bare_array_and_a_capped_counted_list(fake, client):
    """client.paginate takes either shape; a counted list capped lower loses nothing."""
    fake.respond("agents.work_report", rows(120))
    fake.cap_limit("agents.work_report", 25)
    got = [
        r
        async for r in client.paginate(
            "agents_work_report",
            params={
                "agent_logins[]": ["jkowalski"],
                "date_from": "2026-11-01",
                "date_to": "2026-11-30",
            },
            limit=100,
        )
    ]
    assert len(got) == 120
    fake.respond(
        "connections.list", [{"date": "2026-11-01 10:00", "x": i} for i in range(230)]
    )
    fake.cap_limit("connections.list", 40)
    items = [r async for r in client.paginate("connections", limit=100)]
    assert [r["x"] for r in items] == list(range(230))


async def test_an_empty_filter_list_filters_nothing_as_none_does(fake, client):
    """Filters built at run time may come out empty: [] is sent as no filter."""
    fake.respond("agents.work_report", rows(1))
    await client.agents.work_report(
        agent_logins=[],
        agent_group_ids=[2],
        queues_ids=[],
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 30),
    )
    (sent,) = fake.requests_to("agents.work_report")
    assert sent.query["agent_group_ids[]"] == ["2"]
    assert "agent_logins[]" not in sent.query
    assert "queues_ids[]" not in sent.query
    with pytest.raises(InvalidInputError, match="agent_logins or agent_group_ids"):
        client.agents.work_report(
            agent_logins=[],
            agent_group_ids=[],
            date_from=date(2026, 11, 1),
            date_to=date(2026, 11, 30),
        )
    assert len(fake.requests) == 1
