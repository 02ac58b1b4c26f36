"""What the CLI shows people: tables, durations and a live progress line.

Standard library only, so the CLI needs nothing beyond the SDK's own dependencies.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import TextIO

from .. import DialProgress, WaitingCaller


def duration(seconds: float) -> str:
    """Return *seconds* as ``1h 02m``, ``3m 07s`` or ``12s``."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Return a plain text table with left-aligned columns."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    ]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines)


def waiting_rows(callers: Sequence[WaitingCaller], now: datetime) -> list[list[str]]:
    """Return table rows for waiting callers: who, since when, how long."""
    rows = []
    for caller in callers:
        customer = caller.customer_label or ""
        if caller.customer_id is not None:
            customer = f"{customer} (#{caller.customer_id})".strip()
        rows.append(
            [
                caller.phone_number,
                caller.started_at.strftime("%Y-%m-%d %H:%M:%S"),
                duration((now - caller.started_at).total_seconds()),
                customer,
            ]
        )
    return rows


class JsonList:
    """Write a list for scripts as it comes: one JSON array, or JSON lines.

    ``--json`` is one valid document (``[]`` when empty; with *key*, an object whose
    *key* member is the array and whose other members come from :meth:`close`);
    ``--jsonl`` (*lines*) is one object per line, the closing members each a line of
    their own (``{"summary": {...}}``). Items are written and flushed one by one, so a
    long list is streamed, never held.
    """

    def __init__(
        self, out: TextIO, *, lines: bool = False, key: str | None = None
    ) -> None:
        self._out = out
        self._lines = lines
        self._key = key
        self._count = 0
        self._closed = False

    def add(self, record: object) -> None:
        """Write one item."""
        text = json.dumps(record)
        if self._lines:
            self._out.write(text + "\n")
        elif self._count == 0:
            opening = f"{{{json.dumps(self._key)}: [" if self._key else "["
            self._out.write(f"{opening}\n  {text}")
        else:
            self._out.write(f",\n  {text}")
        self._count += 1
        self._out.flush()

    def close(self, **members: object) -> None:
        """End the document (once); *members* follow the array (or their own lines)."""
        if self._closed:
            return
        self._closed = True
        if self._lines:
            for name, value in members.items():
                self._out.write(json.dumps({name: value}) + "\n")
        else:
            array = "[]" if self._count == 0 else "\n]"
            if self._key is None:
                self._out.write(array + "\n")
            else:
                if self._count == 0:
                    self._out.write(f"{{{json.dumps(self._key)}: ")
                rest = "".join(
                    f", {json.dumps(name)}: {json.dumps(value)}"
                    for name, value in members.items()
                )
                self._out.write(f"{array}{rest}}}\n")
        self._out.flush()

    def __enter__(self) -> JsonList:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()


class ProgressLine:
    """Redraw one status line while a dialer run goes on.

    On a terminal it redraws in place several times a second; elsewhere (logs, CI) it
    prints a line every few seconds, so a long job always shows it is alive.
    """

    def __init__(
        self,
        progress: DialProgress,
        total: int | None,
        stream: TextIO | None = None,
        *,
        done: str = "scheduled",
    ) -> None:
        self._progress = progress
        self._done = done
        self._total = total
        self._stream = stream or sys.stderr
        self._live = self._stream.isatty()
        self._task: asyncio.Task[None] | None = None

    def render(self) -> str:
        """Return the current line: a bar when the total is known, rate, ETA, counts."""
        p = self._progress
        done = p.completed
        parts = []
        if self._total:
            fraction = min(1.0, done / self._total)
            filled = int(fraction * 24)
            parts.append(f"[{'#' * filled}{'.' * (24 - filled)}] {done}/{self._total}")
            rate = p.rate
            if rate > 0 and done < self._total:
                parts.append(f"ETA {duration((self._total - done) / rate)}")
        else:
            parts.append(f"{done} done")
        parts.append(f"{p.rate:.1f}/s")
        parts.append(
            f"{p.scheduled} {self._done}, {p.failed} failed, {p.unknown} unknown, "
            f"{p.retries} retries"
        )
        return " | ".join(parts)

    async def _run(self) -> None:
        interval = 0.2 if self._live else 2.0
        while True:
            await asyncio.sleep(interval)
            self._draw()

    def _draw(self, final: bool = False) -> None:
        if self._live:
            end = "\n" if final else ""
            self._stream.write(f"\r\x1b[2K{self.render()}{end}")
        else:
            self._stream.write(self.render() + "\n")
        self._stream.flush()

    def start(self) -> None:
        """Start redrawing in the background."""
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        """Stop redrawing and draw the final state once."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._draw(final=True)
