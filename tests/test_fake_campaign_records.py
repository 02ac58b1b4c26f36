"""FakeThulium's campaign records answer the record endpoints from its state.

Judged by the fake's own records: what a read lists is what was added, and a removal
or an update changes the campaign the fake holds.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from thulium_async import NewRecord, NotFoundError
from thulium_async.testing import Fault


@pytest.fixture
def campaign(fake):
    fake.add_campaign("00001")
    return "00001"


async def _load(client, campaign: str) -> None:
    records = [
        NewRecord(phone_number="500111222", identifier="crm-1", status_id=3),
        NewRecord(phone_number="500111333", identifier="crm-2", status_id=4),
        NewRecord(
            phone_number="500111444",
            identifier="crm-3",
            next_call_date=datetime(2026, 12, 7, 9, 30),
        ),
    ]
    outcomes = [o async for o in client.outbounds.add_records(campaign, records)]
    assert [o.status for o in outcomes] == ["scheduled"] * 3


async def test_records_lists_what_was_added_filtered_by_status(fake, client, campaign):
    await _load(client, campaign)
    listed = [r async for r in client.outbounds.records(campaign)]
    assert [r.phone_number for r in listed] == ["500111222", "500111333", "500111444"]
    assert [r.identifier for r in listed] == ["crm-1", "crm-2", "crm-3"]
    three = [r async for r in client.outbounds.records(campaign, status_id=[3])]
    assert [r.phone_number for r in three] == ["500111222"]


async def test_removals_and_updates_change_the_campaign_the_fake_holds(
    fake, client, campaign
):
    await _load(client, campaign)
    await client.outbounds.remove_record(campaign, "500 111 222")  # as typed
    await client.outbounds.remove_record_by_identifier(campaign, "crm-2")
    await client.outbounds.update_record_by_identifier(campaign, "crm-3", status_id=9)
    (left,) = fake.campaigns[campaign]
    assert (left.phone_number, left.status_id) == ("500111444", 9)
    with pytest.raises(NotFoundError):
        await client.outbounds.remove_record(campaign, "500111222")  # gone already


async def test_a_removal_whose_answer_was_lost_is_resent_and_done(
    fake, client, campaign
):
    await _load(client, campaign)
    fake.fail_next("outbounds.remove_record", Fault.processed_then_status(502))
    await client.outbounds.remove_record(campaign, "500111333")  # 404 on the resend
    assert len(fake.requests_to("outbounds.remove_record")) == 2
    assert "500111333" not in [r.phone_number for r in fake.campaigns[campaign]]
