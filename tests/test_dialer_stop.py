"""Nothing unsent is "unknown": a stopped run tells what was written from what waited.

A number waiting on the rate limit when the run stops had no request written for it:
it is ``failed`` ("not sent", safe to send again) at once, and only requests already
on the wire may be ``unknown``. The limiter here is a gate the test opens, so which
numbers wait is decided by the test, not by the machine's speed. FakeThulium's record
of what it received is the truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from collections import Counter
from contextlib import aclosing

from thulium_async import DialProgress, OutcomeStatus, ThuliumClient
from thulium_async._features.journal import Journal, read_journal
from thulium_async.testing import Fault

from .conftest import until
from .test_cli_dial import read_report, start


class Gate:
    """A rate limiter that lets *free* requests through, then holds every other."""

    def __init__(self, free: int) -> None:
        self.free = free
        self.opened = asyncio.Event()
        self.waiting = 0

    def must_wait(self) -> bool:
        return True

    async def acquire(self) -> float:
        if self.free > 0:
            self.free -= 1
            return 0.0
        self.waiting += 1
        try:
            await self.opened.wait()
        finally:
            self.waiting -= 1
        return 0.0

    async def throttled(self, retry_after: float | None, sent_at: float) -> None:
        """Never pushed back here."""

    def current_rate(self) -> float | None:
        return None

    async def aclose(self) -> None:
        """Nothing held."""


def numbers(count: int) -> list[str]:
    return [f"500{i:06d}" for i in range(count)]


async def test_stop_fails_what_waits_to_be_sent_and_finishes_what_was_written(fake):
    gate = Gate(free=2)
    fake.fail_next("schedule_call", Fault.delay_then_process(0.3))  # on the wire
    stop = asyncio.Event()
    progress = DialProgress()
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, rate_limit=gate
    ) as client:
        run = client.queues.schedule_calls(
            2, numbers(20), concurrency=20, stop=stop, progress=progress
        )
        outcomes = []
        async with aclosing(run) as results:
            async for outcome in results:
                outcomes.append(outcome)
                if len(outcomes) == 1:
                    await until(lambda: gate.waiting == 18)
                    stop.set()
    statuses = Counter(o.status for o in outcomes)
    # The one written before the stop finished; nobody waiting was sent or "unknown".
    assert statuses == {OutcomeStatus.SCHEDULED: 2, OutcomeStatus.FAILED: 18}
    assert len(fake.scheduled) == 2
    for outcome in outcomes:
        if outcome.status is OutcomeStatus.FAILED:
            assert "not sent" in str(outcome.error)
            assert outcome.attempts == 0
    assert progress.interrupted == []
    assert progress.not_sent == []  # each had its outcome


async def test_breaking_out_lists_the_waiting_as_not_sent_and_resume_sends_them(
    fake, tmp_path
):
    gate = Gate(free=1)
    progress = DialProgress()
    journal = tmp_path / "first.journal"
    wanted = numbers(10)
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, rate_limit=gate
    ) as client:
        run = client.queues.schedule_calls(
            2, wanted, concurrency=10, progress=progress, journal=journal
        )
        async with aclosing(run) as results:
            async for _ in results:
                await until(lambda: gate.waiting == 9)
                # Were the process killed now (kill -9), the journal would say what
                # was on the wire: the one sent, not the nine on the rate limit.
                lines = [json.loads(x) for x in journal.read_text().splitlines()]
                assert sum(r.get("s") == "sending" for r in lines) == 1
                break
    assert progress.interrupted == []  # nothing was on the wire
    assert sorted(progress.not_sent) == [(i, wanted[i]) for i in range(1, 10)]
    assert "9 waiting to be sent when stopped" in progress.summary()
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    assert sum(r.get("s") == "failed" for r in records) == 9
    assert not any(r.get("s") == "unknown" for r in records)
    async with ThuliumClient(fake.base_url, fake.username, fake.password) as client:
        again = {
            o.phone_number: o.status
            async for o in client.queues.schedule_calls(
                2, wanted, resume_from=journal, journal=tmp_path / "second.journal"
            )
        }
    assert Counter(again.values()) == {
        OutcomeStatus.SKIPPED: 1,
        OutcomeStatus.SCHEDULED: 9,
    }
    assert Counter(c.phone_number for c in fake.scheduled) == Counter(wanted)


async def test_a_retry_waiting_after_a_refusal_is_not_sent_when_stopped(fake):
    # A write refused before processing (429) is retried; stopped during that wait,
    # nothing it sent can have been processed, so it is not "unknown".
    fake.fail_next(
        "schedule_call", Fault.status_response(429, headers={"Retry-After": "30"})
    )
    stop = asyncio.Event()
    async with ThuliumClient(fake.base_url, fake.username, fake.password) as client:
        run = client.queues.schedule_calls(2, ["500111222"], stop=stop)
        task = asyncio.ensure_future(anext(run))
        await until(lambda: len(fake.requests) == 1)
        stop.set()
        outcome = await asyncio.wait_for(task, 30)
        await run.aclose()
    assert outcome.status is OutcomeStatus.FAILED
    assert "not sent" in str(outcome.error)
    assert fake.scheduled == []


async def test_sigterm_on_the_rate_limit_reports_failed_not_unknown(fake, tmp_path):
    source = tmp_path / "numbers.csv"
    source.write_text("phone_number\n" + "\n".join(numbers(20)) + "\n")
    report = tmp_path / "report.csv"
    job = await start(
        fake, "schedule-calls", "2", str(source), "--rate", "0.5",
        "--concurrency", "20", "--grace", "600", "--report", str(report),
    )  # fmt: skip
    await until(lambda: len(fake.scheduled) == 1)
    job.send_signal(signal.SIGTERM)
    # Nothing is written but the first: the grace (600 s) is not waited for.
    _, err_bytes = await asyncio.wait_for(job.communicate(), 60)
    err = err_bytes.decode()
    assert job.returncode == 143, err
    rows = read_report(report)
    statuses = Counter(row["status"] for row in rows)
    assert statuses["unknown"] == 0, rows
    assert statuses["scheduled"] == len(fake.scheduled)
    assert statuses["scheduled"] + statuses["failed"] == 20
    assert all("not sent" in row["error"] for row in rows if row["status"] == "failed")


async def test_an_intent_cancelled_before_it_is_written_is_never_written(tmp_path):
    # A stop cancels a number waiting for its journal line while the group commit
    # flushes an earlier batch: written after the number's "failed" outcome, that
    # line would read back as "in flight", so the resumed run would say unknown.
    journal = Journal(tmp_path / "run.journal", region="PL")
    first = asyncio.ensure_future(journal.intent(1, "+48500111111"))
    await asyncio.sleep(0)  # its batch is written; the commit waits on the fsync
    second = asyncio.ensure_future(journal.intent(2, "+48500222222"))
    await asyncio.sleep(0)  # queued behind that fsync
    second.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await second
    journal.write({"i": 2, "n": "+48500222222", "s": "failed", "e": "not sent"})
    await first
    await journal.close()
    records = [(r["i"], r["s"]) for r in read_journal(tmp_path / "run.journal")]
    assert records == [(1, "sending"), (2, "failed")]
