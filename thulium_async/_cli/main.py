"""The command line: ``python -m thulium_async`` / ``thulium-async``.

``demo`` runs a dialer job against an embedded FakeThulium with no arguments and no
network; the other commands talk to a real Thulium system. Errors are one readable line
and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import logging
import os
import random
import sys
from collections.abc import Awaitable, Callable, Sequence
from contextlib import aclosing
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from importlib.metadata import PackageNotFoundError
from typing import Any, TextIO

import phonenumbers

from .. import (
    RateLimiter,
    ThuliumClient,
    ThuliumError,
    WaitingCaller,
    WaitingListChange,
)
from .campaign import cmd_campaign
from .crm import cmd_customers_find, cmd_tickets_list
from .dial import EXIT_ERROR, EXIT_NOT_ALL_SCHEDULED, EXIT_OK, CLIError
from .dial import cmd_schedule_calls as _schedule_calls
from .dial import parse_at as _parse_at
from .history import cmd_agents_status, cmd_connections_export, cmd_reconcile
from .output import JsonList, table, waiting_rows
from .recordings import add_arguments as _recordings_arguments
from .recordings import cmd_recordings_export
from .signals import Interrupts

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_ALL_SCHEDULED",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "CLIError",
    "amain",
    "main",
    "parse_at",
]

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `cmd | head`
_DEFAULT_RATE_KEY = "default"


def parse_at(text: str) -> datetime:
    """Parse ``--at``: ``YYYY-MM-DD HH:MM[:SS]`` as the Thulium system's wall clock.

    With an offset (``2026-03-29 02:30+01:00``) it is an instant, returned aware.
    """
    try:
        return _parse_at(text)
    except CLIError:
        pass
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise CLIError(
            f"--at {text!r}: expected 'YYYY-MM-DD HH:MM[:SS]' (system time) or with "
            "an offset, like '2026-10-25 02:30+01:00'"
        )
    return value


def _at(text: str) -> datetime:
    """``--at`` for argparse: the flag's own error, as a usage error."""
    try:
        return parse_at(text)
    except CLIError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--at ")) from None


def parse_day(text: str) -> date | datetime:
    """Parse ``YYYY-MM-DD`` as a day, or ``YYYY-MM-DD HH:MM[:SS]`` as a wall-clock time.

    Raises:
        argparse.ArgumentTypeError: neither (argparse names the flag).
    """
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    try:
        return _parse_at(text)
    except CLIError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a day or a minute: expected 'YYYY-MM-DD' (a day) or "
            "'YYYY-MM-DD HH:MM' (a minute), system time"
        ) from None


def _moment(text: str) -> datetime:
    """A flag that means a moment: a day (its midnight) or a minute, system time."""
    value = parse_day(text)
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time())


def _number(text: str, kind: type[int] | type[float]) -> float:
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None


def _queue_id(text: str) -> int:
    """A queue's id: a whole number from 1 up, as Thulium numbers its queues."""
    value = int(_number(text, int))
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"{value} is not a queue id: queues are numbered from 1"
        )
    return value


def _at_least_one(text: str) -> int:
    """A count that must be 1 or more (``--concurrency``, ``--limit``)."""
    value = int(_number(text, int))
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is too few: at least 1")
    return value


def _positive(text: str) -> float:
    """A rate or a duration that must be more than 0 (``--rate``, ``--timeout``)."""
    value = _number(text, float)
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a number above 0")
    return value


def _seconds(text: str) -> float:
    """Seconds that may be 0 but not negative (``--grace``)."""
    value = _number(text, float)
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be 0 or more seconds")
    return value


def _language(text: str) -> str:
    """``--language`` (or ``$THULIUM_LANGUAGE``): en or pl."""
    value = text.strip().lower()
    if value not in ("en", "pl"):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a language Thulium answers in: en or pl "
            "(from --language or $THULIUM_LANGUAGE)"
        )
    return value


def _sdk_version() -> str:
    try:
        from .. import __version__
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"
    return str(__version__)


