"""A campaign's records and statuses one by one (``client.outbounds``), against FakeThulium.

What goes on the wire, what is refused before anything is sent, and how the answers
are structured; the contract rows (``tests/test_contract.py``) cover the rest.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from thulium_async import InvalidInputError, NotFoundError
from thulium_async._models.campaigns import (
    CampaignDeletion,
    CampaignDeletionStatus,
    CampaignRecord,
    CampaignStatus,
    RecordUpdate,
)
from thulium_async.testing import Fault

NOT_FOUND = {"request_id": "53678450401cf", "errors": [{"message": "Not found."}]}
RECORD = {
    "record_id": 228,
    "phone_number": "5555",
    "system_status": "NO_CALL",
    "status": "Do not call",
    "status_id": 5,
    "call_date": "2016-10-19 14:02",
    "create_date": "2016-10-18 12:02",
    "next_call_date": "",
    "agent_name": "",
    "agent_login": "",
    "last_note": "Last note for record",
    "identifier": "1234567890",
    "order": "",
}


# -- agents ----------------------------------------------------------------------


async def test_remove_agents_sends_the_logins(fake, client):
    assert (
        await client.outbounds.remove_agents("00001", ["anowak", "jkowalski"]) is None
    )
    (request,) = fake.requests_to("outbounds.remove_agents")
    assert (request.method, request.path) == (
        "POST",
        "/api/outbounds/00001/remove_agents",
    )
    assert json.loads(request.body) == {"logins": ["anowak", "jkowalski"]}


async def test_remove_agents_is_resent_after_an_ambiguous_failure(fake, client):
    # An agent already out stays out: the write is declared safe to repeat.
    fake.fail_next("outbounds.remove_agents", Fault.processed_then_status(500))
    await client.outbounds.remove_agents("00001", ["anowak"])
    assert len(fake.requests_to("outbounds.remove_agents")) == 2


@pytest.mark.parametrize(
    ("outbound_id", "logins", "match"),
    [
        ("00001", "anowak", "logins must be a list"),
        ("00001", [], "logins must name at least one"),
        ("00001", ["../x"], "logins must be an agent login"),
        ("00001", [None], "logins must not hold None"),
        ("1", ["anowak"], "outbound_id"),
    ],
)
async def test_bad_remove_agents_arguments_send_nothing(
    fake, client, outbound_id, logins, match
):
    with pytest.raises(InvalidInputError, match=match):
        await client.outbounds.remove_agents(outbound_id, logins)
    assert fake.requests == []


# -- statuses --------------------------------------------------------------------


async def test_statuses_are_structured(fake, client):
    # The fake answers the vendor's example: ids as text or as numbers, a null.
    statuses = await client.outbounds.statuses("00001")
    assert statuses == [
        CampaignStatus(
            status_id=3,
            name="Contact needed",
            system_status="CALL",
            dictionary_status_id=2,
        ),
        CampaignStatus(
            status_id=4,
            name="Not interested",
            system_status="NO_CALL",
            dictionary_status_id=None,
        ),
    ]
    (request,) = fake.requests_to("outbounds.statuses")
    assert request.path == "/api/outbounds/00001/statuses"


async def test_statuses_refuse_a_bad_campaign_id(fake, client):
    with pytest.raises(InvalidInputError, match="outbound_id"):
        await client.outbounds.statuses("00/01")
    assert fake.requests == []


# -- deleting campaigns ----------------------------------------------------------


async def test_delete_many_answers_each_campaign_in_the_order_given(fake, client):
    fake.respond(
        "outbounds.delete_many",
        [
            {"http_status": 404, "id": "00002", "status": "NOT_EXIST"},
            {"http_status": 200, "id": "00001", "status": "REMOVAL_QUEUED"},
            {"http_status": 400, "id": "00003", "status": "ALREADY_QUEUED"},
        ],
    )
    results = await client.outbounds.delete_many(["00003", "00001", "00002", "00001"])
    assert [(r.id, r.status, r.http_status) for r in results] == [
        ("00003", CampaignDeletionStatus.ALREADY_QUEUED, 400),
        ("00001", CampaignDeletionStatus.REMOVAL_QUEUED, 200),
        ("00002", CampaignDeletionStatus.NOT_EXIST, 404),
    ]
    assert [r.queued for r in results] == [True, True, False]
    (request,) = fake.requests_to("outbounds.delete_many")
    assert (request.method, request.path) == ("DELETE", "/api/batch/outbounds")
    # Each campaign once; the recordings are kept unless asked (the server's default).
    assert request.query == {"id[]": ["00003", "00001", "00002"]}
    assert request.body == b""


async def test_delete_many_can_delete_the_recordings(fake, client):
    await client.outbounds.delete_many(["00001"], delete_recordings=True)
    (request,) = fake.requests_to("outbounds.delete_many")
    assert request.query == {"id[]": ["00001"], "delete_recordings": ["true"]}


async def test_a_campaign_the_answer_leaves_out_is_not_queued(fake, client):
    fake.respond("outbounds.delete_many", [{"http_status": 200, "id": "00001"}])
    (deletion,) = await client.outbounds.delete_many(["00009"])
    assert deletion == CampaignDeletion(id="00009")
    assert (deletion.status, deletion.queued) == (None, False)


async def test_a_status_the_vendor_adds_later_still_reads(fake, client):
    fake.respond(
        "outbounds.delete_many",
        [{"http_status": 200, "id": "00001", "status": "REMOVAL_DEFERRED"}],
    )
    (deletion,) = await client.outbounds.delete_many(["00001"])
    assert deletion.status == "REMOVAL_DEFERRED"
    assert deletion.status is not None
    assert not deletion.status.is_known
    assert not deletion.queued


async def test_delete_many_is_resent_after_an_ambiguous_failure(fake, client):
    # The resend finds what the first attempt queued ALREADY_QUEUED: still queued.
    fake.respond(
        "outbounds.delete_many",
        [{"http_status": 400, "id": "00001", "status": "ALREADY_QUEUED"}],
    )
    fake.fail_next("outbounds.delete_many", Fault.processed_then_drop())
    (deletion,) = await client.outbounds.delete_many(["00001"])
    assert deletion.queued
    assert len(fake.requests_to("outbounds.delete_many")) == 2


@pytest.mark.parametrize(
    ("ids", "flag", "match"),
    [
        ("00001", False, "outbound_ids must be a list"),
        ([], False, "outbound_ids must name at least one"),
        (["00001", "1"], False, "outbound_ids must be a campaign id"),
        ([1], False, "outbound_ids must be a campaign id"),
        (["00001"], "yes", "delete_recordings must be True or False"),
    ],
)
async def test_bad_delete_many_arguments_send_nothing(fake, client, ids, flag, match):
    with pytest.raises(InvalidInputError, match=match):
        await client.outbounds.delete_many(ids, delete_recordings=flag)
    assert fake.requests == []


# -- listing records ---------------------------------------------------------------


async def test_records_send_the_documented_filters(fake, client):
    fake.respond("outbounds.records", {"count": 1, "result": [RECORD]})
    page = await client.outbounds.records(
        "00001",
        status_id=[10, 15],
        system_status=("TO_CALL", "CALL"),
        create_date_from=date(2016, 10, 18),
        create_date_to=date(2016, 10, 20),
        call_date_from=datetime(2016, 10, 18, 23, 59),  # counts by its day
        call_date_to=date(2016, 10, 20),
        limit=5,
    )
    (request,) = fake.requests_to("outbounds.records")
    assert (request.method, request.path) == ("GET", "/api/outbounds/00001/records")
    assert request.query == {
        "status_id[]": ["10", "15"],
        "system_status[]": ["TO_CALL", "CALL"],
        "create_date_from": ["2016-10-18"],
        "create_date_to": ["2016-10-20"],
        "call_date_from": ["2016-10-18"],
        "call_date_to": ["2016-10-20"],
        "limit": ["5"],
        "offset": ["0"],
    }
    (record,) = page.items
    assert isinstance(record, CampaignRecord)
    assert (record.record_id, record.identifier, record.phone_number) == (
        228,
        "1234567890",
        "5555",
    )
    assert record.create_date == datetime(2016, 10, 18, 12, 2, tzinfo=fake.zone)
    assert (record.next_call_date, record.agent_login) == (None, "")
    assert page.count == 1


async def test_records_without_filters_send_only_the_page(fake, client):
    page = await client.outbounds.records("00001")
    assert (page.items, page.count) == ((), 0)
    (request,) = fake.requests_to("outbounds.records")
    assert request.query == {"limit": ["100"], "offset": ["0"]}


async def test_records_read_every_page(fake, client):
    fake.respond(
        "outbounds.records",
        [{**RECORD, "record_id": n, "identifier": str(n)} for n in range(1, 151)],
    )
    records = [r async for r in client.outbounds.records("00001")]
    assert [r.record_id for r in records] == list(range(1, 151))
    offsets = [r.query["offset"] for r in fake.requests_to("outbounds.records")]
    assert sorted(offsets) == [["0"], ["100"]]


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"status_id": 3}, "status_id must be a list"),
        ({"status_id": "3"}, "status_id must be a list"),
        ({"status_id": []}, "status_id must name at least one"),
        ({"status_id": [0]}, "status_id must be a positive int"),
        ({"status_id": [True]}, "status_id must be a positive int"),
        ({"system_status": "CALL"}, "system_status must be a list"),
        ({"system_status": ["SOON"]}, "system_status must be one of"),
        ({"system_status": [None]}, "system_status must not hold None"),
        ({"create_date_from": "2016-10-18"}, "create_date_from must be a date"),
        ({"call_date_to": 20161020}, "call_date_to must be a date"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
async def test_bad_record_filters_send_nothing(fake, client, arguments, match):
    with pytest.raises(InvalidInputError, match=match):
        await client.outbounds.records("00001", **arguments)
    assert fake.requests == []


async def test_records_refuse_a_bad_campaign_id_at_once(fake, client):
    with pytest.raises(InvalidInputError, match="outbound_id"):
        client.outbounds.records("../x")  # refused on the call, before any await
    assert fake.requests == []


# -- removing one record -----------------------------------------------------------


async def test_remove_record_sends_the_number_compact_in_the_path(fake, client):
    await client.outbounds.remove_record("00001", "+48 500-333-222")
    (request,) = fake.requests_to("outbounds.remove_record")
    assert (request.method, request.path) == (
        "DELETE",
        "/api/outbounds/00001/records/+48500333222",
    )
    assert request.query == {}


async def test_remove_record_can_search_the_additional_numbers(fake, client):
    await client.outbounds.remove_record(
        "00001", "500333222", search_in_additional_numbers=True
    )
    (request,) = fake.requests_to("outbounds.remove_record")
    assert request.query == {"search_in_additional_numbers": ["true"]}


async def test_a_404_on_the_first_removal_raises(fake, client):
    fake.respond("outbounds.remove_record", NOT_FOUND, status=404)
    with pytest.raises(NotFoundError):
        await client.outbounds.remove_record("00001", "500333222")
    assert len(fake.requests_to("outbounds.remove_record")) == 1


async def test_a_404_on_a_retry_after_an_ambiguous_removal_counts_as_removed(
    fake, client
):
    fake.respond("outbounds.remove_record", NOT_FOUND, status=404)
    fake.fail_next("outbounds.remove_record", Fault.processed_then_status(500))
    assert await client.outbounds.remove_record("00001", "500333222") is None
    assert len(fake.requests_to("outbounds.remove_record")) == 2


@pytest.mark.parametrize(
    ("outbound_id", "number", "flag", "match"),
    [
        ("00001", "12", False, "not a phone number"),
        ("00001", "500x333", False, "not a phone number"),
        ("00001", 500333222, False, "phone_number must be a string"),
        ("0001", "500333222", False, "outbound_id"),
        ("00001", "500333222", None, "search_in_additional_numbers"),
    ],
)
async def test_bad_remove_record_arguments_send_nothing(
    fake, client, outbound_id, number, flag, match
):
    with pytest.raises(InvalidInputError, match=match):
        await client.outbounds.remove_record(
            outbound_id, number, search_in_additional_numbers=flag
        )
    assert fake.requests == []


# -- a record by your identifier -----------------------------------------------------


async def test_update_record_by_identifier_sends_only_the_changes(fake, client):
    await client.outbounds.update_record_by_identifier(
        "00001",
        "1234567890",
        status_id=3,
        agent_login="j.doe",
        record_fields={"field1": ""},
        next_call_date=datetime(2026, 11, 24, 9, 30, 59),
    )
    (request,) = fake.requests_to("outbounds.update_record_by_identifier")
    assert (request.method, request.path) == (
        "PUT",
        "/api/outbounds/00001/records_by_identifier/1234567890",
    )
    assert json.loads(request.body) == {
        "status_id": 3,
        "agent_login": "j.doe",
        "record_fields": {"field1": ""},
        "next_call_date": "2026-11-24 09:30",
    }


async def test_update_record_by_identifier_is_resent_after_an_ambiguous_failure(
    fake, client
):
    fake.fail_next(
        "outbounds.update_record_by_identifier", Fault.processed_then_status(502)
    )
    await client.outbounds.update_record_by_identifier(
        "00001", "crm-42", dictionary_status_id=8
    )
    requests = fake.requests_to("outbounds.update_record_by_identifier")
    assert [json.loads(r.body) for r in requests] == [{"dictionary_status_id": 8}] * 2


@pytest.mark.parametrize(
    ("identifier", "changes", "match"),
    [
        ("1234567890", {}, "the update changes nothing"),
        ("a/b", {"status_id": 3}, "identifier must be a record identifier"),
        ("..", {"status_id": 3}, "identifier"),
        ("1234567890", {"status_id": "3"}, "status_id must be a positive int"),
        ("1234567890", {"dictionary_status_id": 0}, "dictionary_status_id"),
        ("1234567890", {"agent_login": "a b"}, "agent_login"),
        ("1234567890", {"record_fields": ["x"]}, "record_fields must be a mapping"),
        ("1234567890", {"record_fields": {1: "x"}}, "record_fields must be a mapping"),
        (
            "1234567890",
            {"next_call_date": date(2026, 11, 24)},
            "next_call_date must be a datetime",
        ),
    ],
)
async def test_bad_updates_by_identifier_send_nothing(
    fake, client, identifier, changes, match
):
    with pytest.raises(InvalidInputError, match=match):
        await client.outbounds.update_record_by_identifier(
            "00001", identifier, **changes
        )
    assert fake.requests == []


async def test_remove_record_by_identifier(fake, client):
    await client.outbounds.remove_record_by_identifier("00001", "crm-42")
    (request,) = fake.requests_to("outbounds.remove_record_by_identifier")
    assert (request.method, request.path, request.body) == (
        "DELETE",
        "/api/outbounds/00001/records_by_identifier/crm-42",
        b"",
    )


async def test_removing_an_unknown_identifier_raises(fake, client):
    fake.respond("outbounds.remove_record_by_identifier", NOT_FOUND, status=404)
    with pytest.raises(NotFoundError):
        await client.outbounds.remove_record_by_identifier("00001", "crm-42")


async def test_removal_by_identifier_confirmed_by_a_404_on_its_retry(fake, client):
    fake.respond("outbounds.remove_record_by_identifier", NOT_FOUND, status=404)
    fake.fail_next(
        "outbounds.remove_record_by_identifier", Fault.processed_then_status(504)
    )
    await client.outbounds.remove_record_by_identifier("00001", "crm-42")
    assert len(fake.requests_to("outbounds.remove_record_by_identifier")) == 2


async def test_remove_record_by_identifier_refuses_a_bad_identifier(fake, client):
    with pytest.raises(InvalidInputError, match="identifier"):
        await client.outbounds.remove_record_by_identifier("00001", "a?b")
    assert fake.requests == []


# -- updating records by number, in one batch -------------------------------------------


async def test_update_records_sends_one_batch_and_answers_each_record(fake, client):
    results = await client.outbounds.update_records(
        "00001",
        [
            {
                "phone_number": "111 222 333",
                "status_id": 3,
                "record_fields": {"pole1": "wartosc1"},
            },
            {"phone_number": "555123321", "agent_login": "user"},
            {"phone_number": "600700800", "next_call_date": datetime(2026, 1, 2, 8)},
        ],
    )
    (request,) = fake.requests_to("outbounds.update_records")
    assert (request.method, request.path, request.query) == (
        "PUT",
        "/api/batch/outbounds/00001/records",
        {},
    )
    assert json.loads(request.body) == {
        "records": [
            {
                "phone_number": "111222333",
                "status_id": 3,
                "record_fields": {"pole1": "wartosc1"},
            },
            {"phone_number": "555123321", "agent_login": "user"},
            {"phone_number": "600700800", "next_call_date": "2026-01-02 08:00"},
        ]
    }
    # The fake answers the vendor's example, which leaves the third number out.
    assert results == [
        RecordUpdate(phone_number="111222333", http_status=204),
        RecordUpdate(
            phone_number="555123321", http_status=400, message="Agent not found."
        ),
        RecordUpdate(
            phone_number="600700800", http_status=0, message="not in the answer"
        ),
    ]
    assert [r.updated for r in results] == [True, False, False]


async def test_update_records_can_search_the_additional_numbers(fake, client):
    await client.outbounds.update_records(
        "00001",
        ({"phone_number": "111222333", "status_id": 3},),
        search_in_additional_numbers=True,
    )
    (request,) = fake.requests_to("outbounds.update_records")
    assert request.query == {"search_in_additional_numbers": ["true"]}


async def test_update_records_is_resent_after_an_ambiguous_failure(fake, client):
    fake.fail_next("outbounds.update_records", Fault.processed_then_drop())
    (result, *_) = await client.outbounds.update_records(
        "00001", [{"phone_number": "111222333", "status_id": 3}]
    )
    assert result.updated
    assert len(fake.requests_to("outbounds.update_records")) == 2


@pytest.mark.parametrize(
    ("records", "match"),
    [
        ([], "records must not be empty"),
        ({"phone_number": "111222333"}, "records must be a list"),
        ("111222333", "records must be a list"),
        (["111222333"], r"records\[0\] must be a mapping"),
        ([{"status_id": 3}], r"records\[0\] needs its phone_number"),
        (
            [{"phone_number": "111222333", "identifier": "x", "status_id": 3}],
            r"records\[0\] has unknown fields \['identifier'\]",
        ),
        ([{"phone_number": "111222333"}], r"records\[0\]: the update changes nothing"),
        (
            [
                {"phone_number": "111222333", "status_id": 3},
                {"phone_number": "111-222-333", "status_id": 4},
            ],
            r"records\[1\]: 111222333 is given twice",
        ),
        ([{"phone_number": "12", "status_id": 3}], "not a phone number"),
        (
            [{"phone_number": "111222333", "status_id": -1}],
            r"records\[0\]\.status_id must be a positive int",
        ),
        (
            [{"phone_number": "111222333", "agent_login": "../x"}],
            r"records\[0\]\.agent_login",
        ),
        (
            [{"phone_number": "111222333", "next_call_date": "2026-01-02 08:00"}],
            r"records\[0\]\.next_call_date must be a datetime",
        ),
    ],
)
async def test_bad_batches_send_nothing(fake, client, records, match):
    with pytest.raises(InvalidInputError, match=match):
        await client.outbounds.update_records("00001", records)
    assert fake.requests == []


async def test_update_records_refuses_a_bad_campaign_id(fake, client):
    with pytest.raises(InvalidInputError, match="outbound_id"):
        await client.outbounds.update_records(
            "x", [{"phone_number": "111222333", "status_id": 3}]
        )
    assert fake.requests == []
