"""GET queues/:id/waiting_list, end to end against FakeThulium."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from thulium_async import InvalidInputError, ResponseDecodeError, WaitingCaller


async def test_returns_typed_aware_callers_newest_first(client, fake):
    fake.add_caller(
        2,
        "746842523",
        started_at="2014-08-06 14:30:35",
        customer_id=123,
        customer_label="Jan Kowalski",
    )
    fake.add_caller(2, "613459851", started_at="2014-08-06 14:30:37")
    callers = await client.queues.waiting_list(2)
    assert [c.phone_number for c in callers] == ["613459851", "746842523"]
    first, second = callers
    assert isinstance(first, WaitingCaller)
    assert first.customer_id is None
    assert second.customer_label == "Jan Kowalski"
    assert second.started_at.utcoffset() == timedelta(hours=2)
    assert second.started_at.replace(tzinfo=None) == datetime(2014, 8, 6, 14, 30, 35)


async def test_empty_queue_is_an_empty_list(client):
    assert await client.queues.waiting_list(2) == []


async def test_models_are_frozen(client, fake):
    fake.add_caller(2, "500333222")
    (caller,) = await client.queues.waiting_list(2)
    with pytest.raises(AttributeError):
        caller.phone_number = "1"


@pytest.mark.parametrize("queue_id", [0, -2, "2", True, 2.5, None])
async def test_bad_queue_id_is_refused_before_sending(client, fake, queue_id):
    with pytest.raises(InvalidInputError, match="queue_id"):
        await client.queues.waiting_list(queue_id)
    assert fake.requests == []


async def test_a_body_that_is_not_a_list_is_a_decode_error(client, fake):
    fake.waiting[2] = {"callers": []}
    with pytest.raises(ResponseDecodeError, match="JSON array"):
        await client.queues.waiting_list(2)


async def test_a_row_missing_a_field_names_it(client, fake):
    fake.waiting[2] = [{"phone_number": "500333222"}]
    with pytest.raises(ResponseDecodeError, match=r"\$\[0\]\.started_at"):
        await client.queues.waiting_list(2)
