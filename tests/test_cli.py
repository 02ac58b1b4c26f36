"""The command line, end to end against FakeThulium: output, exit codes, no secrets."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from thulium_async._cli import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NOT_ALL_SCHEDULED,
    EXIT_OK,
    amain,
)
from thulium_async.testing import Fault


@pytest.fixture
def env(fake, monkeypatch):
    monkeypatch.setenv("THULIUM_BASE_URL", fake.base_url)
    monkeypatch.setenv("THULIUM_USERNAME", fake.username)
    monkeypatch.setenv("THULIUM_PASSWORD", fake.password)
    return fake


async def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = await amain(list(argv), out=out)
    return code, out.getvalue()


async def test_waiting_list_prints_a_table(env, capsys):
    env.add_caller(2, "500333222", customer_id=7, customer_label="Jan Kowalski")
    code, out = await run("waiting-list", "2")
    assert code == EXIT_OK
    assert "phone number" in out
    assert "500333222" in out
    assert "Jan Kowalski (#7)" in out
    assert env.password not in out + capsys.readouterr().err


async def test_waiting_list_json_parses(env):
    env.add_caller(2, "500333222", started_at="2026-11-22 10:00:00")
    code, out = await run("waiting-list", "2", "--json")
    assert code == EXIT_OK
    assert json.loads(out) == [
        {
            "phone_number": "500333222",
            "started_at": "2026-11-22T10:00:00+01:00",
            "customer_id": None,
            "customer_label": None,
        }
    ]


async def test_empty_queue_says_so(env):
    code, out = await run("waiting-list", "2")
    assert (code, out) == (EXIT_OK, "Nobody is waiting in queue 2.\n")


async def test_schedule_call_with_at(env):
    code, out = await run(
        "schedule-call", "2", "500 333 222", "--at", "2026-11-23 09:30"
    )
    assert code == EXIT_OK
    assert "Scheduled a call to 500 333 222" in out
    assert env.scheduled[0].call_at == "2026-11-23 09:30:00"


async def test_schedule_call_json(env):
    code, out = await run("schedule-call", "2", "500333222", "--json")
    assert code == EXIT_OK
    assert json.loads(out)["status"] == "scheduled"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("waiting-list", "9"), "answered 404"),
        (("schedule-call", "2", "not-a-number"), "is not a phone number"),
        (("waiting-list", "0"), "queue_id"),
    ],
)
async def test_errors_are_one_line_and_exit_1(env, capsys, argv, message):
    code, _ = await run(*argv)
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err.startswith("error: ")
    assert message in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


async def test_wrong_password_is_a_clear_error_without_echoing_it(
    env, monkeypatch, capsys
):
    monkeypatch.setenv("THULIUM_PASSWORD", "not-the-Password")
    code, out = await run("waiting-list", "2")
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert "401" in err
    assert "not-the-Password" not in out + err


async def test_missing_settings_are_explained(monkeypatch, capsys):
    for name in ("THULIUM_BASE_URL", "THULIUM_USERNAME", "THULIUM_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    code, _ = await run("waiting-list", "2")
    assert code == EXIT_ERROR
    assert "THULIUM_BASE_URL" in capsys.readouterr().err


async def test_unreachable_host_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("THULIUM_USERNAME", "u")
    monkeypatch.setenv("THULIUM_PASSWORD", "p")
    code, _ = await run(
        "waiting-list", "2", "--base-url", "http://127.0.0.1:9/api", "--timeout", "1"
    )
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert "could not connect" in err


async def test_schedule_calls_writes_a_report_row_per_line(env, tmp_path, capsys):
    source = tmp_path / "numbers.csv"
    source.write_text(
        "phone_number,call_at\n"
        "500000001,\n"
        "500000002,2026-11-23 09:30\n"
        "not-a-number,\n"
        "500000003,yesterday\n"
        "\n"
        "500000004\n"
    )
    report = tmp_path / "report.csv"
    code, _ = await run(
        "schedule-calls",
        "2",
        str(source),
        "--report",
        str(report),
        "--concurrency",
        "2",
    )
    assert code == EXIT_NOT_ALL_SCHEDULED  # two lines are bad
    with report.open() as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: row["phone_number"])
    statuses = {row["phone_number"]: row["status"] for row in rows}
    assert statuses == {
        "500000001": "scheduled",
        "500000002": "scheduled",
        "500000004": "scheduled",
        "not-a-number": "failed",
        "500000003": "failed",
    }
    by_number = {row["phone_number"]: row for row in rows}
    assert "not a date" in by_number["500000003"]["error"]
    assert by_number["500000003"]["item"] == "5"  # its line in the file
    assert by_number["500000004"]["item"] == "7"  # after a blank line
    assert {c.phone_number for c in env.scheduled} == {
        "500000001",
        "500000002",
        "500000004",
    }
    assert "3 scheduled, 2 failed" in capsys.readouterr().err


async def test_schedule_calls_all_good_exits_0_and_unknown_is_reported(env, tmp_path):
    source = tmp_path / "numbers.csv"
    source.write_text("".join(f"5000000{i:02d}\n" for i in range(20)))
    assert (await run("schedule-calls", "2", str(source)))[0] == EXIT_OK
    env.fail_next("schedule_call", Fault.processed_then_status(502))
    report = tmp_path / "report.csv"
    code, _ = await run("schedule-calls", "2", str(source), "--report", str(report))
    assert code == EXIT_NOT_ALL_SCHEDULED
    assert "unknown" in report.read_text()


def _python(*args: str, **kwargs) -> subprocess.Popen[str]:
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    environment.update(kwargs.pop("env", {}))
    return subprocess.Popen(
        [sys.executable, "-m", "thulium_async", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        **kwargs,
    )


def test_help_runs_as_a_module():
    process = _python("--help")
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "demo" in out
    assert "schedule-calls" in out


def test_demo_runs_out_of_the_box():
    """The README's first command: no arguments, no network, exit 0."""
    process = _python("demo", "--numbers", "60")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "Report" in out
    assert "nobody was called twice" in out
    assert "Traceback" not in err


