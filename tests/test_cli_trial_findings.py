"""The CLI as an operator meets it (issue 27): files, warnings, a full disk, serve-fake.

The subprocess tests run ``python -m thulium_async`` against a FakeThulium on
127.0.0.1; none waits for time to pass, only for things to happen.
"""

from __future__ import annotations

import asyncio
import builtins
import csv
import errno
import io
import json
import os
import re
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from thulium_async import ThuliumClient
from thulium_async._cli import dial
from thulium_async._cli.main import EXIT_ERROR, EXIT_NOT_ALL_SCHEDULED, EXIT_OK
from thulium_async.testing import FakeThulium

from .conftest import run_cli, until
from .test_cli_dial import numbers_file, read_report, start

ROOT = Path(__file__).parent.parent


# -- 27.13: nothing to send is an error ---------------------------------------------


@pytest.mark.parametrize(
    "text", ["", "phone_number\n", "\ufeffphone_number;call_at\r\n\r\n"],
    ids=["empty", "header only", "excel header only"],
)  # fmt: skip
async def test_a_file_with_nothing_to_send_says_so_and_fails(
    env, tmp_path, capsys, text
):
    source = tmp_path / "numbers.csv"
    source.write_text(text, encoding="utf-8")
    code, _ = await run_cli("schedule-calls", "2", str(source))
    err = capsys.readouterr().err
    assert code == EXIT_ERROR, err
    assert "nothing to send" in err
    assert str(source) in err
    assert env.requests == []


async def test_standard_input_with_nothing_to_send_fails_too(fake):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "thulium_async", "schedule-calls", "2", "-",
        stdin=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={
            **os.environ,
            "THULIUM_BASE_URL": fake.base_url,
            "THULIUM_USERNAME": fake.username,
            "THULIUM_PASSWORD": fake.password,
        },
    )  # fmt: skip
    _, err = await asyncio.wait_for(process.communicate(b"phone_number\n"), 60)
    assert process.returncode == EXIT_ERROR, err.decode()
    assert "nothing to send" in err.decode()


# -- 27.14: an unrecognised phone column, and --column ------------------------------


async def test_an_unknown_phone_column_is_named_not_guessed(env, tmp_path, capsys):
    source = tmp_path / "numbers.tsv"
    source.write_text("imie\tkontakt\nAla\t500333222\nOla\t500333223\n")
    code, _ = await run_cli("schedule-calls", "2", str(source))
    err = capsys.readouterr().err
    assert code == EXIT_ERROR, err
    assert "no phone number column" in err
    assert "'imie', 'kontakt'" in err
    assert "--column" in err
    assert env.requests == []  # refused before anything was sent


@pytest.mark.parametrize("column", ["kontakt", "KONTAKT", "2"])
async def test_column_picks_the_phone_column(env, tmp_path, capsys, column):
    source = tmp_path / "numbers.tsv"
    source.write_text("imie\tkontakt\nAla\t500333222\nOla\t500333223\n")
    code, _ = await run_cli("schedule-calls", "2", str(source), "--column", column)
    assert code == EXIT_OK, capsys.readouterr().err
    assert sorted(c.phone_number for c in env.scheduled) == ["500333222", "500333223"]


async def test_column_that_does_not_exist_lists_the_columns(env, tmp_path, capsys):
    source = tmp_path / "numbers.tsv"
    source.write_text("imie\tkontakt\nAla\t500333222\n")
    code, _ = await run_cli("schedule-calls", "2", str(source), "--column", "tel")
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert "--column tel: no such column" in err
    assert "'imie', 'kontakt'" in err


async def test_the_trial_s_polish_header_is_understood(env, tmp_path, capsys):
    source = tmp_path / "numbers.tsv"
    source.write_text("imie\tnr tel\nAla\t500333222\n")
    code, _ = await run_cli("schedule-calls", "2", str(source))
    assert code == EXIT_OK, capsys.readouterr().err
    assert [c.phone_number for c in env.scheduled] == ["500333222"]


# -- 27.8: no report, no journal: say so ---------------------------------------------


