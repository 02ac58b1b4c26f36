"""``schedule-calls`` and ``campaign load``: runs from a file that stop, crash and resume.

The report (CSV, one row per number, flushed row by row) is for people; the journal
beside it (``REPORT.journal``) is the crash-safe record ``--resume`` reads. SIGTERM and
Ctrl-C stop the run gracefully (no new calls, calls in flight finish within ``--grace``
seconds, everything written, a summary); a second signal abandons the calls in flight,
which the report and the journal then show as ``unknown``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import functools
import io
import os
import shlex
import sys
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from contextlib import ExitStack, aclosing, suppress
from datetime import datetime
from typing import Any, TextIO

import attrs

from .. import (
    CallOutcome,
    CallRequest,
    DialProgress,
    InvalidInputError,
    JournalWriteError,
    OutcomeStatus,
    RefusedItem,
    ThuliumClient,
)
from .csv_input import Layout, NumbersFile, Row
from .output import JsonList, ProgressLine
from .signals import Interrupts

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_NOT_ALL_SCHEDULED = 3
_PAST_WARNINGS = 5
_AT_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
_NOTHING_TO_SEND = (
    "{file} has no rows with a phone number (empty, or a header alone): "
    "nothing to send, no {noun} made"
)
_NO_JOURNAL = (
    "no report file, so no journal: if this run stops early, nothing records "
    "which {noun} went out, and running the file again repeats them all. Pass "
    "--report FILE to be able to --resume"
)
_NO_JOURNAL_KEPT = (
    "no report file, so no journal was kept: nothing records which {noun} went out, "
    "and running the file again repeats them all; the outcomes above are the only "
    "record"
)


def call_request(row: Row, when: datetime | None) -> CallRequest:
    """The item ``schedule-calls`` sends for a row: its number, time and line."""
    return CallRequest(phone_number=row.phone, call_at=when, index=row.line)


# What a bulk command runs, given the client: ``queues.schedule_calls`` for a queue, or
# ``outbounds.add_records`` for a campaign, still to be called with the items and the
# run's options.
Target = Callable[[ThuliumClient], Callable[..., AsyncGenerator[CallOutcome, None]]]


@attrs.frozen
class BulkJob:
    """What a bulk command sends, and the words its report and summary use.

    Attributes:
        target: ``target(client)`` is the bulk run to call with the items and the
            run's options (``queues.schedule_calls`` for a queue, say).
        when_column: the report's name for the time column.
        done: the word for an item that went through (``scheduled``, ``added``).
        noun: what the items are (``calls``, ``records``).
        item: ``item(row, when)`` is the item a row becomes.
        check: ``check(layout)`` refuses a file before anything is sent.
        command: the command and its arguments before the file
            (``("schedule-calls", "2")``), to print the exact resume command.
        status_of: the report's own word for some outcomes (``in_call``), or None.
    """

    target: Target
    when_column: str = "call_at"
    done: str = "scheduled"
    noun: str = "calls"
    item: Callable[[Row, datetime | None], object] = call_request
    check: Callable[[Layout], None] | None = None
    command: tuple[str, ...] = ()
    status_of: Callable[[CallOutcome], str | None] | None = None

    def header(self) -> list[str]:
        """The report's first row."""
        return ["item", "phone_number", self.when_column, "status", "error"]

    def status(self, outcome: CallOutcome) -> str:
        """An outcome's status as the report writes it."""
        if self.status_of is not None:
            word = self.status_of(outcome)
            if word is not None:
                return word
        if outcome.status is OutcomeStatus.SCHEDULED:
            return self.done
        return str(outcome.status)


class CLIError(Exception):
    """A problem to report to the user in one line (bad input, missing credentials)."""


def parse_at(text: str) -> datetime:
    """Parse ``YYYY-MM-DD HH:MM[:SS]`` as the Thulium system's wall clock."""
    for fmt in _AT_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)  # noqa: DTZ007 -- wall clock
        except ValueError:
            continue
    raise CLIError(f"{text!r}: expected 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD HH:MM:SS'")


