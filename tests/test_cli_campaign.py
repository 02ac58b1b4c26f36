"""campaign load and campaign stats as an operator runs them.

``campaign load`` shares ``schedule-calls``'s machinery; these tests check it holds for
campaigns too, with the fake's campaign records as the truth: real processes, SIGTERM,
kill -9 and resume, duplicates, a number already in the campaign, an unknown campaign.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter

import pytest

from thulium_async._cli.main import EXIT_ERROR, EXIT_NOT_ALL_SCHEDULED, EXIT_OK
from thulium_async.testing import Fault

from .conftest import run_cli, until
from .test_cli_dial import numbers_file, read_report, start

run = run_cli


def added(fake, campaign: str = "00001") -> Counter[str]:
    return Counter(record["phone_number"] for record in fake.campaigns[campaign])


async def test_load_adds_each_row_once_with_its_next_call_date(env, tmp_path, capsys):
    source = tmp_path / "campaign.csv"
    source.write_text(
        "Phone Number;next_call_date\n"
        "500111222;2026-12-07 09:30\n"
        "500111333;\n"
        "500111222;2026-12-08 10:00\n"  # the same number again: skipped
    )
    env.campaigns["00001"].append({"phone_number": "500111333"})  # already in
    report = tmp_path / "report.csv"
    code, _ = await run(
        "campaign", "load", "00001", str(source), "--report", str(report)
    )
    err = capsys.readouterr().err
    assert code == EXIT_OK, err
    assert "3 numbers: 1 added, 0 failed, 0 unknown, 2 skipped" in err
    rows = read_report(report)
    assert list(rows[0]) == [
        "item",
        "phone_number",
        "next_call_date",
        "status",
        "error",
    ]
    by_line = {row["item"]: row for row in rows}
    assert by_line["2"]["status"] == "added"
    assert by_line["2"]["next_call_date"] == "2026-12-07 09:30:00"
    assert by_line["3"]["status"] == "skipped"
    assert by_line["3"]["error"] == "already in the campaign"  # not added by us
    assert by_line["4"]["status"] == "skipped"
    assert added(env) == {"500111222": 1, "500111333": 1}
    (record,) = [r for r in env.campaigns["00001"] if r["phone_number"] == "500111222"]
    assert record["next_call_date"] == "2026-12-07 09:30"


async def test_an_unknown_campaign_stops_the_run_after_one_request(
    env, tmp_path, capsys
):
    source = numbers_file(tmp_path, 50)
    code, _ = await run("campaign", "load", "00009", str(source), "--concurrency", "1")
    err = capsys.readouterr().err
    assert code == EXIT_ERROR, err
    assert "the run stopped" in err
    assert "Outbound not found" in err
    assert len(env.requests_to("outbounds.add_records")) == 1


@pytest.mark.parametrize("bad", ["1", "000001", "00/01", ""])
async def test_a_bad_campaign_id_sends_nothing(env, tmp_path, capsys, bad):
    source = numbers_file(tmp_path, 3)
    code, _ = await run("campaign", "load", bad, str(source))
    assert code == EXIT_ERROR
    assert "OUTBOUND_ID" in capsys.readouterr().err
    assert env.requests == []


async def test_json_lines_say_added(env, tmp_path):
    source = numbers_file(tmp_path, 2)
    code, out = await run("campaign", "load", "00001", str(source), "--jsonl")
    assert code == EXIT_OK
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line.get("status") for line in lines[:2]] == ["added", "added"]
    assert "next_call_date" in lines[0]
    assert lines[-1]["summary"]["added"] == 2


async def test_kill_9_then_resume_adds_everyone_once_and_nobody_twice(fake, tmp_path):
    fake.set_fault_rate(0.05, seed=5, faults=[Fault.processed_then_status(500)])
    source = numbers_file(tmp_path, 1000)
    first = tmp_path / "first.csv"
    job = await start(
        fake, "campaign", "load", "00001", str(source), "--rate", "40",
        "--concurrency", "4", "--batch-size", "10", "--report", str(first),
    )  # fmt: skip
    await until(lambda: len(fake.campaigns["00001"]) >= 200)
    job.kill()  # SIGKILL: nothing is flushed on the way out
    await job.wait()
    second = tmp_path / "second.csv"
    job = await start(
        fake, "campaign", "load", "00001", str(source), "--resume", str(first),
        "--report", str(second), "--concurrency", "4", "--batch-size", "10",
    )  # fmt: skip
    _, err = await asyncio.wait_for(job.communicate(), 120)
    assert job.returncode in (EXIT_OK, EXIT_NOT_ALL_SCHEDULED), err.decode()
    counts = added(fake)
    # Every fault here comes after processing, so every batch cut short was resent:
    # the fake never adds a number twice, and each row must agree with it.
    assert max(counts.values()) == 1
    rows = {row["phone_number"]: row for row in read_report(second)}
    assert len(rows) == 1000
    for number, row in rows.items():
        if row["status"] in ("added", "skipped"):
            assert counts[number] == 1, row
        elif row["status"] == "failed":
            assert counts[number] == 0, row
    # Settled by the first run: skipped; in flight at the kill: resent, and
    # confirmed by the server (the intent line was written before it went out).
    carried = [row for row in rows.values() if "run resumed" in row["error"]]
    assert all(row["status"] == "skipped" for row in carried)
    assert all(counts[row["phone_number"]] == 1 for row in carried)
    resent = [row for row in rows.values() if row["error"] == "confirmed on resend"]
    assert all(row["status"] == "added" for row in resent)
    assert len(carried) + len(resent) >= 200
    assert sum(counts.values()) == sum(
        row["status"] in ("added", "skipped") for row in rows.values()
    )


async def test_sigterm_stops_the_load_gracefully(fake, tmp_path):
    source = numbers_file(tmp_path, 3000)
    report = tmp_path / "report.csv"
    job = await start(
        fake, "campaign", "load", "00001", str(source), "--rate", "300",
        "--report", str(report),
    )  # fmt: skip
    await until(lambda: len(fake.campaigns["00001"]) >= 150)
    job.send_signal(signal.SIGTERM)
    _, err_bytes = await asyncio.wait_for(job.communicate(), 60)
    err = err_bytes.decode()
    assert job.returncode == 143, err
    assert "no new records" in err
    assert "added" in err
    rows = read_report(report)
    reported = {row["phone_number"] for row in rows if row["status"] == "added"}
    assert reported == set(added(fake))  # every record the server took is reported


async def test_stats_shows_each_campaign(env, capsys):
    env.add_campaign("00002")
    env.campaigns["00001"].extend({"phone_number": f"5001{i:05d}"} for i in range(3))
    code, out = await run("campaign", "stats")
    assert code == EXIT_OK
    assert "00001" in out
    assert "00002" in out
    assert " 3 " in out
    code, out = await run("campaign", "stats", "--json")
    assert json.loads(out) == [
        {"id": "00001", "records_count": 3, "completion_percent": 0.0},
        {"id": "00002", "records_count": 0, "completion_percent": 0.0},
    ]


async def test_identifier_agent_and_chosen_columns_go_into_each_record(env, tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text(
        "phone;identifier;agent_login;name;city;note\n"
        "500111222;lead-1;jkowalski;Jan;Kraków;ignored\n"
        "500111333;lead-2;;Anna;Gdańsk;\n",
        encoding="utf-8",
    )
    code, _ = await run(
        "campaign", "load", "00001", str(source), "--fields", "name,city"
    )
    assert code == EXIT_OK
    first, second = env.campaigns["00001"]
    assert first["identifier"] == "lead-1"
    assert first["agent_login"] == "jkowalski"
    assert first["record_fields"] == {"name": "Jan", "city": "Kraków"}
    assert second["agent_login"] is None  # an empty cell is no agent, not ""
    assert second["record_fields"] == {"name": "Anna", "city": "Gdańsk"}


@pytest.mark.parametrize(
    ("text", "fields", "fragment"),
    [
        ("phone;name\n500111222;Jan\n", "name,town", "no column 'town'"),
        ("500111222;Jan\n", "name", "needs a header"),
        ("phone;name\n500111222;Jan\n", "name,,", "expected column names"),
    ],
)
async def test_bad_fields_send_nothing(env, tmp_path, capsys, text, fields, fragment):
    source = tmp_path / "leads.csv"
    source.write_text(text)
    code, _ = await run("campaign", "load", "00001", str(source), "--fields", fields)
    assert code == EXIT_ERROR
    assert fragment in capsys.readouterr().err
    assert env.requests == []


async def test_remove_takes_a_files_numbers_out_and_lists_those_in_a_call(
    env, tmp_path, capsys
):
    for number in ("500111222", "500111333", "500111444"):
        env.campaigns["00001"].append(
            {"record_id": int(number), "phone_number": number}
        )
    env.numbers_in_call.add("500111444")
    source = tmp_path / "optouts.csv"
    source.write_text("phone_number\n500111222\n500111333\n500111555\n500111444\n")
    report = tmp_path / "removed.csv"
    code, _ = await run(
        "campaign", "remove", "00001", str(source), "--report", str(report),
        "--batch-size", "2",
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_NOT_ALL_SCHEDULED, err
    assert "4 numbers: 2 removed, 1 failed, 0 unknown, 1 skipped" in err
    assert "1 numbers were in a call (CALL_IN_PROGRESS)" in err
    assert "500111444 (line 5)" in err
    by_line = {row["item"]: row for row in read_report(report)}
    assert by_line["2"]["status"] == "removed"
    assert by_line["4"]["status"] == "skipped"
    assert by_line["4"]["error"] == "not in the campaign"
    assert by_line["5"]["status"] == "in_call"
    assert added(env) == {"500111444": 1}
    assert len(env.requests_to("outbounds.remove_records")) == 2
    # The call ended: a resume sends only the number left.
    env.numbers_in_call.clear()
    again = tmp_path / "again.csv"
    code, _ = await run(
        "campaign", "remove", "00001", str(source), "--resume", str(report),
        "--report", str(again),
    )  # fmt: skip
    assert code == EXIT_OK, capsys.readouterr().err
    rows = {row["item"]: row["status"] for row in read_report(again)}
    assert rows == {"2": "skipped", "3": "skipped", "4": "skipped", "5": "removed"}
    assert added(env) == {}
    taken = Counter(r["phone_number"] for r in env.removed_records)
    assert max(taken.values()) == 1
