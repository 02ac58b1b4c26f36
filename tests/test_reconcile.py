"""Resolving unknown outcomes against the call history, end to end on FakeThulium:
the fake's own records (what it scheduled, what it placed) are the truth."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from thulium_async import (
    CallRequest,
    InvalidInputError,
    OutcomeStatus,
    ReconcileStatus,
)
from thulium_async._features.reconcile import same_number
from thulium_async.testing import Fault


async def _dial(client, numbers):
    return [o async for o in client.queues.schedule_calls(2, numbers, concurrency=1)]


async def test_unknowns_that_were_processed_are_called_the_others_not_found(
    fake, client
):
    since = fake.now() - timedelta(minutes=1)
    fake.fail_next(
        "schedule_call",
        Fault.processed_then_status(500),  # 500000001: processed, answer lost
        Fault.status_response(500),  # 500000002: not processed, but a 500
        Fault.processed_then_drop(),  # 500000003: processed, connection dropped
    )
    numbers = [f"50000000{i}" for i in range(1, 6)]
    outcomes = await _dial(client, numbers)
    unknown = [o.phone_number for o in outcomes if o.status is OutcomeStatus.UNKNOWN]
    assert unknown == ["500000001", "500000002", "500000003"]

    results = [
        r async for r in client.queues.reconcile(outcomes, queue_id=2, since=since)
    ]

    truth = {call.phone_number for call in fake.scheduled}
    assert [r.phone_number for r in results] == unknown
    for result in results:
        expected = (
            ReconcileStatus.CALLED
            if result.phone_number in truth
            else ReconcileStatus.NOT_FOUND
        )
        assert result.status is expected, result
    called = [r for r in results if r.status is ReconcileStatus.CALLED]
    assert {r.connection.dst for r in called} == {"500000001", "500000003"}
    assert all(r.connection.type == "OUTBOUND" for r in called)


async def test_one_history_query_serves_every_number(fake, client):
    fake.fail_next("schedule_call", *[Fault.processed_then_status(502)] * 5)
    outcomes = await _dial(client, [f"60000000{i}" for i in range(5)])
    fake.requests.clear()
    results = [r async for r in client.queues.reconcile(outcomes, queue_id=2)]
    assert all(r.status is ReconcileStatus.CALLED for r in results)
    assert len(fake.requests_to("connections.list")) == 1


async def test_a_call_due_later_is_not_found_until_its_time(fake, client):
    later = (fake.now() + timedelta(hours=1)).replace(tzinfo=None, microsecond=0)
    fake.fail_next("schedule_call", Fault.processed_then_status(500))
    outcomes = await _dial(
        client, [CallRequest(phone_number="700000001", call_at=later)]
    )
    (before,) = [r async for r in client.queues.reconcile(outcomes, queue_id=2)]
    assert before.status is ReconcileStatus.NOT_FOUND
    assert before.call_at == later

    fake.advance(timedelta(hours=2))
    (after,) = [
        r async for r in client.queues.reconcile(outcomes, queue_id=2, until=fake.now())
    ]
    assert after.status is ReconcileStatus.CALLED


async def test_report_rows_are_reconciled_too(fake, client):
    fake.add_connection("48800100200", queue_id=2)  # the history adds the prefix
    report = io.StringIO(
        "item,phone_number,call_at,status,error\n"
        "0,800100200,,unknown,timeout\n"
        "1,800100201,,scheduled,\n"
        "2,800100202,,unknown,timeout\n"
    )
    rows = list(csv.DictReader(report))
    results = [r async for r in client.queues.reconcile(rows, queue_id=2)]
    assert [(r.index, r.status) for r in results] == [
        (0, ReconcileStatus.CALLED),
        (2, ReconcileStatus.NOT_FOUND),
    ]


async def test_another_queues_calls_do_not_count(fake, client):
    fake.add_queue(3)
    fake.add_connection("800100300", queue_id=3)
    rows = [{"item": "0", "phone_number": "800100300", "status": "unknown"}]
    (result,) = [r async for r in client.queues.reconcile(rows, queue_id=2)]
    assert result.status is ReconcileStatus.NOT_FOUND


@pytest.mark.parametrize(
    "bad",
    [
        {"queue_id": 0},
        {"queue_id": 2, "since": "yesterday"},
        {"queue_id": 2, "since": datetime(2030, 1, 1), "until": datetime(2029, 1, 1)},
        {"queue_id": 2, "window": timedelta(seconds=1)},
    ],
)
async def test_bad_arguments_are_refused_at_once(fake, client, bad):
    with pytest.raises(InvalidInputError):
        client.queues.reconcile([], **bad)
    assert fake.requests == []


async def test_a_row_without_a_number_is_refused(client):
    with pytest.raises(InvalidInputError, match="phone number"):
        client.queues.reconcile([{"status": "unknown"}], queue_id=2)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("500333222", "500333222", True),
        ("48500333222", "500333222", True),
        ("500333222", "600333222", False),
        ("1234", "91234", False),  # too short to match by its tail
    ],
)
def test_numbers_match_across_prefixes(a, b, same):
    assert same_number(a, b) is same