async def test_without_a_report_sigterm_says_a_rerun_calls_everyone_again(
    fake, tmp_path
):
    source = numbers_file(tmp_path, 3000)
    job = await start(fake, "schedule-calls", "2", str(source), "--rate", "300")
    assert job.stderr is not None
    first = await asyncio.wait_for(job.stderr.readline(), 60)
    assert b"no report file, so no journal" in first  # warned at the start
    await until(lambda: len(fake.scheduled) >= 50)
    job.send_signal(signal.SIGTERM)
    _, rest = await asyncio.wait_for(job.communicate(), 60)
    err = rest.decode()
    assert job.returncode == 128 + signal.SIGTERM, err
    summary = next(line for line in err.splitlines() if "interrupted by" in line)
    assert "running the file again repeats them all" in summary
    assert "no journal was kept" in summary
    assert "if this run stops early" not in summary  # it did: said as done


# -- 27.9: what a wrong password costs, as the docs say ------------------------------


async def test_a_wrong_password_costs_one_request_per_call_in_flight_as_documented(
    fake, tmp_path, monkeypatch
):
    monkeypatch.setenv("THULIUM_BASE_URL", fake.base_url)
    monkeypatch.setenv("THULIUM_USERNAME", fake.username)
    monkeypatch.setenv("THULIUM_PASSWORD", "wrong")
    source = numbers_file(tmp_path, 3000)
    code, _ = await run_cli("schedule-calls", "2", str(source), "--concurrency", "20")
    assert code == EXIT_ERROR
    assert 1 <= len(fake.requests) <= 20  # one per call in flight, not one per number
    for page in (ROOT / "README.md", ROOT / "docs" / "how-to" / "dialer.md"):
        text = " ".join(page.read_text(encoding="utf-8").split())
        assert "one refused request per call in flight" in text, page
        assert "costs one request" not in text, page


# -- 27.16: the bulk example prints what explains each outcome -----------------------


async def test_readme_bulk_example_explains_a_skipped_duplicate(capsys):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
        if "schedule_calls(2, numbers" in b
    ]
    body = "".join(f"    {line}\n" for line in block.splitlines())
    namespace: dict[str, object] = {"ThuliumClient": ThuliumClient}
    exec(  # noqa: S102 -- our own README
        compile(f"async def example(url, user, password, numbers):\n{body}", "README", "exec"),
        namespace,
    )  # fmt: skip
    async with FakeThulium() as fake:
        await namespace["example"](  # type: ignore[operator]
            fake.base_url, fake.username, fake.password, ["500333222", "500 333 222"]
        )
    lines = capsys.readouterr().out.splitlines()
    skipped = next(line for line in lines if "skipped" in line)
    assert not skipped.endswith("None"), lines
    assert "the same number as item 0" in skipped


# -- 27.18: a full disk stops the run as SIGTERM does --------------------------------


class _FillsUp(io.TextIOWrapper):
    """A report file on a disk that fills up after *room* bytes."""

    room = 0

    def write(self, text: str) -> int:
        if self.tell() + len(text) > self.room:
            # Half a row reaches the disk, as it does when the disk fills up.
            super().write(text[: max(0, self.room - self.tell())])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(text)


