"""The CLI's campaign commands: ``campaign load``, ``campaign remove``, ``campaign stats``.

``campaign load`` is ``schedule-calls`` for an outbound campaign: the same file reading,
progress, report, journal, graceful stop and ``--resume``, with each row added as a
record (``call_at`` becomes the record's ``next_call_date``). Columns named
``identifier`` and ``agent_login`` fill those fields; ``--fields`` names the columns
that go into the record's campaign fields (opt-in: Thulium refuses a record with a
field its campaign does not have, so guessing would fail every row).

``campaign remove`` runs the same machinery the other way, for opt-outs: each row's
number is removed (every record of it), in batches; numbers in a call
(``CALL_IN_PROGRESS``) are listed at the end and stay ``in_call`` in the report, for
a ``--resume`` run to try again.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from datetime import datetime
from typing import TextIO

from .. import (
    CallOutcome,
    CallRequest,
    InvalidInputError,
    NewRecord,
    OutcomeStatus,
    ThuliumClient,
)
from .csv_input import Layout, Row
from .dial import EXIT_OK, BulkJob, CLIError, journal_of, run_from_file
from .output import JsonList, table

ClientFactory = Callable[..., ThuliumClient]
_CAMPAIGN_ID = re.compile(r"[0-9A-Za-z]{5}")  # as the SDK checks a campaign id


def campaign_id(text: str) -> str:
    """Return *text* if it is a campaign id (5 letters or digits, like ``00001``).

    The client checks it again before sending; the CLI checks it before the file is
    read or the password asked for.
    """
    if not _CAMPAIGN_ID.fullmatch(text):
        raise InvalidInputError(
            "OUTBOUND_ID must be a campaign id of 5 characters, like '00001', "
            f"got {text!r}"
        )
    return text


async def cmd_campaign(
    args: argparse.Namespace, out: TextIO, connect: ClientFactory
) -> int:
    """Run ``campaign load`` or ``campaign stats``."""
    if args.action == "stats":
        return await _stats(args, out, connect)
    if args.action == "remove":
        return await _remove(args, out, connect)
    return await _load(args, out, connect)


async def _load(args: argparse.Namespace, out: TextIO, connect: ClientFactory) -> int:
    """Add every row of a file to a campaign, as ``schedule-calls`` schedules them."""
    # Checked before the file is read or the password asked for.
    campaign = campaign_id(args.outbound_id)

    fields = _field_names(args.fields)

    def check(layout: Layout) -> None:
        if fields and not layout.header:
            raise CLIError("--fields names columns: the file needs a header row")
        missing = [name for name in fields if name not in layout.names]
        if missing:
            have = ", ".join(n for n in layout.names if n) or "none"
            raise CLIError(
                f"--fields: no column {', '.join(map(repr, missing))} in the file "
                f"(its columns: {have}). Nothing was sent"
            )

    def item(row: Row, when: datetime | None) -> NewRecord:
        cells = row.cells
        return NewRecord(
            phone_number=row.phone,
            next_call_date=when,
            identifier=cells.get("identifier") or None,
            agent_login=cells.get("agent_login") or None,
            record_fields={name: cells.get(name, "") for name in fields} or None,
            index=row.line,
        )

    job = BulkJob(
        lambda client: functools.partial(
            client.outbounds.add_records, campaign, batch_size=args.batch_size
        ),
        when_column="next_call_date",
        done="added",
        noun="records",
        item=item,
        check=check,
        command=("campaign", "load", campaign),
    )
    code = await run_from_file(args, out, connect(args), job)
    _where_written(args)
    return code


def _where_written(args: argparse.Namespace) -> None:
    """Say where the report and the journal are (or that there is none)."""
    if args.report == "-":
        sys.stderr.write("Report: written to standard output\n")
    elif args.report:
        sys.stderr.write(
            f"Report: {args.report}; journal: {journal_of(args.report)} (what "
            "--resume reads)\n"
        )
    else:
        sys.stderr.write("No report written: --report FILE keeps one row per number\n")


_SHOWN_IN_CALL = 20


async def _remove(args: argparse.Namespace, out: TextIO, connect: ClientFactory) -> int:
    """Remove every number of a file from a campaign: opt-outs, resumable."""
    campaign = campaign_id(args.outbound_id)
    in_call: list[tuple[int, str]] = []

    def target(
        client: ThuliumClient,
    ) -> Callable[..., AsyncGenerator[CallOutcome, None]]:
        def run(items: object, **options: object) -> AsyncGenerator[CallOutcome, None]:
            outcomes = client.outbounds.remove_records_bulk(
                campaign,
                items,  # type: ignore[arg-type]
                batch_size=args.batch_size,
                search_in_additional_numbers=args.search_in_additional_numbers,
                **options,  # type: ignore[arg-type]
            )
            return _noting_in_call(outcomes, in_call)

        return run

    job = BulkJob(
        target,
        when_column="call_at",
        done="removed",
        noun="removals",
        item=lambda row, when: CallRequest(phone_number=row.phone, index=row.line),
        command=("campaign", "remove", campaign),
        status_of=lambda o: "in_call" if _is_in_call(o) else None,
    )
    code = await run_from_file(args, out, connect(args), job)
    if in_call:
        in_call.sort()
        shown = ", ".join(f"{n} (line {i})" for i, n in in_call[:_SHOWN_IN_CALL])
        more = len(in_call) - _SHOWN_IN_CALL
        sys.stderr.write(
            f"{len(in_call)} numbers were in a call (CALL_IN_PROGRESS) and not "
            f"removed: {shown}{f', and {more} more' if more > 0 else ''}. Run the "
            "removal again for them"
            + (
                f" (--resume {args.report} with a new --report sends only them and "
                "what else did not go through)"
                if args.report not in (None, "-")
                else ""
            )
            + "\n"
        )
    _where_written(args)
    return code


def _is_in_call(outcome: CallOutcome) -> bool:
    return outcome.status is OutcomeStatus.FAILED and str(outcome.error).startswith(
        "CALL_IN_PROGRESS"
    )


async def _noting_in_call(
    outcomes: AsyncGenerator[CallOutcome, None], found: list[tuple[int, str]]
) -> AsyncGenerator[CallOutcome, None]:
    """Pass *outcomes* on, noting the numbers in a call."""
    async with aclosing(outcomes):
        async for outcome in outcomes:
            if _is_in_call(outcome):
                found.append((outcome.index, outcome.phone_number))
            yield outcome


def _field_names(text: str | None) -> list[str]:
    """``--fields name,city`` as a list of column names."""
    if text is None:
        return []
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise CLIError(f"--fields {text!r}: expected column names like 'name,city'")
    return names


async def _stats(args: argparse.Namespace, out: TextIO, connect: ClientFactory) -> int:
    """Print every campaign's records and completion."""
    async with connect(args) as client:
        campaigns = await client.outbounds.stats()
    if args.json or args.jsonl:
        with JsonList(out, lines=args.jsonl) as document:
            for c in campaigns:
                document.add(
                    {
                        "id": c.id,
                        "records_count": c.records_count,
                        "completion_percent": c.completion_percent,
                    }
                )
        return EXIT_OK
    if not campaigns:
        out.write("No outbound campaigns.\n")
        return EXIT_OK
    rows = [
        [c.id, str(c.records_count), f"{c.completion_percent:g} %"] for c in campaigns
    ]
    out.write(table(["campaign", "records", "done"], rows) + "\n")
    return EXIT_OK
