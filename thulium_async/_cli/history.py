"""The CLI's agent and call-history commands: agents status, connections export, reconcile.

Each stops cleanly on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any, TextIO

from .. import (
    AgentStatus,
    Connection,
    InvalidInputError,
    NotFoundError,
    ThuliumClient,
)
from .csv_input import NumbersFile, listed
from .dial import EXIT_ERROR, EXIT_OK, CLIError
from .output import JsonList, duration, table
from .signals import Interrupts

ClientFactory = Callable[..., ThuliumClient]
EXPORT_COLUMNS = [
    "connection_id",
    "date",
    "type",
    "src",
    "dst",
    "disposition",
    "duration",
    "billsec",
    "queue_id",
    "user_login",
    "customer_id",
    "ticket_id",
    "topic_id",
    "filename",
]
RECONCILE_COLUMNS = [
    "item",
    "phone_number",
    "call_at",
    "status",
    "connection_id",
    "called_at",
]


async def _until_stopped(work: Awaitable[Any], interrupts: Interrupts) -> bool:
    """Run *work* until it ends or a signal arrives; return whether it finished."""
    task = asyncio.ensure_future(work)
    stop = asyncio.ensure_future(interrupts.stop.wait())
    try:
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        if not task.done():
            task.cancel()
        await asyncio.gather(task, stop, return_exceptions=True)
    if task.done() and not task.cancelled():
        task.result()  # an error of the work itself is the command's error
        return True
    return False


def _status_row(status: AgentStatus) -> list[str]:
    since = (
        status.last_change.strftime("%Y-%m-%d %H:%M:%S") if status.last_change else ""
    )
    pause = "" if status.pause_id is None else str(status.pause_id)
    return [status.login, str(status.status), since, pause]


def _status_json(status: AgentStatus) -> dict[str, object]:
    return {
        "login": status.login,
        "status": str(status.status),
        "pause_id": status.pause_id,
        "last_change": status.last_change.isoformat() if status.last_change else None,
    }


async def cmd_agents_status(
    args: argparse.Namespace, out: TextIO, connect: ClientFactory
) -> int:
    """Show what each agent named is doing; with --watch, keep it up to date."""
    if args.watch and args.json:
        raise CLIError(
            "--watch prints every refresh, not one JSON document: use --jsonl (one "
            "object per agent and refresh)"
        )
    live = args.watch and out.isatty() and not args.jsonl
    failed: set[str] = set()

    async def once(client: ThuliumClient) -> None:
        answers = await asyncio.gather(
            *(client.agents.status(x) for x in args.logins), return_exceptions=True
        )
        statuses: list[AgentStatus] = []
        errors: list[tuple[str, NotFoundError]] = []
        for login, answer in zip(args.logins, answers, strict=True):
            if isinstance(answer, NotFoundError):
                errors.append((login, answer))  # this agent's own problem
            elif isinstance(answer, BaseException):
                raise answer  # everyone's (credentials, network): one line
            else:
                statuses.append(answer)
        if args.json or args.jsonl:
            with JsonList(out, lines=args.jsonl) as document:
                for status in statuses:
                    document.add(_status_json(status))
                for login, error in errors:
                    document.add({"login": login, "error": str(error)})
        else:
            if live:
                out.write("\x1b[H\x1b[2J")
            if statuses:
                headers = ["agent", "status", "since", "pause"]
                out.write(table(headers, [_status_row(s) for s in statuses]) + "\n")
        out.flush()
        for login, error in errors:
            sys.stderr.write(f"error: agent {login}: {error}\n")
        failed.update(login for login, _ in errors)

    async def run() -> None:
        async with connect(args) as client:
            await once(client)
            while args.watch:
                await asyncio.sleep(args.interval)
                await once(client)

    with Interrupts() as interrupts:
        await _until_stopped(run(), interrupts)
    if interrupts.signal is not None:
        return interrupts.exit_code
    return EXIT_ERROR if failed else EXIT_OK


def _connection_row(call: Connection) -> list[object]:
    return [
        call.connection_id,
        call.date.strftime("%Y-%m-%d %H:%M"),
        call.type,
        call.src,
        call.dst,
        call.disposition,
        call.duration,
        call.billsec,
        call.queue_id if call.queue_id is not None else "",
        call.user_login or "",
        call.customer_id if call.customer_id is not None else "",
        call.ticket_id if call.ticket_id is not None else "",
        call.topic_id if call.topic_id is not None else "",
        call.filename or "",
    ]


def _connection_json(call: Connection) -> dict[str, object]:
    record = dict(zip(EXPORT_COLUMNS, _connection_row(call), strict=True))
    for name in ("queue_id", "customer_id", "ticket_id", "topic_id", "filename"):
        if record[name] == "":
            record[name] = None
    record["user_login"] = call.user_login
    record["date"] = call.date.isoformat()
    return record


class _Counter:
    """Progress of an export, drawn as schedule-calls draws its run.

    A bar once the first page told the total, the count, ETA and rate; redrawn in place
    on a terminal, a line every few seconds elsewhere.
    """

    def __init__(self, stream: TextIO, noun: str = "exported") -> None:
        self.done = 0
        self.total: int | None = None
        self._noun = noun
        self._stream = stream
        self._started = time.monotonic()
        self._last: float | None = None
        self._live = stream.isatty()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    @property
    def rate(self) -> float:
        elapsed = self.elapsed
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        rate = self.rate
        parts = []
        if self.total:
            share = min(1.0, self.done / self.total)
            filled = int(share * 24)
            parts.append(
                f"[{'#' * filled}{'.' * (24 - filled)}] {self.done}/{self.total}"
            )
            if rate > 0 and self.done < self.total:
                parts.append(f"ETA {duration((self.total - self.done) / rate)}")
        else:
            parts.append(f"{self.done} done")
        parts.append(f"{rate:.1f}/s")
        parts.append(f"{self.done} {self._noun}")
        return " | ".join(parts)

    def show(self, *, final: bool = False) -> None:
        now = time.monotonic()
        if (
            not final
            and self._last is not None
            and now - self._last < (0.2 if self._live else 2.0)
        ):
            return
        self._last = now
        end = "\n" if final or not self._live else ""
        prefix = "\r\x1b[2K" if self._live else ""
        self._stream.write(f"{prefix}{self.line()}{end}")
        self._stream.flush()


class _Export:
    """Where an export goes: a file or standard output, as CSV, a JSON array or lines."""

    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        self.path: str = args.output
        self.kind = "JSON lines" if args.jsonl else "JSON" if args.json else "CSV"
        self._owned = self.path != "-"
        self.handle = _open_for_writing(self.path) if self._owned else out
        self._document = (
            JsonList(self.handle, lines=args.jsonl) if args.json or args.jsonl else None
        )
        self._csv = csv.writer(self.handle) if self._document is None else None
        if self._csv is not None:
            self._csv.writerow(EXPORT_COLUMNS)

    @property
    def where(self) -> str:
        return "standard output" if self.path == "-" else self.path

    def write(self, call: Connection) -> None:
        if self._csv is not None:
            self._csv.writerow(_connection_row(call))
        elif self._document is not None:
            self._document.add(_connection_json(call))

    def close(self) -> None:
        """End the document (a stopped export is still valid) and close the file."""
        if self._document is not None:
            self._document.close()
        self.handle.flush()
        if self._owned:
            self.handle.close()


async def cmd_connections_export(
    args: argparse.Namespace, out: TextIO, connect: ClientFactory
) -> int:
    """Write the call history of a range to a file (or standard output), page by page."""
    try:
        backwards = args.date_to < args.date_from
    except TypeError:  # a day against a minute: the server compares them
        backwards = False
    if backwards:
        raise CLIError(f"--to {args.date_to} is before --from {args.date_from}")
    counter = _Counter(sys.stderr)
    export = _Export(args, out)
    # The closing line goes where it does not mix with the calls.
    said = sys.stderr if args.output == "-" else out

    async def run() -> None:
        async with connect(args) as client:
            pages = client.connections.list(
                date_from=args.date_from,
                date_to=args.date_to,
                queue_id=args.queue,
                dst=args.dst,
            )
            async for call in pages:
                counter.total = pages.total
                export.write(call)
                counter.done += 1
                counter.show()

    try:
        with Interrupts() as interrupts:
            finished = await _until_stopped(run(), interrupts)
    finally:
        export.close()
    counter.show(final=True)
    summary = (
        f"{counter.done} calls in {duration(counter.elapsed)} "
        f"({counter.rate:.1f}/s), written to {export.where} ({export.kind})"
    )
    if not finished:
        sys.stderr.write(
            f"stopped: {summary}, a valid file; run again to export the whole range\n"
        )
        return interrupts.exit_code
    said.write(f"Exported {summary}.\n")
    return EXIT_OK


def _open_for_writing(path: str) -> TextIO:
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror}") from None


def _last_written(path: str) -> datetime:
    return datetime.fromtimestamp(os.path.getmtime(path), tz=timezone.utc)


def _read_report(path: str, encoding: str) -> list[dict[str, str]]:
    """Read a report as schedule-calls reads its numbers: encoding, BOM, separator.

    Raises:
        InvalidInputError: the file cannot be opened or decoded (the same words as
            schedule-calls, with ``--encoding``).
        CLIError: it is not a report.
    """
    try:
        numbers = NumbersFile(path, encoding)
        try:
            names = numbers.layout.names
            rows = [row.cells for row in numbers]
        finally:
            numbers.close()
    except csv.Error as exc:  # a NUL byte, a field beyond the csv module's limit
        raise CLIError(f"{path} is not a readable CSV file: {exc}") from None
    if not {"phone_number", "status"} <= set(names):
        have = listed(name for name in names if name)
        raise CLIError(
            f"{path} is not a schedule-calls report: no phone_number and status "
            f"columns (read as {encoding}, its columns: {have})"
        )
    return rows


async def cmd_reconcile(
    args: argparse.Namespace, out: TextIO, connect: ClientFactory
) -> int:
    """Look up a report's unknown numbers in the call history; write what was found."""
    if args.json and args.report == "-":
        raise CLIError("--json and --report - would both write to standard output")
    if args.file == "-" and args.since is None:
        raise CLIError("a report read from standard input needs --since")
    try:
        rows = _read_report(args.file, args.encoding)
    except InvalidInputError as exc:
        # The file reader's words are schedule-calls's: here nothing is ever sent.
        words = str(exc).replace(" Nothing was sent.", "")
        raise CLIError(words.removesuffix(". Nothing was sent")) from None
    since = args.since
    if since is None:  # the report is written to the end of its run
        since = _last_written(args.file) - timedelta(days=1)
    results = []

    async def run() -> None:
        async with connect(args) as client:
            found = client.queues.reconcile(rows, queue_id=args.queue_id, since=since)
            async for result in found:
                results.append(result)

    with Interrupts() as interrupts:
        finished = await _until_stopped(run(), interrupts)
    if not finished:
        sys.stderr.write("stopped before the history was read; nothing written\n")
        return interrupts.exit_code
    lines = [
        [
            "" if r.index is None else r.index,
            r.phone_number,
            r.call_at.strftime("%Y-%m-%d %H:%M:%S") if r.call_at else "",
            r.status.value,
            r.connection.connection_id if r.connection else "",
            r.connection.date.strftime("%Y-%m-%d %H:%M") if r.connection else "",
        ]
        for r in results
    ]
    if args.report == "-":
        writer = csv.writer(out)
        writer.writerow(RECONCILE_COLUMNS)
        writer.writerows(lines)
    elif args.report:
        with _open_for_writing(args.report) as handle:
            writer = csv.writer(handle)
            writer.writerow(RECONCILE_COLUMNS)
            writer.writerows(lines)
    scripted = args.json or args.jsonl
    if scripted:
        with JsonList(out, lines=args.jsonl) as document:
            for line in lines:
                document.add(dict(zip(RECONCILE_COLUMNS, line, strict=True)))
    called = sum(1 for r in results if r.status.value == "called")
    said = sys.stderr if scripted or args.report == "-" else out
    said.write(
        f"{len(results)} unknown: {called} called (do not send again), "
        f"{len(results) - called} not found (not in the history yet)"
        + (f"; written to {args.report}" if args.report not in (None, "-") else "")
        + "\n"
    )
    return EXIT_OK
