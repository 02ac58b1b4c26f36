"""Whether one caller's request may be on the wire: the dialer asks, the transport says.

The two layers never import each other: both stand on this module. A context variable,
not an argument, so that a request needs no extra parameter on its hot path and a
caller that does not ask pays one lookup per attempt.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable


class WriteWatch:
    """Whether the request of one caller's :meth:`Transport.send` may be on the wire.

    A bulk run stopped while a number waits on the rate limit or for a free
    connection has sent nothing for it: that number is ``failed`` (safe to send
    again), not ``unknown``. The dialer puts a fresh watch in :data:`WRITE_WATCH`
    before each number; the transport sets :attr:`written` just before it hands an
    attempt to aiohttp, and clears it again while it waits to retry a request no
    attempt of which can have been processed. Costs one context lookup per attempt.

    Args:
        before_write: awaited once, after the rate limit and just before the first
            attempt is handed over (the dialer's journal line that the number may be
            sent): a number still waiting on the rate limit when the process dies
            has no such line, since nothing was sent for it.
    """

    __slots__ = ("before_write", "written")

    def __init__(
        self, before_write: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        self.written = False
        self.before_write = before_write


WRITE_WATCH: contextvars.ContextVar[WriteWatch | None] = contextvars.ContextVar(
    "thulium_async_write_watch", default=None
)
