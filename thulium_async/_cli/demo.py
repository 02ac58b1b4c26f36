"""``thulium-async demo``: a dialer job against an embedded FakeThulium, end to end.

It uses only the public SDK, as a user's dialer would, then checks the fake server's own
records to show the guarantees hold: every number has one outcome, and nobody was called
twice. No network beyond 127.0.0.1, no credentials, no arguments needed.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TextIO

from .. import CallOutcome, DialProgress, RetryPolicy, ThuliumClient
from ..testing import FakeThulium
from .output import ProgressLine, duration, table, waiting_rows

QUEUE = 2
_WAITING = [
    ("746842523", 310, 123, "Jan Kowalski"),
    ("840526437", 95, None, None),
    ("613459851", 42, 9001, "Acme Sp. z o.o."),
]


async def run_demo(
    out: TextIO,
    *,
    numbers: int = 300,
    concurrency: int = 20,
    rate: float = 200.0,
    fault_rate: float = 0.1,
    seed: int = 2026,
) -> int:
    """Run the demo and print its report; return 0 when the guarantees held."""
    async with FakeThulium(queues=[QUEUE]) as fake:
        now = datetime.now(fake.zone)
        for phone, waited, customer_id, label in _WAITING:
            fake.add_caller(
                QUEUE,
                phone,
                started_at=now - timedelta(seconds=waited),
                customer_id=customer_id,
                customer_label=label,
            )
        # A realistic Thulium: it throttles above 150 requests/s, and a share of
        # requests fail in every way a network can, ambiguous ways included.
        fake.limit_rate(150, retry_after=0.5)
        fake.set_fault_rate(fault_rate, seed=seed)

        out.write(
            f"thulium_async demo: an embedded fake Thulium at {fake.base_url}\n\n"
        )
        policy = RetryPolicy(max_attempts=4, initial_delay=0.05, max_delay=0.5)
        async with ThuliumClient(
            fake.base_url,
            fake.username,
            fake.password,
            retry=policy,
            rate_limit=rate,
            timeout=2.0,
        ) as client:
            callers = await client.queues.waiting_list(QUEUE)
            out.write(f"Queue {QUEUE}: {len(callers)} callers waiting\n")
            rows = waiting_rows(callers, datetime.now(fake.zone))
            out.write(
                table(["phone number", "waiting since", "waited", "customer"], rows)
            )
            out.write("\n\n")

            wanted = [f"500{i:06d}" for i in range(numbers)]
            out.write(
                f"Scheduling {numbers} calls: concurrency {concurrency}, at most "
                f"{rate:g} requests/s; the fake fails {fault_rate:.0%} of requests on "
                "purpose and throttles above 150/s.\n"
            )
            out.flush()
            progress = DialProgress()
            bar = ProgressLine(progress, numbers)
            bar.start()
            outcomes = []
            try:
                async for outcome in client.queues.schedule_calls(
                    QUEUE, wanted, concurrency=concurrency, progress=progress
                ):
                    outcomes.append(outcome)
            finally:
                await bar.stop()
            stats = client.stats
            # What happened to the unknown ones? The call history says, for each.
            since = datetime.now(fake.zone) - timedelta(minutes=5)
            reconciled = [
                result
                async for result in client.queues.reconcile(
                    outcomes, queue_id=QUEUE, since=since
                )
            ]

        counts = Counter(o.status.value for o in outcomes)
        on_server = Counter(call.phone_number for call in fake.scheduled)
        report = [
            ["scheduled", str(counts["scheduled"]), "Thulium accepted the call"],
            [
                "failed",
                str(counts["failed"]),
                "definitely not scheduled: safe to send again",
            ],
            [
                "unknown",
                str(counts["unknown"]),
                "may have been scheduled: check before sending again",
            ],
            ["retries", str(progress.retries), "attempts repeated after a failure"],
            [
                "throttled",
                str(stats.throttled),
                "429s from the server: the whole client slowed down",
            ],
            [
                "time",
                duration(progress.elapsed) if progress.elapsed >= 1 else "<1s",
                f"{progress.rate:.0f} calls/s",
            ],
        ]
        out.write("\nReport\n" + table(["", "count", "meaning"], report) + "\n\n")

        problems = _check(outcomes, wanted, on_server)
        problems += [
            f"- {r.phone_number}: reconciled as {r.status} against the fake's records"
            for r in reconciled
            if (r.status == "called") != bool(on_server[r.phone_number])
        ]
        if problems:
            out.write("Guarantee check FAILED:\n" + "\n".join(problems) + "\n")
            return 1
        unknown_on_server = sum(
            on_server[o.phone_number] for o in outcomes if o.status == "unknown"
        )
        out.write(
            "Checked against the fake server's own records: every number has exactly "
            "one outcome; every 'scheduled' number was called exactly once, every "
            "'failed' one not at all; nobody was called twice. Of the "
            f"{counts['unknown']} 'unknown' ones, {unknown_on_server} did reach the "
            "server: that is why the SDK never resends them on its own.\n"
        )
        called = sum(1 for r in reconciled if r.status == "called")
        out.write(
            f"\nReconciled the {len(reconciled)} 'unknown' against the call history "
            f"(client.queues.reconcile): {called} called, so never to be sent again; "
            f"{len(reconciled) - called} not found, so safe to send again once their "
            "time has passed. The fake's records agree.\n"
        )
    return 0


def _check(
    outcomes: list[CallOutcome], wanted: list[str], on_server: Counter[str]
) -> list[str]:
    problems = []
    if sorted(o.phone_number for o in outcomes) != sorted(wanted):
        problems.append("- not every number got exactly one outcome")
    if on_server and max(on_server.values()) > 1:
        problems.append("- a number was scheduled twice")
    for outcome in outcomes:
        calls = on_server[outcome.phone_number]
        if outcome.status == "scheduled" and calls != 1:
            problems.append(f"- {outcome.phone_number}: 'scheduled' but {calls} calls")
        if outcome.status == "failed" and calls:
            problems.append(f"- {outcome.phone_number}: 'failed' but on the server")
    return problems


def seed_serve_fake(fake: FakeThulium) -> None:
    """Fill *fake* with what ``serve-fake`` shows: every README command finds something.

    The caller waiting in queue 2 is a customer of the CRM (``customers find --phone
    500333222``) with a ticket (``tickets list``); the agents have calls in the history
    (``connections export``), in November 2026 as the README's example asks for, and
    today.
    """
    zone = fake.zone
    jan = fake.add_customer(
        "Kowalski",
        name="Jan",
        phone_number="500333222",
        email="jan.kowalski@example.com",
        customer_id=123,
    )
    fake.add_caller(2, "500333222", customer_id=jan, customer_label="Jan Kowalski")
    fake.add_caller(2, "613459851")
    fake.add_agent("jkowalski", status="FREE")
    fake.add_agent("anowak", name="Anna", surname="Nowak", status="PAUSED", pause_id=1)
    fake.add_ticket(
        "Callback about order 2026/11/42",
        "Please call me back about my order.",
        sender="jan.kowalski@example.com",
        customer_id=jan,
        user_login="jkowalski",
    )
    for day, hour, number, login in (
        (3, 9, "500333222", "jkowalski"),
        (12, 14, "613459851", "anowak"),
        (23, 9, "500333222", "jkowalski"),
    ):
        fake.add_connection(
            "200",
            src=number,
            type="INBOUND",
            queue_id=2,
            at=datetime(2026, 11, day, hour, 30, tzinfo=zone),
            user_login=login,
        )
    fake.add_connection("500333222", src="200", user_login="jkowalski")
