"""Outbound campaigns and webhook subscriptions against FakeThulium."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

import pytest

from thulium_async import (
    DeliveryUnknownError,
    InvalidInputError,
    UnprocessableEntityError,
)
from thulium_async.testing import Fault


async def test_campaign_stats_and_agents(fake, client):
    fake.respond(
        "outbounds.stats",
        [{"id": "00001", "records_count": 3, "completion_percent": 50}],
    )
    (stats,) = await client.outbounds.stats()
    assert (stats.id, stats.records_count, stats.completion_percent) == (
        "00001",
        3,
        50.0,
    )
    fake.respond(
        "outbounds.agents", [{"login": "jkowalski", "number": 3113, "agent_id": 12}]
    )
    (agent,) = await client.outbounds.agents("00001")
    assert agent.number == "3113"
    (request,) = fake.requests_to("outbounds.agents")
    assert request.path == "/api/outbounds/00001/agents"


@pytest.mark.parametrize("bad", ["1", "000001", "00/01", 1, None])
async def test_a_bad_campaign_id_is_refused_before_sending(fake, client, bad):
    with pytest.raises(InvalidInputError, match="outbound_id"):
        await client.outbounds.agents(bad)
    assert fake.requests == []


async def test_add_record_sends_the_documented_body(fake, client):
    await client.outbounds.add_record(
        "00001",
        "+48 500 333 222",
        next_call_date=datetime(2026, 11, 24, 9, 30, 59),
        record_fields={"city": "Łódź"},
    )
    (request,) = fake.requests_to("outbounds.add_record")
    assert json.loads(request.body) == {
        "phone_number": "+48500333222",
        "next_call_date": "2026-11-24 09:30",
        "record_fields": {"city": "Łódź"},
    }


async def test_add_record_is_never_resent(fake, client):
    fake.fail_next("outbounds.add_record", Fault.processed_then_status(500))
    with pytest.raises(
        DeliveryUnknownError, match="add the number to the campaign twice"
    ):
        await client.outbounds.add_record("00001", "500333222")
    assert len(fake.requests_to("outbounds.add_record")) == 1


async def test_status_by_phone_number_returns_the_campaigns(fake, client):
    fake.respond(
        "outbounds.status_by_phone_number", {"outbound_id": ["00001", "00003"]}
    )
    assert await client.outbounds.status_by_phone_number("500333222", 2) == [
        "00001",
        "00003",
    ]


async def test_a_webhooks_password_never_shows(fake, client):
    fake.respond(
        "webhooks.create",
        {
            "id": 7,
            "actions": ["CUSTOMER_CREATED"],
            "subscription_url": "https://example.com/hooks",
            "http_auth_user": "thulium",
            "http_auth_password": "s3cret-pass",
        },
    )
    hook = await client.webhooks.create(
        ["CUSTOMER_CREATED"],
        "https://example.com/hooks",
        http_auth_user="thulium",
        http_auth_password="s3cret-pass",
    )
    assert hook.http_auth_password == "s3cret-pass"
    assert "s3cret-pass" not in repr(hook)
    (request,) = fake.requests_to("webhooks.create")
    assert json.loads(request.body)["http_auth_password"] == "s3cret-pass"


@pytest.mark.parametrize(
    "bad",
    [
        {"actions": [], "subscription_url": "https://x.example"},
        {"actions": "CUSTOMER_CREATED", "subscription_url": "https://x.example"},
        {"actions": ["customer created"], "subscription_url": "https://x.example"},
        {"actions": ["CUSTOMER_CREATED"], "subscription_url": "ftp://x.example"},
        {  # an empty password (a user alone is fine: each is optional)
            "actions": ["CUSTOMER_CREATED"],
            "subscription_url": "https://x.example",
            "http_auth_password": "",
        },
    ],
)
async def test_bad_subscriptions_are_refused(fake, client, bad):
    with pytest.raises(InvalidInputError):
        await client.webhooks.create(**bad)
    assert fake.requests == []


@pytest.mark.parametrize(
    "bad",
    [
        {"actions": "CUSTOMER_CREATED"},
        {"actions": []},
        {"actions": ["customer created"]},
        {"subscription_url": "ftp://x.example"},
        {"http_auth_user": ""},
        {"http_auth_password": ""},
    ],
)
async def test_create_and_ensure_refuse_a_subscription_alike(fake, client, bad):
    """ensure runs create's own checks: the same refusal, and nothing is sent."""
    arguments = {
        "actions": ["CUSTOMER_CREATED"],
        "subscription_url": "https://x.example",
        **bad,
    }
    with pytest.raises(InvalidInputError) as created:
        await client.webhooks.create(**arguments)
    with pytest.raises(InvalidInputError) as ensured:
        await client.webhooks.ensure(**arguments)
    assert str(created.value) == str(ensured.value)
    assert fake.requests == []


