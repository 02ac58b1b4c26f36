"""Which numbers a dialer run has seen, and what an earlier run's journal says of each.

Kept in a private SQLite database on disk (the standard library's ``sqlite3``; a file
that SQLite deletes when it is closed), so a run of millions of numbers costs a bounded
page cache in memory, not a set of strings: about 2 MiB of memory whatever the count,
about 20 bytes per distinct number on disk, and about 8 us of CPU per number. No I/O
beyond that file, no HTTP.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

import attrs

from .._core.errors import InvalidInputError
from .journal import ALREADY, SENDING

# What a previous run may say of a number, from the safest to resend to the least.
_RANK = {"failed": 0, "unknown": 1, SENDING: 1, "scheduled": 2, ALREADY: 2}
_CACHE_KIB = 2048


@attrs.frozen
class PreviousState:
    """What an earlier run's journal says of one number.

    Attributes:
        status: ``"scheduled"``, ``"unknown"``, ``"sending"`` (in flight when that run
            stopped) or ``"failed"``.
        index: the item (line) of that run it was recorded for.
    """

    status: str
    index: int


class NumberLedger:
    """The numbers of one run (for de-duplication) and of an earlier run (for resume)."""

    def __init__(self) -> None:
        # "" is a private temporary database on disk, deleted on close.
        try:
            self._db = sqlite3.connect("", isolation_level=None)
            self._db.execute("PRAGMA user_version")  # opens it: fails here, not later
        except sqlite3.Error as exc:
            raise InvalidInputError(
                f"cannot open a temporary file to remember the numbers seen ({exc}); "
                "set TMPDIR to a writable directory, or pass deduplicate=False"
            ) from None
        self._db.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(
            "CREATE TABLE seen (number TEXT PRIMARY KEY, item INTEGER) WITHOUT ROWID"
        )
        self._db.execute(
            "CREATE TABLE previous (number TEXT, item INTEGER, status TEXT, "
            "PRIMARY KEY (number, item)) WITHOUT ROWID"
        )
        # One transaction for the database's whole life: a statement in a transaction
        # costs a third of one that commits alone, and this file never needs to be
        # durable (it is deleted on close).
        self._db.execute("BEGIN")

    def first_seen(self, number: str, index: int) -> int | None:
        """Remember *number* for item *index*; return the first item it was seen at, if earlier."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO seen VALUES (?, ?)", (number, index)
        )
        if cursor.rowcount == 1:
            return None
        row = self._db.execute(
            "SELECT item FROM seen WHERE number = ?", (number,)
        ).fetchone()
        return int(row[0])

    def load_previous(self, records: Iterable[dict[str, Any]]) -> None:
        """Take in an earlier run's journal records (later lines of an item win)."""
        rows = []
        for record in records:
            number, index = record.get("n"), record.get("i")
            status = record.get("s")
            if status == "skipped":
                status = record.get("was")  # a resumed run's inherited state
            if (
                not isinstance(number, str)
                or not isinstance(index, int)
                or status not in _RANK
            ):
                continue
            rows.append((number, index, status))
            if len(rows) >= 10_000:
                self._insert(rows)
                rows = []
        self._insert(rows)

    def _insert(self, rows: list[tuple[str, int, str]]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO previous VALUES (?, ?, ?)", rows)

    def previous(self, number: str) -> PreviousState | None:
        """Return the least safe state an earlier run recorded for *number*, if any."""
        rows = self._db.execute(
            "SELECT status, item FROM previous WHERE number = ?", (number,)
        ).fetchall()
        if not rows:
            return None
        status, index = max(rows, key=lambda row: _RANK[row[0]])
        return PreviousState(status=status, index=index)

    def close(self) -> None:
        """Drop the database (SQLite deletes its file)."""
        self._db.close()
