"""Campaign records in batches, end to end against FakeThulium, judged by its records.

``outbounds.add_records`` (POST batch) and ``outbounds.remove_records`` (DELETE
batch) are the writes resent after an ambiguous attempt: the fake's campaign holds
each number at most once whatever happens, and its ``removed_records`` say what
was taken out, once.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

import pytest

from thulium_async import (
    DialProgress,
    InvalidInputError,
    OutcomeStatus,
    RemovalStatus,
    ThuliumClient,
)
from thulium_async.testing import FakeThulium, Fault

from .conftest import FAST_RETRY, until


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"600{i:06d}" for i in range(start, start + count)]


def bound(fake: FakeThulium, **kwargs: Any) -> ThuliumClient:
    kwargs.setdefault("retry", FAST_RETRY)
    return ThuliumClient(fake.base_url, fake.username, fake.password, **kwargs)


def held(fake: FakeThulium) -> Counter[str]:
    return Counter(str(r["phone_number"]) for r in fake.campaigns["00001"])


def fill(fake: FakeThulium, wanted: list[str]) -> None:
    for number in wanted:
        fake.campaigns["00001"].append(
            {"record_id": int(number), "phone_number": number}
        )


async def test_100_records_take_one_request_by_default(fake, client):
    outcomes = [o async for o in client.outbounds.add_records("00001", numbers(250))]
    assert {o.status for o in outcomes} == {OutcomeStatus.SCHEDULED}
    assert len(fake.requests_to("outbounds.add_records")) == 3
    assert max(held(fake).values()) == 1


async def test_failed_is_failed_with_thuliums_reason(fake, client):
    fake.respond(
        "outbounds.add_records",
        {"500000001": [{"http_status": 400, "status": "FAILED", "message": "Bad."}]},
    )
    (outcome,) = [o async for o in client.outbounds.add_records("00001", ["500000001"])]
    assert outcome.status is OutcomeStatus.FAILED
    assert "FAILED" in str(outcome.error)
    assert "Bad." in str(outcome.error)


async def test_a_list_of_records_answer_is_read_too(fake, client):
    fake.respond(
        "outbounds.add_records",
        [
            {"phone_number": "500000001", "status": "ADDED", "record_id": 7},
            {"phone_number": "500000002", "status": "ALREADY_EXISTS", "record_id": 3},
        ],
    )
    run = client.outbounds.add_records("00001", ["500000001", "500000002", "500000003"])
    by_number = {o.phone_number: o async for o in run}
    assert by_number["500000001"].status is OutcomeStatus.SCHEDULED
    assert by_number["500000002"].status is OutcomeStatus.SKIPPED
    assert by_number["500000002"].reason == "already in the campaign"
    # Not named in the answer: perhaps added, so unknown, not failed.
    assert by_number["500000003"].status is OutcomeStatus.UNKNOWN


async def test_a_bad_batch_size_is_refused_at_once(fake, client):
    for bad in (0, -1, 10_001, 2.0, "50", True):
        with pytest.raises(InvalidInputError, match="batch_size"):
            client.outbounds.add_records("00001", ["500000001"], batch_size=bad)
        with pytest.raises(InvalidInputError, match="batch_size"):
            await client.outbounds.remove_records("00001", ["1234"], batch_size=bad)
    assert fake.requests == []


async def test_resume_resends_the_batch_in_flight_and_confirms_it(fake, tmp_path):
    """In flight at a stop, found in the journal: resent, ALREADY_EXISTS confirms."""
    # The first batch answers at once, the second only after the run is left.
    fake.fail_next(
        "outbounds.add_records",
        Fault.delay_then_process(0.0),
        Fault.delay_then_process(0.5),
    )
    wanted = numbers(40)
    first = tmp_path / "first.journal"
    progress = DialProgress()
    async with bound(fake) as client:
        run = client.outbounds.add_records(
            "00001", wanted, batch_size=10, concurrency=2, journal=first,
            progress=progress,
        )  # fmt: skip
        async with contextlib.aclosing(run) as outcomes:
            async for _ in outcomes:
                break  # the other batch is cut off in flight
        assert progress.interrupted
        # until the server has processed the cut-off batch
        await until(lambda: len(fake.campaigns["00001"]) == 20)
        again = client.outbounds.add_records(
            "00001", wanted, resume_from=first, journal=tmp_path / "second.journal"
        )
        resumed = {o.phone_number: o async for o in again}
    assert max(held(fake).values()) == 1
    assert sorted(held(fake)) == wanted
    for _, number in progress.interrupted:
        assert resumed[number].status is OutcomeStatus.SCHEDULED
        assert resumed[number].reason == "confirmed on resend", resumed[number]
    assert all(
        o.status in (OutcomeStatus.SCHEDULED, OutcomeStatus.SKIPPED)
        for o in resumed.values()
    )


async def test_already_in_the_campaign_is_skipped_and_stays_so_on_resume(
    fake, client, tmp_path
):
    fill(fake, ["500000009"])
    journal = tmp_path / "load.journal"
    run = client.outbounds.add_records("00001", ["500000009"], journal=journal)
    (outcome,) = [o async for o in run]
    assert (outcome.status, outcome.reason) == (
        OutcomeStatus.SKIPPED,
        "already in the campaign",
    )
    fake.requests.clear()
    again = client.outbounds.add_records(
        "00001", ["500000009"], resume_from=journal, journal=tmp_path / "2.journal"
    )
    (resumed,) = [o async for o in again]
    assert resumed.status is OutcomeStatus.SKIPPED
    assert fake.requests == []  # settled: not sent again


# -- removal ---------------------------------------------------------------------


async def test_remove_records_answers_each_number_as_the_vendor_does(fake, client):
    fill(fake, ["441", "443"])
    fake.campaigns["00001"].append({"record_id": 9, "phone_number": "441"})  # twice
    fake.numbers_in_call.add("443")
    removals = await client.outbounds.remove_records("00001", ["441", "442", "443"])
    assert [r.status for r in removals] == [
        RemovalStatus.REMOVED,
        RemovalStatus.NOT_THERE,
        RemovalStatus.IN_CALL,
    ]
    assert [r.record_id for r in removals[0].records] == [441, 9]
    assert {r.status for r in removals[0].records} == {"REMOVED"}
    assert removals[1].records[0].status == "NOT_EXIST"
    assert removals[2].records[0].status == "CALL_IN_PROGRESS"
    assert held(fake) == {"443": 1}
    (sent,) = fake.requests_to("outbounds.remove_records")
    assert sent.method == "DELETE"


async def test_remove_records_sends_chunks_and_the_flag(fake, client):
    wanted = numbers(120)
    fill(fake, wanted)
    removals = await client.outbounds.remove_records(
        "00001", wanted, search_in_additional_numbers=True
    )
    assert {r.status for r in removals} == {RemovalStatus.REMOVED}
    sent = fake.requests_to("outbounds.remove_records")
    assert len(sent) == 3  # 50, 50, 20
    assert all(r.query["search_in_additional_numbers"] == ["true"] for r in sent)
    assert held(fake) == {}


async def test_a_removal_resent_after_it_landed_counts_as_removed(fake, client):
    fill(fake, ["500000001", "500000002"])
    # A 5xx after processing: the transport resends. (A connection dropped after
    # processing is resent by aiohttp itself for a DELETE, unseen: NOT_EXIST then
    # reads not_there; the number is gone either way.)
    fake.fail_next("outbounds.remove_records", Fault.processed_then_status(502))
    removals = await client.outbounds.remove_records(
        "00001", ["500000001", "500000002", "500000003"]
    )
    assert [(r.status, r.confirmed_on_resend) for r in removals] == [
        (RemovalStatus.REMOVED, True),
        (RemovalStatus.REMOVED, True),
        # Also NOT_EXIST on the resend: no one can tell it from one we removed.
        (RemovalStatus.REMOVED, True),
    ]
    assert len(fake.requests_to("outbounds.remove_records")) == 2
    assert Counter(r["phone_number"] for r in fake.removed_records) == {
        "500000001": 1,
        "500000002": 1,
    }


async def test_remove_records_refuses_bad_input_before_sending(fake, client):
    for bad in ("500000001", [], ["not a number"], None):
        with pytest.raises(InvalidInputError):
            await client.outbounds.remove_records("00001", bad)
    with pytest.raises(InvalidInputError):
        await client.outbounds.remove_records("1", ["500000001"])
    with pytest.raises(InvalidInputError):
        await client.outbounds.remove_records(
            "00001", ["500000001"], search_in_additional_numbers="yes"
        )
    assert fake.requests == []


async def test_load_and_remove_under_faults_nobody_added_twice_nothing_twice(
    fake, tmp_path
):
    """Faults of every kind: the fake's records agree with every outcome."""
    wanted = numbers(600)
    fake.set_fault_rate(0.3, seed=29)
    async with bound(fake, timeout=2.0) as client:
        loaded = {
            o.phone_number: o
            async for o in client.outbounds.add_records(
                "00001", wanted, batch_size=20, concurrency=8
            )
        }
        counts = held(fake)
        assert max(counts.values()) == 1
        for number, outcome in loaded.items():
            if outcome.status is OutcomeStatus.SCHEDULED:
                assert counts[number] == 1
            elif outcome.status is OutcomeStatus.FAILED:
                assert counts[number] == 0
        opted_out = wanted[::3]
        fake.numbers_in_call.update(opted_out[:5])
        removed = {
            o.phone_number: o
            async for o in client.outbounds.remove_records_bulk(
                "00001", opted_out, batch_size=10, concurrency=4
            )
        }
    assert len(removed) == len(opted_out)
    taken = Counter(r["phone_number"] for r in fake.removed_records)
    assert max(taken.values(), default=1) == 1  # nothing removed twice
    remaining = held(fake)
    for number, outcome in removed.items():
        if outcome.status is OutcomeStatus.SCHEDULED:  # removed
            assert remaining[number] == 0
        elif number in opted_out[:5] and outcome.status is OutcomeStatus.FAILED:
            assert str(outcome.error).startswith("CALL_IN_PROGRESS")
            assert remaining[number] == counts[number]
        elif outcome.status is OutcomeStatus.SKIPPED:
            assert outcome.reason == "not in the campaign"
            assert remaining[number] == 0  # (aiohttp may have resent it unseen)
    statuses = Counter(o.status for o in removed.values())
    assert statuses[OutcomeStatus.SCHEDULED] > len(opted_out) // 2
    # Only those in a call, or never loaded, are still there (or unknown).
    for number in opted_out:
        if remaining[number]:
            assert number in opted_out[:5] or removed[number].status in (
                OutcomeStatus.UNKNOWN,
                OutcomeStatus.FAILED,
            )
