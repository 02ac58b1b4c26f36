"""The crash-safe record of a dialer run: an append-only journal, and reading it back.

One JSON object per line. Before a number's request can be sent, a ``sending`` line for
it is written and (by default) fsynced; its outcome line follows after. Whatever instant
the process dies at (``kill -9``, an OOM kill, a power cut), every number that may have
been sent has a line: a ``sending`` without an outcome means "perhaps scheduled". The
lines of many numbers are committed together (group commit), so the fsync costs one
disk flush per batch of numbers, not one per number.

The first line names the format and the phone region the numbers were keyed in: a
number's key is its identity (its E.164 form in that region), so a journal can only be
resumed in the region it was written in. Format 1 (before regions) keyed numbers by
their digits alone; its keys are read back and re-keyed by the reader.

Reading back tolerates a torn last line (the process died while writing it): a line that
does not parse is skipped. This module knows nothing of HTTP or of the dialer's rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Iterator, Sequence
from typing import Any

from .._core.errors import InvalidInputError

FORMAT = 2
FORMATS = (1, 2)
"""The formats :func:`read_journal` reads: 1 keyed numbers by their digits alone."""
SENDING = "sending"
ALREADY = "already"
"""The state a ``skipped`` line carries (``was``) for a number the server found
already done (already in the campaign, already not in it): settled, not sent again."""


class JournalWriteError(InvalidInputError):
    """The journal could not be written (disk full, file removed): send nothing more."""


class Journal:
    """Append lines to a journal file; ``intent`` returns once its line is durable.

    Args:
        path: the journal file; created, or appended to if it exists.
        region: the phone region the numbers' keys were made in.
        fsync: flush each batch of intents to the disk (survives a power cut); without
            it a line survives the process being killed, not the machine failing.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, region: str, fsync: bool = True
    ) -> None:
        self.path = os.fspath(path)
        self._fsync = fsync
        try:
            self._fd: int | None = os.open(
                self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644
            )
        except OSError as exc:
            raise InvalidInputError(
                f"cannot write the journal {self.path}: {exc.strerror}"
            ) from None
        self._pending: list[bytes] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._committer: asyncio.Task[None] | None = None
        self.broken: JournalWriteError | None = None
        self.write({"journal": FORMAT, "region": region})

    def write(self, record: dict[str, Any]) -> None:
        """Append *record* now, without waiting for the disk (outcomes, notes)."""
        if self._fd is None or self.broken is not None:
            return
        try:
            os.write(self._fd, _line(record))
        except OSError as exc:
            self._break(exc)

    def _break(self, exc: OSError) -> JournalWriteError:
        if self.broken is None:
            self.broken = JournalWriteError(
                f"cannot write the journal {self.path}: {exc.strerror}; nothing more "
                "is sent"
            )
        return self.broken

    async def intent(self, index: int, number: str) -> None:
        """Record that *number* (input item *index*) is about to be sent; wait until durable.

        Raises:
            JournalWriteError: the journal cannot be written; the number is not sent.
        """
        if self.broken is not None:
            raise self.broken
        if self._fd is None:
            raise JournalWriteError(f"the journal {self.path} is closed")
        line = _line({"i": index, "n": number, "s": SENDING})
        self._pending.append(line)
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        if self._committer is None:
            self._committer = asyncio.ensure_future(self._commit())
        try:
            await waiter
        except asyncio.CancelledError:
            # Not sent after all (a stop while it waited): a line not yet written
            # must not be, or it would land after the outcome the caller writes next
            # and read back as "in flight". One already written came first.
            for position, pending in enumerate(self._pending):
                if pending is line:
                    del self._pending[position]
                    break
            raise

    async def intents(self, entries: Sequence[tuple[int, str]]) -> None:
        """Record that each (index, number) of a batch is about to be sent; wait until durable.

        One group commit for the whole batch. Cancelled before the commit, no line is
        written (as for :meth:`intent`).

        Raises:
            JournalWriteError: the journal cannot be written; the batch is not sent.
        """
        if self.broken is not None:
            raise self.broken
        if self._fd is None:
            raise JournalWriteError(f"the journal {self.path} is closed")
        lines = [_line({"i": i, "n": n, "s": SENDING}) for i, n in entries]
        self._pending.extend(lines)
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        if self._committer is None:
            self._committer = asyncio.ensure_future(self._commit())
        try:
            await waiter
        except asyncio.CancelledError:
            mine = {id(line) for line in lines}
            self._pending = [p for p in self._pending if id(p) not in mine]
            raise

    async def _commit(self) -> None:
        """Write and flush every pending intent, batch by batch, then wake their senders."""
        loop = asyncio.get_running_loop()
        try:
            while self._pending and self._fd is not None:
                lines, self._pending = self._pending, []
                waiters, self._waiters = self._waiters, []
                try:
                    os.write(self._fd, b"".join(lines))
                    if self._fsync:
                        await loop.run_in_executor(None, os.fsync, self._fd)
                except OSError as exc:
                    error = self._break(exc)
                    for waiter in waiters:
                        if not waiter.done():
                            waiter.set_exception(error)
                    continue
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_result(None)
        finally:
            self._committer = None

    async def close(self) -> None:
        """Flush what is pending and close the file; safe to call twice."""
        if self._committer is not None:
            await asyncio.gather(self._committer, return_exceptions=True)
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                if self._fsync:
                    # Only outcome lines can be lost here: every intent was flushed
                    # before its request went out, which is what a resume relies on.
                    with contextlib.suppress(OSError):
                        os.fsync(fd)
            finally:
                os.close(fd)


def _line(record: dict[str, Any]) -> bytes:
    return (
        json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
    ).encode()


def read_journal(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Yield the records of a journal in order, skipping lines that do not parse.

    A torn last line is what a process killed while writing leaves; a line that does not
    parse anywhere else is skipped too, since it cannot say anything safely.

    Raises:
        InvalidInputError: the file cannot be read, or is not a journal.
    """
    name = os.fspath(path)
    try:
        handle = open(name, "rb")  # noqa: SIM115 -- closed below, it is a generator
    except OSError as exc:
        raise InvalidInputError(
            f"cannot read the journal {name}: {exc.strerror}"
        ) from None
    with handle:
        header = handle.readline()
        if not header:
            return  # empty: the process died before writing anything
        try:
            first = json.loads(header)
        except ValueError:
            first = None
        if not (isinstance(first, dict) and first.get("journal") in FORMATS):
            if _torn_header(header) and not handle.readline():
                return  # only a torn header line: nothing was sent
            raise InvalidInputError(f"{name} is not a thulium_async dialer journal")
        for raw in handle:
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record


_HEADER_START = b'{"journal":'


def _torn_header(line: bytes) -> bool:
    """Whether *line* is what a process killed while writing the header leaves.

    Only a cut-off start of a header is: anything else (another file given as the
    journal, say) must be refused, not read as "nothing was sent", which would send
    every number again.
    """
    if line.endswith(b"\n"):
        return False
    return line.startswith(_HEADER_START) or _HEADER_START.startswith(line)


def journal_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Return a journal's first line (``{"journal": format, "region": ...}``).

    Format 1 has no region. An empty journal, or one whose only line is torn, reads
    as the current format without a region: it records nothing to re-key.

    Raises:
        InvalidInputError: the file cannot be read.
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            header = handle.readline()
    except OSError as exc:
        raise InvalidInputError(
            f"cannot read the journal {name}: {exc.strerror}"
        ) from None
    try:
        first = json.loads(header)
    except ValueError:
        first = None
    if isinstance(first, dict) and first.get("journal") in FORMATS:
        return first
    return {"journal": FORMAT}
