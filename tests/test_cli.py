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

from thulium_async._cli.main import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NOT_ALL_SCHEDULED,
    EXIT_OK,
    amain,
)
from thulium_async.testing import Fault

from .conftest import run_cli

run = run_cli


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
    # Numbers waiting on the rate limit when stopped were never written: "not sent".
    assert {row["status"] for row in rows} <= {"scheduled", "failed"}
    assert "scheduled" in {row["status"] for row in rows}
    failed = [row for row in rows if row["status"] == "failed"]
    assert all(row["error"].startswith("not sent") for row in failed), failed
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


def test_version_is_printed():
    process = _python("--version")
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert out.startswith("thulium-async ")


async def test_verbose_works_after_the_command_too(env, capsys):
    code, _ = await run("waiting-list", "2", "-v")
    assert code == EXIT_OK


def test_help_shows_the_defaults():
    import argparse

    from thulium_async._cli.main import build_parser

    parser = build_parser()
    commands = next(
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    )
    many = commands.choices["schedule-calls"].format_help()
    assert "(default: 10)" in many  # --concurrency
    assert "(default: Europe/Warsaw)" in many
    assert "(default: 30.0)" in many  # --timeout
    assert "no cap" in many  # --rate
    serve = commands.choices["serve-fake"].format_help()
    assert "(default: 0)" in serve


@pytest.mark.parametrize(
    "argv", [["serve-fake", "--fault-rate", "5"], ["demo", "--fault-rate", "2"]]
)
async def test_a_share_out_of_range_is_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as info:
        await run(*argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "share from 0 to 1" in err
    assert "Traceback" not in err


async def test_rate_key_without_redis_url_is_an_error(env, tmp_path, capsys):
    source = tmp_path / "numbers.csv"
    source.write_text("500000001\n")
    code, _ = await run("schedule-calls", "2", str(source), "--rate-key", "acme")
    assert code == EXIT_ERROR
    assert "--redis-url" in capsys.readouterr().err
    assert not env.requests


async def test_insecure_http_names_the_cli_flag(env, monkeypatch, capsys):
    monkeypatch.setenv("THULIUM_BASE_URL", "http://thulium.example.com/api")
    code, _ = await run("waiting-list", "2")
    assert code == EXIT_ERROR
    assert "--allow-insecure-http" in capsys.readouterr().err


async def test_serve_fakes_queue_changes():
    import asyncio

    from thulium_async._cli.main import _callers_come_and_go
    from thulium_async.testing import FakeThulium

    sleeps: list[float] = []
    sizes: set[int] = set()

    async def no_wait(seconds: float) -> None:
        sleeps.append(seconds)
        sizes.add(len(fake.waiting[2]))
        if len(sleeps) >= 200:
            raise asyncio.CancelledError

    async with FakeThulium(queues=(2,)) as fake:
        with pytest.raises(asyncio.CancelledError):
            await _callers_come_and_go(fake, queue=2, sleep=no_wait)
    assert len(sizes) > 2  # callers came and went
    assert all(2.0 <= s <= 5.0 for s in sleeps)


def test_serve_fake_lines_can_be_pasted_into_a_shell():
    server = _python("serve-fake")
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(4)]
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    assert [line.split("=")[0].strip() for line in lines[1:]] == [
        "export THULIUM_BASE_URL",
        "export THULIUM_USERNAME",
        "export THULIUM_PASSWORD",
    ]
    assert server.returncode == 0


def test_ctrl_c_during_one_schedule_call_says_it_may_be_scheduled():
    import asyncio

    async def scenario() -> tuple[int, str]:
        from thulium_async.testing import FakeThulium, Fault

        async with FakeThulium() as fake:
            fake.fail_next("schedule_call", Fault.processed_then_stall(30))
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "thulium_async", "schedule-call", "2", "500333222",
                stderr=asyncio.subprocess.PIPE,
                env={
                    **os.environ,
                    "THULIUM_BASE_URL": fake.base_url,
                    "THULIUM_USERNAME": fake.username,
                    "THULIUM_PASSWORD": fake.password,
                },
            )  # fmt: skip
            for _ in range(3000):  # until the request has reached the fake
                if fake.requests:
                    break
                await asyncio.sleep(0.01)
            process.send_signal(signal.SIGINT)
            _, err = await asyncio.wait_for(process.communicate(), 30)
            assert process.returncode is not None
            return process.returncode, err.decode()

    code, err = asyncio.run(scenario())
    assert code == EXIT_INTERRUPTED
    assert "may already be scheduled" in err
    assert "Traceback" not in err


def test_watch_stops_on_ctrl_c_with_its_own_words():
    import asyncio

    async def scenario() -> tuple[int, str, str]:
        from thulium_async.testing import FakeThulium

        async with FakeThulium() as fake:
            fake.add_caller(2, "500333222")
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "thulium_async", "watch", "2",
                "--interval", "0.1",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env={
                    **os.environ,
                    "PYTHONUNBUFFERED": "1",
                    "TZ": "America/New_York",  # the machine's zone differs from the system's
                    "THULIUM_BASE_URL": fake.base_url,
                    "THULIUM_USERNAME": fake.username,
                    "THULIUM_PASSWORD": fake.password,
                },
            )  # fmt: skip
            assert process.stdout is not None
            first = await asyncio.wait_for(process.stdout.readline(), 30)
            process.send_signal(signal.SIGINT)
            out, err = await asyncio.wait_for(process.communicate(), 30)
            assert process.returncode is not None
            return process.returncode, first.decode() + out.decode(), err.decode()

    code, out, err = asyncio.run(scenario())
    assert code == EXIT_INTERRUPTED
    assert "stopped watching" in err
    assert "no new calls" not in err
    from datetime import datetime
    from zoneinfo import ZoneInfo

    polled = datetime.strptime(out.split()[0], "%H:%M:%S")  # noqa: DTZ007 -- a clock time
    now = datetime.now(
        ZoneInfo("Europe/Warsaw")
    )  # the system's zone, not the machine's
    seconds = abs(
        (now.hour * 3600 + now.minute * 60 + now.second)
        - (polled.hour * 3600 + polled.minute * 60 + polled.second)
    )
    assert min(seconds, 86400 - seconds) < 120