async def test_a_password_of_the_wrong_type_is_refused_without_its_value(fake, client):
    from thulium_async._api.operations import endpoint_of
    from thulium_async._areas.campaigns import Webhooks

    for method in (client.webhooks.create, client.webhooks.ensure):
        with pytest.raises(InvalidInputError, match="http_auth_password") as caught:
            await method(
                ["CUSTOMER_CREATED"], "https://x.example",
                http_auth_password=["s3cret-pass"],
            )  # fmt: skip
        assert "s3cret" not in str(caught.value)
    assert fake.requests == []
    body = endpoint_of(Webhooks.create).body
    assert body is not None
    shown = repr(
        body(
            actions=("A",),
            subscription_url="https://x",
            http_auth_password="s3cret-pass",
        )
    )
    assert "s3cret" not in shown


async def test_ensure_reads_a_generator_of_actions_once(fake, client):
    hook = await client.webhooks.ensure(
        (a for a in ["CUSTOMER_CREATED", "TICKET_CREATED"]), "https://x.example"
    )
    assert hook.actions == ("CUSTOMER_CREATED", "TICKET_CREATED")
    (request,) = fake.requests_to("webhooks.create")
    assert json.loads(request.body)["actions"] == ["CUSTOMER_CREATED", "TICKET_CREATED"]


async def test_add_records_loads_a_campaign_in_batches_resending_the_ambiguous(
    fake, client
):
    from thulium_async import CallRequest, OutcomeStatus

    fake.fail_next(
        "outbounds.add_records",
        Fault.status_response(503),  # refused unprocessed: resent, nothing ambiguous
        Fault.processed_then_status(500),  # its resend landed: resent again
    )
    fake.campaigns["00001"].append({"record_id": 99, "phone_number": "500000009"})
    records = [
        "500000001",
        CallRequest(phone_number="500000002", call_at=datetime(2026, 11, 24, 9, 30)),
        "500-000-001",  # the first number again
        "500000003",
        "500000009",  # in the campaign before the run
    ]
    outcomes = [
        o
        async for o in client.outbounds.add_records(
            "00001", records, concurrency=1, batch_size=10
        )
    ]
    by_index = {o.index: (o.status, o.reason) for o in outcomes}
    confirmed = (OutcomeStatus.SCHEDULED, "confirmed on resend")
    assert by_index == {
        0: confirmed,
        1: confirmed,
        2: (OutcomeStatus.SKIPPED, "the same number as item 0, which is sent instead"),
        3: confirmed,
        # In the campaign before, but answered ALREADY_EXISTS on a resend: no one
        # can tell it from one the landed attempt added.
        4: confirmed,
    }
    sent = fake.requests_to("outbounds.add_records")
    assert len(sent) == 3  # one batch, sent three times
    body = json.loads(sent[0].body)["records"]
    assert [r["phone_number"] for r in body] == [
        "500000001",
        "500000002",
        "500000003",
        "500000009",
    ]
    assert body[1]["next_call_date"] == "2026-11-24 09:30"
    held = Counter(r["phone_number"] for r in fake.campaigns["00001"])
    assert max(held.values()) == 1
    (again,) = [o async for o in client.outbounds.add_records("00001", ["500000009"])]
    assert (again.status, again.reason) == (
        OutcomeStatus.SKIPPED,
        "already in the campaign",  # no attempt of ours can have added it
    )


