"""``recordings export``: the compliance archive of a range's call recordings.

Lists the recordings (``recordings.list``, paged), downloads several at a time under
the client's rate limit, each streamed to a temporary name and renamed when complete
(``recordings.download``), and appends one manifest row per complete file. A rerun
skips the files the manifest lists whose file is there at its size. A signal stops
it: what is in flight is cancelled and its temporary file removed, so no partial file
is ever under a final name and the manifest lists only complete ones.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TextIO

from .. import Recording, ThuliumClient, ThuliumError
from .dial import EXIT_ERROR, EXIT_OK, CLIError
from .history import _until_stopped
from .output import duration
from .signals import Interrupts

ClientFactory = Callable[..., ThuliumClient]
MANIFEST = "manifest.csv"
COLUMNS = ("connection_id", "date", "src", "dst", "filename", "bytes", "sha256")


def add_arguments(
    parser: argparse.ArgumentParser, parse_day: Callable[[str], object]
) -> None:
    """Add ``recordings export``'s options to its parser."""
    parser.add_argument(
        "--from",
        dest="date_from",
        type=parse_day,
        required=True,
        help="first day the recordings were made (YYYY-MM-DD, or 'YYYY-MM-DD HH:MM')",
    )
    parser.add_argument(
        "--to",
        dest="date_to",
        type=parse_day,
        required=True,
        help="last day, likewise",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=4,
        help="downloads at a time (default 4)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="requests per second at most, listing and downloads together",
    )
    parser.add_argument(
        "dir", metavar="DIR", help=f"the archive folder (with its {MANIFEST})"
    )


class _Progress:
    """One status line: files done of the total, bytes per second, skipped, failed."""

    def __init__(self, stream: TextIO) -> None:
        self.total: int | None = None
        self.downloaded = 0
        self.skipped = 0
        self.failed = 0
        self.bytes = 0
        self._stream = stream
        self._live = stream.isatty()
        self._started = time.monotonic()
        self._last = 0.0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    @property
    def done(self) -> int:
        return self.downloaded + self.skipped + self.failed

    def line(self) -> str:
        elapsed = self.elapsed
        speed = self.bytes / elapsed if elapsed > 0 else 0.0
        parts = []
        if self.total:
            filled = int(min(1.0, self.done / self.total) * 24)
            parts.append(
                f"[{'#' * filled}{'.' * (24 - filled)}] {self.done}/{self.total}"
            )
        else:
            parts.append(f"{self.done} done")
        parts.append(f"{_size(speed)}/s")
        parts.append(
            f"{self.downloaded} downloaded ({_size(self.bytes)}), "
            f"{self.skipped} skipped, {self.failed} failed"
        )
        return " | ".join(parts)

    def show(self, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self._last < (0.2 if self._live else 2.0):
            return
        self._last = now
        if self._live:
            self._stream.write(f"\r\x1b[2K{self.line()}{chr(10) if final else ''}")
        else:
            self._stream.write(self.line() + "\n")
        self._stream.flush()


def _size(count: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} GB"  # pragma: no cover -- the loop returns


def local_path(folder: Path, filename: str) -> Path:
    """Return where recording *filename* goes under *folder*: its own subfolders.

    ``2026/11/23/1700.1.mp3`` is ``DIR/2026/11/23/1700.1.mp3``; a part that could
    leave the folder (``..``, an absolute path) is dropped.
    """
    parts = [
        part
        for part in PurePosixPath(filename.replace("\\", "/")).parts
        if part not in ("", ".", "..", "/")
    ]
    if not parts:
        raise CLIError(f"cannot name a file after {filename!r}")
    return folder.joinpath(*parts)


def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """Return the manifest's rows by filename (the last row of a filename wins)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as file:
        return {row["filename"]: row for row in csv.DictReader(file)}


def _complete(folder: Path, row: dict[str, str] | None) -> bool:
    """Whether the manifest's *row* describes a file that is there, at its size."""
    if row is None:
        return False
    try:
        return local_path(folder, row["filename"]).stat().st_size == int(row["bytes"])
    except (OSError, ValueError, CLIError):
        return False


def _make_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)


