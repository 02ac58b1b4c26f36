"""The CLI's agent and history commands end to end against FakeThulium: agents status,
connections export (a valid CSV even when stopped), reconcile (the fake's records as
the truth)."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import signal

from thulium_async._cli.main import EXIT_OK, EXIT_TERMINATED
from thulium_async.testing import Fault

from .conftest import run_cli as run


async def test_agents_status_table_and_json(env):
    env.add_agent("jkowalski", status="FREE")
    env.add_agent("anowak", status="PAUSED", pause_id=2)
    code, out = await run("agents", "status", "jkowalski", "anowak")
    assert code == EXIT_OK
    for word in ("jkowalski", "FREE", "anowak", "PAUSED"):
        assert word in out
    code, out = await run("agents", "status", "anowak", "--json")
    assert json.loads(out)[0]["status"] == "PAUSED"
    assert json.loads(out)[0]["pause_id"] == 2


async def test_an_unknown_agent_is_a_one_line_error(env, capsys):
    env.add_agent("jkowalski")
    code, _ = await run("agents", "status", "nobody")
    assert code == 1
    assert "404" in capsys.readouterr().err


async def test_connections_export_writes_the_whole_range(env, tmp_path, capsys):
    for i in range(250):
        env.add_connection(f"5{i:08d}", queue_id=2)
    env.add_connection("700000000", queue_id=3)
    output = tmp_path / "calls.csv"
    day = env.now().date().isoformat()
    code, _ = await run(
        "connections", "export", "--from", day, "--to", day, "--queue", "2",
        "--output", str(output),
    )  # fmt: skip
    assert code == EXIT_OK, capsys.readouterr().err
    with output.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 250
    assert {row["queue_id"] for row in rows} == {"2"}
    assert "250/250" in capsys.readouterr().err  # the bar knew the total
    assert len(env.requests_to("connections.list")) == 3


async def test_a_stopped_export_leaves_a_valid_csv(env, tmp_path):
    for i in range(300):
        env.add_connection(f"5{i:08d}")
    env.fail_next("connections.list", Fault.delay_then_process(0))
    for _ in range(3):  # the pages after the first hang until the export stops
        env.fail_next("connections.list", Fault.delay_then_process(30))
    output = tmp_path / "calls.csv"

    async def stop_when_paging() -> None:
        # Waits for a condition (the second page asked for), not for luck.
        while len(env.requests_to("connections.list")) < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        os.kill(os.getpid(), signal.SIGTERM)

    stopper = asyncio.ensure_future(stop_when_paging())
    day = env.now().date().isoformat()
    code, _ = await run(
        "connections", "export", "--from", day, "--to", day, "--output", str(output)
    )
    await stopper
    assert code == EXIT_TERMINATED
    with output.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 100  # the first page, whole
    assert all(row["connection_id"] for row in rows)


async def test_reconcile_reads_a_report_and_writes_what_it_found(env, tmp_path):
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("".join(f"60000000{i}\n" for i in range(6)))
    report = tmp_path / "report.csv"
    env.fail_next(
        "schedule_call",
        Fault.processed_then_status(500),
        Fault.status_response(502),
        Fault.processed_then_drop(),
    )
    await run(
        "schedule-calls",
        "2",
        str(numbers),
        "--concurrency",
        "1",
        "--report",
        str(report),
    )
    found = tmp_path / "found.csv"
    code, out = await run("reconcile", "2", str(report), "--report", str(found))
    assert code == EXIT_OK
    assert "3 unknown: 2 called" in out
    with found.open() as handle:
        rows = {row["phone_number"]: row for row in csv.DictReader(handle)}
    scheduled = {call.phone_number for call in env.scheduled}
    for number, row in rows.items():
        assert (row["status"] == "called") == (number in scheduled)
        assert bool(row["connection_id"]) == (number in scheduled)


async def test_customers_find_by_phone(env):
    env.add_customer("Kowalski", name="Jan", phone_number="500333222")
    env.add_customer("Nowak", phone_number="600111222")
    code, out = await run("customers", "find", "--phone", "500 333 222")
    assert code == EXIT_OK
    assert "Jan Kowalski" in out
    assert "Nowak" not in out
    code, out = await run("customers", "find", "--phone", "500333222", "--json")
    assert json.loads(out)[0]["surname"] == "Kowalski"


async def test_customers_find_needs_one_key(env, capsys):
    code, _ = await run("customers", "find")
    assert code == 1
    assert "--phone" in capsys.readouterr().err


async def test_tickets_list_reads_every_page(env):
    for i in range(150):
        env.tickets[i + 1] = {
            "ticket_id": i + 1,
            "subject": f"case {i}",
            "updated_at": "2026-11-23 09:30",
            "messages": [],
        }
    code, out = await run("tickets", "list", "--since", "2026-11-01", "--jsonl")
    assert code == EXIT_OK
    assert len(out.splitlines()) == 150
    (first, second) = env.requests_to("tickets.list")
    assert first.query["date_from"] == ["2026-11-01"]
    assert second.query["offset"] == ["100"]