def _region(text: str) -> str:
    """``--phone-region`` (or ``$THULIUM_PHONE_REGION``): a two-letter country code."""
    value = text.strip().upper()
    if value not in phonenumbers.SUPPORTED_REGIONS:  # those the client accepts
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a region: expected a two-letter country code like PL "
            "or DE (from --phone-region or $THULIUM_PHONE_REGION)"
        )
    return value


def _fraction(text: str) -> float:
    """Parse a share from 0 to 1 (``--fault-rate``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(
            f"{text} is not a share from 0 to 1 (0.1 is 10 %)"
        )
    return value


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show each option's default in --help (not for flags, nor a default of None)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        default = action.default
        if default is None or default is False or default is argparse.SUPPRESS:
            return action.help
        return super()._get_help_string(action)


def bulk_options(sub: argparse.ArgumentParser, noun: str) -> None:
    """Add the options of a bulk run from a file (``schedule-calls``, ``campaign load``)."""
    sub.add_argument(
        "--concurrency", type=_at_least_one, default=10, help=f"{noun} in flight"
    )
    sub.add_argument(
        "--rate",
        type=_positive,
        default=None,
        help="requests per second (default: no cap)",
    )
    sub.add_argument(
        "--report",
        help="write one CSV row per number here ('-' for standard output); a "
        "journal for --resume is written beside it as REPORT.journal",
    )
    sub.add_argument(
        "--resume",
        metavar="PREVIOUS_REPORT",
        help="finish the run that wrote PREVIOUS_REPORT: numbers it sent, may have "
        "sent or had in flight are skipped, failed ones sent again",
    )
    sub.add_argument(
        "--encoding",
        default="utf-8-sig",
        help="the file's text encoding (e.g. cp1250); UTF-8 with or without BOM",
    )
    sub.add_argument(
        "--column",
        metavar="NAME",
        help="the column with the phone numbers: its header's name, or its position "
        "from 1 (default: the column named phone_number, telefon, ...)",
    )
    sub.add_argument(
        "--grace",
        type=_seconds,
        default=30.0,
        help=f"seconds {noun} in flight may take to finish after Ctrl-C or SIGTERM",
    )
    sub.add_argument(
        "--redis-url",
        default=os.environ.get("THULIUM_REDIS_URL"),
        help="share --rate with every process using this Redis and --rate-key "
        "(or set THULIUM_REDIS_URL; needs thulium-async[redis])",
    )
    sub.add_argument(
        "--rate-key",
        default=None,
        help=f"the shared budget's name, one per account (with --redis-url; "
        f"default {_DEFAULT_RATE_KEY!r})",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="thulium-async",
        description="Talk to the Thulium contact-center API, or try the SDK with 'demo'.",
        formatter_class=_Formatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"thulium-async {_sdk_version()}"
    )
    verbose = {
        "action": "count",
        "help": "show retries; twice (-vv) also every attempt sent",
    }
    parser.add_argument("-v", "--verbose", **verbose)  # type: ignore[arg-type]
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, formatter_class=_Formatter)
        # -v works after the command too; SUPPRESS keeps the top-level value otherwise.
        sub.add_argument(
            "-v",
            "--verbose",
            default=argparse.SUPPRESS,
            **verbose,  # type: ignore[arg-type]
        )
        return sub

    demo = command(
        "demo", "run a dialer job against an embedded fake Thulium (no setup)"
    )
    demo.add_argument(
        "--numbers", type=_at_least_one, default=300, help="calls to schedule"
    )
    demo.add_argument(
        "--concurrency", type=_at_least_one, default=20, help="calls in flight"
    )
    demo.add_argument(
        "--rate", type=_positive, default=200.0, help="requests per second"
    )
    demo.add_argument(
        "--fault-rate",
        type=_fraction,
        default=0.1,
        help="share of requests the fake fails on purpose (0 to 1)",
    )
    demo.add_argument("--seed", type=int, default=2026, help="seed for the faults")

    def connected(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        """Add the options every command that talks to Thulium takes."""
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
        sub.add_argument(
            "--timezone", default="Europe/Warsaw", help="the Thulium system's zone"
        )
        sub.add_argument(
            "--timeout", type=_positive, default=30.0, help="seconds for one attempt"
        )
        sub.add_argument(
            "--phone-region",
            type=_region,
            default=os.environ.get("THULIUM_PHONE_REGION") or "PL",
            metavar="REGION",
            help="the country whose numbers are written without a country code; "
            "one person's number in any form (500333222, +48 500 333 222) is one "
            "identity for dedupe, resume and reconcile ($THULIUM_PHONE_REGION)",
        )
        sub.add_argument(
            "--language",
            type=_language,
            metavar="{en,pl}",
            default=os.environ.get("THULIUM_LANGUAGE") or None,
            help="language of Thulium's error messages ($THULIUM_LANGUAGE)",
        )
        sub.add_argument(
            "--allow-insecure-http",
            action="store_true",
            help="allow a plain http:// base URL on a host other than loopback "
            "(sends the password unencrypted)",
        )
        shape = sub.add_mutually_exclusive_group()
        shape.add_argument(
            "--json",
            action="store_true",
            help="print one JSON document for scripts (a list is an array)",
        )
        shape.add_argument(
            "--jsonl",
            action="store_true",
            help="print JSON lines: one object per line, as they come",
        )
        return sub

    def remote(name: str, help_text: str) -> argparse.ArgumentParser:
        return connected(command(name, help_text))

    def group(
        name: str, help_text: str
    ) -> Callable[[str, str], argparse.ArgumentParser]:
        """A command with actions (``agents status``)."""
        actions = command(name, help_text).add_subparsers(
            dest="action", required=True, metavar="ACTION"
        )

        def action(verb: str, text: str) -> argparse.ArgumentParser:
            sub = actions.add_parser(verb, help=text, formatter_class=_Formatter)
            sub.add_argument(
                "-v",
                "--verbose",
                default=argparse.SUPPRESS,
                **verbose,  # type: ignore[arg-type]
            )
            return connected(sub)

        return action

    waiting = remote("waiting-list", "show who is waiting in a queue")
    waiting.add_argument("queue_id", type=_queue_id)

    one = remote("schedule-call", "schedule one call")
    one.add_argument("queue_id", type=_queue_id)
    one.add_argument("phone_number")
    one.add_argument(
        "--at",
        type=_at,
        help="'YYYY-MM-DD HH:MM', system time; or an instant with an offset, "
        "'2026-03-29 02:30+01:00'; in the repeated hour of an autumn night, the "
        "offset says which of the two is meant",
    )

    many = remote("schedule-calls", "schedule calls from a CSV file (or - for stdin)")
    many.add_argument("queue_id", type=_queue_id)
    many.add_argument(
        "file",
        help="CSV with a phone number and optionally a call_at per row; header, "
        "separator (, ; tab) and a UTF-8 byte-order mark are detected",
    )
    bulk_options(many, "calls")

    watch = remote("watch", "show who is waiting in a queue, live (Ctrl-C to stop)")
    watch.add_argument("queue_id", type=_queue_id)
    watch.add_argument(
        "--interval", type=_positive, default=2.0, help="seconds per poll"
    )

    reconcile = remote(
        "reconcile", "look up a report's unknown numbers in the call history"
    )
    reconcile.add_argument("queue_id", type=_queue_id)
    reconcile.add_argument(
        "file",
        help="a schedule-calls report (CSV, also as re-saved by Excel: separator "
        "and a UTF-8 byte-order mark are detected)",
    )
    reconcile.add_argument(
        "--report",
        help="write one CSV row per unknown number, with what was found ('-' for "
        "standard output)",
    )
    reconcile.add_argument(
        "--since",
        type=_moment,
        help="the earliest the calls can have been made: a day (YYYY-MM-DD, from "
        "its midnight) or a minute (YYYY-MM-DD HH:MM), system time (default: 24 "
        "hours before the report was last written)",
    )
    reconcile.add_argument(
        "--encoding",
        default="utf-8-sig",
        help="the report's text encoding (e.g. cp1250 after Excel on Polish "
        "Windows); UTF-8 with or without BOM",
    )

    agents = group("agents", "agents: what they are doing")
    status = agents("status", "show agents' statuses (--watch to follow them)")
    status.add_argument("logins", nargs="+", metavar="LOGIN")
    status.add_argument("--watch", action="store_true", help="refresh until Ctrl-C")
    status.add_argument(
        "--interval", type=_positive, default=5.0, help="seconds between refreshes"
    )

    connections = group("connections", "the call history")
    export = connections("export", "write the call history of a range to a CSV file")
    export.add_argument(
        "--from",
        dest="date_from",
        type=parse_day,
        required=True,
        help="first day (YYYY-MM-DD) or minute ('YYYY-MM-DD HH:MM'), system time",
    )
    export.add_argument(
        "--to",
        dest="date_to",
        type=parse_day,
        required=True,
        help="last day or minute, likewise",
    )
    export.add_argument("--queue", type=int, help="only this queue's calls")
    export.add_argument("--dst", help="only calls to this number")
    export.add_argument(
        "--output",
        required=True,
        help="the file to write ('-' for standard output): CSV, or with --json a "
        "JSON array of the calls, with --jsonl one call per line",
    )

    recordings = group("recordings", "call recordings")
    _recordings_arguments(
        recordings(
            "export", "download a range's recordings to a folder, with a manifest"
        ),
        parse_day,
    )

    customers = group("customers", "the CRM's customers")
    find = customers("find", "find customers by phone number or e-mail (a screen pop)")
    find.add_argument("--phone", help="the caller's number")
    find.add_argument("--email", help="an e-mail address")
    find.add_argument(
        "--limit", type=_at_least_one, default=20, help="customers to show at most"
    )

    tickets = group("tickets", "the ticket desk")
    tlist = tickets("list", "list tickets modified since a day, every page")
    tlist.add_argument(
        "--since",
        type=parse_day,
        required=True,
        help="a day, YYYY-MM-DD (or a minute, 'YYYY-MM-DD HH:MM'), system time",
    )
    tlist.add_argument("--queue", type=int, help="only this ticket queue")
    tlist.add_argument(
        "--status", type=int, action="append", help="a status id (repeat for more)"
    )

    campaign = group("campaign", "outbound campaigns: load records, see progress")
    load = campaign("load", "add every number of a CSV file to a campaign")
    load.add_argument("outbound_id", metavar="OUTBOUND_ID", help="like 00001")
    load.add_argument(
        "file",
        help="CSV with a phone number and optionally a next_call_date (or call_at) "
        "per row; header, separator and a UTF-8 byte-order mark are detected",
    )
    load.add_argument(
        "--fields",
        metavar="COLUMN[,COLUMN...]",
        help="columns to send as the record's campaign fields, by their header "
        "names (columns named identifier and agent_login are always used)",
    )
    load.add_argument(
        "--batch-size",
        type=_at_least_one,
        default=None,
        help="records per request (default 100: 100,000 records in 1,000 requests)",
    )
    bulk_options(load, "requests")
    remove = campaign(
        "remove", "remove every number of a CSV file from a campaign (opt-outs)"
    )
    remove.add_argument("outbound_id", metavar="OUTBOUND_ID", help="like 00001")
    remove.add_argument(
        "file",
        help="CSV with a phone number per row; header, separator and a UTF-8 "
        "byte-order mark are detected",
    )
    remove.add_argument(
        "--batch-size",
        type=_at_least_one,
        default=None,
        help="numbers per request (default 50: they travel in the URL)",
    )
    remove.add_argument(
        "--search-in-additional-numbers",
        action="store_true",
        help="remove records whose additional numbers match, too",
    )
    bulk_options(remove, "requests")
    campaign("stats", "show each campaign's records and how far it has got")

    spec = command("openapi", "print the API's OpenAPI 3.1 document (offline)")
    spec.add_argument(
        "--output",
        default="-",
        metavar="FILE",
        help="write it to FILE ('-' for standard output)",
    )

    serve = command("serve-fake", "run the fake Thulium for manual tries")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument(
        "--fault-rate",
        type=_fraction,
        default=0.0,
        help="share of requests the fake fails on purpose (0 to 1)",
    )
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
        phone_region=args.phone_region,
        language=args.language,
        allow_insecure_http=args.allow_insecure_http,
        **options,
    )


def _rate_limit(args: argparse.Namespace) -> float | RateLimiter | None:
    """Return ``--rate`` as is, or shared through Redis when ``--redis-url`` is given."""
    if not args.redis_url:
        if args.rate_key is not None:
            raise CLIError(
                "--rate-key names a budget shared through Redis: it needs --redis-url"
            )
        rate: float | None = args.rate
        return rate
    if args.rate is None:
        raise CLIError("--redis-url needs --rate: the requests per second all share")
    try:
        from ..redis_limit import RedisRateLimiter
    except ImportError:
        raise CLIError(
            '--redis-url needs the redis package: pip install "thulium-async[redis]"'
        ) from None
    key = args.rate_key or _DEFAULT_RATE_KEY
    return RedisRateLimiter(args.redis_url, rate=args.rate, key=key)


async def cmd_waiting_list(args: argparse.Namespace, out: TextIO) -> int:
    """Print the callers waiting in a queue."""
    async with _client_from(args) as client:
        callers = await client.queues.waiting_list(args.queue_id)
    if args.json or args.jsonl:
        with JsonList(out, lines=args.jsonl) as document:
            for caller in callers:
                document.add(_caller_json(caller))
        return EXIT_OK
    if not callers:
        out.write(f"Nobody is waiting in queue {args.queue_id}.\n")
        return EXIT_OK
    now = datetime.now(callers[0].started_at.tzinfo)
    headers = ["phone number", "waiting since", "waited", "customer"]
    out.write(table(headers, waiting_rows(callers, now)) + "\n")
    return EXIT_OK


async def cmd_schedule_call(args: argparse.Namespace, out: TextIO) -> int:
    """Schedule one call; a Ctrl-C while it is sent says it may be scheduled anyway."""
    with Interrupts(grace=0) as interrupts:
        try:
            async with _client_from(args) as client:
                at = args.at
                if at is not None:
                    at = _check_at(at, client.timezone)
                await client.queues.schedule_call(args.queue_id, args.phone_number, at)
        except asyncio.CancelledError:
            if not interrupts.abandoned:
                raise
            sys.stderr.write(
                f"interrupted: the call to {args.phone_number} may already be "
                "scheduled; check in Thulium before sending it again\n"
            )
            return interrupts.exit_code
    when = args.at.isoformat(sep=" ") if args.at else None
    if args.json or args.jsonl:
        result = {"status": "scheduled", "phone_number": args.phone_number}
        out.write(json.dumps({**result, "call_at": when}) + "\n")
    else:
        out.write(f"Scheduled a call to {args.phone_number} ({when or 'now'}).\n")
    return EXIT_OK


def _is_in_gap(naive: datetime, zone: tzinfo) -> bool:
    """Return whether wall-clock time *naive* does not exist in *zone* (spring forward).

    PEP 495: in a gap, ``fold=0`` takes the offset from before the transition, which is
    the smaller; in a repeated hour it is the other way round.
    """
    local = naive.replace(tzinfo=zone, fold=0)
    before, after = local.utcoffset(), local.replace(fold=1).utcoffset()
    return before is not None and after is not None and before < after


def _check_at(at: datetime, zone: tzinfo) -> datetime:
    """Return the ``--at`` to send; refuse one the zone cannot place; warn as due.

    A wall-clock time in the spring gap does not exist: the error shows the offset form
    that names the instant. One in the repeated autumn hour happens twice: without an
    offset it is refused, naming both; with one, the operator has said which moment
    is meant, and it is sent as the wall clock both moments share (Thulium's times
    carry no offset), with a note saying so.
    """
    if at.tzinfo is None:
        naive = at
        now = datetime.now(zone).replace(tzinfo=None)
    else:
        naive = at.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None)
        now = datetime.now(at.tzinfo)
    text = at.isoformat(sep=" ", timespec="minutes")
    if at.tzinfo is None and _is_in_gap(naive, zone):
        before = naive.replace(tzinfo=zone, fold=0).utcoffset() or timedelta()
        offset = _offset(before)
        after = naive.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
        instant = after.astimezone(zone).strftime("%H:%M")
        raise CLIError(
            f"--at {text} does not exist in {zone}: the clocks skip that hour for "
            f"daylight saving time. Pass a time outside the gap, or the instant with "
            f"an offset: --at '{text}{offset}' is {instant} there"
        )
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    send = at
    if first.utcoffset() != second.utcoffset():
        wall = naive.isoformat(sep=" ", timespec="minutes")
        if at.tzinfo is None:
            raise CLIError(
                f"--at {text} happens twice in {zone} that night (the clocks go "
                f"back): first at {wall}{_offset(first.utcoffset())}, then an hour "
                f"later at {wall}{_offset(second.utcoffset())}. Nothing was sent: "
                f"pass the one you mean with its offset, like --at "
                f"'{wall}{_offset(second.utcoffset())}'"
            )
        which = "first" if at.utcoffset() == first.utcoffset() else "second"
        sys.stderr.write(
            f"note: --at {text} is the {which} {wall} in {zone} (the clocks go back "
            f"that night). Thulium's times carry no offset, so it is sent as {wall}, "
            "the wall clock both moments share, and Thulium's own clock places it\n"
        )
        send = naive  # the library refuses an aware time it cannot send exactly
    if at < now:
        sys.stderr.write(
            f"warning: --at {text} is in the past; Thulium may call at once\n"
        )
    return send


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


async def cmd_watch(args: argparse.Namespace, out: TextIO) -> int:
    """Follow a queue's waiting list until interrupted."""
    if args.json:
        raise CLIError(
            "watch never ends, so it has no one JSON document to print: --jsonl "
            "prints one JSON object per change"
        )
    live = out.isatty() and not args.jsonl
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
                        _print_change(
                            change, out, as_json=args.jsonl, zone=client.timezone
                        )

    async def redraw_every_second() -> None:
        while True:  # the "waited" column keeps counting between changes
            await asyncio.sleep(1.0)
            draw()

    with Interrupts() as interrupts:
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
    if interrupts.signal is not None:
        sys.stderr.write("stopped watching\n")
        return interrupts.exit_code
    return EXIT_OK


