"""ThuliumClient: checks its configuration once, owns the session manager and transport.

It wires the layers together and exposes the namespaces listed in
``_areas.Namespaces`` (``client.queues`` and the rest); it sends nothing itself.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from datetime import tzinfo
from types import TracebackType
from typing import Any

import aiohttp

from ._api.generic import GenericRequests
from ._api.namespace import Wiring
from ._api.paging import Pages
from ._areas import NAMESPACES, Namespaces
from ._core.clock import SYSTEM_CLOCK, Clock
from ._core.errors import InvalidInputError
from ._core.phone import DEFAULT_REGION, check_region
from ._core.validation import positive, positive_int
from ._core.wallclock import resolve_timezone
from ._http.ratelimit import LocalRateLimiter, RateLimiter, default_burst
from ._http.retry import RetryPolicy
from ._http.session import USER_AGENT, SessionManager
from ._http.transport import ClientStats, Transport
from ._http.wire import basic_auth_header, frozen_headers, normalize_base_url

_DEFAULT_MAX_RESPONSE_SIZE = 16 * 1024 * 1024


def _check_credentials(username: object, password: object) -> None:
    if not isinstance(username, str) or not username or ":" in username:
        raise InvalidInputError(
            "username must be a non-empty string without ':' (HTTP Basic)"
        )
    if not isinstance(password, str):
        raise InvalidInputError("password must be a string")


_LANGUAGES = ("en", "pl")


def _check_language(language: object) -> str:
    """Return *language* if Thulium speaks it (its error messages come in en or pl)."""
    if language not in _LANGUAGES:
        raise InvalidInputError(
            f"language must be one of {', '.join(map(repr, _LANGUAGES))} or None, "
            f"got {language!r}"
        )
    return str(language)


def _limiter(rate_limit: object, clock: Clock = SYSTEM_CLOCK) -> RateLimiter:
    """Return the limiter for *rate_limit*: requests per second, None, or a limiter."""
    if isinstance(rate_limit, RateLimiter):
        return rate_limit
    if rate_limit is None:
        return LocalRateLimiter(None, clock=clock.time, sleep=clock.sleep)
    if isinstance(rate_limit, bool) or not isinstance(rate_limit, (int, float)):
        raise InvalidInputError(
            "rate_limit must be requests per second, None or a RateLimiter "
            f"(LocalRateLimiter, RedisRateLimiter), got {type(rate_limit).__name__}"
        )
    rate = positive("rate_limit", rate_limit, "requests per second")
    return LocalRateLimiter(
        rate, burst=default_burst(rate), clock=clock.time, sleep=clock.sleep
    )


def _namespace_doc(namespace: type) -> str:
    """Return the doc of a client attribute holding *namespace*: its class and methods."""
    methods = [
        name
        for name, value in vars(namespace).items()
        if not name.startswith("_") and callable(value)
    ]
    return (
        f":class:`~{namespace.__module__}.{namespace.__qualname__}`: "
        + ", ".join(
            f":meth:`~{namespace.__module__}.{namespace.__qualname__}.{name}`"
            for name in methods
        )
        + "."
    )


class ThuliumClient(Namespaces):
    """An asyncio client for one Thulium system's REST API.

    Create one per application and share it: it holds a pool of connections. Use it
    as ``async with ThuliumClient(...) as client:`` or call :meth:`close` when done.
    The aiohttp session is created lazily, on first use, in the running event loop,
    and the client then belongs to that loop.

    Args:
        base_url: the API root, ``/api`` included: ``https://acme.thulium.com/api``.
        username: the API user (HTTP Basic).
        password: the API user's password; kept only as the encoded header, never
            shown in ``repr()``, logs or error messages.
        retry: how failed requests are retried (see :class:`~thulium_async.RetryPolicy`).
        timezone: the Thulium system's wall clock, an IANA name or a tzinfo.
        timeout: seconds for one attempt, from sending to the end of the body.
        connect_timeout: seconds to establish a connection (at most *timeout*); a
            connect that times out provably sent nothing, so it is always retried.
        max_connections: the cap on open connections, and so on requests in flight.
        rate_limit: requests per second this client never exceeds, retries included,
            with a burst of up to 10; ``None`` for no cap. Whatever the setting, a
            429 (or a 503 with ``Retry-After``) pauses every request of the client
            for the wait the server asked for, and a capped rate is halved, then
            recovers over 30 seconds. Or a :class:`~thulium_async.RateLimiter`:
            a :class:`~thulium_async.LocalRateLimiter` with another burst, or a
            ``thulium_async.redis_limit.RedisRateLimiter`` that shares one budget
            between processes. The client closes the limiter when it closes.
        session: an ``aiohttp.ClientSession`` you own; the client uses it and never
            closes it. Your session's timeout and headers are overridden per request.
        ssl_context: a custom SSL context (e.g. a private CA). Certificates are
            always verified.
        allow_insecure_http: permit a plain ``http://`` *base_url* on a host other
            than loopback. This sends the password unencrypted.
        max_response_size: bytes; a longer body is an error, not an out-of-memory.
        language: ``"en"`` or ``"pl"``: the language of Thulium's error messages
            (sent as ``Accept-Language``); ``None`` leaves it to the server.
        phone_region: the country whose national number forms your lists use
            (``"PL"``, ``"DE"``): a bulk run reads each number in it to know which
            strings name one person (``500333222``, ``+48 500 333 222`` and
            ``0048500333222`` are one line in ``"PL"``), for de-duplication, the
            journal, resume and ``reconcile``. What is sent stays what you wrote.
        keepalive_timeout: seconds an idle pooled connection may still be reused;
            older ones are closed and a fresh connection is opened. A server or
            proxy closes an idle connection when its own idle timeout ends (nginx's
            default is 75 s; 1 to 5 s is common in front of APIs), and a request
            written into a connection at that moment may or may not have been read:
            for ``schedule_call`` that is a ``DeliveryUnknownError`` no retry can
            resolve. Keeping this below any server's idle timeout avoids it, at the
            cost of a new connection (a TLS handshake) after each pause longer than
            this. Raise it only if you know your server's idle timeout.
        clock: a test hook: the clock the client times attempts and deadlines with
            and sleeps on between retries and under its rate limit, such as
            :class:`thulium_async.testing.VirtualClock`. Omitted, the real one. A
            rate limiter passed as *rate_limit* keeps its own clock.

    Raises:
        InvalidInputError: any argument is invalid.
    """

    # A dict: Sphinx shows the values as the attributes' docs. The namespaces come
    # from _areas.Namespaces, each documented by its class and that class's methods.
    __slots__ = {
        "_base_url": "",
        "_generic": "",
        "_is_view": "",
        "_phone_region": "",
        "_sessions": "",
        "_transport": "",
        "_username": "",
        "_zone": "",
        **{name: _namespace_doc(cls) for name, cls in NAMESPACES},
    }

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        retry: RetryPolicy | None = None,
        timezone: str | tzinfo = "Europe/Warsaw",
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_connections: int = 100,
        rate_limit: float | RateLimiter | None = None,
        session: aiohttp.ClientSession | None = None,
        ssl_context: ssl.SSLContext | None = None,
        allow_insecure_http: bool = False,
        max_response_size: int = _DEFAULT_MAX_RESPONSE_SIZE,
        language: str | None = None,
        keepalive_timeout: float = 0.5,
        clock: Clock | None = None,
        phone_region: str = DEFAULT_REGION,
    ) -> None:
        self._base_url = normalize_base_url(
            base_url, allow_insecure_http=allow_insecure_http
        )
        _check_credentials(username, password)
        if retry is None:
            retry = RetryPolicy()
        elif not isinstance(retry, RetryPolicy):
            raise InvalidInputError(
                f"retry must be a RetryPolicy, got {type(retry).__name__}"
            )
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise InvalidInputError(
                f"session must be an aiohttp.ClientSession, got {type(session).__name__}"
            )
        if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
            raise InvalidInputError("ssl_context must be an ssl.SSLContext")
        zone = resolve_timezone(timezone)
        self._zone = zone
        self._phone_region = check_region(phone_region)
        self._username = username
        self._is_view = False
        max_connections = positive_int("max_connections", max_connections)
        self._sessions = SessionManager(
            max_connections=max_connections,
            session=session,
            ssl_context=ssl_context,
            keepalive_timeout=positive("keepalive_timeout", keepalive_timeout),
        )
        if clock is None:
            clock = SYSTEM_CLOCK
        elif not isinstance(clock, Clock):
            raise InvalidInputError(
                f"clock must have time() and sleep(), got {type(clock).__name__}"
            )
        limiter = _limiter(rate_limit, clock)
        self._transport = Transport(
            self._sessions,
            policy=retry,
            timeout=positive("timeout", timeout),
            connect_timeout=positive("connect_timeout", connect_timeout),
            max_in_flight=max_connections,
            max_response_size=positive_int("max_response_size", max_response_size),
            limiter=limiter,
            clock=clock.time,
            sleep=clock.sleep,
        )
        common = {
            "Authorization": basic_auth_header(username, password),
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if language is not None:
            common["Accept-Language"] = _check_language(language)
        get_headers = frozen_headers(common)
        post_headers = frozen_headers(
            {**common, "Content-Type": "application/json; charset=utf-8"}
        )
        wiring = Wiring(
            base_url=self._base_url,
            zone=zone,
            get_headers=get_headers,
            post_headers=post_headers,
            phone_region=self._phone_region,
        )
        for name, namespace in NAMESPACES:
            setattr(self, name, namespace(self._transport, wiring))
        self._generic = GenericRequests(self._transport, wiring)

    @classmethod
    def from_env(cls, **options: Any) -> ThuliumClient:
        """Return a client configured from the environment, as the CLI is.

        Reads ``THULIUM_BASE_URL``, ``THULIUM_USERNAME`` and ``THULIUM_PASSWORD``
        (required), and ``THULIUM_TIMEZONE``, ``THULIUM_LANGUAGE`` and
        ``THULIUM_PHONE_REGION`` (optional).
        Keyword *options* are passed on to the constructor and win over the
        environment.

        Raises:
            InvalidInputError: a required variable is missing or empty (all of them
                are named), or any setting is invalid.
        """
        required = ("THULIUM_BASE_URL", "THULIUM_USERNAME", "THULIUM_PASSWORD")
        missing = [name for name in required if not os.environ.get(name)]
        if missing:
            raise InvalidInputError(
                f"ThuliumClient.from_env(): {', '.join(missing)} not set; set "
                "THULIUM_BASE_URL (the API root, e.g. https://acme.thulium.com/api), "
                "THULIUM_USERNAME and THULIUM_PASSWORD"
            )
        for variable, option in (
            ("THULIUM_TIMEZONE", "timezone"),
            ("THULIUM_LANGUAGE", "language"),
            ("THULIUM_PHONE_REGION", "phone_region"),
        ):
            value = os.environ.get(variable)
            if value:
                options.setdefault(option, value)
        return cls(
            os.environ["THULIUM_BASE_URL"],
            os.environ["THULIUM_USERNAME"],
            os.environ["THULIUM_PASSWORD"],
            **options,
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        json: object = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send *method* *path* through this client; return the decoded JSON answer.

        For the endpoints the vendor lists without documenting them (agent actions,
        chats, ...): everything the typed endpoints get holds here too, the auth,
        the retries, the rate limit, the typed errors. A request that is not
        *idempotent* (by default: POST and PATCH) is never sent again after a
        failure that may have been processed; that is a
        :class:`~thulium_async.DeliveryUnknownError`::

            status = await client.request("GET", "agents/jkowalski/status")
            await client.request("POST", "agents/jkowalski/pause", json={"pause_id": 2})

        Args:
            method: ``GET``, ``POST``, ``PUT``, ``PATCH``, ``DELETE``, ``HEAD`` or
                ``OPTIONS``.
            path: relative to the API root (``agents/jkowalski``): no scheme, no
                host, no ``..``, no query string.
            params: query parameters; a list repeats its key, ``True``/``False``
                are sent as ``true``/``false`` (as the vendor writes them), a
                ``datetime`` as the system's wall clock, a ``date`` as
                ``YYYY-MM-DD``; ``None`` values are left out.
            json: the body, sent as JSON; ``None`` sends no body.
            idempotent: whether a repeat is harmless; ``None`` decides from the
                method (GET, PUT, DELETE, HEAD, OPTIONS yes; POST, PATCH no).

        Returns:
            The answer parsed as JSON, or ``None`` for an empty body.

        Raises:
            InvalidInputError: a bad *method*, *path*, *params* or *json* (nothing
                is sent).
            ResponseDecodeError: a 2xx answer that is not JSON.
            DeliveryUnknownError, APIStatusError, APIConnectionError: as for every
                endpoint.
        """
        return await self._generic.send(
            method, path, params=params, json=json, idempotent=idempotent
        )

    def paginate(
        self,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        limit: int = 100,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Any]:
        """Read the list at *path* page by page: ``await`` it, or ``async for`` over it.

        For Thulium's paged lists (``limit``/``offset`` in, ``{"count", "result"}``
        out) that have no typed method yet. ``await`` gives the first
        :class:`~thulium_async.Page` (``.items``, ``.count`` = the total the server
        reports, ``.limit``, ``.offset``); ``async for`` yields every item across
        pages, in order, fetching up to *concurrency* pages at a time once the
        first has told the total, under the client's rate limit::

            first = await client.paginate("connections", params={"queue_id": 2})
            print(first.count, "connections")
            async for record in client.paginate("connections", limit=100):
                ...

        Args:
            path: as for :meth:`request`.
            params: the list's filters, as for :meth:`request` (not ``limit`` or
                ``offset``).
            limit: the page size, 1 to 1000; mind the endpoint's own maximum (100
                for connections, recordings and tickets; 1000 for customers).
            offset: where to start.
            concurrency: pages in flight at once after the first, 1 to 32.

        Raises:
            InvalidInputError: a bad argument, at once (nothing is sent).
        """
        return self._generic.pages(
            path, params=params, limit=limit, offset=offset, concurrency=concurrency
        )

    def with_options(
        self, *, timeout: float | None = None, retry: RetryPolicy | None = None
    ) -> ThuliumClient:
        """Return a view of this client with another *timeout* and/or *retry* policy.

        The view shares this client's connections, rate limit, retry budget and
        counters, so it costs almost nothing: use it per call site, e.g. a short
        timeout in a web request handler while a background job keeps the long one::

            fast = client.with_options(timeout=2.0, retry=RetryPolicy(max_attempts=1))
            callers = await fast.queues.waiting_list(2)

        Closing a view does nothing; the client it came from owns the connections.

        Raises:
            InvalidInputError: a bad *timeout* or *retry*.
        """
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise InvalidInputError(
                f"retry must be a RetryPolicy, got {type(retry).__name__}"
            )
        transport = self._transport.with_options(
            policy=retry if retry is not None else self._transport.policy,
            timeout=(
                positive("timeout", timeout)
                if timeout is not None
                else self._transport.timeout
            ),
        )
        view = object.__new__(ThuliumClient)
        view._base_url = self._base_url
        view._username = self._username
        view._zone = self._zone
        view._phone_region = self._phone_region
        view._sessions = self._sessions
        view._transport = transport
        view._is_view = True
        for name, _ in NAMESPACES:
            setattr(view, name, getattr(self, name).with_transport(transport))
        view._generic = self._generic.with_transport(transport)
        return view

    def __repr__(self) -> str:
        state = " closed" if self._sessions.closed else ""
        return (
            f"<ThuliumClient{state} base_url={str(self._base_url)!r} "
            f"username={self._username!r}>"
        )

    @property
    def base_url(self) -> str:
        """The normalised API root every request is joined to."""
        return str(self._base_url)

    @property
    def timezone(self) -> tzinfo:
        """The zone of the Thulium system's wall clock, which timestamps are read and sent in."""
        return self._zone

    @property
    def phone_region(self) -> str:
        """The region numbers are read in to tell which name one person (``"PL"``)."""
        return self._phone_region

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._transport.policy

    @property
    def rate_limit(self) -> float | None:
        """Requests per second in force now (*rate_limit*, or less while throttled)."""
        return self._transport.limiter.current_rate()

    @property
    def stats(self) -> ClientStats:
        """Live counters of attempts, retries and requests in flight."""
        return self._transport.stats

    @property
    def closed(self) -> bool:
        """Whether the client has been closed."""
        return self._sessions.closed

    @property
    def timeout(self) -> float:
        """Seconds allowed for one attempt."""
        return self._transport.timeout

    async def close(self) -> None:
        """Close the connections this client opened; safe to call twice.

        A session passed in by the user is left open: it is theirs. On a view from
        :meth:`with_options` this does nothing: the original client owns them.
        """
        if not self._is_view:
            try:
                await self._sessions.close()
            finally:
                await self._transport.limiter.aclose()

    async def __aenter__(self) -> ThuliumClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
