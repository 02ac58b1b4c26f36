"""CRM campaigns (``crm_outbounds``) against FakeThulium: the wire, the checks, the answers."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from thulium_async import (
    CampaignRecord,
    DeliveryUnknownError,
    InvalidInputError,
    ThuliumClient,
)
from thulium_async._models.crm_campaigns import (
    CrmCampaignRecord,
    CrmRecordAddition,
    CrmRecordRemoval,
    NewCrmRecord,
)
from thulium_async.testing import FakeThulium, Fault

DAY = date(2018, 5, 24)  # a day, not a moment
RECORD = {
    "record_id": 47,
    "phone_number": "158433367",
    "system_status": "NO_CALL",
    "status": "Do not call",
    "status_id": 6,
    "call_date": "2016-10-19 14:02",
    "create_date": "2016-10-18 12:02",
    "next_call_date": "",
    "agent_name": "",
    "agent_login": "",
    "customer_id": 441,
    "last_note": "Last note for record",
    "order": "",
}


# -- GET crm_outbounds/:id/records -----------------------------------------------


async def test_crm_records_sends_every_filter(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    page = await client.outbounds.crm_records(
        "00001",
        status_id=[10, 15],
        system_status=["TO_CALL", "CALL"],
        create_date_from=date(2016, 10, 18),
        create_date_to=date(2016, 10, 20),
        call_date_from=date(2016, 10, 18),
        call_date_to=date(2016, 10, 20),
        order="-next_call_date",
        include_customer=True,
        include_custom_fields=True,
        include_address=True,
        limit=50,
        offset=10,
    )
    assert page.items == ()
    (request,) = fake.requests_to("outbounds.crm_records")
    assert (request.method, request.path) == ("GET", "/api/crm_outbounds/00001/records")
    assert request.query == {
        "order": ["-next_call_date"],
        "status_id[]": ["10", "15"],
        "system_status[]": ["TO_CALL", "CALL"],
        "create_date_from": ["2016-10-18"],
        "create_date_to": ["2016-10-20"],
        "call_date_from": ["2016-10-18"],
        "call_date_to": ["2016-10-20"],
        "include_customer": ["true"],
        "include_custom_fields": ["true"],
        "include_address": ["true"],
        "limit": ["50"],
        "offset": ["10"],
    }


async def test_crm_records_leaves_out_what_is_not_asked(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    await client.outbounds.crm_records("00001")
    (request,) = fake.requests_to("outbounds.crm_records")
    assert request.query == {"limit": ["100"], "offset": ["0"]}


async def test_crm_records_are_campaign_records_keeping_the_customer(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    customer = {"customer_id": 441, "name": "Jan", "surname": "Kowalski"}
    fake.respond("outbounds.crm_records", [{**RECORD, "customer": customer}])
    page = await client.outbounds.crm_records("00001", include_customer=True)
    (record,) = page.items
    assert isinstance(record, CrmCampaignRecord)
    assert isinstance(record, CampaignRecord)
    assert (record.record_id, record.customer_id, record.status_id) == (47, 441, 6)
    assert record.call_date is not None
    assert record.call_date.replace(tzinfo=None) == datetime(2016, 10, 19, 14, 2)
    assert record.call_date.tzinfo is not None
    assert record.next_call_date is None  # "" is none
    assert record.fields["customer"] == customer


async def test_crm_records_reads_every_page(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    fake.respond(
        "outbounds.crm_records",
        [{**RECORD, "record_id": n, "customer_id": n} for n in range(1, 251)],
    )
    records = [r async for r in client.outbounds.crm_records("00001")]
    assert [r.record_id for r in records] == list(range(1, 251))
    assert len(fake.requests_to("outbounds.crm_records")) == 3  # 100 a page at most


@pytest.mark.parametrize(
    "bad",
    [
        {"outbound_id": "1"},
        {"order": "next_call"},
        {"order": "-create_date"},
        {"status_id": "10"},
        {"status_id": [0]},
        {"status_id": []},
        {"status_id": [True]},
        {"system_status": "TO_CALL"},
        {"system_status": ["to_call"]},
        {"system_status": [None]},
        {"create_date_from": "2016-10-18"},
        {"call_date_to": 20161020},
        {"include_customer": "yes"},
        {"include_address": None},
        {"limit": 101},
        {"offset": -1},
    ],
)
async def test_crm_records_refuses_bad_arguments_before_sending(
    fake: FakeThulium, client: ThuliumClient, bad: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {"outbound_id": "00001", **bad}
    with pytest.raises(InvalidInputError):
        await client.outbounds.crm_records(**arguments)
    assert fake.requests == []


# -- POST crm_outbounds/:id/records ----------------------------------------------


async def test_add_crm_record_sends_the_documented_body(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    record_id = await client.outbounds.add_crm_record(
        "00001",
        441,
        status_id=3,
        dictionary_status_id=8,
        agent_login="j.doe",
        next_call_date=datetime(2018, 5, 24, 12, 24, 59),
        order=50,
    )
    assert record_id == 231  # the page's answer, its id as text
    (request,) = fake.requests_to("outbounds.add_crm_record")
    assert (request.method, request.path) == (
        "POST",
        "/api/crm_outbounds/00001/records",
    )
    assert json.loads(request.body) == {
        "customer_id": 441,
        "status_id": 3,
        "dictionary_status_id": 8,
        "agent_login": "j.doe",
        "next_call_date": "2018-05-24 12:24",
        "order": 50,
    }


async def test_add_crm_record_sends_only_what_is_given(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    await client.outbounds.add_crm_record("00001", 441)
    (request,) = fake.requests_to("outbounds.add_crm_record")
    assert json.loads(request.body) == {"customer_id": 441}


async def test_add_crm_record_is_never_resent(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    fake.fail_next("outbounds.add_crm_record", Fault.processed_then_status(500))
    with pytest.raises(DeliveryUnknownError, match="a second time"):
        await client.outbounds.add_crm_record("00001", 441)
    assert len(fake.requests_to("outbounds.add_crm_record")) == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"outbound_id": "00/01"},
        {"customer_id": 0},
        {"customer_id": "441"},
        {"customer_id": True},
        {"status_id": -1},
        {"dictionary_status_id": "8"},
        {"agent_login": "../x"},
        {"next_call_date": date(2018, 5, 24)},
        {"next_call_date": "2018-05-24 12:24"},
        {"order": "50"},
    ],
)
async def test_add_crm_record_refuses_bad_arguments_before_sending(
    fake: FakeThulium, client: ThuliumClient, bad: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {"outbound_id": "00001", "customer_id": 441, **bad}
    with pytest.raises(InvalidInputError):
        await client.outbounds.add_crm_record(**arguments)
    assert fake.requests == []


# -- PUT crm_outbounds/:id/records/:customer_id ----------------------------------


async def test_update_crm_record_sends_the_changes(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    await client.outbounds.update_crm_record(
        "00001", 441, status_id=3, next_call_date=datetime(2026, 11, 24, 9, 30)
    )
    (request,) = fake.requests_to("outbounds.update_crm_record")
    assert (request.method, request.path) == (
        "PUT",
        "/api/crm_outbounds/00001/records/441",
    )
    assert json.loads(request.body) == {
        "status_id": 3,
        "next_call_date": "2026-11-24 09:30",
    }


async def test_update_crm_record_is_retried_after_an_ambiguous_failure(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    fake.fail_next("outbounds.update_crm_record", Fault.processed_then_status(500))
    await client.outbounds.update_crm_record("00001", 441, order=5)
    assert len(fake.requests_to("outbounds.update_crm_record")) == 2


@pytest.mark.parametrize(
    "bad",
    [
        {},  # nothing to change
        {"status_id": 0},
        {"customer_id": -441, "status_id": 3},
        {"outbound_id": 1, "status_id": 3},
        {"agent_login": "a b"},
    ],
)
async def test_update_crm_record_refuses_bad_arguments_before_sending(
    fake: FakeThulium, client: ThuliumClient, bad: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {"outbound_id": "00001", "customer_id": 441, **bad}
    with pytest.raises(InvalidInputError):
        await client.outbounds.update_crm_record(**arguments)
    assert fake.requests == []


# -- POST batch/crm_outbounds/:id/records ----------------------------------------

PAGE_ADD_ANSWER = {
    "441": {"http_status": 201, "record_id": 111, "status": "ADDED"},
    "445": {"http_status": 400, "record_id": 100, "status": "ALREADY_EXISTS"},
    "448": {"http_status": 400, "status": "FAILED", "message": "Customer not found."},
}


async def test_add_crm_records_sends_one_batch_and_reads_each_customer(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    results = await client.outbounds.add_crm_records(
        "00001",
        [
            NewCrmRecord(customer_id=441, status_id=3),
            445,
            NewCrmRecord(
                customer_id=448,
                agent_login="j.doe",
                next_call_date=datetime(2018, 5, 24, 12, 24),
            ),
        ],
    )
    (request,) = fake.requests_to("outbounds.add_crm_records")
    assert (request.method, request.path) == (
        "POST",
        "/api/batch/crm_outbounds/00001/records",
    )
    assert json.loads(request.body) == {
        "records": [
            {"customer_id": 441, "status_id": 3},
            {"customer_id": 445},
            {
                "customer_id": 448,
                "agent_login": "j.doe",
                "next_call_date": "2018-05-24 12:24",
            },
        ]
    }
    assert results == [
        CrmRecordAddition(
            customer_id=441, status="ADDED", record_id=111, http_status=201
        ),
        CrmRecordAddition(
            customer_id=445, status="ALREADY_EXISTS", record_id=100, http_status=400
        ),
        CrmRecordAddition(
            customer_id=448,
            status="FAILED",
            http_status=400,
            message="Customer not found.",
        ),
    ]
    assert [r.in_campaign for r in results] == [True, True, False]


async def test_add_crm_records_confirms_on_the_resend_of_an_ambiguous_attempt(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    fake.respond(
        "outbounds.add_crm_records",
        {"441": {"http_status": 400, "record_id": 111, "status": "ALREADY_EXISTS"}},
    )
    fake.fail_next("outbounds.add_crm_records", Fault.processed_then_status(500))
    (result,) = await client.outbounds.add_crm_records("00001", [441])
    assert len(fake.requests_to("outbounds.add_crm_records")) == 2  # resent
    assert result.confirmed_on_resend
    assert result.in_campaign
    assert result.record_id == 111


async def test_already_exists_without_a_resend_is_not_a_confirmation(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    (result,) = await client.outbounds.add_crm_records("00001", [445])
    assert result.status == "ALREADY_EXISTS"
    assert not result.confirmed_on_resend


async def test_add_crm_records_sends_batches_and_each_customer_once(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    results = await client.outbounds.add_crm_records(
        "00001", [1, 2, 3, 2, NewCrmRecord(customer_id=3)], batch_size=2
    )
    bodies = [
        json.loads(r.body)["records"]
        for r in fake.requests_to("outbounds.add_crm_records")
    ]
    assert bodies == [[{"customer_id": 1}, {"customer_id": 2}], [{"customer_id": 3}]]
    assert [r.customer_id for r in results] == [1, 2, 3, 2, 3]
    # Customers the answer does not name: said so, not guessed.
    assert results[0] == CrmRecordAddition(
        customer_id=1, status=None, message="not in the answer"
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"outbound_id": "1"},
        {"records": []},
        {"records": 441},
        {"records": "441"},
        {"records": [0]},
        {"records": ["441"]},
        {"records": [True]},
        {"records": [{"customer_id": 441}]},
        {"records": [NewCrmRecord(customer_id=441, status_id=0)]},
        {"records": [NewCrmRecord(customer_id=441, agent_login="x/y")]},
        {
            "records": [
                NewCrmRecord(customer_id=441, next_call_date=DAY)  # type: ignore[arg-type]
            ]
        },
        {  # one customer, two different records
            "records": [441, NewCrmRecord(customer_id=441, status_id=3)]
        },
        {"batch_size": 0},
    ],
)
async def test_add_crm_records_refuses_bad_arguments_before_sending(
    fake: FakeThulium, client: ThuliumClient, bad: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {"outbound_id": "00001", "records": [441], **bad}
    with pytest.raises(InvalidInputError):
        await client.outbounds.add_crm_records(**arguments)
    assert fake.requests == []


async def test_a_bad_record_is_named_by_its_place(client: ThuliumClient) -> None:
    with pytest.raises(InvalidInputError, match=r"records\[1\]\.status_id"):
        await client.outbounds.add_crm_records(
            "00001", [441, NewCrmRecord(customer_id=445, status_id=-3)]
        )


# -- DELETE batch/crm_outbounds/:id/records --------------------------------------


async def test_remove_crm_records_sends_the_ids_and_reads_each_customer(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    fake.respond(
        "outbounds.remove_crm_records",
        {
            "441": {"http_status": 200, "record_id": 5235, "status": "REMOVED"},
            "442": {"http_status": 404, "status": "NOT_EXIST"},
        },
    )
    results = await client.outbounds.remove_crm_records("00001", [441, 442, 441])
    (request,) = fake.requests_to("outbounds.remove_crm_records")
    assert (request.method, request.path) == (
        "DELETE",
        "/api/batch/crm_outbounds/00001/records",
    )
    assert request.query == {"customer_id[]": ["441", "442"]}
    assert results == [
        CrmRecordRemoval(
            customer_id=441, status="REMOVED", record_id=5235, http_status=200
        ),
        CrmRecordRemoval(customer_id=442, status="NOT_EXIST", http_status=404),
        CrmRecordRemoval(
            customer_id=441, status="REMOVED", record_id=5235, http_status=200
        ),
    ]
    assert [r.removed for r in results] == [True, False, True]


async def test_not_exist_on_the_resend_of_an_ambiguous_attempt_counts_as_removed(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    fake.respond(
        "outbounds.remove_crm_records",
        {"441": {"http_status": 404, "status": "NOT_EXIST"}},
    )
    # A 5xx after processing: the transport resends. (aiohttp itself resends a
    # DELETE whose connection dropped, unseen: that resend cannot be told apart.)
    fake.fail_next("outbounds.remove_crm_records", Fault.processed_then_status(502))
    (result,) = await client.outbounds.remove_crm_records("00001", [441])
    assert len(fake.requests_to("outbounds.remove_crm_records")) == 2
    assert result.confirmed_on_resend
    assert result.removed


async def test_a_record_in_a_call_is_not_removed(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    fake.respond(
        "outbounds.remove_crm_records",
        {"441": {"http_status": 400, "record_id": 7, "status": "CALL_IN_PROGRESS"}},
    )
    (result,) = await client.outbounds.remove_crm_records("00001", [441])
    assert (result.status, result.removed) == ("CALL_IN_PROGRESS", False)


async def test_remove_crm_records_sends_batches(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    results = await client.outbounds.remove_crm_records(
        "00001", range(1, 6), batch_size=2
    )
    queries = [
        r.query["customer_id[]"]
        for r in fake.requests_to("outbounds.remove_crm_records")
    ]
    assert queries == [["1", "2"], ["3", "4"], ["5"]]
    assert [r.customer_id for r in results] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "bad",
    [
        {"outbound_id": "000001"},
        {"customer_ids": []},
        {"customer_ids": 441},
        {"customer_ids": "441"},
        {"customer_ids": [441, 0]},
        {"customer_ids": [441.0]},
        {"batch_size": 10_001},
    ],
)
async def test_remove_crm_records_refuses_bad_arguments_before_sending(
    fake: FakeThulium, client: ThuliumClient, bad: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {
        "outbound_id": "00001",
        "customer_ids": [441],
        **bad,
    }
    with pytest.raises(InvalidInputError):
        await client.outbounds.remove_crm_records(**arguments)
    assert fake.requests == []