def _caller_json(caller: WaitingCaller) -> dict[str, object]:
    return {
        "phone_number": caller.phone_number,
        "started_at": caller.started_at.isoformat(),
        "customer_id": caller.customer_id,
        "customer_label": caller.customer_label,
    }


def _print_change(
    change: WaitingListChange, out: TextIO, *, as_json: bool, zone: tzinfo
) -> None:
    # In the system's zone, like started_at, not in this machine's.
    polled_at = change.polled_at.astimezone(zone)
    stamp = polled_at.strftime("%H:%M:%S")
    if as_json:
        record = {
            "polled_at": polled_at.isoformat(),
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


async def cmd_serve_fake(args: argparse.Namespace, out: TextIO) -> int:
    """Run FakeThulium in the foreground until interrupted; callers come and go."""
    from ..testing import FakeThulium
    from .demo import seed_serve_fake

    fake = FakeThulium(port=args.port, queues=(1, 2, 3), max_recorded_requests=10_000)
    seed_serve_fake(fake)  # callers, agents, a customer, a ticket, calls
    if args.fault_rate:
        fake.set_fault_rate(args.fault_rate)
    async with fake:
        # Signals are handled before the address is printed: a script that reads the
        # lines and stops the fake at once must find the handler in place.
        with Interrupts() as interrupts:
            out.write(
                "Fake Thulium listening (queues 1, 2, 3; callers come and go in queue "
                "2; agents jkowalski and anowak; campaign 00001; webhooks delivered "
                "to 127.0.0.1; Ctrl-C to stop). In another shell:\n"
                f"  export THULIUM_BASE_URL={fake.base_url}\n"
                f"  export THULIUM_USERNAME={fake.username}\n"
                f"  export THULIUM_PASSWORD={fake.password}\n"
            )
            out.flush()
            traffic = asyncio.ensure_future(_callers_come_and_go(fake, queue=2))
            try:
                await interrupts.stop.wait()
            finally:
                traffic.cancel()
                await asyncio.gather(traffic, return_exceptions=True)
    out.write(f"Stopped after {len(fake.requests)} requests.\n")
    return EXIT_OK


async def _callers_come_and_go(
    fake: Any,
    *,
    queue: int,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Every few seconds someone joins queue *queue* or, sometimes, leaves it."""
    rng = random.Random(2026)  # noqa: S311 -- a demo's traffic, not security
    while True:
        await sleep(rng.uniform(2.0, 5.0))
        if fake.agents and rng.random() < 0.3:  # an agent takes a call, or a break
            login = rng.choice(sorted(fake.agents))
            fake.set_agent_status(login, rng.choice(("FREE", "INBOUND_CALL", "PAUSED")))
        waiting = fake.waiting[queue]
        if waiting and (len(waiting) >= 6 or rng.random() < 0.4):
            fake.remove_caller(queue, rng.choice(waiting)["phone_number"])
        else:
            fake.add_caller(queue, f"5{rng.randrange(10**8):08d}")


async def amain(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the CLI inside a running loop; return the exit code."""
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except CLIError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    verbosity = args.verbose or 0
    level = {0: logging.ERROR, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger("thulium_async").setLevel(
        logging.WARNING if verbosity == 1 else level
    )
    commands = {
        "demo": _demo,
        "waiting-list": cmd_waiting_list,
        "schedule-call": cmd_schedule_call,
        "schedule-calls": cmd_schedule_calls,
        "watch": cmd_watch,
        "serve-fake": cmd_serve_fake,
        "reconcile": _history_command(cmd_reconcile),
        "agents": _history_command(cmd_agents_status),
        "connections": _history_command(cmd_connections_export),
        "recordings": _history_command(cmd_recordings_export),
        "customers": _history_command(cmd_customers_find),
        "tickets": _history_command(cmd_tickets_list),
        "campaign": _campaign,
        "openapi": cmd_openapi,
    }
    try:
        return await commands[args.command](args, out)
    except (ThuliumError, CLIError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERROR
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error
        _quiet_stdout(out)
        return EXIT_BROKEN_PIPE
    except OSError as exc:  # a file that cannot be read or written
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERROR


def _quiet_stdout(out: TextIO) -> None:
    """Point standard output at the null device, so the exit's flush cannot fail."""
    if out is sys.stdout:
        with contextlib.suppress(OSError, ValueError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno())
            os.close(null)


def _history_command(
    run: Callable[
        [argparse.Namespace, TextIO, Callable[..., ThuliumClient]], Awaitable[int]
    ],
) -> Callable[[argparse.Namespace, TextIO], Awaitable[int]]:
    async def command(args: argparse.Namespace, out: TextIO) -> int:
        return await run(args, out, _client_from)

    return command


def _bulk_client(args: argparse.Namespace) -> ThuliumClient:
    """The client of a bulk run: ``--rate`` applied, shared through Redis if asked."""
    return _client_from(args, rate_limit=_rate_limit(args))


async def cmd_schedule_calls(args: argparse.Namespace, out: TextIO) -> int:
    """Schedule calls from a file: see ``_cli.dial``."""
    return await _schedule_calls(args, out, _bulk_client(args))


async def _campaign(args: argparse.Namespace, out: TextIO) -> int:
    connect = _bulk_client if args.action in ("load", "remove") else _client_from
    return await cmd_campaign(args, out, connect)


async def _demo(args: argparse.Namespace, out: TextIO) -> int:
    from .demo import run_demo

    return await run_demo(
        out,
        numbers=args.numbers,
        concurrency=args.concurrency,
        rate=args.rate,
        fault_rate=args.fault_rate,
        seed=args.seed,
    )


async def cmd_openapi(args: argparse.Namespace, out: TextIO) -> int:
    """Print the OpenAPI document (no credentials, no network)."""
    from .. import openapi_document

    document = openapi_document()
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output == "-":
        out.write(text)
    else:
        _write_text(args.output, text)
    return EXIT_OK


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``thulium-async`` and ``python -m thulium_async``."""
    try:
        return asyncio.run(amain(argv))
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
