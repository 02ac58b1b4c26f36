"""The file models users receive: an uploaded temporary file, a downloaded recording.

Frozen attrs classes, data only. ``TemporaryFile``'s fields are the vendor's own
(``temporary_files/post_temporary_files`` under https://api.thulium.com/docs/api/).
"""

from __future__ import annotations

from pathlib import Path

import attrs


@attrs.frozen(kw_only=True)
class TemporaryFile:
    """A file uploaded with ``temporary_files.upload``: kept by Thulium for 24 hours.

    Attributes:
        token: what names the file elsewhere: ``tickets.create(attachments=[token])``
            and ``tickets.reply(..., attachments=[token])``.
        filename: the name it was uploaded under.
        size: its size in bytes, as the server counted it (``None``: not said).
    """

    token: str
    filename: str | None = None
    size: int | None = None


@attrs.frozen(kw_only=True)
class DownloadedFile:
    """A recording written to disk by ``recordings.download``, complete.

    Attributes:
        filename: the recording's ``filename``, as ``recordings.list`` gave it.
        path: where it was written.
        size: its size in bytes.
        sha256: the SHA-256 of its bytes, hex, computed as they were written.
        attempts: the attempts it took (a retry starts the file again).
    """

    filename: str
    path: Path
    size: int
    sha256: str
    attempts: int = 1
