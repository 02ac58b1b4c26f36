"""Campaign records in batches: ``POST`` and ``DELETE batch/outbounds/:id/records``.

How their answers are read, number by number. The declarations and the methods that
send them (``outbounds.add_records``, ``outbounds.remove_records``) are in
``campaigns``; the bulk run that gathers numbers into batches is ``_features.batches``.

Both are safe to repeat by the server's own rule, so an ambiguous attempt is resent:
the API never adds a duplicate number to a campaign (a resend answers
``ALREADY_EXISTS`` for what the first attempt added), and removing what is gone
answers ``NOT_EXIST``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._core import phone as _phone
from .._features.dial_models import BatchReply, Reply
from .._models.campaigns import RecordRemoval, RemovalStatus, RemovedRecord

ALREADY_IN = "already in the campaign"
NOT_IN = "not in the campaign"
IN_CALL = (
    "CALL_IN_PROGRESS: a call to this number is in progress, so its record was not "
    "removed; run the removal again for it"
)
ADD_BATCH = 100
"""Records a ``POST batch/outbounds/:id/records`` carries by default.

The vendor states no maximum. 100 makes 100,000 records 1,000 requests instead of
100,000 (1 %), keeps a body near 5-10 KB (far below any proxy's limit), and bounds
what one failed or ambiguous request leaves to resend or check at 100 numbers."""
REMOVE_BATCH = 50
"""Numbers a ``DELETE batch/outbounds/:id/records`` carries by default.

The numbers go in the URL (``phone_number[]=...``, about 30 bytes each): 50 keep it
near 1.5 KB, under the 2 KB some proxies and logs still cut URLs at."""


def read_entries(answer: object) -> dict[str, list[Mapping[str, Any]]]:
    """Return each number's lines in a batch answer, whichever shape it has.

    ``{"441": [{...}, ...]}`` (the DELETE page's), ``{"441": {...}}`` (the CRM batch
    pages'), or ``[{"phone_number": "441", ...}, ...]``. Anything else names no
    number: every number of the batch is then unanswered.
    """
    found: dict[str, list[Mapping[str, Any]]] = {}
    if isinstance(answer, Mapping):
        for number, lines in answer.items():
            if isinstance(lines, Mapping):
                lines = [lines]
            if isinstance(lines, list):
                found[str(number)] = [x for x in lines if isinstance(x, Mapping)]
    elif isinstance(answer, list):
        for line in answer:
            if isinstance(line, Mapping) and line.get("phone_number") is not None:
                found.setdefault(str(line["phone_number"]), []).append(line)
    return found


def lines_of(
    number: str, entries: Mapping[str, list[Mapping[str, Any]]], region: str
) -> list[Mapping[str, Any]] | None:
    """Return the answer's lines for *number* as sent, matched by identity if need be."""
    lines = entries.get(number)
    if lines is not None:
        return lines
    wanted = _phone.identity(number, region)
    if wanted is None:
        return None
    for key, found in entries.items():
        if _phone.identity(key, region) == wanted:
            return found
    return None


def _status(line: Mapping[str, Any]) -> str:
    return str(line.get("status") or "").upper()


def add_reply(lines: Sequence[Mapping[str, Any]] | None) -> BatchReply:
    """One number's word in a ``POST`` batch answer, for the bulk run."""
    if not lines:
        return BatchReply(
            Reply.UNANSWERED, "Thulium's answer does not name this number"
        )
    statuses = [_status(line) for line in lines]
    if "ADDED" in statuses:
        return BatchReply(Reply.DONE)
    if "ALREADY_EXISTS" in statuses:
        return BatchReply(Reply.ALREADY, ALREADY_IN)
    line = lines[0]
    why = line.get("message") or line.get("error") or line.get("http_status")
    text = f"Thulium: {statuses[0] or 'no status'}"
    return BatchReply(Reply.REFUSED, f"{text} ({why})" if why else text)


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def removal(
    number: str, lines: Sequence[Mapping[str, Any]] | None, *, resent: bool
) -> RecordRemoval:
    """One number's :class:`RecordRemoval` from its lines in a ``DELETE`` answer.

    *resent*: an earlier attempt of this request may have been processed, so
    ``NOT_EXIST`` may mean we removed it: counted as removed.
    """
    records = tuple(
        RemovedRecord(
            status=_status(line),
            record_id=_int(line.get("record_id")),
            http_status=_int(line.get("http_status")),
        )
        for line in lines or ()
    )
    statuses = {record.status for record in records}
    if "REMOVED" in statuses:
        status = RemovalStatus.REMOVED
    elif "CALL_IN_PROGRESS" in statuses:
        status = RemovalStatus.IN_CALL
    elif resent and records:
        return RecordRemoval(
            phone_number=number,
            status=RemovalStatus.REMOVED,
            records=records,
            confirmed_on_resend=True,
        )
    else:
        status = RemovalStatus.NOT_THERE
    return RecordRemoval(phone_number=number, status=status, records=records)


def remove_reply(result: RecordRemoval) -> BatchReply:
    """One number's removal, as the bulk run reads it."""
    if not result.records:
        return BatchReply(
            Reply.UNANSWERED, "Thulium's answer does not name this number"
        )
    if result.status is RemovalStatus.REMOVED and not result.confirmed_on_resend:
        return BatchReply(Reply.DONE)
    if result.status is RemovalStatus.IN_CALL:
        return BatchReply(Reply.REFUSED, IN_CALL)
    return BatchReply(Reply.ALREADY, NOT_IN)
