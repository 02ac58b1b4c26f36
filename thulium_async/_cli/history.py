"""The CLI's agent and call-history commands: agents status, connections export, reconcile.

Each stops cleanly on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any, TextIO

from .._client import ThuliumClient
from .._models.agents import AgentStatus
from .._models.calls import Connection
from .dial import EXIT_OK, CLIError
from .output import duration, table
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
    live = args.watch and out.isatty() and not args.json

    async def once(client: ThuliumClient) -> None:
        statuses = await asyncio.gather(*(client.agents.status(x) for x in args.logins))
        if args.json:
            out.write(json.dumps([_status_json(s) for s in statuses]) + "\n")
        else:
            if live:
                out.write("\x1b[H\x1b[2J")
            headers = ["agent", "status", "since", "pause"]
            out.write(table(headers, [_status_row(s) for s in statuses]) + "\n")
        out.flush()

    async def run() -> None:
        async with connect(args) as client:
            await once(client)
            while args.watch:
                await asyncio.sleep(args.interval)
                await once(client)

    with Interrupts() as interrupts:
        await _until_stopped(run(), interrupts)
    return interrupts.exit_code if interrupts.signal is not None else EXIT_OK


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


class _Counter:
    """Progress of an export: a line that knows the total once the first page told it."""

    def __init__(self, stream: TextIO) -> None:
        self.done = 0
        self.total: int | None = None
        self._stream = stream
        self._started = time.monotonic()
        self._last = 0.0
        self._live = stream.isatty()

    def line(self) -> str:
        elapsed = time.monotonic() - self._started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if self.total:
            share = min(1.0, self.done / self.total)
            bar = "#" * int(share * 24)
            eta = (
                f" ETA {duration((self.total - self.done) / rate)}"
                if rate > 0 and self.done < self.total
                else ""
            )
            return f"[{bar:.<24}] {self.done}/{self.total}{eta} {rate:.0f}/s"
        return f"{self.done} exported {rate:.0f}/s"

    def show(self, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self._last < (0.2 if self._live else 5.0):
            return
        self._last = now
        end = "\n" if final or not self._live else ""
        prefix = "\r\x1b[K" if self._live else ""
        self._stream.write(f"{prefix}{self.line()}{end}")
        self._stream.flush()


async def cmd_connections_export(
    args: argparse.Namespace, out: TextIO, connect: ClientFactory
) -> int:
    """Write the call history of a range to a CSV file, page by page."""
    try:
        backwards = args.date_to < args.date_from
    except TypeError:  # a day against a minute: the server compares them
        backwards = False
    if backwards:
        raise CLIError(f"--to {args.date_to} is before --from {args.date_from}")
    counter = _Counter(sys.stderr)
    handle = _open_for_writing(args.output)

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
                writer.writerow(_connection_row(call))
                counter.done += 1
                counter.show()

    with handle, Interrupts() as interrupts:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        finished = await _until_stopped(run(), interrupts)
        handle.flush()
    counter.show(final=True)
    if not finished:
        sys.stderr.write(
            f"stopped: {counter.done} calls written to {args.output} (a valid CSV); "
            "run again to export the whole range\n"
        )
        return interrupts.exit_code
    out.write(f"Exported {counter.done} calls to {args.output}.\n")
    return EXIT_OK


def _open_for_writing(path: str) -> TextIO:
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror}") from None


def _last_written(path: str) -> datetime:
    return datetime.fromtimestamp(os.path.getmtime(path), tz=timezone.utc)


def _read_report(path: str) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise CLIError(f"cannot read the report {path}: {exc.strerror}") from None
    if rows and not {"phone_number", "status"} <= set(rows[0]):
        raise CLIError(
            f"{path} is not a schedule-calls report (no phone_number and status columns)"
        )
    return rows


async def cmd_reconcile(
    args: argparse.Namespace, out: TextIO, connect: ClientFactory
) -> int:
    """Look up a report's unknown numbers in the call history; write what was found."""
    rows = _read_report(args.file)
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
    if args.report:
        with _open_for_writing(args.report) as handle:
            writer = csv.writer(handle)
            writer.writerow(RECONCILE_COLUMNS)
            writer.writerows(lines)
    if args.json:
        for line in lines:
            out.write(
                json.dumps(dict(zip(RECONCILE_COLUMNS, line, strict=True))) + "\n"
            )
    called = sum(1 for r in results if r.status.value == "called")
    out.write(
        f"{len(results)} unknown: {called} called (do not send again), "
        f"{len(results) - called} not found (not in the history yet)\n"
        if not args.json
        else ""
    )
    return EXIT_OK
