"""POST queues/:id/schedule_call, end to end against FakeThulium."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from thulium_async import InvalidInputError, ThuliumClient
from thulium_async.testing import FakeThulium

from .conftest import FAST_RETRY


async def test_sends_the_documented_body_and_accepts_the_empty_200(client, fake):
    result = await client.queues.schedule_call(
        2, "500333222", call_at=datetime(2026, 11, 23, 9, 30)
    )
    assert result is None
    (request,) = fake.requests_to("schedule_call")
    assert request.method == "POST"
    assert request.path == "/api/queues/2/schedule_call"
    assert json.loads(request.body) == {
        "phone_number": "500333222",
        "call_at": "2026-11-23 09:30:00",
    }
    assert fake.calls_to("500333222")[0].call_at == "2026-11-23 09:30:00"


async def test_omitted_call_at_is_not_sent(client, fake):
    await client.queues.schedule_call(2, "500333222")
    (request,) = fake.requests_to("schedule_call")
    assert "call_at" not in json.loads(request.body)


async def test_aware_call_at_is_converted_to_the_systems_zone(fake):
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, timezone=ZoneInfo("Asia/Tokyo")
    ) as client:
        await client.queues.schedule_call(
            2, "500333222", call_at=datetime(2026, 11, 23, 0, 0, tzinfo=timezone.utc)
        )
    assert fake.scheduled[0].call_at == "2026-11-23 09:00:00"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((0, "500333222"), "queue_id"),
        (("2", "500333222"), "queue_id"),
        ((2, "not-a-number"), "phone_number"),
        ((2, 500333222), "phone_number"),
        ((2, "500333222", "2026-11-23 09:30"), "call_at"),
        ((2, "500333222", datetime(2026, 3, 29, 2, 30)), "does not exist"),
    ],
)
async def test_bad_arguments_are_refused_before_sending(client, fake, args, fragment):
    with pytest.raises(InvalidInputError, match=fragment):
        await client.queues.schedule_call(*args)
    assert fake.requests == []


async def test_unknown_queue_and_missing_number_errors_come_from_the_server(fake):
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, retry=FAST_RETRY
    ) as client:
        from thulium_async import NotFoundError

        with pytest.raises(NotFoundError):
            await client.queues.schedule_call(7, "500333222")
    assert fake.scheduled == []


async def test_each_queue_and_view_sends_to_its_own_queue():
    """The request built once per queue must never leak into another queue's calls."""
    async with FakeThulium(queues=(2, 3)) as fake:
        async with ThuliumClient(fake.base_url, fake.username, fake.password) as client:
            await client.queues.schedule_call(2, "500333222")
            await client.queues.schedule_call(3, "500333223")
            await client.with_options(timeout=5).queues.schedule_call(3, "500333224")
            await client.queues.schedule_call(2, "500333225")
        sent = [
            (r.path, json.loads(r.body)["phone_number"])
            for r in fake.requests_to("schedule_call")
        ]
    assert sent == [
        ("/api/queues/2/schedule_call", "500333222"),
        ("/api/queues/3/schedule_call", "500333223"),
        ("/api/queues/3/schedule_call", "500333224"),
        ("/api/queues/2/schedule_call", "500333225"),
    ]