def _open_archive(folder: Path) -> tuple[dict[str, dict[str, str]], TextIO]:
    """Create *folder* if need be; return its manifest's rows and the manifest, open.

    The manifest is appended to (its header written when it is new), one row per
    file as it completes.
    """
    try:
        _make_folder(folder)
    except OSError as exc:
        raise CLIError(f"cannot create {folder}: {exc.strerror}") from None
    path = folder / MANIFEST
    done = read_manifest(path)
    new = not path.exists() or path.stat().st_size == 0
    manifest = path.open("a", encoding="utf-8", newline="")
    if new:
        csv.writer(manifest).writerow(COLUMNS)
        manifest.flush()
    return done, manifest


async def cmd_recordings_export(
    args: argparse.Namespace, out: TextIO, connect: ClientFactory
) -> int:
    """Download every recording of a range into DIR, with a manifest; skip what is done."""
    if not 1 <= args.concurrency <= 64:
        raise CLIError(f"--concurrency must be 1 to 64, got {args.concurrency}")
    try:
        backwards = args.date_to < args.date_from
    except TypeError:
        backwards = False
    if backwards:
        raise CLIError(f"--to {args.date_to} is before --from {args.date_from}")
    folder = Path(args.dir)
    manifest_path = folder / MANIFEST
    done, manifest = _open_archive(folder)
    writer = csv.writer(manifest)
    progress = _Progress(sys.stderr)
    failures: list[tuple[str, str]] = []

    async def fetch(client: ThuliumClient, record: Recording) -> None:
        filename = record.filename
        if not filename:
            return
        if _complete(folder, done.get(filename)):
            progress.skipped += 1
            return
        target = local_path(folder, filename)
        try:
            _make_folder(target.parent)
            got = await client.recordings.download(filename, target)
        except (ThuliumError, OSError) as exc:
            progress.failed += 1
            failures.append((filename, str(exc)))
            return
        writer.writerow(
            (
                record.connection_id,
                record.date.strftime("%Y-%m-%d %H:%M"),
                record.src,
                record.dst,
                filename,
                got.size,
                got.sha256,
            )
        )
        manifest.flush()  # a row only for a file complete under its final name
        progress.downloaded += 1
        progress.bytes += got.size

    async def run() -> None:
        async with connect(args, rate_limit=args.rate) as client:
            queue: asyncio.Queue[Recording | None] = asyncio.Queue(args.concurrency * 2)

            async def worker() -> None:
                while (record := await queue.get()) is not None:
                    await fetch(client, record)
                    progress.show()

            workers = [asyncio.ensure_future(worker()) for _ in range(args.concurrency)]
            try:
                pages = client.recordings.list(
                    date_from=args.date_from, date_to=args.date_to
                )
                async for record in pages:
                    progress.total = pages.total
                    await queue.put(record)
                for _ in workers:
                    await queue.put(None)
                await asyncio.gather(*workers)
            finally:
                for task in workers:
                    task.cancel()
                await asyncio.gather(*workers, return_exceptions=True)

    try:
        with Interrupts(
            "no new downloads; the ones in flight are removed"
        ) as interrupts:
            finished = await _until_stopped(run(), interrupts)
    finally:
        manifest.close()
    progress.show(final=True)
    summary = (
        f"{progress.downloaded} downloaded ({_size(progress.bytes)}), "
        f"{progress.skipped} already complete, {progress.failed} failed, in "
        f"{duration(progress.elapsed)}; manifest: {manifest_path}"
    )
    for filename, reason in failures:
        sys.stderr.write(f"failed: {filename}: {reason}\n")
    if not finished:
        sys.stderr.write(f"stopped: {summary}; run again to finish the archive\n")
        return interrupts.exit_code
    out.write(f"Exported recordings: {summary}.\n")
    return EXIT_ERROR if failures else EXIT_OK