def journal_of(report: str) -> str:
    """Return the journal path that goes with *report* (or *report* if it is one)."""
    return report if report.endswith(".journal") else f"{report}.journal"


def _paths(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """Return (journal to write, journal to resume from), checked."""
    resume = journal_of(args.resume) if args.resume else None
    if resume is not None and not os.path.isfile(resume):
        raise CLIError(
            f"--resume {args.resume}: no journal {resume} beside it; pass the --report "
            "of the run to finish (its journal is written next to it)"
        )
    if args.report is None or args.report == "-":
        if resume is not None:
            raise CLIError("--resume needs --report FILE: the new run's own record")
        return None, None
    journal = journal_of(args.report)
    if resume is not None and os.path.abspath(journal) == os.path.abspath(resume):
        raise CLIError("--report must be a new file, not the report being resumed")
    if os.path.exists(journal):
        raise CLIError(
            f"{journal} exists: that report's run is recorded there. To finish it, "
            f"pass --resume {args.report} with a new --report; to start over, remove "
            "both files"
        )
    return journal, resume


def requests_from(
    numbers: NumbersFile,
    stop: asyncio.Event,
    zone_now: datetime,
    item: Callable[[Row, datetime | None], object] = call_request,
    when_name: str = "call_at",
) -> Iterator[object]:
    """Yield one item per data row, ``index`` = its line; stop when asked."""
    past = 0
    for row in numbers:
        if stop.is_set():
            return
        if row.call_at is None:
            yield item(row, None)
            continue
        try:
            when = parse_at(row.call_at)
        except CLIError:
            error = InvalidInputError(
                f"line {row.line}: {when_name} {row.call_at!r} is not a date and time: "
                "expected 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD HH:MM:SS'"
            )
            yield RefusedItem(row.line, row.phone, error)
            continue
        if when < zone_now:
            past += 1
            if past <= _PAST_WARNINGS:
                sys.stderr.write(
                    f"warning: line {row.line}: {when_name} {row.call_at} is in the past; "
                    "Thulium may call at once\n"
                )
            elif past == _PAST_WARNINGS + 1:
                sys.stderr.write(
                    f"warning: more {when_name} values in the past follow\n"
                )
        yield item(row, when)


def _report_row(outcome: CallOutcome, job: BulkJob) -> list[object]:
    when = outcome.call_at.strftime("%Y-%m-%d %H:%M:%S") if outcome.call_at else ""
    detail = str(outcome.error) if outcome.error else (outcome.reason or "")
    return [outcome.index, outcome.phone_number, when, job.status(outcome), detail]


def _outcome_json(outcome: CallOutcome, job: BulkJob) -> dict[str, object]:
    item, number, when, status, _ = _report_row(outcome, job)
    return {
        "item": item,
        "phone_number": number,
        job.when_column: when or None,
        "status": status,
        "error": str(outcome.error) if outcome.error else None,
        "reason": outcome.reason,
        "duplicate_of": outcome.duplicate_of,
    }


class _Report:
    """The CSV report, flushed row by row so a stop or a crash loses no finished row.

    A write that fails (a full disk) is kept in :attr:`error` and ends the writing:
    the file is cut back to its last whole row, and the run stops as after SIGTERM,
    its journal intact for ``--resume``.
    """

    def __init__(
        self, path: str | None, files: ExitStack, out: TextIO, header: list[str]
    ) -> None:
        self._handle: TextIO | None = None
        self._path = path
        self._whole = 0  # bytes of whole rows in the file
        self.error: OSError | None = None
        if path == "-":
            self._handle = out
        elif path is not None:
            try:
                handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            except OSError as exc:
                raise CLIError(
                    f"cannot write the report {path}: {exc.strerror}"
                ) from None
            self._handle = handle
            files.callback(self._close, handle)
        self._writer = csv.writer(self._handle) if self._handle is not None else None
        self.row(header)

    def row(self, cells: Sequence[object]) -> None:
        handle = self._handle
        if self._writer is None or handle is None:
            return
        line = io.StringIO()
        csv.writer(line).writerow(cells)
        text = line.getvalue()
        try:
            handle.write(text)
            handle.flush()
        except OSError as exc:
            self.error = exc
            self._writer = None  # write no more
            if self._path not in (None, "-"):
                # Drop the cut row: close (what is buffered may fail again), then
                # cut the file back to its last whole row.
                with suppress(OSError):
                    handle.close()
                with suppress(OSError):
                    os.truncate(str(self._path), self._whole)
            return
        self._whole += len(text.encode("utf-8"))

    def _close(self, handle: TextIO) -> None:
        with suppress(OSError):  # the rows that did not fit, failing again
            handle.close()


async def cmd_schedule_calls(
    args: argparse.Namespace, out: TextIO, client: ThuliumClient
) -> int:
    """Schedule calls from a CSV file with live progress, a report and a journal."""
    job = BulkJob(
        lambda c: functools.partial(c.queues.schedule_calls, args.queue_id),
        command=("schedule-calls", str(args.queue_id)),
    )
    return await run_from_file(args, out, client, job)


async def run_from_file(
    args: argparse.Namespace, out: TextIO, client: ThuliumClient, job: BulkJob
) -> int:
    """Run *job* over ``args.file`` with live progress, a report and a journal."""
    if (args.json or args.jsonl) and args.report == "-":
        flag = "--json" if args.json else "--jsonl"
        raise CLIError(f"{flag} and --report - would both write to standard output")
    journal, resume = _paths(args)
    numbers = NumbersFile(args.file, args.encoding, getattr(args, "column", None))
    if numbers.total == 0:
        numbers.close()
        raise CLIError(_NOTHING_TO_SEND.format(file=args.file, noun=job.noun))
    if journal is None:
        sys.stderr.write(f"warning: {_NO_JOURNAL.format(noun=job.noun)}\n")
    if job.check is not None:
        try:
            job.check(numbers.layout)
        except CLIError:
            numbers.close()
            raise
    progress = DialProgress()
    document = (
        JsonList(out, lines=args.jsonl, key="outcomes")
        if args.json or args.jsonl
        else None
    )
    message = (
        f"no new {job.noun}; waiting up to {args.grace:g} s for {job.noun} in flight "
        "(again to abandon them)"
    )
    with ExitStack() as files, Interrupts(message, grace=args.grace) as interrupts:
        files.callback(numbers.close)
        report = _Report(args.report, files, out, job.header())
        bar = ProgressLine(progress, numbers.total, done=job.done)
        bar.start()
        try:
            async with client:
                zone_now = datetime.now(client.timezone).replace(tzinfo=None)
                items: Iterator[Any] = requests_from(
                    numbers, interrupts.stop, zone_now, job.item, job.when_column
                )
                run = job.target(client)(
                    items,  # RefusedItem too: a bad row fails alone, with its message
                    concurrency=args.concurrency,
                    progress=progress,
                    journal=journal,
                    resume_from=resume,
                    stop=interrupts.stop,  # what waits to be sent fails at once
                )
                with suppress(asyncio.CancelledError):  # a second signal, or the grace
                    async with aclosing(run) as outcomes:
                        async for outcome in outcomes:
                            report.row(_report_row(outcome, job))
                            if report.error is not None:
                                interrupts.stop.set()  # no new calls: as SIGTERM
                            if document is not None:
                                document.add(_outcome_json(outcome, job))
        finally:
            await bar.stop()
            for index, number in progress.interrupted:
                report.row(
                    [index, number, "", "unknown", "interrupted while in flight"]
                )
            for index, number in progress.not_sent:
                report.row(
                    [index, number, "", "failed", "not sent (stopped before sending)"]
                )
    summary = progress.summary(job.done)
    if interrupts.signal is not None:
        summary = summary.removeprefix("interrupted: ")
        summary = f"interrupted by {interrupts.signal.name}: {summary}"
        if args.report not in (None, "-"):
            summary += f". To finish the run: {resume_command(args, job)}"
    if report.error is not None and args.report not in (None, "-"):
        summary += f". To finish the run: {resume_command(args, job)}"
    elif journal is None and (interrupts.signal or progress.stopped_by):
        summary += f". {_NO_JOURNAL_KEPT.format(noun=job.noun)}"
    sys.stderr.write(summary + "\n")
    if report.error is not None:
        both = isinstance(progress.stopped_by, JournalWriteError)
        sys.stderr.write(
            f"error: cannot write the report {args.report}"
            + (f" nor the journal {journal}" if both else "")
            + f": {report.error.strerror}. No new {job.noun} were sent after that; "
            + (
                f"the journal {journal} records every number, so the --resume "
                "above sends only what is left\n"
                if journal is not None
                else "no journal was kept (see the summary)\n"
            )
        )
    if document is not None:  # {"outcomes": [...], "summary": ...}, or lines
        document.close(summary=_summary(progress, interrupts, job.done))
    if interrupts.signal is not None:
        return interrupts.exit_code
    if report.error is not None:
        return EXIT_ERROR
    if progress.read == 0 and progress.stopped_by is None:
        sys.stderr.write(
            "error: " + _NOTHING_TO_SEND.format(file=args.file, noun=job.noun) + "\n"
        )
        return EXIT_ERROR
    if progress.stopped_by is not None:
        sys.stderr.write(
            f"error: the run stopped: {progress.stopped_by}. Nothing more was sent; "
            "the numbers left are 'failed' in the report, safe to send again once "
            "this is fixed\n"
        )
        return EXIT_ERROR
    if progress.failed or progress.unknown or progress.interrupted or progress.not_sent:
        return EXIT_NOT_ALL_SCHEDULED
    return EXIT_OK


_DEFAULTS = {"encoding": "utf-8-sig"}


def resume_command(args: argparse.Namespace, job: BulkJob) -> str:
    """Return the command that finishes the run of *args*: resume, a new report.

    The phone region comes along (a journal resumes only in its own region), and so
    do the options that shape how the file is read and sent.
    """
    report = str(args.report)
    stem, dot, suffix = report.rpartition(".")
    if not dot or "/" in suffix:
        stem, suffix = report, ""
    else:
        suffix = "." + suffix
    number = 2
    while os.path.exists(f"{stem}-{number}{suffix}") or os.path.exists(
        journal_of(f"{stem}-{number}{suffix}")
    ):
        number += 1
    parts = ["python -m thulium_async", *job.command, args.file]
    for flag, name in (
        ("--encoding", "encoding"),
        ("--column", "column"),
        ("--fields", "fields"),
        ("--phone-region", "phone_region"),
        ("--concurrency", "concurrency"),
        ("--batch-size", "batch_size"),
        ("--search-in-additional-numbers", "search_in_additional_numbers"),
        ("--rate", "rate"),
    ):
        value = getattr(args, name, None)
        if value is True:  # a flag
            parts.append(flag)
        elif value is not None and value is not False and value != _DEFAULTS.get(name):
            parts += [flag, str(value)]
    parts += ["--resume", report, "--report", f"{stem}-{number}{suffix}"]
    return " ".join(shlex.quote(part) if i else part for i, part in enumerate(parts))


def _summary(
    progress: DialProgress, interrupts: Interrupts, done: str
) -> dict[str, Any]:
    return {
        done: progress.scheduled,
        "failed": progress.failed + len(progress.not_sent),
        "unknown": progress.unknown + len(progress.interrupted),
        "not_sent_when_stopped": len(progress.not_sent),
        "skipped": progress.skipped,
        "in_flight_when_stopped": len(progress.interrupted),
        "interrupted_by": interrupts.signal.name if interrupts.signal else None,
        "stopped_by": str(progress.stopped_by) if progress.stopped_by else None,
    }
