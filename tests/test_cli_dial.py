"""schedule-calls as an operator runs it: signals, kill -9, resume, files from Excel.

The processes are real (``python -m thulium_async``), the server is a FakeThulium in
this test's loop on 127.0.0.1, and its ledger of calls is the truth.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest

from thulium_async._cli.main import EXIT_ERROR, EXIT_NOT_ALL_SCHEDULED, EXIT_OK
from thulium_async.testing import FakeThulium, Fault

from .conftest import run_cli, until

run = run_cli


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


async def start(fake: FakeThulium, *args: str) -> asyncio.subprocess.Process:
    environment = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "THULIUM_BASE_URL": fake.base_url,
        "THULIUM_USERNAME": fake.username,
        "THULIUM_PASSWORD": fake.password,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "thulium_async",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environment,
    )


def numbers_file(tmp_path: Path, count: int) -> Path:
    source = tmp_path / "numbers.csv"
    source.write_text("phone_number\n" + "".join(f"5{i:08d}\n" for i in range(count)))
    return source


async def test_sigterm_stops_gracefully_and_the_report_has_every_accepted_call(
    fake, tmp_path
):
    source = numbers_file(tmp_path, 3000)
    report = tmp_path / "report.csv"
    job = await start(
        fake,
        "schedule-calls",
        "2",
        str(source),
        "--rate",
        "300",
        "--report",
        str(report),
    )
    await until(lambda: len(fake.scheduled) >= 150)
    job.send_signal(signal.SIGTERM)
    _, err_bytes = await asyncio.wait_for(job.communicate(), 60)
    err = err_bytes.decode()
    assert job.returncode == 143, err
    assert "interrupted by SIGTERM" in err
    assert "--resume" in err
    assert "Traceback" not in err
    rows = read_report(report)
    scheduled = {row["phone_number"] for row in rows if row["status"] == "scheduled"}
    called = Counter(call.phone_number for call in fake.scheduled)
    assert set(called) == scheduled  # every call the server accepted is reported
    assert max(called.values()) == 1
    assert 150 <= len(rows) < 3000


async def test_kill_9_then_resume_calls_everyone_once_and_nobody_twice(fake, tmp_path):
    fake.set_fault_rate(0.05, seed=3, faults=[Fault.processed_then_status(500)])
    source = numbers_file(tmp_path, 1200)
    first = tmp_path / "first.csv"
    job = await start(
        fake, "schedule-calls", "2", str(source), "--rate", "300",
        "--concurrency", "20", "--report", str(first),
    )  # fmt: skip
    await until(lambda: len(fake.scheduled) >= 200)
    job.kill()  # SIGKILL: no handler runs, nothing is flushed on the way out
    await job.wait()
    second = tmp_path / "second.csv"
    job = await start(
        fake, "schedule-calls", "2", str(source), "--resume", str(first),
        "--report", str(second), "--concurrency", "20",
    )  # fmt: skip
    _, err = await asyncio.wait_for(job.communicate(), 120)
    assert job.returncode in (EXIT_OK, EXIT_NOT_ALL_SCHEDULED), err.decode()
    called = Counter(call.phone_number for call in fake.scheduled)
    assert max(called.values()) == 1, "somebody was called twice"
    rows = {row["phone_number"]: row for row in read_report(second)}
    assert len(rows) == 1200  # every number of the file is accounted for
    for i in range(1200):
        number = f"5{i:08d}"
        row = rows[number]
        if called[number] == 0:  # not called: it must be reported as perhaps called
            assert row["status"] == "unknown", row
    # Skipped means scheduled by the run resumed, and nothing else: a number in
    # flight at the kill, or unknown there, is "unknown" again for reconcile to
    # settle, never hidden as skipped.
    skipped = [row for row in rows.values() if row["status"] == "skipped"]
    carried = [row for row in rows.values() if "run resumed" in row["error"]]
    assert len(carried) >= 200
    assert all("scheduled by the run resumed" in row["error"] for row in skipped)
    hidden = [row for row in carried if row["status"] not in ("skipped", "unknown")]
    assert hidden == []
    in_flight = [row for row in carried if "in flight" in row["error"]]
    assert all(row["status"] == "unknown" for row in in_flight)


async def test_resume_needs_the_previous_journal(env, tmp_path, capsys):
    source = numbers_file(tmp_path, 3)
    code, _ = await run(
        "schedule-calls", "2", str(source), "--resume", str(tmp_path / "none.csv"),
        "--report", str(tmp_path / "new.csv"),
    )  # fmt: skip
    assert code == EXIT_ERROR
    assert "no journal" in capsys.readouterr().err
    assert not env.requests


async def test_an_existing_journal_is_not_overwritten(env, tmp_path, capsys):
    source = numbers_file(tmp_path, 3)
    report = tmp_path / "report.csv"
    assert (await run("schedule-calls", "2", str(source), "--report", str(report)))[
        0
    ] == 0
    code, _ = await run("schedule-calls", "2", str(source), "--report", str(report))
    assert code == EXIT_ERROR
    assert "--resume" in capsys.readouterr().err
    assert len(env.scheduled) == 3


async def test_a_wrong_password_stops_the_run_with_one_line(
    fake, tmp_path, monkeypatch
):
    monkeypatch.setenv("THULIUM_BASE_URL", fake.base_url)
    monkeypatch.setenv("THULIUM_USERNAME", fake.username)
    monkeypatch.setenv("THULIUM_PASSWORD", "wrong")
    source = numbers_file(tmp_path, 3000)
    report = tmp_path / "report.csv"
    code, _ = await run(
        "schedule-calls",
        "2",
        str(source),
        "--report",
        str(report),
        "--concurrency",
        "5",
    )
    assert code == EXIT_ERROR
    assert len(fake.requests) <= 5
    rows = read_report(report)
    assert len(rows) == 3000
    assert {row["status"] for row in rows} == {"failed"}
    assert sum("not sent" in row["error"] for row in rows) >= 2995


EXCEL_FILES = {
    "excel utf-8 with bom, semicolons": (
        "\ufeffPhone Number;When\r\n500000001;2030-01-02 09:30\r\n500000002;\r\n",
        "utf-8",
    ),
    "phone,when header": (
        "phone,when\n500000001,2030-01-02 09:30\n500000002,\n",
        "utf-8",
    ),
    "no header, tabs": ("500000001\t2030-01-02 09:30\n500000002\n", "utf-8"),
    "bom, plain list": ("\ufeff500000001\n500000002\n", "utf-8"),
}


@pytest.mark.parametrize(
    ("text", "encoding"), EXCEL_FILES.values(), ids=EXCEL_FILES.keys()
)
async def test_files_as_people_have_them(env, tmp_path, text, encoding):
    source = tmp_path / "numbers.csv"
    source.write_bytes(text.encode(encoding))
    code, _ = await run("schedule-calls", "2", str(source))
    assert code == EXIT_OK
    assert sorted(c.phone_number for c in env.scheduled) == ["500000001", "500000002"]
    call = next(c for c in env.scheduled if c.phone_number == "500000001")
    if "2030" in text:
        assert call.call_at == "2030-01-02 09:30:00"


async def test_a_windows_1250_file_is_refused_whole_with_a_hint(env, tmp_path, capsys):
    source = tmp_path / "numbers.csv"
    source.write_bytes("telefon;nazwisko\n500000001;Łukasz Żółć\n".encode("cp1250"))
    code, _ = await run("schedule-calls", "2", str(source))
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert "--encoding" in err
    assert "line 2" in err
    assert "Traceback" not in err
    assert not env.requests  # nothing sent from a file that cannot be read
    code, _ = await run("schedule-calls", "2", str(source), "--encoding", "cp1250")
    assert code == EXIT_OK
    assert [c.phone_number for c in env.scheduled] == ["500000001"]


async def test_report_dash_writes_csv_to_stdout_and_json_writes_lines(env, tmp_path):
    source = numbers_file(tmp_path, 2)
    code, out = await run("schedule-calls", "2", str(source), "--report", "-")
    assert code == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["item"] for row in sorted(rows, key=lambda r: r["item"])] == ["2", "3"]
    assert not (Path.cwd() / "-").exists()
    code, out = await run("schedule-calls", "2", str(source), "--jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert {line["status"] for line in lines[:-1]} == {"skipped", "scheduled"} - {
        "skipped"
    }
    assert lines[-1]["summary"]["scheduled"] == 2


async def test_duplicates_in_a_file_are_called_once(env, tmp_path):
    source = tmp_path / "numbers.csv"
    source.write_text("500111222\n500-111-222\n500 111 222\n")
    report = tmp_path / "report.csv"
    code, _ = await run("schedule-calls", "2", str(source), "--report", str(report))
    assert code == EXIT_OK
    assert len(env.calls_to("500111222")) == 1
    rows = read_report(report)
    assert Counter(row["status"] for row in rows) == {"scheduled": 1, "skipped": 2}
    assert all("item 1" in row["error"] for row in rows if row["status"] == "skipped")


async def test_past_call_at_is_warned_about(env, tmp_path, capsys):
    source = tmp_path / "numbers.csv"
    source.write_text("500000001,2020-01-01 10:00\n")
    await run("schedule-calls", "2", str(source))
    assert "in the past" in capsys.readouterr().err


async def test_progress_total_does_not_count_the_header(env, tmp_path, capsys):
    source = numbers_file(tmp_path, 4)
    await run("schedule-calls", "2", str(source))
    assert "4/4" in capsys.readouterr().err


async def test_a_second_sigterm_abandons_the_calls_in_flight_as_unknown(fake, tmp_path):
    fake.set_fault_rate(1.0, faults=[Fault.processed_then_stall(60)])
    source = numbers_file(tmp_path, 50)
    report = tmp_path / "report.csv"
    job = await start(
        fake, "schedule-calls", "2", str(source), "--concurrency", "5",
        "--report", str(report),
    )  # fmt: skip
    await until(lambda: len(fake.scheduled) == 5)  # five calls stuck in flight
    job.send_signal(signal.SIGTERM)
    assert job.stderr is not None
    line = await asyncio.wait_for(job.stderr.readline(), 30)
    while b"Stopping" not in line:
        line = await asyncio.wait_for(job.stderr.readline(), 30)
    job.send_signal(signal.SIGTERM)
    _, rest = await asyncio.wait_for(job.communicate(), 60)
    err = rest.decode()
    assert job.returncode == 143, err
    assert "5 in flight when stopped" in err
    assert "interrupted by SIGTERM: 0 numbers" in err
    rows = read_report(report)
    assert [row["status"] for row in rows] == ["unknown"] * 5
    assert {row["phone_number"] for row in rows} == {
        c.phone_number for c in fake.scheduled
    }
    with (tmp_path / "report.csv.journal").open() as handle:
        journal = [json.loads(line) for line in handle]
    assert sum(record.get("s") == "unknown" for record in journal) == 5
