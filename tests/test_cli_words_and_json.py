"""The CLI as an operator meets it (#27, #26 item 7): flags named in errors, `-` as
standard output, one JSON rule, progress and summaries, files re-saved by Excel."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sys
from pathlib import Path

import pytest

from thulium_async._cli.main import EXIT_ERROR, EXIT_OK, build_parser

from .conftest import run_cli as run


async def usage_error(capsys, *argv: str) -> str:
    """Run a command argparse must refuse; return its standard error."""
    with pytest.raises(SystemExit) as info:
        await run(*argv)
    assert info.value.code == 2
    err: str = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def calls(fake, count: int) -> str:
    for i in range(count):
        fake.add_connection(f"5{i:08d}", queue_id=2)
    day: str = fake.now().date().isoformat()
    return day


# 27.1 and 27.2: `-` is standard output; --json is an array, --jsonl lines


async def test_export_to_standard_output(env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    day = calls(env, 3)
    code, out = await run(
        "connections", "export", "--from", day, "--to", day, "--output", "-"
    )
    assert code == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3
    assert not (tmp_path / "-").exists()
    assert "written to standard output" in capsys.readouterr().err


async def test_export_json_is_an_array_and_jsonl_is_lines(env, tmp_path):
    day = calls(env, 120)  # two pages
    target = tmp_path / "calls.json"
    argv = ("connections", "export", "--from", day, "--to", day)
    code, _ = await run(*argv, "--output", str(target), "--json")
    assert code == EXIT_OK
    exported = json.loads(target.read_text())
    assert len(exported) == 120
    assert exported[0]["dst"].startswith("5")
    assert exported[0]["queue_id"] == 2
    code, out = await run(*argv, "--output", "-", "--jsonl")
    assert [json.loads(line)["connection_id"] for line in out.splitlines()] == [
        call["connection_id"] for call in exported
    ]


async def test_export_json_of_nothing_is_an_empty_array(env):
    day = env.now().date().isoformat()
    code, out = await run(
        "connections", "export", "--from", day, "--to", day, "--output", "-", "--json"
    )
    assert (code, json.loads(out)) == (EXIT_OK, [])


# 27.4: date errors name their flag; every day flag takes YYYY-MM-DD


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (("connections", "export", "--from", "2026-02-30", "--to", "2026-03-01"), "--from"),
        (("connections", "export", "--from", "2026-12-01", "--to", "2026-12-32"), "--to"),
        (("tickets", "list", "--since", "2026-13-01"), "--since"),
        (("reconcile", "2", "r.csv", "--since", "yesterday"), "--since"),
        (("schedule-call", "2", "500333222", "--at", "tomorrow"), "--at"),
    ],
)  # fmt: skip
async def test_a_bad_date_names_its_flag(capsys, argv, flag):
    err = (
        await usage_error(capsys, *argv, "--output", "x")
        if "export" in argv
        else (await usage_error(capsys, *argv))
    )
    assert f"argument {flag}:" in err
    assert "YYYY-MM-DD" in err
    if flag != "--at":
        assert "--at" not in err


async def test_reconcile_since_takes_a_day(env, tmp_path):
    report = tmp_path / "report.csv"
    report.write_text(
        "item,phone_number,call_at,status,error\n1,600000001,,unknown,x\n"
    )
    env.add_connection("600000001", queue_id=2)
    day = env.now().date().isoformat()
    code, out = await run("reconcile", "2", str(report), "--since", day)
    assert code == EXIT_OK
    assert "1 unknown: 1 called" in out
    history = env.requests_to("connections.list")
    assert history[0].query["date_from"][0].startswith(day)


# 27.5 and 27.6: --at in the past warns; DST gap and repeated hour


async def test_schedule_call_in_the_past_warns(env, capsys):
    code, _ = await run("schedule-call", "2", "500333222", "--at", "2020-01-01 10:00")
    assert code == EXIT_OK
    assert "in the past" in capsys.readouterr().err


async def test_a_time_in_the_spring_gap_says_how_to_name_the_instant(env, capsys):
    code, _ = await run("schedule-call", "2", "500333222", "--at", "2026-03-29 02:30")
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert "does not exist" in err
    assert "--at '2026-03-29 02:30+01:00' is 03:30" in err
    assert "aware datetime" not in err
    assert not env.scheduled
    code, _ = await run(
        "schedule-call", "2", "500333222", "--at", "2026-03-29 02:30+01:00"
    )
    assert code == EXIT_OK
    assert env.scheduled[0].call_at == "2026-03-29 03:30:00"


async def test_the_repeated_autumn_hour_needs_its_offset(env, capsys):
    code, _ = await run("schedule-call", "2", "500333222", "--at", "2026-10-25 02:30")
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert "2026-10-25 02:30+02:00" in err
    assert "2026-10-25 02:30+01:00" in err
    assert "happens twice" in err
    assert not env.scheduled


@pytest.mark.parametrize(
    ("offset", "which"), [("+02:00", "first"), ("+01:00", "second")]
)
async def test_the_repeated_autumn_hour_with_an_offset_is_sent_saying_which(
    env, capsys, offset, which
):
    code, _ = await run(
        "schedule-call", "2", "500333222", "--at", f"2026-10-25 02:30{offset}"
    )
    err = capsys.readouterr().err
    assert code == EXIT_OK, err
    assert f"the {which} 2026-10-25 02:30" in err
    assert env.scheduled[0].call_at == "2026-10-25 02:30:00"


async def test_a_negative_queue_is_refused_in_cli_words(env, tmp_path, capsys):
    source = tmp_path / "numbers.csv"
    source.write_text("500000001\n")
    err = await usage_error(capsys, "schedule-calls", "-5", str(source))
    assert "not a queue id" in err
    assert "queue_id must" not in err
    assert "no report file" not in err  # refused before the run's warnings


async def test_a_reader_that_stops_early_is_no_error(env, tmp_path):
    report = tmp_path / "report.csv"
    # More than a pipe holds, so the writer meets the closed pipe.
    rows = "".join(f"{i},5{i:08d},,unknown,\n" for i in range(3000))
    report.write_text("item,phone_number,call_at,status,error\n" + rows)
    since = env.now().date().isoformat()
    command = (
        f"{sys.executable} -m thulium_async reconcile 2 {report} --since {since} "
        "--jsonl | head -1"
    )
    job = await asyncio.create_subprocess_shell(  # a pipe, as an operator types it
        command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(job.communicate(), 120)
    assert "Broken pipe" not in err.decode()
    assert "Traceback" not in err.decode()
    assert out.count(b"\n") == 1


async def test_an_offset_outside_dst_nights_is_converted(env):
    code, _ = await run(
        "schedule-call", "2", "500333222", "--at", "2026-11-23 08:30+00:00"
    )
    assert code == EXIT_OK
    assert env.scheduled[0].call_at == "2026-11-23 09:30:00"


# 27.7: validation in the CLI's words, before anything is drawn or sent


@pytest.mark.parametrize(
    ("option", "value", "library_words"),
    [
        ("--rate", "0", "rate_limit"),
        ("--concurrency", "0", "concurrency must"),
        ("--grace", "-1", "grace"),
    ],
)
async def test_bulk_options_are_checked_by_argparse(
    env, tmp_path, capsys, option, value, library_words
):
    source = tmp_path / "numbers.csv"
    source.write_text("500000001\n")
    err = await usage_error(capsys, "schedule-calls", "2", str(source), option, value)
    assert f"argument {option}:" in err
    assert library_words not in err.split(f"argument {option}:")[1]
    assert "[" not in err.split("error:")[-1]  # no progress bar was drawn
    assert not env.requests


async def test_an_unknown_language_in_the_environment_is_named(
    env, monkeypatch, capsys
):
    monkeypatch.setenv("THULIUM_LANGUAGE", "de")
    err = await usage_error(capsys, "waiting-list", "2")
    assert "THULIUM_LANGUAGE" in err
    assert "en or pl" in err
    assert "None" not in err
    assert not env.requests


@pytest.mark.parametrize("region", ["POL", "4", "p", "XX"])
async def test_a_phone_region_is_two_letters(env, capsys, region):
    err = await usage_error(capsys, "waiting-list", "2", "--phone-region", region)
    assert "argument --phone-region:" in err
    assert "two-letter" in err


def test_the_phone_region_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("THULIUM_PHONE_REGION", "de")
    args = build_parser().parse_args(["waiting-list", "2"])
    assert args.phone_region == "DE"
    monkeypatch.delenv("THULIUM_PHONE_REGION")
    args = build_parser().parse_args(["waiting-list", "2"])
    assert args.phone_region == "PL"


# 27.10: one agent's 404 does not hide the others


async def test_agents_status_shows_who_was_found_and_who_failed(env, capsys):
    env.add_agent("jkowalski", status="FREE")
    code, out = await run("agents", "status", "jkowalski", "nobody")
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert "jkowalski" in out
    assert "FREE" in out
    assert "nobody" in err
    assert "404" in err
    code, out = await run("agents", "status", "jkowalski", "nobody", "--json")
    assert code == EXIT_ERROR
    document = json.loads(out)
    assert document[0]["status"] == "FREE"
    assert document[1]["login"] == "nobody"
    assert "404" in document[1]["error"]


# 27.12: --json is one document everywhere; --jsonl is lines


async def test_tickets_json_is_an_array_even_when_empty(env):
    code, out = await run("tickets", "list", "--since", "2026-11-01", "--json")
    assert (code, json.loads(out)) == (EXIT_OK, [])
    env.tickets[1] = {"ticket_id": 1, "subject": "a", "updated_at": "2026-11-23 09:30"}
    env.tickets[2] = {"ticket_id": 2, "subject": "b", "updated_at": "2026-11-23 09:31"}
    code, out = await run("tickets", "list", "--since", "2026-11-01", "--json")
    assert sorted(t["ticket_id"] for t in json.loads(out)) == [1, 2]


async def test_schedule_calls_json_is_one_document(env, tmp_path):
    source = tmp_path / "numbers.csv"
    source.write_text("500000001\n500000002\n")
    code, out = await run("schedule-calls", "2", str(source), "--json")
    assert code == EXIT_OK
    document = json.loads(out)
    assert {o["status"] for o in document["outcomes"]} == {"scheduled"}
    assert document["summary"]["scheduled"] == 2


async def test_json_documents_of_the_other_commands(env, tmp_path):
    for argv in (
        ("waiting-list", "2"),
        ("customers", "find", "--phone", "500333222"),
        ("campaign", "stats"),
    ):
        code, out = await run(*argv, "--json")
        assert code == EXIT_OK
        assert isinstance(json.loads(out), list), argv
    report = tmp_path / "report.csv"
    report.write_text("item,phone_number,call_at,status,error\n")
    code, out = await run("reconcile", "2", str(report), "--json")
    assert (code, json.loads(out)) == (EXIT_OK, [])


async def test_endless_commands_take_jsonl_not_json(env, capsys):
    code, _ = await run("watch", "2", "--json")
    assert code == EXIT_ERROR
    assert "--jsonl" in capsys.readouterr().err
    code, _ = await run("agents", "status", "x", "--watch", "--json")
    assert code == EXIT_ERROR
    assert "--jsonl" in capsys.readouterr().err
    assert not env.requests


# 27.17: the status said once


async def test_a_404_says_its_status_once(env, monkeypatch, capsys):
    monkeypatch.setenv("THULIUM_BASE_URL", env.base_url.removesuffix("/api"))
    code, _ = await run("waiting-list", "2")
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert "answered 404: Not Found. Check base_url" in err
    assert "404: 404" not in err


# 27.19: progress, summaries, where the output went


async def test_export_summary_has_the_rate_and_the_file(env, tmp_path, capsys):
    day = calls(env, 5)
    output = tmp_path / "calls.csv"
    code, out = await run(
        "connections", "export", "--from", day, "--to", day, "--output", str(output)
    )
    assert code == EXIT_OK
    err = capsys.readouterr().err
    assert "5/5" in err
    assert "/s | 5 exported" in err
    assert "Exported 5 calls in" in out
    assert f"written to {output} (CSV)" in out


async def test_campaign_load_says_where_its_report_went(env, tmp_path, capsys):
    source = tmp_path / "numbers.csv"
    source.write_text("500000001\n500000002\n")
    report = tmp_path / "report.csv"
    code, _ = await run(
        "campaign", "load", "00001", str(source), "--report", str(report)
    )
    assert code == EXIT_OK
    err = capsys.readouterr().err
    assert "2/2" in err
    assert "2 added" in err
    assert f"Report: {report}; journal: {report}.journal" in err


# 26.7: reconcile reads what Excel writes, and never shows a traceback


def excel_report(path: Path, encoding: str) -> Path:
    text = (
        "item;phone_number;call_at;status;error\r\n"
        "1;600000001;;unknown;Błąd serwera (500)\r\n"
        "2;600000002;;scheduled;\r\n"
    )
    path.write_bytes(text.encode(encoding))
    return path


async def test_reconcile_reads_a_report_resaved_by_polish_excel(env, tmp_path, capsys):
    report = excel_report(tmp_path / "report.csv", "cp1250")
    env.add_connection("600000001", queue_id=2)
    code, _ = await run("reconcile", "2", str(report))
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert "--encoding" in err
    assert "cp1250" in err
    assert "Traceback" not in err
    assert err.count("\n") == 1
    code, out = await run("reconcile", "2", str(report), "--encoding", "cp1250")
    assert code == EXIT_OK
    assert "1 unknown: 1 called" in out


async def test_reconcile_reads_utf8_with_semicolons(env, tmp_path):
    report = excel_report(tmp_path / "report.csv", "utf-8-sig")
    code, out = await run("reconcile", "2", str(report))
    assert code == EXIT_OK
    assert "1 unknown" in out


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02binary\x00", b"", b"just,some,columns\n1,2,3\n", b"\xff\xfe\x00"],
)
async def test_reconcile_never_shows_a_traceback(env, tmp_path, capsys, content):
    report = tmp_path / "report.csv"
    report.write_bytes(content)
    code, _ = await run("reconcile", "2", str(report))
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err.startswith("error: ")
    assert "Traceback" not in err
    assert not env.requests


async def test_the_phone_region_reaches_the_client(env, monkeypatch):
    from thulium_async._cli import main

    seen: list[str] = []
    real = main.ThuliumClient  # type: ignore[attr-defined]

    def spy(*args, **kwargs):
        client = real(*args, **kwargs)
        seen.append(client.phone_region)
        return client

    monkeypatch.setattr(main, "ThuliumClient", spy)
    monkeypatch.setenv("THULIUM_PHONE_REGION", "de")
    assert (await run("waiting-list", "2"))[0] == EXIT_OK
    assert (await run("waiting-list", "2", "--phone-region", "GB"))[0] == EXIT_OK
    assert seen == ["DE", "GB"]
