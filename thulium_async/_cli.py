"""The command line: ``python -m thulium_async`` / ``thulium-async``.

``demo`` runs a dialer job against an embedded FakeThulium with no arguments and no
network; the other commands talk to a real Thulium system. Errors are one readable line
and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import getpass
import json
import logging
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, aclosing, suppress
from datetime import datetime
from typing import Any, TextIO

from ._cli_output import ProgressLine, table, waiting_rows
from ._client import ThuliumClient
from ._dial_models import CallOutcome, CallRequest, DialProgress
from ._errors import ThuliumError
from ._models import WaitingCaller
from ._ratelimit import RateLimiter
from ._watch import WaitingListChange

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_ALL_SCHEDULED = 3
EXIT_INTERRUPTED = 130

_AT_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


class CLIError(Exception):
    """A problem to report to the user in one line (bad input, missing credentials)."""


def parse_at(text: str) -> datetime:
    """Parse ``YYYY-MM-DD HH:MM[:SS]`` as the Thulium system's wall clock."""
    for fmt in _AT_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)  # noqa: DTZ007 -- wall clock
        except ValueError:
            continue
    raise CLIError(
        f"--at {text!r}: expected 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD HH:MM:SS'"
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="thulium-async",
        description="Talk to the Thulium contact-center API, or try the SDK with 'demo'.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show retries and what is sent"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="run a dialer job against an embedded fake Thulium (no setup)"
    )
    demo.add_argument("--numbers", type=int, default=300, help="calls to schedule")
    demo.add_argument("--concurrency", type=int, default=20)
    demo.add_argument("--rate", type=float, default=200.0, help="requests per second")
    demo.add_argument(
        "--fault-rate",
        type=float,
        default=0.1,
        help="share of requests the fake fails on purpose (0 to 1)",
    )
    demo.add_argument("--seed", type=int, default=2026, help="seed for the faults")

    def remote(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument(
            "--base-url",
            default=os.environ.get("THULIUM_BASE_URL"),
            help="API root, e.g. https://acme.thulium.com/api ($THULIUM_BASE_URL)",
        )
        sub.add_argument(
            "--username",
            default=os.environ.get("THULIUM_USERNAME"),
            help="API user ($THULIUM_USERNAME); the password is read from "
            "$THULIUM_PASSWORD or asked for, never taken from a flag",
        )
        sub.add_argument("--timezone", default="Europe/Warsaw")
        sub.add_argument("--timeout", type=float, default=30.0)
        sub.add_argument(
            "--language",
            choices=("en", "pl"),
            default=os.environ.get("THULIUM_LANGUAGE"),
            help="language of Thulium's error messages ($THULIUM_LANGUAGE)",
        )
        sub.add_argument("--json", action="store_true", help="print JSON for scripts")
        return sub

    waiting = remote("waiting-list", "show who is waiting in a queue")
    waiting.add_argument("queue_id", type=int)

    one = remote("schedule-call", "schedule one call")
    one.add_argument("queue_id", type=int)
    one.add_argument("phone_number")
    one.add_argument("--at", type=parse_at, help="'YYYY-MM-DD HH:MM', system time")

    many = remote("schedule-calls", "schedule calls from a CSV file (or - for stdin)")
    many.add_argument("queue_id", type=int)
    many.add_argument("file", help="CSV: phone_number[,call_at]; header optional")
    many.add_argument("--concurrency", type=int, default=10)
    many.add_argument("--rate", type=float, default=None, help="requests per second")
    many.add_argument("--report", help="write one CSV row per number read here")
    many.add_argument(
        "--redis-url",
        default=os.environ.get("THULIUM_REDIS_URL"),
        help="share --rate with every process using this Redis and --rate-key "
        "(or set THULIUM_REDIS_URL; needs thulium-async[redis])",
    )
    many.add_argument(
        "--rate-key",
        default="default",
        help="the shared budget's name: one per account",
    )

    watch = remote("watch", "show who is waiting in a queue, live (Ctrl-C to stop)")
    watch.add_argument("queue_id", type=int)
    watch.add_argument("--interval", type=float, default=2.0, help="seconds per poll")

    serve = commands.add_parser(
        "serve-fake", help="run the fake Thulium for manual tries"
    )
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--fault-rate", type=float, default=0.0)
    return parser


def _client_from(args: argparse.Namespace, **options: Any) -> ThuliumClient:
    if not args.base_url:
        raise CLIError("no API address: pass --base-url or set THULIUM_BASE_URL")
    if not args.username:
        raise CLIError("no API user: pass --username or set THULIUM_USERNAME")
    password = os.environ.get("THULIUM_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise CLIError("no password: set THULIUM_PASSWORD")
        password = getpass.getpass(f"Password for {args.username}: ")
    return ThuliumClient(
        args.base_url,
        args.username,
        password,
        timezone=args.timezone,
        timeout=args.timeout,
        language=args.language,
        **options,
    )


def _rate_limit(args: argparse.Namespace) -> float | RateLimiter | None:
    """Return ``--rate`` as is, or shared through Redis when ``--redis-url`` is given."""
    if not args.redis_url:
        rate: float | None = args.rate
        return rate
    if args.rate is None:
        raise CLIError("--redis-url needs --rate: the requests per second all share")
    try:
        from .redis_limit import RedisRateLimiter
    except ImportError:
        raise CLIError(
            '--redis-url needs the redis package: pip install "thulium-async[redis]"'
        ) from None
    return RedisRateLimiter(args.redis_url, rate=args.rate, key=args.rate_key)


async def cmd_waiting_list(args: argparse.Namespace, out: TextIO) -> int:
    """Print the callers waiting in a queue."""
    async with _client_from(args) as client:
        callers = await client.queues.waiting_list(args.queue_id)
    if args.json:
        out.write(json.dumps([_caller_json(c) for c in callers], indent=2) + "\n")
        return EXIT_OK
    if not callers:
        out.write(f"Nobody is waiting in queue {args.queue_id}.\n")
        return EXIT_OK
    now = datetime.now(callers[0].started_at.tzinfo)
    headers = ["phone number", "waiting since", "waited", "customer"]
    out.write(table(headers, waiting_rows(callers, now)) + "\n")
    return EXIT_OK


async def cmd_schedule_call(args: argparse.Namespace, out: TextIO) -> int:
    """Schedule one call."""
    async with _client_from(args) as client:
        await client.queues.schedule_call(args.queue_id, args.phone_number, args.at)
    when = args.at.strftime("%Y-%m-%d %H:%M:%S") if args.at else None
    if args.json:
        result = {"status": "scheduled", "phone_number": args.phone_number}
        out.write(json.dumps({**result, "call_at": when}) + "\n")
    else:
        out.write(f"Scheduled a call to {args.phone_number} ({when or 'now'}).\n")
    return EXIT_OK


async def cmd_watch(args: argparse.Namespace, out: TextIO) -> int:
    """Follow a queue's waiting list until interrupted."""
    live = out.isatty() and not args.json
    state: dict[str, Any] = {"waiting": (), "status": ""}

    def draw() -> None:
        waiting: tuple[WaitingCaller, ...] = state["waiting"]
        zone = waiting[0].started_at.tzinfo if waiting else None
        rows = waiting_rows(waiting, datetime.now(zone))
        headers = ["phone number", "waiting since", "waited", "customer"]
        body = table(headers, rows) if rows else "Nobody is waiting."
        out.write(f"\x1b[H\x1b[2JQueue {args.queue_id}{state['status']}\n\n{body}\n")
        out.flush()

    async def follow() -> None:
        async with _client_from(args) as client:
            stream = client.queues.watch_waiting_list(args.queue_id, args.interval)
            async with aclosing(stream) as changes:
                async for change in changes:
                    state["waiting"] = change.waiting
                    state["status"] = (
                        f" (last poll failed: {change.error})" if change.error else ""
                    )
                    if live:
                        draw()
                    else:
                        _print_change(change, out, as_json=args.json)

    async def redraw_every_second() -> None:
        while True:  # the "waited" column keeps counting between changes
            await asyncio.sleep(1.0)
            draw()

    with _Interrupts() as interrupts:
        tasks = [
            asyncio.ensure_future(follow()),
            asyncio.ensure_future(interrupts.stop.wait()),
        ]
        if live:
            tasks.append(asyncio.ensure_future(redraw_every_second()))
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            if task is tasks[0]:
                task.result()  # a definitive error (401, 404) ends the command
    return EXIT_OK


def _caller_json(caller: WaitingCaller) -> dict[str, object]:
    return {
        "phone_number": caller.phone_number,
        "started_at": caller.started_at.isoformat(),
        "customer_id": caller.customer_id,
        "customer_label": caller.customer_label,
    }


def _print_change(change: WaitingListChange, out: TextIO, *, as_json: bool) -> None:
    stamp = change.polled_at.strftime("%H:%M:%S")
    if as_json:
        record = {
            "polled_at": change.polled_at.isoformat(),
            "joined": [_caller_json(c) for c in change.joined],
            "left": [_caller_json(c) for c in change.left],
            "waiting": len(change.waiting),
            "error": str(change.error) if change.error else None,
        }
        out.write(json.dumps(record) + "\n")
    elif change.error:
        out.write(f"{stamp} ! poll failed, retrying: {change.error}\n")
    else:
        for sign, callers in (("+", change.joined), ("-", change.left)):
            for c in callers:
                label = f" {c.customer_label}" if c.customer_label else ""
                out.write(f"{stamp} {sign} {c.phone_number}{label}\n")
        out.write(f"{stamp}   {len(change.waiting)} waiting\n")
    out.flush()


def read_requests(
    lines: Iterator[str], stop: asyncio.Event
) -> Iterator[CallRequest | str]:
    """Yield CallRequests from CSV rows ``phone_number[,call_at]``; stop when asked.

    A header row naming ``phone_number`` is skipped. A row whose ``call_at`` does not
    parse is passed on as the bare text, so it fails alone with a clear outcome.
    """
    for number, row in enumerate(csv.reader(lines)):
        if stop.is_set():
            return
        if not row or not row[0].strip():
            continue
        if number == 0 and row[0].strip().lower() == "phone_number":
            continue
        phone = row[0].strip()
        if len(row) > 1 and row[1].strip():
            try:
                yield CallRequest(phone_number=phone, call_at=parse_at(row[1]))
            except CLIError:
                yield f"{phone},{row[1]}"  # refused as a number: a clear failure
            continue
        yield phone


def _count_rows(path: str) -> int | None:
    if path == "-":
        return None
    with open(path, encoding="utf-8", newline="") as handle:
        return sum(1 for line in handle if line.strip())


def _open_input(path: str, files: ExitStack) -> TextIO:
    if path == "-":
        return sys.stdin
    return files.enter_context(open(path, encoding="utf-8", newline=""))


def _open_report(path: str | None, files: ExitStack) -> Any:
    if path is None:
        return None
    # The ExitStack closes it; ruff does not see through enter_context here.
    report = files.enter_context(open(path, "w", encoding="utf-8", newline=""))  # noqa: SIM115
    writer = csv.writer(report)
    writer.writerow(["item", "phone_number", "call_at", "status", "error"])
    return writer


class _Interrupts:
    """Handle Ctrl-C during a dialer run, in two steps.

    The first stops reading new numbers and lets calls in flight finish; the second
    abandons them (the report lists them as unknown).
    """

    def __init__(self) -> None:
        self.stop = asyncio.Event()
        self._task = asyncio.current_task()
        self._loop = asyncio.get_running_loop()

    def __enter__(self) -> _Interrupts:
        with suppress(NotImplementedError, RuntimeError):  # Windows, or not main thread
            self._loop.add_signal_handler(signal.SIGINT, self._on_interrupt)
        return self

    def __exit__(self, *exc_info: object) -> None:
        with suppress(NotImplementedError, RuntimeError):
            self._loop.remove_signal_handler(signal.SIGINT)

    def _on_interrupt(self) -> None:
        if self.stop.is_set() and self._task is not None:
            self._task.cancel()
            return
        self.stop.set()
        sys.stderr.write(
            "\nStopping: no new calls; waiting for calls in flight "
            "(Ctrl-C again to abandon them).\n"
        )


async def cmd_schedule_calls(args: argparse.Namespace, out: TextIO) -> int:
    """Schedule calls from a CSV file with live progress and a per-line report."""
    total = _count_rows(args.file)
    progress = DialProgress()
    with ExitStack() as files, _Interrupts() as interrupts:
        source = _open_input(args.file, files)
        report = _open_report(args.report, files)
        bar = ProgressLine(progress, total)
        bar.start()
        try:
            async with _client_from(args, rate_limit=_rate_limit(args)) as client:
                run = client.queues.schedule_calls(
                    args.queue_id,
                    read_requests(iter(source), interrupts.stop),
                    concurrency=args.concurrency,
                    progress=progress,
                )
                with suppress(asyncio.CancelledError):  # a second Ctrl-C
                    async with aclosing(run) as outcomes:
                        async for outcome in outcomes:
                            if report:
                                report.writerow(_report_row(outcome))
        finally:
            await bar.stop()
            if report:
                for index, number in progress.interrupted:
                    report.writerow(
                        [
                            index + 1,
                            number,
                            "",
                            "unknown",
                            "interrupted while in flight",
                        ]
                    )
    sys.stderr.write(progress.summary() + "\n")
    if interrupts.stop.is_set():
        return EXIT_INTERRUPTED
    if progress.failed or progress.unknown or progress.interrupted:
        return EXIT_NOT_ALL_SCHEDULED
    return EXIT_OK


def _report_row(outcome: CallOutcome) -> list[object]:
    when = outcome.call_at.strftime("%Y-%m-%d %H:%M:%S") if outcome.call_at else ""
    error = str(outcome.error) if outcome.error else ""
    return [outcome.index + 1, outcome.phone_number, when, outcome.status.value, error]


async def cmd_serve_fake(args: argparse.Namespace, out: TextIO) -> int:
    """Run FakeThulium in the foreground until interrupted."""
    from .testing import FakeThulium

    fake = FakeThulium(port=args.port, queues=(1, 2, 3), max_recorded_requests=10_000)
    fake.add_caller(2, "500333222", customer_id=123, customer_label="Jan Kowalski")
    fake.add_caller(2, "613459851")
    if args.fault_rate:
        fake.set_fault_rate(args.fault_rate)
    async with fake:
        out.write(
            f"Fake Thulium listening (queues 1, 2, 3; Ctrl-C to stop)\n"
            f"  THULIUM_BASE_URL={fake.base_url}\n"
            f"  THULIUM_USERNAME={fake.username}\n"
            f"  THULIUM_PASSWORD={fake.password}\n"
        )
        out.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, stop.set)
            loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
    out.write(f"Stopped after {len(fake.requests)} requests.\n")
    return EXIT_OK


async def amain(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the CLI inside a running loop; return the exit code."""
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except CLIError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        logging.getLogger("thulium_async").setLevel(logging.ERROR)
    commands = {
        "demo": _demo,
        "waiting-list": cmd_waiting_list,
        "schedule-call": cmd_schedule_call,
        "schedule-calls": cmd_schedule_calls,
        "watch": cmd_watch,
        "serve-fake": cmd_serve_fake,
    }
    try:
        return await commands[args.command](args, out)
    except (ThuliumError, CLIError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERROR
    except OSError as exc:  # a file that cannot be read or written
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERROR


async def _demo(args: argparse.Namespace, out: TextIO) -> int:
    from ._demo import run_demo

    return await run_demo(
        out,
        numbers=args.numbers,
        concurrency=args.concurrency,
        rate=args.rate,
        fault_rate=args.fault_rate,
        seed=args.seed,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``thulium-async`` and ``python -m thulium_async``."""
    try:
        return asyncio.run(amain(argv))
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