async def test_add_records_resumes_from_its_journal_resending_what_was_unknown(
    fake, client, tmp_path
):
    from thulium_async import OutcomeStatus

    journal = tmp_path / "load.journal"
    fake.fail_next(
        "outbounds.add_records",
        *[Fault.processed_then_drop()] * 4,  # every attempt lands, no answer
    )
    numbers = [f"60000000{i}" for i in range(4)]
    first = [
        o
        async for o in client.outbounds.add_records(
            "00001", numbers, concurrency=1, batch_size=2, journal=journal
        )
    ]
    assert [o.status for o in first].count(OutcomeStatus.UNKNOWN) == 2
    again = [
        o
        async for o in client.outbounds.add_records(
            "00001", numbers, resume_from=journal, journal=tmp_path / "second.journal"
        )
    ]
    by_number = {o.phone_number: (o.status, o.reason) for o in again}
    unknown = {o.phone_number for o in first if o.status is OutcomeStatus.UNKNOWN}
    for number in numbers:
        if number in unknown:  # resent: the server says it holds them, by us
            assert by_number[number] == (
                OutcomeStatus.SCHEDULED,
                "confirmed on resend",
            )
        else:
            assert by_number[number][0] is OutcomeStatus.SKIPPED
    held = Counter(r["phone_number"] for r in fake.campaigns["00001"])
    assert sorted(held) == numbers
    assert max(held.values()) == 1


async def test_add_records_refuses_a_bad_campaign_at_once(fake, client):
    with pytest.raises(InvalidInputError, match="outbound_id"):
        client.outbounds.add_records("1", ["500000001"])
    assert fake.requests == []


async def test_add_records_takes_new_records_with_every_field(fake, client):
    from thulium_async import NewRecord, OutcomeStatus

    items = [
        NewRecord(
            phone_number="500111222",
            identifier="lead-1",
            agent_login="jkowalski",
            record_fields={"name": "Jan"},
            next_call_date=datetime(2026, 12, 7, 9, 30),
            index=10,
        ),
        NewRecord(phone_number="500111333", agent_login="not a login", index=11),
        "500111444",
    ]
    outcomes = {o.index: o async for o in client.outbounds.add_records("00001", items)}
    assert outcomes[10].status is OutcomeStatus.SCHEDULED
    assert outcomes[10].call_at == datetime(2026, 12, 7, 9, 30)
    assert outcomes[11].status is OutcomeStatus.FAILED  # a bad field fails alone
    assert outcomes[11].attempts == 0
    assert outcomes[2].status is OutcomeStatus.SCHEDULED
    first, plain = fake.campaigns["00001"]
    assert first["identifier"] == "lead-1"
    assert first["record_fields"] == {"name": "Jan"}
    assert first["next_call_date"] == "2026-12-07 09:30"
    assert plain["phone_number"] == "500111444"
    (sent,) = fake.requests_to("outbounds.add_records")  # one batch, the bad one out
    assert len(json.loads(sent.body)["records"]) == 2


async def test_schedule_calls_refuses_a_new_record(client, fake):
    from thulium_async import NewRecord, OutcomeStatus

    run = client.queues.schedule_calls(2, [NewRecord(phone_number="500111222")])
    (outcome,) = [o async for o in run]
    assert outcome.status is OutcomeStatus.FAILED
    assert "CallRequest" in str(outcome.error)
    assert fake.requests == []


async def test_ensure_subscribes_once_across_restarts(fake, client):
    url = "http://127.0.0.1:9/thulium/events"
    first = await client.webhooks.ensure(
        ["CUSTOMER_CREATED"], url, http_auth_user="u", http_auth_password="p"
    )
    again = await client.webhooks.ensure(
        ["CUSTOMER_CREATED"], url, http_auth_user="u", http_auth_password="p"
    )
    assert again.id == first.id
    assert len(fake.requests_to("webhooks.create")) == 1
    wider = await client.webhooks.ensure(
        ["CUSTOMER_CREATED", "TICKET_CREATED"], url, http_auth_user="u",
        http_auth_password="p",
    )  # fmt: skip
    assert wider.id != first.id  # the old one does not cover TICKET_CREATED
    assert len(fake.webhooks) == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"actions": "CUSTOMER_CREATED"},
        {"subscription_url": "ftp://x"},
        {"http_auth_password": ""},
        {"http_auth_user": "u", "http_auth_password": ""},
    ],
)
async def test_ensure_checks_before_sending_anything(fake, client, kwargs):
    arguments = {
        "actions": ["CUSTOMER_CREATED"],
        "subscription_url": "https://app.example/events",
        **kwargs,
    }
    with pytest.raises(InvalidInputError) as caught:
        await client.webhooks.ensure(**arguments)
    assert fake.requests == []
    assert "http" in str(caught.value) or "actions" in str(caught.value)


