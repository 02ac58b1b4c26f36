"""The call history: ``client.connections`` and ``client.recordings``.

Both lists page 100 records at a time (the vendor's maximum), fetched a few pages at a
time once the first has told the total. ``connections.call`` rings a person and is
never sent twice after a failure that may have been processed. ``recordings.download``
streams a recording's file to disk, never whole in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
import typing
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

import attrs

from .._api.endpoints import (
    Endpoint,
    Paging,
    PathKind,
    described,
)
from .._api.namespace import Namespace
from .._api.operations import (
    Body,
    PathValue,
    Query,
    endpoint_of,
    operation,
)
from .._api.paging import Pages
from .._core import validation as _validation
from .._core.errors import APIConnectionError, InvalidInputError
from .._core.wallclock import Clock
from .._http.transport import Response
from .._models.calls import Connection, ConnectionTopic, Recording
from .._models.fields import WIRE
from .._models.files import DownloadedFile

# The query parameter that names the file of recordings/download and recordings/stream.
# The vendor's recordings page names both endpoints and says only that they take the
# record's ``filename``; no page of their own shows the request. Assumed: a GET with
# the file name as this query parameter. If the server wants it otherwise, this name
# (or the two paths below) is the one place to change.
RECORDING_FILE_PARAMETER = "filename"


@attrs.define(kw_only=True)
class RecordingFile:
    """The query of ``recordings/download`` and ``recordings/stream`` (assumed)."""

    filename: str = attrs.field(
        metadata=described(
            example="2014/07/07/1404732480.1234.mp3",
            base={WIRE: RECORDING_FILE_PARAMETER},
        )
    )


# The recordings page names these two, with the record's filename, and nothing more:
# the query parameter and the answer's media type are assumptions (its example
# filenames end in .mp3; any audio type is read as bytes).
_AUDIO = "audio/*"
DOWNLOAD = Endpoint(
    "recordings.download",
    "GET",
    "recordings/download",
    query=RecordingFile,
    answer_type=_AUDIO,
    doc="recordings/get_recordings (named there, with the record's filename)",
)
STREAM = Endpoint(
    "recordings.stream",
    "GET",
    "recordings/stream",
    query=RecordingFile,
    answer_type=_AUDIO,
    doc="recordings/get_recordings (named there, with the record's filename)",
)


def _range(date_from: object, date_to: object, **_: object) -> None:
    """Refuse a range that is not dates, or that ends before it starts.

    ``recordings.list``'s ``check`` (called with every argument, by name), and the
    first half of ``connections.list``'s.
    """
    start, end = (
        _validation.optional_date("date_from", date_from),
        _validation.optional_date("date_to", date_to),
    )
    if start is None or end is None:
        return
    try:
        backwards = start > end
    except TypeError:  # a date against a datetime, or naive against aware
        return
    if backwards:
        raise InvalidInputError(f"date_from {start} is after date_to {end}")


def _history(date_from: object, date_to: object, tags: object, **_: object) -> None:
    """``connections.list``'s check: :func:`_range`, and no empty tag.

    ``[]`` asks for nothing (as before), so the list is ``empty=True``, which lets an
    empty item through too: it is refused here.
    """
    _range(date_from, date_to)
    if isinstance(tags, tuple) and not all(tags):
        raise InvalidInputError(f"tags must be a list of strings, got {list(tags)!r}")


def _sip(sip: str, **_: object) -> None:
    """``connections.call``'s check: a SIP account name is at most 64 characters."""
    if len(sip) > 64:
        raise InvalidInputError(f"sip must be a SIP account name, got {sip!r}")


# The numbers the call history and the recordings are filtered by (their pages' example).
_Caller = Annotated[
    str | None, Query("the calling number", example="123321", format="phone")
]
_Called = Annotated[
    str | None, Query("the called number", example="123321", format="phone")
]


