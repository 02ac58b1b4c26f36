"""The dialer in real operations: duplicates, systemic errors, the journal and resume."""

from __future__ import annotations

import json
from collections import Counter
from contextlib import aclosing

import pytest

from thulium_async import (
    AuthenticationError,
    CallRequest,
    DialProgress,
    InvalidInputError,
    OutcomeStatus,
    RunStoppedError,
    ThuliumClient,
)
from thulium_async._features.journal import read_journal
from thulium_async.testing import FakeThulium, Fault

from .conftest import FAST_RETRY


async def collect(client, numbers, **options):
    progress = options.pop("progress", DialProgress())
    run = client.queues.schedule_calls(2, numbers, progress=progress, **options)
    return [outcome async for outcome in run], progress


async def test_the_same_number_written_three_ways_is_called_once(client, fake):
    outcomes, progress = await collect(
        client, ["500111222", "500-111-222", "500 111 222", "600111222"], concurrency=1
    )
    assert len(fake.calls_to("500111222")) == 1
    by_index = {o.index: o for o in outcomes}
    assert by_index[0].status is OutcomeStatus.SCHEDULED
    for index in (1, 2):
        assert by_index[index].status is OutcomeStatus.SKIPPED
        assert by_index[index].duplicate_of == 0
        assert "item 0" in (by_index[index].reason or "")
        assert by_index[index].attempts == 0
    assert progress.skipped == 2
    assert progress.completed == 4
    assert "2 skipped" in progress.summary()


async def test_duplicates_are_found_at_any_concurrency(client, fake):
    numbers = [f"5001112{i % 50:02d}" for i in range(400)]
    outcomes, _ = await collect(client, numbers, concurrency=40)
    assert Counter(o.status for o in outcomes) == {"scheduled": 50, "skipped": 350}
    assert max(Counter(c.phone_number for c in fake.scheduled).values()) == 1


async def test_deduplicate_false_sends_every_item(client, fake):
    await collect(
        client, ["500111222", "500-111-222"], deduplicate=False, concurrency=1
    )
    assert len(fake.calls_to("500111222")) == 2


@pytest.mark.parametrize(
    ("status", "cls"), [(401, "AuthenticationError"), (403, "PermissionDeniedError")]
)
async def test_a_systemic_refusal_stops_the_run_and_accounts_for_every_number(
    fake, status, cls
):
    fake.set_fault_rate(1.0, faults=[Fault.status_response(status)])
    numbers = [f"5{i:08d}" for i in range(3000)]
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, retry=FAST_RETRY
    ) as client:
        outcomes, progress = await collect(client, numbers, concurrency=10)
    assert len(fake.requests) <= 10  # the calls already in flight, no more
    assert len(outcomes) == 3000
    assert {o.status for o in outcomes} == {OutcomeStatus.FAILED}
    assert type(progress.stopped_by).__name__ == cls
    not_sent = [o for o in outcomes if isinstance(o.error, RunStoppedError)]
    assert len(not_sent) >= 2990
    assert all(o.attempts == 0 for o in not_sent)
    assert "not sent" in str(not_sent[0].error)
    assert not_sent[0].error.reason is progress.stopped_by
    assert "stopped early" in progress.summary()


async def test_a_wrong_password_sends_one_request_per_worker_at_most(fake):
    async with ThuliumClient(
        fake.base_url, fake.username, "wrong", retry=FAST_RETRY
    ) as c:
        outcomes, progress = await collect(
            c, [f"5{i:08d}" for i in range(500)], concurrency=1
        )
    assert len(fake.requests) == 1
    assert isinstance(progress.stopped_by, AuthenticationError)
    assert len(outcomes) == 500


async def test_an_unknown_queue_stops_the_run(fake):
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, retry=FAST_RETRY
    ) as client:
        run = client.queues.schedule_calls(7, [f"5{i:08d}" for i in range(100)])
        outcomes = [o async for o in run]
    assert len(fake.requests) <= 10
    assert len(outcomes) == 100


