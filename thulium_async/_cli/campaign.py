"""The CLI's campaign commands: ``campaign load`` and ``campaign stats``.

``campaign load`` is ``schedule-calls`` for an outbound campaign: the same file reading,
progress, report, journal, graceful stop and ``--resume``, with each row added as a
record (``call_at`` becomes the record's ``next_call_date``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any, TextIO

from .._api.endpoints import PathKind, check_path_value
from .._client import ThuliumClient
from .._features.dial_models import CallOutcome, DialProgress
from .dial import EXIT_OK, BulkJob, run_from_file
from .output import table

ClientFactory = Callable[..., ThuliumClient]


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
    campaign = check_path_value(PathKind.CAMPAIGN, "OUTBOUND_ID", args.outbound_id)

    def start(
        client: ThuliumClient,
        items: Iterator[Any],
        progress: DialProgress,
        journal: str | None,
        resume: str | None,
    ) -> AsyncGenerator[CallOutcome, None]:
        return client.outbounds.add_records(
            campaign,
            items,
            concurrency=args.concurrency,
            progress=progress,
            journal=journal,
            resume_from=resume,
        )

    job = BulkJob(start, when_column="next_call_date", done="added", noun="records")
    return await run_from_file(args, out, connect(args), job)


async def _stats(args: argparse.Namespace, out: TextIO, connect: ClientFactory) -> int:
    """Print every campaign's records and completion."""
    async with connect(args) as client:
        campaigns = await client.outbounds.stats()
    if args.json:
        records = [
            {
                "id": c.id,
                "records_count": c.records_count,
                "completion_percent": c.completion_percent,
            }
            for c in campaigns
        ]
        out.write(json.dumps(records) + "\n")
        return EXIT_OK
    if not campaigns:
        out.write("No outbound campaigns.\n")
        return EXIT_OK
    rows = [
        [c.id, str(c.records_count), f"{c.completion_percent:g} %"] for c in campaigns
    ]
    out.write(table(["campaign", "records", "done"], rows) + "\n")
    return EXIT_OK