class Connections(Namespace):
    """The call history: ``client.connections.list(...)``, ``topic``, ``call``."""

    __slots__ = ()

    @operation(
        "connections.list",
        "GET",
        "connections",
        paging=Paging(max_limit=100),
        doc="connections/get_connections",
        check=_history,
    )
    def list(
        self,
        *,
        date_from: Annotated[
            date | datetime | None,
            Query(
                "the first call date: a ``date`` (the whole day) or a ``datetime`` "
                "(sent to the minute; naive means the system's wall clock, aware is "
                "converted into it)",
                example="2014-07-04",
                clock=Clock.MINUTES,
            ),
        ] = None,
        date_to: Annotated[
            date | datetime | None,
            Query(
                "the last call date, likewise",
                example="2014-07-14 12:34",
                clock=Clock.MINUTES,
            ),
        ] = None,
        src: _Caller = None,
        dst: _Called = None,
        queue_id: Annotated[
            int | None, Query("the queue", example=542, kind=PathKind.ID)
        ] = None,
        user_login: Annotated[
            str | None, Query("the agent", example="j.doe", kind=PathKind.LOGIN)
        ] = None,
        connection_id: Annotated[
            str | None,
            Query("one call", example="1416225570.341", kind=PathKind.CONNECTION),
        ] = None,
        customer_id: Annotated[
            int | None, Query("the CRM customer", example=321, kind=PathKind.ID)
        ] = None,
        topic_id: Annotated[
            int | None, Query("the topic", example=365, kind=PathKind.ID)
        ] = None,
        tags: Annotated[
            Sequence[str] | None,
            Query(
                "calls with these tags",
                example=["tag1", "tag2", "tag3"],
                wire="tags[]",
                empty=True,  # [] filters nothing, as before
            ),
        ] = None,
        include_tags: Annotated[
            bool, Query("add each call's tags", example=True)
        ] = False,
        include_topics: Annotated[
            bool, Query("add each call's topic", example=True)
        ] = False,
        limit: int = 100,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Connection]:
        """The call history, filtered: ``await`` it for the first page, or ``async for``.

        ``await`` gives the first :class:`~thulium_async.Page` (its ``count`` is the
        whole history's total for these filters); ``async for`` yields every
        :class:`~thulium_async.Connection`, pages fetched *concurrency* at a time::

            async for call in client.connections.list(date_from=date(2026, 11, 1), queue_id=2):
                print(call.date, call.dst, call.disposition)

        *limit* records per page (1 to 100, the vendor's maximum), from *offset*;
        *concurrency* pages in flight after the first (1 to 32). A range that ends
        before it starts is refused.
        """

    @operation(
        "connections.topic",
        "GET",
        "connections/{connection_id}/topic",
        doc="connections/get_connections_id_topic",
        example={
            "topic_id": 96,
            "agent_login": "jan.kowalski",
            "comment": "komentarz do rozmowy",
            "custom_fields": [
                {"field_id": 1, "value": "pole 1 wartość"},
                {"field_id": 2, "value": "pole 2 wartość"},
            ],
        },
    )
    async def topic(
        self,
        connection_id: Annotated[
            str,
            PathValue(
                "the call, like ``1416225570.341``",
                PathKind.CONNECTION,
                # The page's example value is "xxxxx"; its example request uses this.
                example="123423.23",
            ),
        ],
    ) -> ConnectionTopic:
        """Return the topic and custom fields an agent recorded for call *connection_id*.

        A call with no topic recorded is not found either (``NotFoundError``).
        """

    @operation(
        "connections.call",
        "POST",
        "connections/call",
        side_effect="ring the person twice",
        doc="connections/post_connections_call",
        check=_sip,
    )
    async def call(
        self,
        sip: Annotated[
            str, Body("the SIP account that calls (up to 64 characters)", example="301")
        ],
        phone_number: Annotated[
            str, Body("the number to ring", example="666777888", format="phone")
        ],
    ) -> None:
        """Connect SIP account *sip* with *phone_number*: **rings a person**.

        The call's outcome is not known when this returns. After a failure that may
        have been processed it raises :class:`~thulium_async.DeliveryUnknownError`
        and is never sent again.
        """