async def test_a_bad_number_does_not_stop_the_run(client, fake):
    fake.fail_next(
        "schedule_call", Fault.status_response(400), Fault.status_response(422)
    )
    outcomes, progress = await collect(
        client, [f"5{i:08d}" for i in range(20)], concurrency=1
    )
    assert progress.stopped_by is None
    assert Counter(o.status for o in outcomes) == {"scheduled": 18, "failed": 2}


async def test_the_journal_records_intent_before_sending_and_outcomes_after(
    client, fake, tmp_path
):
    journal = tmp_path / "run.journal"
    await collect(client, ["500111222", "500-111-222", "bad"], journal=journal)
    records = list(read_journal(journal))
    by_status = Counter(r["s"] for r in records)
    # "bad" is refused before anything could be sent: an outcome, no intent line.
    assert by_status == {"sending": 1, "scheduled": 1, "skipped": 1, "failed": 1}
    # Keyed by the number's identity, its E.164 form in the client's region.
    sending = next(
        r for r in records if r["s"] == "sending" and r["n"] == "+48500111222"
    )
    scheduled = next(r for r in records if r["s"] == "scheduled")
    assert records.index(sending) < records.index(scheduled)


async def test_resume_sends_exactly_what_the_previous_run_did_not_settle(
    fake, tmp_path
):
    numbers = [f"5{i:08d}" for i in range(60)]
    first = tmp_path / "first.journal"
    fake.fail_next(
        "schedule_call",
        Fault.status_response(400),  # failed: sent again on resume
        Fault.processed_then_status(500),  # unknown: skipped on resume
    )
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, retry=FAST_RETRY
    ) as client:
        progress = DialProgress()
        run = client.queues.schedule_calls(
            2, numbers, concurrency=1, journal=first, progress=progress
        )
        async with aclosing(run) as outcomes:
            async for outcome in outcomes:
                if outcome.index == 20:
                    break  # stopped part way
        second = tmp_path / "second.journal"
        outcomes2, _ = await collect(
            client, numbers, concurrency=5, journal=second, resume_from=first
        )
        third = tmp_path / "third.journal"
        outcomes3, _ = await collect(
            client, numbers, concurrency=5, journal=third, resume_from=second
        )
    called = Counter(c.phone_number for c in fake.scheduled)
    assert max(called.values()) == 1, "somebody was called twice"
    status2 = {o.phone_number: o for o in outcomes2}
    assert status2[numbers[0]].status is OutcomeStatus.SCHEDULED  # the 400 one, again
    # The unknown one stays unknown (for reconcile), and is not sent again.
    assert status2[numbers[1]].status is OutcomeStatus.UNKNOWN
    assert "not sent again" in (status2[numbers[1]].reason or "")
    assert status2[numbers[5]].status is OutcomeStatus.SKIPPED
    assert "scheduled by the run resumed" in (status2[numbers[5]].reason or "")
    for number in set(numbers) - set(called):  # in flight when the run stopped
        assert status2[number].status is OutcomeStatus.UNKNOWN
        assert "not sent again" in (status2[number].reason or ""), status2[number]
    # The third run inherits what the second one settled: nothing is sent, and the
    # unknown one is still unknown, not hidden.
    status3 = {o.phone_number: o.status for o in outcomes3}
    assert status3[numbers[1]] is OutcomeStatus.UNKNOWN
    assert set(status3.values()) == {OutcomeStatus.SKIPPED, OutcomeStatus.UNKNOWN}


async def test_a_torn_last_line_and_an_in_flight_number_are_read_safely(
    client, fake, tmp_path
):
    previous = tmp_path / "crashed.journal"
    previous.write_text(
        json.dumps({"journal": 1})
        + "\n"
        + json.dumps({"i": 0, "n": "500000001", "s": "sending"})
        + "\n"
        + json.dumps({"i": 0, "n": "500000001", "s": "scheduled"})
        + "\n"
        + json.dumps({"i": 1, "n": "500000002", "s": "sending"})
        + "\n"
        + '{"i": 2, "n": "500000003", "s": "send'  # torn: the process died here
    )
    outcomes, _ = await collect(
        client,
        ["500000001", "500000002", "500000003"],
        resume_from=previous,
        journal=tmp_path / "next.journal",
    )
    status = {o.phone_number: o.status for o in outcomes}
    assert status == {
        "500000001": OutcomeStatus.SKIPPED,
        "500000002": OutcomeStatus.UNKNOWN,  # in flight when it died: perhaps called
        "500000003": OutcomeStatus.SCHEDULED,  # its intent never became durable
    }
    assert [c.phone_number for c in fake.scheduled] == ["500000003"]


