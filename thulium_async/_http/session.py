"""SessionManager: the one aiohttp session a client sends through, and its lifecycle.

It creates a ``ClientSession`` lazily, inside the running loop, on first use, and remembers
that loop; or it adopts a session the user passed in, which it never closes. It knows
nothing of retries or endpoints.
"""

from __future__ import annotations

import asyncio
import platform
import ssl
from importlib.metadata import PackageNotFoundError, version

import aiohttp

from .._core.errors import ThuliumError


def sdk_version() -> str:
    """Return the installed SDK's version."""
    try:
        return version("thulium-async")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


USER_AGENT = (
    f"thulium-async/{sdk_version()} aiohttp/{aiohttp.__version__} "
    f"{platform.python_implementation()}/{platform.python_version()}"
)


class SessionManager:
    """Own (or borrow) the aiohttp session, bound to one event loop.

    Args:
        max_connections: the connector's cap on open connections.
        session: a session the user owns; used as is and never closed.
        ssl_context: a custom context (private CA); certificates are always verified.
        keepalive_timeout: seconds an idle pooled connection is kept; keep it below
            the server's or load balancer's idle timeout (see ThuliumClient).
    """

    __slots__ = (
        "_closed",
        "_keepalive_timeout",
        "_loop",
        "_max_connections",
        "_session",
        "_ssl",
        "owns_session",
    )

    def __init__(
        self,
        *,
        max_connections: int,
        session: aiohttp.ClientSession | None = None,
        ssl_context: ssl.SSLContext | None = None,
        keepalive_timeout: float = 0.5,
    ) -> None:
        self._max_connections = max_connections
        self._session = session
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context else True
        self._keepalive_timeout = keepalive_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.owns_session = session is None

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    def get(self) -> aiohttp.ClientSession:
        """Return the session for this loop, creating it on first use.

        Raises:
            ThuliumError: the client is closed, is used from another event loop than
                the one it first ran in, or the user's own session is closed.
        """
        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None and loop is self._loop and self.owns_session:
            return session  # every request but the first (close() unsets _session)
        if self._closed:
            raise ThuliumError(
                "this ThuliumClient is closed; create a new one (or keep it open "
                "for as long as you use it, e.g. in 'async with')"
            )
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise ThuliumError(
                "this ThuliumClient was first used in another event loop; a client "
                "(and its connections) belongs to one loop. Create the client inside "
                "the loop that uses it, e.g. in your app's lifespan or in each "
                "asyncio.run() call, not at module level"
            )
        session = self._session
        if session is None:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections,
                limit_per_host=0,
                ssl=self._ssl,
                keepalive_timeout=self._keepalive_timeout,
            )
            session = aiohttp.ClientSession(
                connector=connector,
                # Per-request timeouts and headers are passed by the transport, so an
                # adopted session behaves exactly like ours.
                timeout=aiohttp.ClientTimeout(total=None),
                auto_decompress=True,
                raise_for_status=False,
            )
            self._session = session
        elif session.closed:  # a session the user passed in, closed by them
            raise ThuliumError(
                "the aiohttp.ClientSession passed to ThuliumClient(session=...) is "
                "closed; keep it open for as long as the client is used"
            )
        return session

    async def close(self) -> None:
        """Close the session if we created it; safe to call more than once."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self.owns_session and not session.closed:
            await session.close()
