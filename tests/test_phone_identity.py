"""One person, one number: the dialer, campaign loads, the journal and reconcile know
a number by its E.164 form in the client's phone region. FakeThulium's own records
(what it scheduled, what it stored) are the truth."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest

from thulium_async import (
    InvalidInputError,
    OutcomeStatus,
    ReconcileStatus,
    ThuliumClient,
)
from thulium_async._core.phone import check_region, identity
from thulium_async._features.journal import read_journal
from thulium_async.testing import FakeThulium

# Six forms of one Polish mobile number, as a contact list mixes them.
ONE_PERSON = [
    "500333222",
    "500-333-222",
    "+48 500 333 222",
    "48500333222",
    "0048500333222",
    "(+48) 500 333 222",
]


def test_the_six_forms_have_one_identity_in_poland():
    assert {identity(form, "PL") for form in ONE_PERSON} == {"+48500333222"}


def test_a_number_the_region_cannot_hold_keeps_its_digits():
    # An internal extension and a short code: impossible numbers, compared by digits.
    assert identity("123", "PL") == "123"
    assert identity("1-2-3", "PL") == "123"
    assert identity("not a number", "PL") is None
    # The region decides: the same digits are another person in Germany.
    assert identity("500333222", "DE") != identity("500333222", "PL")


def test_a_region_is_checked():
    assert check_region("pl") == "PL"
    for bad in ("XX", "Poland", "", 48, None):
        with pytest.raises(InvalidInputError, match="phone_region"):
            check_region(bad)


async def test_the_client_takes_a_region_and_the_environment_one(fake, monkeypatch):
    with pytest.raises(InvalidInputError, match="phone_region"):
        ThuliumClient(fake.base_url, "u", "p", phone_region="ZZ")
    monkeypatch.setenv("THULIUM_BASE_URL", fake.base_url)
    monkeypatch.setenv("THULIUM_USERNAME", fake.username)
    monkeypatch.setenv("THULIUM_PASSWORD", fake.password)
    monkeypatch.setenv("THULIUM_PHONE_REGION", "de")
    async with ThuliumClient.from_env() as client:
        assert client.phone_region == "DE"
        assert client.with_options(timeout=5).phone_region == "DE"
    async with ThuliumClient(fake.base_url, "u", "p") as client:
        assert client.phone_region == "PL"


async def test_schedule_calls_calls_one_person_once_whatever_the_form(client, fake):
    outcomes = [
        o async for o in client.queues.schedule_calls(2, ONE_PERSON, concurrency=6)
    ]
    assert len(fake.scheduled) == 1  # was 4 when only separators were folded
    statuses = Counter(o.status for o in outcomes)
    assert statuses == {OutcomeStatus.SCHEDULED: 1, OutcomeStatus.SKIPPED: 5}
    # What is sent is what the user wrote, minus separators: never a rewritten form.
    sent = fake.scheduled[0].phone_number
    first = next(o for o in outcomes if o.status is OutcomeStatus.SCHEDULED)
    assert sent == "".join(ch for ch in first.phone_number if ch not in " -()")


async def test_add_records_adds_one_person_once(client, fake):
    outcomes = [o async for o in client.outbounds.add_records("00001", ONE_PERSON)]
    assert len(fake.requests_to("outbounds.add_records")) == 1
    assert Counter(o.status for o in outcomes)[OutcomeStatus.SKIPPED] == 5


async def test_the_journal_records_its_region_and_keys_by_identity(
    client, fake, tmp_path
):
    journal = tmp_path / "run.journal"
    async for _ in client.queues.schedule_calls(2, ONE_PERSON[:2], journal=journal):
        pass
    header = json.loads(journal.read_text().splitlines()[0])
    assert header == {"journal": 2, "region": "PL"}
    assert {r["n"] for r in read_journal(journal)} == {"+48500333222"}


async def test_resuming_with_another_region_is_refused(fake, tmp_path):
    journal = tmp_path / "run.journal"
    async with ThuliumClient(fake.base_url, fake.username, fake.password) as client:
        async for _ in client.queues.schedule_calls(2, ["500333222"], journal=journal):
            pass
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, phone_region="DE"
    ) as client:
        run = client.queues.schedule_calls(
            2, ["500333222"], resume_from=journal, journal=tmp_path / "next.journal"
        )
        with pytest.raises(InvalidInputError, match="phone region 'PL'"):
            async for _ in run:
                pass
    assert len(fake.scheduled) == 1  # nothing was sent again


async def test_a_journal_from_before_regions_resumes_into_identities(
    client, fake, tmp_path
):
    old = tmp_path / "old.journal"
    lines = [
        {"journal": 1},
        {"i": 0, "n": "48500333222", "s": "sending"},
        {"i": 0, "n": "48500333222", "s": "scheduled"},
        {"i": 1, "n": "600111222", "s": "failed", "e": "400"},
    ]
    old.write_text("".join(json.dumps(line) + "\n" for line in lines))
    outcomes = {
        o.phone_number: o
        async for o in client.queues.schedule_calls(
            2,
            ["+48 500 333 222", "600 111 222"],
            resume_from=old,
            journal=tmp_path / "new.journal",
        )
    }
    assert outcomes["+48 500 333 222"].status is OutcomeStatus.SKIPPED
    assert outcomes["600 111 222"].status is OutcomeStatus.SCHEDULED
    assert [c.phone_number for c in fake.scheduled] == ["600111222"]


async def test_reconcile_finds_a_call_the_history_writes_in_another_form(client, fake):
    since = fake.now() - timedelta(minutes=1)
    fake.add_connection("48500333222", queue_id=2)
    fake.add_connection("0048600111222", queue_id=2)
    rows = [
        {"item": "1", "phone_number": "500 333 222", "status": "unknown"},
        {"item": "2", "phone_number": "+48600111222", "status": "unknown"},
        {"item": "3", "phone_number": "700111222", "status": "unknown"},
    ]
    results = [r async for r in client.queues.reconcile(rows, queue_id=2, since=since)]
    assert [r.status for r in results] == [
        ReconcileStatus.CALLED,
        ReconcileStatus.CALLED,
        ReconcileStatus.NOT_FOUND,
    ]


async def test_a_client_in_another_region_dedupes_by_that_region(tmp_path):
    async with FakeThulium() as fake:
        async with ThuliumClient(
            fake.base_url, fake.username, fake.password, phone_region="DE"
        ) as client:
            numbers = ["030 1234567", "+49 30 1234567", "004930 1234567"]
            async for _ in client.queues.schedule_calls(2, numbers):
                pass
        assert len(fake.scheduled) == 1