async def test_call_request_index_is_the_outcomes_index(client):
    outcomes, _ = await collect(
        client, [CallRequest(phone_number="500111222", index=42)]
    )
    assert outcomes[0].index == 42


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"deduplicate": "yes"}, "deduplicate"),
        ({"journal": 5}, "journal"),
        ({"resume_from": "/nonexistent/run.journal"}, "no such journal"),
    ],
)
def test_bad_run_options_raise_at_call_time(client, kwargs, fragment):
    with pytest.raises(InvalidInputError, match=fragment):
        client.queues.schedule_calls(2, [], **kwargs)


def test_journal_and_resume_must_differ(client, tmp_path):
    same = tmp_path / "a.journal"
    same.write_text('{"journal": 1}\n')
    with pytest.raises(InvalidInputError, match="different"):
        client.queues.schedule_calls(2, [], journal=same, resume_from=same)


async def test_a_file_that_is_not_a_journal_is_refused(client, tmp_path):
    other = tmp_path / "numbers.csv"
    other.write_text("phone_number\n500111222\n")
    with pytest.raises(InvalidInputError, match="not a thulium_async dialer journal"):
        await collect(client, ["500111222"], resume_from=other)


@pytest.mark.parametrize("content", ["garbage", "phone_number", "{}"])
async def test_one_line_without_a_newline_is_no_journal_unless_a_torn_header(
    client, fake, tmp_path, content
):
    # Read as "nothing was sent" it would send every number again.
    other = tmp_path / "one-line.journal"
    other.write_text(content)
    with pytest.raises(InvalidInputError, match="not a thulium_async dialer journal"):
        await collect(client, ["500111222"], resume_from=other)
    assert fake.scheduled == []


async def test_a_torn_header_is_a_run_that_sent_nothing(client, fake, tmp_path):
    torn = tmp_path / "torn.journal"
    torn.write_text('{"journal": 2, "reg')
    outcomes, _ = await collect(client, ["500111222"], resume_from=torn)
    assert [o.status for o in outcomes] == [OutcomeStatus.SCHEDULED]


async def test_dedupe_memory_stays_bounded():
    """200,000 distinct numbers through the ledger cost a bounded page cache."""
    import resource

    from thulium_async._features.ledger import NumberLedger

    ledger = NumberLedger()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for i in range(200_000):
        assert ledger.first_seen(f"5{i:08d}", i) is None
    assert ledger.first_seen("500000007", 1) == 7
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    ledger.close()
    assert grown_kib < 10 * 1024


async def test_fake_is_usable_directly():
    async with FakeThulium() as fake:
        assert fake.base_url.startswith("http://127.0.0.1:")


async def test_a_journal_that_cannot_be_written_stops_the_run(
    client, fake, tmp_path, monkeypatch
):
    """A full disk: nothing may be sent that the record would not show."""
    import errno
    import os

    real_write = os.write
    lines = 0

    def write(fd: int, data: bytes) -> int:
        nonlocal lines
        lines += 1
        if lines > 6:  # the header, then a few intents and outcomes
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr("thulium_async._features.journal.os.write", write)
    progress = DialProgress()
    outcomes, _ = await collect(
        client,
        [f"5{i:08d}" for i in range(50)],
        journal=tmp_path / "run.journal",
        progress=progress,
        concurrency=1,
    )
    assert len(outcomes) == 50
    assert 1 <= len(fake.scheduled) <= 4
    assert "No space left" in str(progress.stopped_by)
    assert sum(o.attempts == 0 for o in outcomes) >= 46
    assert all(
        isinstance(o.error, RunStoppedError) or o.status is OutcomeStatus.SCHEDULED
        or "journal" in str(o.error)
        for o in outcomes
    )  # fmt: skip
