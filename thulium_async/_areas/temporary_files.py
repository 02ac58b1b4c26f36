"""The ``client.temporary_files`` namespace: files uploaded for 24 hours.

An upload's token is what ticket attachments name (``tickets.create(attachments=...)``,
``tickets.reply``). The body is sent as it is read, never held whole in memory.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, AsyncIterator, Callable
from pathlib import Path

import attrs

from .._api.endpoints import Endpoint, described
from .._api.namespace import Namespace
from .._core.errors import InvalidInputError
from .._models.files import TemporaryFile

_CHUNK = 256 * 1024
_OCTETS = "application/octet-stream"


@attrs.define(kw_only=True)
class UploadQuery:
    """``POST temporary_files``'s query: the name is a query parameter, the file the body."""

    filename: str = attrs.field(metadata=described(example="file.txt"))


UPLOAD = Endpoint(
    "temporary_files.upload",
    "POST",
    "temporary_files",
    query=UploadQuery,
    body_type=_OCTETS,
    returns=TemporaryFile,
    side_effect="upload the file twice (a second temporary file, with its own token)",
    doc="temporary_files/post_temporary_files",
    example={"filename": "file.txt", "token": "180174033853be57b76ed6a", "size": 12},
)

Data = bytes | bytearray | memoryview | str | os.PathLike[str] | AsyncIterable[bytes]


class TemporaryFiles(Namespace):
    """Temporary files: ``client.temporary_files.upload(data, filename=...)``."""

    __slots__ = ()

    async def upload(self, data: Data, *, filename: str) -> TemporaryFile:
        """Upload *data* as a temporary file called *filename*; return its token.

        Thulium keeps the file for 24 hours; its ``token`` is what
        ``tickets.create(attachments=[...])`` and ``tickets.reply`` name. The body is
        sent as ``application/octet-stream`` and *filename* as the query parameter the
        vendor's page shows (``temporary_files?filename=file.txt``).

        *data* is one of:

        - ``bytes``: sent as they are;
        - a path (``str`` or ``os.PathLike``): the file, read as it is sent (never
          whole in memory), with its size as ``Content-Length``;
        - an async iterator of ``bytes``: sent as it yields, with chunked transfer
          encoding (the size is not known in advance). It can be read only once, so
          an upload from one is **never retried**: any failure, even a 429 or a
          connection refused, is raised and the caller uploads again with a fresh
          iterator.

        **Not idempotent**: a repeat uploads the file twice (a second temporary file
        with its own token; harmless, as both expire, but the first token may be the
        one lost). After a failure that may have been processed this raises
        :class:`~thulium_async.DeliveryUnknownError` instead of sending it again;
        failures that provably sent nothing (no connection, a 429) are retried, from
        the first byte, for bytes and paths.

        Args:
            data: the file's content: bytes, a path, or an async iterator of bytes.
            filename: the name it gets (``"invoice.pdf"``).

        Raises:
            InvalidInputError: a bad argument, or a path that is not a readable file
                (nothing is sent).
            DeliveryUnknownError: the file may or may not have been uploaded.
        """
        name: object = filename
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise InvalidInputError(
                f"filename must be a non-empty name of at most 255 characters, "
                f"got {filename!r}"
            )
        query = UploadQuery(filename=filename)
        headers = {"Content-Type": _OCTETS}
        body: bytes | Callable[[], object]
        namespace: Namespace = self
        if isinstance(data, (bytes, bytearray, memoryview)):
            body = bytes(data)
        elif isinstance(data, (str, os.PathLike)):
            path = Path(data)
            size = _file_size(path)
            headers["Content-Length"] = str(size)

            def body() -> AsyncIterator[bytes]:  # a fresh read for each attempt
                return _read_file(path)

        elif isinstance(data, AsyncIterable):
            body = _once(data)
            transport = self._transport
            namespace = self.with_transport(
                transport.with_options(
                    policy=attrs.evolve(transport.policy, max_attempts=1),
                    timeout=transport.timeout,
                )
            )
        else:
            raise InvalidInputError(
                "data must be bytes, a path or an async iterator of bytes, got "
                f"{type(data).__name__}"
            )
        return await namespace._send_body(
            UPLOAD, query=query, body=body, headers=headers
        )


async def _read_file(path: Path) -> AsyncIterator[bytes]:
    """Yield the file at *path* in chunks, as aiohttp asks for them."""
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            yield chunk


def _file_size(path: Path) -> int:
    """Return the size of the file at *path*, or refuse a path that is not one."""
    try:
        if not path.is_file():
            raise InvalidInputError(f"{str(path)!r} is not a file")
        return path.stat().st_size
    except OSError as exc:
        raise InvalidInputError(f"cannot read {str(path)!r}: {exc}") from None


def _once(data: AsyncIterable[bytes]) -> Callable[[], AsyncIterable[bytes]]:
    """A body source for a one-shot iterator: the same iterator, for the one attempt."""
    return lambda: data