def test_ctrl_c_stops_cleanly_and_the_report_lists_every_number_sent(tmp_path: Path):
    server = _python("serve-fake")
    try:
        assert server.stdout is not None
        settings: dict[str, str] = {}
        while len(settings) < 3:
            line = server.stdout.readline()
            assert line, "serve-fake ended early"
            if "=" in line:
                key, value = line.strip().removeprefix("export ").split("=", 1)
                settings[key] = value
        source = tmp_path / "numbers.csv"
        source.write_text("".join(f"5{i:08d}\n" for i in range(5000)))
        report = tmp_path / "report.csv"
        job = _python(
            "schedule-calls",
            "2",
            str(source),
            "--rate",
            "100",
            "--report",
            str(report),
            env=settings,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # wait until calls are going out
            if report.exists() and report.stat().st_size > 100:
                break
            time.sleep(0.05)
        job.send_signal(signal.SIGINT)
        _, err = job.communicate(timeout=60)
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    assert job.returncode == EXIT_INTERRUPTED, err
    assert "Stopping" in err
    assert "Traceback" not in err
    with report.open() as handle:
        rows = list(csv.DictReader(handle))
    assert 0 < len(rows) < 5000
    assert {row["status"] for row in rows} == {"scheduled"}
    lines = sorted(int(row["item"]) for row in rows)
    assert lines == list(range(1, len(rows) + 1))  # a prefix: a re-run skips these


async def test_demo_in_process_reports_and_checks_its_guarantees():
    code, out = await run(
        "demo", "--numbers", "40", "--fault-rate", "0.3", "--seed", "7"
    )
    assert code == EXIT_OK
    assert "Queue 2: 3 callers waiting" in out
    assert "Jan Kowalski (#123)" in out
    assert "nobody was called twice" in out


async def test_watch_prints_joins_and_leaves_until_stopped(env):
    import asyncio

    env.add_caller(2, "500333222", customer_label="Jan")
    out = io.StringIO()
    task = asyncio.ensure_future(amain(["watch", "2", "--interval", "0.02"], out=out))
    for _ in range(300):  # wait for conditions, not for luck
        if "500333222 Jan" in out.getvalue():
            break
        await asyncio.sleep(0.01)
    env.add_caller(2, "600111222")
    for _ in range(300):
        if "+ 600111222" in out.getvalue():
            break
        await asyncio.sleep(0.01)
    env.remove_caller(2, "500333222")
    for _ in range(300):
        if "- 500333222" in out.getvalue():
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    text = out.getvalue()
    assert "+ 500333222 Jan" in text
    assert "+ 600111222" in text
    assert "- 500333222 Jan" in text
    assert "2 waiting" in text


async def test_watch_unknown_queue_is_a_one_line_error(env, capsys):
    code, _ = await run("watch", "9", "--interval", "0.01")
    assert code == EXIT_ERROR
    assert "404" in capsys.readouterr().err


async def test_a_shared_rate_needs_a_rate(env, tmp_path, capsys):
    source = tmp_path / "numbers.csv"
    source.write_text("500000001\n")
    code, _ = await run(
        "schedule-calls", "2", str(source), "--redis-url", "redis://127.0.0.1:1/0"
    )
    assert code == EXIT_ERROR
    assert "--redis-url needs --rate" in capsys.readouterr().err
    assert env.requests == []


async def test_an_unreachable_shared_rate_fails_every_number_and_sends_none(
    env, tmp_path, monkeypatch
):
    monkeypatch.setenv("THULIUM_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens
    source = tmp_path / "numbers.csv"
    source.write_text("500000001\n500000002\n")
    report = tmp_path / "report.csv"
    code, _ = await run(
        "schedule-calls", "2", str(source), "--rate", "5", "--report", str(report)
    )
    assert code == EXIT_NOT_ALL_SCHEDULED
    with report.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["status"] for row in rows] == ["failed", "failed"]
    assert "shared rate limit at 127.0.0.1:1/0 did not answer" in rows[0]["error"]
    assert env.requests == []


async def test_language_flag_asks_for_error_messages_in_that_language(env):
    code, _ = await run("schedule-call", "2", "500333222", "--language", "pl")
    assert code == EXIT_OK
    assert env.requests[-1].headers["Accept-Language"] == "pl"