async def test_a_webhooks_password_never_reaches_logs_or_errors(fake, client, caplog):
    import logging

    secret = "s3cret-pass-77"
    caplog.set_level(logging.DEBUG, logger="thulium_async")
    seen: list[str] = []
    fake.fail_next("webhooks.create", Fault.processed_then_status(500))
    with pytest.raises(DeliveryUnknownError) as unknown:
        await client.webhooks.create(
            ["CUSTOMER_CREATED"], "https://example.com/hooks",
            http_auth_user="thulium", http_auth_password=secret,
        )  # fmt: skip
    seen += [str(unknown.value), repr(unknown.value)]
    fake.respond(  # an answer the model refuses, the password inside it
        "webhooks.create",
        {"id": "not-an-id", "actions": 5, "http_auth_password": secret},
    )
    with pytest.raises(Exception) as bad:  # noqa: PT011 -- any error: its text matters
        await client.webhooks.create(
            ["CUSTOMER_CREATED"], "https://example.com/hooks",
            http_auth_user="thulium", http_auth_password=secret,
        )  # fmt: skip
    seen += [str(bad.value), repr(bad.value), *getattr(bad.value, "__notes__", [])]
    assert "http_auth_password" in str(bad.value)  # the field is named, not its value
    fake.respond(  # a password of the wrong type: its problem told without it
        "webhooks.create", {"id": 7, "http_auth_password": ["s3cret", secret]}
    )
    with pytest.raises(Exception) as mistyped:  # noqa: PT011
        await client.webhooks.create(
            ["CUSTOMER_CREATED"], "https://example.com/hooks",
            http_auth_user="thulium", http_auth_password=secret,
        )  # fmt: skip
    assert "$.http_auth_password" in str(mistyped.value)
    seen += [str(mistyped.value), repr(mistyped.value)]
    fake.respond("webhooks.create", {"errors": [{"message": "bad"}]}, status=422)
    with pytest.raises(Exception) as refused:  # noqa: PT011
        await client.webhooks.create(
            ["CUSTOMER_CREATED"], "https://example.com/hooks",
            http_auth_user="thulium", http_auth_password=secret,
        )  # fmt: skip
    seen += [str(refused.value), repr(refused.value)]
    seen += [record.getMessage() for record in caplog.records]
    assert caplog.records  # DEBUG logging was on and logged the attempts
    for text in seen:
        assert secret not in text, text


async def test_campaign_agents_and_statuses_end_to_end_on_the_fake(fake, client):
    fake.add_agent("jkowalski")
    fake.add_agent("anowak")
    fake.add_campaign("00002")
    await client.outbounds.add_agents("00001", ["jkowalski", "anowak"])
    await client.outbounds.add_agents("00001", ["jkowalski"])  # already in: stays once
    agents = await client.outbounds.agents("00001")
    assert [a.login for a in agents] == ["jkowalski", "anowak"]
    assert agents[0].agent_id == 1
    assert await client.outbounds.agents("00002") == []
    with pytest.raises(UnprocessableEntityError, match="Agent not found"):
        await client.outbounds.add_agents("00001", ["nobody"])
    await client.outbounds.add_record("00001", "500111222")
    await client.outbounds.add_record("00002", "500111222")
    await client.outbounds.add_record("00002", "500111333")
    touched = await client.outbounds.status_by_phone_number("500111222", 8)
    assert touched == ["00001", "00002"]
    statuses = {
        (oid, r["phone_number"]): r["status_id"]
        for oid, records in fake.campaigns.items()
        for r in records
    }
    assert statuses == {
        ("00001", "500111222"): 8,
        ("00002", "500111222"): 8,
        ("00002", "500111333"): None,
    }
    stats = {s.id: s.records_count for s in await client.outbounds.stats()}
    assert stats == {"00001": 1, "00002": 2}