class Recordings(Namespace):
    """Recorded calls: ``client.recordings.list(...)``."""

    __slots__ = ()

    @operation(
        "recordings.list",
        "GET",
        "recordings",
        paging=Paging(max_limit=100),
        doc="recordings/get_recordings",
        check=_range,
    )
    def list(
        self,
        *,
        date_from: Annotated[
            date | datetime | None,
            Query(
                "the first creation date (a ``date``, or a ``datetime`` sent to the "
                "minute)",
                example="2014-07-04",
                clock=Clock.MINUTES,
            ),
        ] = None,
        date_to: Annotated[
            date | datetime | None,
            Query(
                "the last creation date, likewise",
                example="2014-07-14 12:34",
                clock=Clock.MINUTES,
            ),
        ] = None,
        src: _Caller = None,
        dst: _Called = None,
        connection_id: Annotated[
            str | None,
            Query("one call", example="1416225570.341", kind=PathKind.CONNECTION),
        ] = None,
        limit: int = 100,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Recording]:
        """Recorded calls, filtered by when the recording was made: await or ``async for``.

        *limit* records per page (1 to 100), from *offset*; *concurrency* pages in
        flight after the first (1 to 32). A range that ends before it starts is
        refused.
        """

    async def download(
        self, filename: str, destination: str | os.PathLike[str]
    ) -> DownloadedFile:
        """Download recording *filename* to *destination*; return its size and SHA-256.

        *filename* is a recording's ``filename`` as ``recordings.list`` gives it.
        *destination* is the file to write, or an existing folder (then the file
        gets the last part of *filename* as its name).

        The answer is streamed to a temporary file beside the destination
        (``.<name>.<random>.part``, in the same folder) and renamed to the
        destination only when complete, so a failure or a cancellation leaves no
        partial file under the final name (and removes the temporary one). Memory
        stays bounded by one chunk, whatever the size; the client's
        ``max_response_size`` does not apply, and ``timeout`` is the longest wait
        for the next bytes rather than for the whole file. The file is not
        ``fsync``-ed: the rename survives the process dying, not a power cut.

        A GET, retried like any other: a connection dropped mid-file is retried
        (under the retry policy) and the file is written again from its first byte.

        Assumed, as the vendor's recordings page names ``recordings/download`` with
        the record's ``filename`` and nothing more: ``GET recordings/download`` with
        ``filename`` as a query parameter, answering the file's bytes (see
        ``RECORDING_FILE_PARAMETER`` in ``thulium_async/_areas/connections.py``).

        Raises:
            InvalidInputError: a bad *filename* or *destination* (nothing is sent).
            NotFoundError: no such recording.
            APIConnectionError: the download failed and retries did not help.
            OSError: the file could not be written (not retried).
        """
        query = RecordingFile(filename=_recording_file(filename))
        sink = _FileSink(_target(filename, destination))
        try:
            response = await self._receive(DOWNLOAD, query=query, consume=sink.consume)
            return sink.finish(filename, response.attempts)
        finally:
            sink.discard()

    async def stream(self, filename: str) -> AsyncIterator[bytes]:
        """Yield recording *filename*'s bytes as they arrive (``recordings/stream``).

        For passing a recording on (to a web answer, a speech-to-text service)
        without a file. Nothing is retried once a chunk has been yielded (the
        consumer has it): a failure then is raised; a failure before the first chunk
        is retried like any GET. The same assumption as :meth:`download`, for
        ``recordings/stream``.

        Raises:
            InvalidInputError: a bad *filename* (nothing is sent).
            NotFoundError: no such recording.
            APIConnectionError: the connection failed.
        """
        query = RecordingFile(filename=_recording_file(filename))
        # The transport hands chunks to a consumer; an async generator cannot be
        # one, so the chunks cross a queue of one from a task to this generator.
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=1)
        started = False

        async def consume(response: Response, chunks: AsyncIterator[bytes]) -> None:
            nonlocal started
            if started:  # a retry after chunks were yielded: they cannot be unsent
                raise APIConnectionError(
                    f"GET recordings/stream: the connection failed after part of "
                    f"{filename!r} was yielded; not retried",
                    method="GET",
                    url=STREAM.path,
                    request_sent=True,
                )
            async for chunk in chunks:
                started = True
                await queue.put(chunk)
            await queue.put(None)

        task = asyncio.ensure_future(
            self._receive(STREAM, query=query, consume=consume)
        )
        try:
            while True:
                getting = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait(
                    {getting, task}, return_when=asyncio.FIRST_COMPLETED
                )
                if getting not in done:  # the task failed (it ends after its None)
                    getting.cancel()
                    task.result()
                    return
                chunk = getting.result()
                if chunk is None:
                    await task
                    return
                yield chunk
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


LIST = endpoint_of(Connections.list)
# queues.reconcile reads the history a window at a time with this endpoint's query.
ConnectionFilter = typing.cast("type[Any]", LIST.query)


def _recording_file(filename: object) -> str:
    """Return *filename* if it can be a recording's file name, or refuse it."""
    if (
        not isinstance(filename, str)
        or not filename.strip()
        or len(filename) > 1024
        or any(ord(c) < 32 for c in filename)
    ):
        raise InvalidInputError(
            f"filename must be a recording's filename from recordings.list, "
            f"got {filename!r}"
        )
    return filename


def _target(filename: str, destination: str | os.PathLike[str]) -> Path:
    """Return the file to write: *destination*, or a file in it if it is a folder."""
    if not isinstance(destination, (str, os.PathLike)):
        raise InvalidInputError(
            f"destination must be a path, got {type(destination).__name__}"
        )
    path = Path(destination)
    if path.is_dir():
        name = PurePosixPath(filename.replace("\\", "/")).name
        if name in ("", ".", ".."):
            raise InvalidInputError(f"cannot name a file after {filename!r}")
        path = path / name
    if not path.parent.is_dir():
        raise InvalidInputError(f"{str(path.parent)!r} is not a folder")
    return path


class _FileSink:
    """A download's temporary file: restarted per attempt, renamed when complete."""

    def __init__(self, target: Path) -> None:
        self.target = target
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
        self.temporary: Path | None = Path(name)
        self.file = os.fdopen(handle, "wb")
        self.size = 0
        self.hash = hashlib.sha256()

    async def consume(self, response: Response, chunks: AsyncIterator[bytes]) -> None:
        # Called once per attempt: a retry writes the file again from its start.
        file = self.file
        file.seek(0)
        file.truncate()
        self.size = 0
        self.hash = digest = hashlib.sha256()
        write, update = file.write, digest.update
        size = 0
        async for chunk in chunks:
            write(chunk)
            update(chunk)
            size += len(chunk)
        self.size = size

    def finish(self, filename: str, attempts: int) -> DownloadedFile:
        """Close the temporary file and give it its final name."""
        assert self.temporary is not None  # noqa: S101 -- finished once
        self.file.close()
        os.replace(self.temporary, self.target)
        self.temporary = None
        return DownloadedFile(
            filename=filename,
            path=self.target,
            size=self.size,
            sha256=self.hash.hexdigest(),
            attempts=attempts,
        )

    def discard(self) -> None:
        """Remove the temporary file unless it was renamed (a failure, a cancel)."""
        self.file.close()
        if self.temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                self.temporary.unlink()
            self.temporary = None
