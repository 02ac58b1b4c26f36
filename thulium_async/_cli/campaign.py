"""The CLI's campaign commands: ``campaign load`` and ``campaign stats``.

``campaign load`` is ``schedule-calls`` for an outbound campaign: the same file reading,
progress, report, journal, graceful stop and ``--resume``, with each row added as a
record (``call_at`` becomes the record's ``next_call_date``). Columns named
``identifier`` and ``agent_login`` fill those fields; ``--fields`` names the columns
that go into the record's campaign fields (opt-in: Thulium refuses a record with a
field its campaign does not have, so guessing would fail every row).
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from .. import InvalidInputError, NewRecord, ThuliumClient
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
        lambda client: functools.partial(client.outbounds.add_records, campaign),
        when_column="next_call_date",
        done="added",
        noun="records",
        item=item,
        check=check,
        command=("campaign", "load", campaign),
    )
    code = await run_from_file(args, out, connect(args), job)
    if args.report == "-":
        sys.stderr.write("Report: written to standard output\n")
    elif args.report:
        sys.stderr.write(
            f"Report: {args.report}; journal: {journal_of(args.report)} (what "
            "--resume reads)\n"
        )
    else:
        sys.stderr.write("No report written: --report FILE keeps one row per number\n")
    return code


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