async def test_a_full_disk_prints_the_summary_and_the_resume_command(
    env, tmp_path, capsys, monkeypatch
):
    source = numbers_file(tmp_path, 200)
    report = tmp_path / "report.csv"

    def open_on_a_small_disk(path, mode="r", *args, **kwargs):
        if str(path) != str(report):
            return builtins.open(path, mode, *args, **kwargs)
        raw = builtins.open(path, "wb")  # noqa: SIM115 -- the report closes it
        handle = _FillsUp(raw, encoding="utf-8", newline="", write_through=True)
        handle.room = 1500
        return handle

    monkeypatch.setattr(dial, "open", open_on_a_small_disk, raising=False)
    code, _ = await run_cli(
        "schedule-calls", "2", str(source), "--report", str(report),
        "--concurrency", "5",
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_ERROR, err
    assert "numbers:" in err  # the summary
    # The exact command, the region and a free report name included.
    command = (
        f"To finish the run: python -m thulium_async schedule-calls 2 {source} "
        f"--phone-region PL --concurrency 5"
    )
    assert command in err, err
    assert f"--resume {report} --report {tmp_path / 'report-2.csv'}" in err
    # The report holds whole rows only: the one the disk cut is gone.
    text = report.read_bytes()
    assert text.endswith(b"\r\n")
    assert all(len(row) == 5 for row in csv.reader(io.StringIO(text.decode())))
    assert "No space left on device" in err
    assert "Traceback" not in err
    sent = len(env.scheduled)
    assert 0 < sent < 200  # it stopped sending
    monkeypatch.undo()
    monkeypatch.setenv("THULIUM_BASE_URL", env.base_url)
    monkeypatch.setenv("THULIUM_USERNAME", env.username)
    monkeypatch.setenv("THULIUM_PASSWORD", env.password)
    second = tmp_path / "second.csv"
    code, _ = await run_cli(
        "schedule-calls", "2", str(source), "--resume", str(report),
        "--report", str(second),
    )  # fmt: skip
    assert code in (EXIT_OK, EXIT_NOT_ALL_SCHEDULED), capsys.readouterr().err
    called = [c.phone_number for c in env.scheduled]
    assert len(called) == len(set(called)) == 200  # everyone once, nobody twice
    assert len(read_report(second)) == 200


# -- 27.11: serve-fake has what the README's commands look for -----------------------


async def test_every_readme_command_finds_something_in_serve_fake(
    tmp_path, monkeypatch, capsys
):
    from thulium_async._cli.demo import seed_serve_fake

    async with FakeThulium(queues=(1, 2, 3)) as fake:
        seed_serve_fake(fake)
        monkeypatch.setenv("THULIUM_BASE_URL", fake.base_url)
        monkeypatch.setenv("THULIUM_USERNAME", fake.username)
        monkeypatch.setenv("THULIUM_PASSWORD", fake.password)
        code, out = await run_cli("waiting-list", "2")
        assert code == EXIT_OK
        assert "Jan Kowalski" in out
        code, out = await run_cli("customers", "find", "--phone", "500333222")
        assert code == EXIT_OK, capsys.readouterr().err
        assert "123" in out
        assert "Kowalski" in out
        code, out = await run_cli("tickets", "list", "--since", "2026-11-01")
        assert code == EXIT_OK, capsys.readouterr().err
        assert "Callback about order" in out
        calls = tmp_path / "calls.csv"
        code, _ = await run_cli(
            "connections", "export", "--from", "2026-11-01", "--to", "2026-11-30",
            "--output", str(calls),
        )  # fmt: skip
        assert code == EXIT_OK, capsys.readouterr().err
        with calls.open(encoding="utf-8", newline="") as handle:
            assert len(list(csv.DictReader(handle))) >= 3
        code, out = await run_cli("agents", "status", "jkowalski", "anowak")
        assert code == EXIT_OK
        assert "anowak" in out


def test_serve_fake_is_seeded():
    """The real command: its waiting list's customer is in its CRM."""
    server = subprocess.Popen(
        [sys.executable, "-m", "thulium_async", "serve-fake"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert server.stdout is not None
        settings = {}
        for _ in range(4):
            line = server.stdout.readline()
            if "=" in line:
                key, value = line.strip().removeprefix("export ").split("=", 1)
                settings[key] = value
        found = subprocess.run(
            [sys.executable, "-m", "thulium_async", "customers", "find",
             "--phone", "500333222"],
            capture_output=True, text=True, timeout=60, check=False,
            env={**os.environ, **settings},
        )  # fmt: skip
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    assert found.returncode == EXIT_OK, found.stderr
    assert "Kowalski" in found.stdout


# -- a file that is no report: a short message, no schedule-calls words ---------------


async def test_reconcile_on_a_file_that_is_no_report_says_so_briefly(
    env, tmp_path, capsys
):
    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/bash" * 20 + "\ndaemon:x:1\n")
    code, _ = await run_cli("reconcile", "2", str(passwd))
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert "Nothing was sent" not in err
    assert "Traceback" not in err
    assert len(err) < 400, err  # the first line is quoted in part, not whole
    wide = tmp_path / "wide.csv"
    wide.write_text(
        ",".join(f"column{i}" for i in range(50)) + "\n" + "x," * 49 + "x\n"
    )
    code, _ = await run_cli("reconcile", "2", str(wide))
    err = capsys.readouterr().err
    assert "and 38 more" in err


async def test_the_fake_filters_tickets_as_asked(env):
    env.add_ticket("Old", "body", at=datetime(2026, 1, 5, 10, 0))
    env.add_ticket("New", "body", at=datetime(2026, 6, 5, 10, 0))
    _, out = await run_cli("tickets", "list", "--since", "2026-06-01", "--json")
    assert [t["subject"] for t in json.loads(out)] == ["New"]
    _, out = await run_cli("tickets", "list", "--since", "2027-06-01", "--json")
    assert json.loads(out) == []
