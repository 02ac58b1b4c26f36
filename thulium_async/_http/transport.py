"""One request, start to finish: an in-flight slot, retries, one attempt at a time.

The only module that sends HTTP. It turns every aiohttp and asyncio failure into the SDK's
errors, deciding there whether the request can have been processed, and asks
``_retry.decide`` what follows a failure. The first attempt runs directly; tenacity is
entered only when a retry is actually needed, so a request that succeeds first time pays
nothing for the retry machinery.
"""

from __future__ import annotations

import asyncio
import copy
import errno
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple, TypeVar, overload

import aiohttp
import attrs
from multidict import CIMultiDictProxy
from tenacity import AsyncRetrying, retry_if_exception_type, stop_never
from yarl import URL

from .._core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ThuliumError,
    parse_error_body,
    snippet,
    status_error_class,
    vendor_error,
)
from .._core.write_watch import WRITE_WATCH
from .ratelimit import LocalRateLimiter, RateLimiter
from .retry import RetryBudget, RetryPolicy, Verdict, decide, reason
from .session import SessionManager
from .slots import Slots
from .wire import parse_retry_after

logger = logging.getLogger("thulium_async")
T = TypeVar("T")

_CHUNK = 64 * 1024


class Request(NamedTuple):
    """What the endpoint layer asks the transport to send, minus the body.

    A named tuple rather than an attrs class, and without the body (which travels
    beside it), so that an endpoint builds one per queue and reuses it for every call.
    """

    method: str
    url: URL
    path: str
    headers: Mapping[str, str]
    idempotent: bool = True
    side_effect: str = "act twice"
    """What a repeat would do, for ``DeliveryUnknownError``: "call the customer twice"."""


class Response(NamedTuple):
    """A successful (2xx) answer and its body, read up to the size cap.

    *truncated* is true when the body was larger than the cap: the endpoint decides
    whether that matters (``schedule_call`` ignores its body; ``waiting_list`` cannot).
    """

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    truncated: bool = False
    attempts: int = 1


# A named tuple's own constructor is a Python function; building the tuple directly
# costs a third as much, once per request.
_new_response = tuple.__new__


@attrs.define
class ClientStats:
    """Counters of what a client has sent, for progress displays and dashboards.

    Attributes:
        attempts: HTTP attempts started, retries included.
        retries: attempts that were retries of an earlier failed attempt.
        in_flight: attempts running right now.
        throttled: times the server pushed back (429, or 503 with Retry-After),
            slowing the whole client down.
        retries_refused: retries not made because the retry budget was spent.
    """

    attempts: int = 0
    retries: int = 0
    in_flight: int = 0
    throttled: int = 0
    retries_refused: int = 0


class _TryAgain(Exception):
    """The last attempt failed and :func:`decide` chose to retry it."""


class _Run:
    """The state of one request's retries: its attempts, the last error and verdict."""

    __slots__ = ("attempts", "last", "request", "started", "verdict")

    def __init__(self, request: Request, started: float, first: ThuliumError) -> None:
        self.request = request
        self.started = started
        self.attempts = 1
        self.last = first
        self.verdict = Verdict(None)


class Transport:
    """Send requests through a SessionManager under a RetryPolicy."""

    def __init__(
        self,
        sessions: SessionManager,
        *,
        policy: RetryPolicy,
        timeout: float,
        connect_timeout: float,
        max_in_flight: int,
        max_response_size: int,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self.policy = policy
        self.timeout = timeout
        # The connect budget is set apart from the total so that a connect-phase timeout
        # surfaces as aiohttp's ConnectionTimeoutError: provably "nothing was sent".
        self._client_timeout = aiohttp.ClientTimeout(
            total=timeout, connect=min(connect_timeout, timeout)
        )
        # Acquired before each attempt's timer starts, so waiting for a free connection
        # never eats into an attempt's timeout.
        self._slots = Slots(max_in_flight)
        self._max_response_size = max_response_size
        self.limiter = limiter or LocalRateLimiter(None)
        self.budget = RetryBudget(policy.retry_budget)
        self._sleep = sleep
        self._clock = clock
        self.stats = ClientStats()

    def with_options(self, *, policy: RetryPolicy, timeout: float) -> Transport:
        """Return a transport with its own policy and timeout, sharing everything else.

        The session, the in-flight slots, the rate limiter, the retry budget and the
        counters stay shared: they describe the connection to one Thulium system, not
        one kind of call.
        """
        view = copy.copy(self)
        view.policy = policy
        view.timeout = timeout
        connect = self._client_timeout.connect or timeout
        view._client_timeout = aiohttp.ClientTimeout(
            total=timeout, connect=min(connect, timeout)
        )
        return view

    @overload
    async def send(self, request: Request, body: bytes | None = None) -> Response: ...

    @overload
    async def send(
        self,
        request: Request,
        body: bytes | None,
        read: Callable[[Response, Request], T],
    ) -> T: ...

    async def send(
        self,
        request: Request,
        body: bytes | None = None,
        read: Callable[[Response, Request], Any] | None = None,
    ) -> Any:
        """Send *request* with *body*, retrying as the policy allows; return its 2xx response.

        With *read*, return ``read(response, request)`` instead: the endpoint layer's
        decoding runs in this coroutine, so an endpoint's call is one coroutine frame
        on top of the transport's, not two (every suspension of a request resumes
        each frame above it). A failure of *read* is never retried.

        The first attempt is awaited directly, so a request that succeeds first time
        passes through no retry machinery at all; only a failure goes on to
        :meth:`_retry`.

        Raises:
            APIStatusError: a non-2xx answer that was not (or no longer) retried.
            APIConnectionError: the network failed and retrying did not help.
            DeliveryUnknownError: a non-idempotent request may have been processed.
        """
        started = self._clock()
        try:
            response = await self._attempt(request, body)
        except ThuliumError as error:
            response = await self._retry(request, body, error, started)
        return response if read is None else read(response, request)

    async def _attempt(
        self, request: Request, body: bytes | None, number: int = 1
    ) -> Response:
        """Make one attempt: rate limit, in-flight slot, aiohttp, error mapping.

        Knows nothing of retries: it returns a 2xx response or raises the SDK's error
        for what went wrong, with ``request_sent`` saying whether anything can have
        been processed. *number* is the attempt's number, for the DEBUG log line.
        """
        method, url = request.method, request.url
        debug = logger.isEnabledFor(logging.DEBUG)
        began = self._clock() if debug else 0.0
        session = self._sessions.get()
        stats = self.stats
        limiter = self.limiter
        sent_at = await limiter.acquire() if limiter.must_wait() else 0.0
        watch = WRITE_WATCH.get()
        if watch is not None and watch.before_write is not None:
            # The dialer's journal line, durable now that the request is about to go
            # out: not while it waited on the rate limit, which sends nothing.
            before_write, watch.before_write = watch.before_write, None
            await before_write()
        # Nothing can interrupt between taking the slot and the try that gives it back.
        slots = self._slots
        if not slots.try_take():
            await slots.wait()
        stats.attempts += 1
        stats.in_flight += 1
        if watch is not None:
            watch.written = True
        error: ThuliumError
        try:
            async with session.request(
                method,
                url,
                data=body,
                headers=request.headers,
                timeout=self._client_timeout,
                allow_redirects=False,
            ) as response:
                status = response.status
                headers = response.headers
                length = response.content_length
                if (
                    length is not None
                    and length <= self._max_response_size
                    and "Content-Encoding" not in headers
                ):
                    content, complete = await response.read(), True  # the usual case
                else:
                    content, complete = await self._read_capped(response)
        except aiohttp.ConnectionTimeoutError:
            error = APITimeoutError(
                f"{method} {url}: could not connect within "
                f"{self._client_timeout.connect} s; nothing was sent",
                method=method,
                url=str(url),
                request_sent=False,
            )
        except aiohttp.ClientConnectorError as exc:
            error = APIConnectionError(
                f"{method} {url}: could not connect ({exc.os_error}); nothing was sent",
                method=method,
                url=str(url),
                request_sent=False,
            )
        except (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError) as exc:
            # aiohttp refuses such a URL before it connects (redirects, whose URL
            # errors share these classes, are never followed): nothing was sent, and
            # the same URL would be refused again, so it is not retried either.
            from .._core.errors import UnsendableURLError

            error = UnsendableURLError(
                f"{method} {url}: aiohttp refused the URL ({type(exc).__name__}); "
                "nothing was sent",
                method=method,
                url=str(url),
                request_sent=False,
            )
        except asyncio.TimeoutError:
            error = APITimeoutError(
                f"{method} {url}: no complete answer within {self.timeout} s",
                method=method,
                url=str(url),
                request_sent=True,
            )
        except (aiohttp.ClientError, OSError) as exc:
            error = _connection_error(method, url, exc)
        else:
            if 200 <= status < 300:
                self.budget.refill()
                if debug:
                    _log_attempt(
                        request, number, f"status {status}", began, self._clock()
                    )
                return _new_response(
                    Response, (status, headers, content, not complete, 1)
                )
            error = _status_error(method, url, status, headers, content, request)
        finally:
            stats.in_flight -= 1
            slots.give_back()
        if isinstance(error, APIStatusError) and (
            error.status == 429
            or (error.status == 503 and error.retry_after is not None)
        ):
            stats.throttled += 1
            await limiter.throttled(error.retry_after, sent_at)
        if debug:
            _log_attempt(request, number, reason(error), began, self._clock())
        raise error

    async def _retry(
        self,
        request: Request,
        body: bytes | None,
        first: ThuliumError,
        started: float,
    ) -> Response:
        """Follow a failed first attempt until an answer or a final error.

        tenacity runs the loop; every choice (retry or not, how long to wait, which
        error the caller gets) is made by :func:`decide` after each failure.
        """
        run = _Run(request, started, first)
        run.verdict = self._judge(run, first)
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_TryAgain), stop=stop_never, reraise=True
        )
        return await retrying(self._next_attempt, run, body)

    async def _next_attempt(self, run: _Run, body: bytes | None) -> Response:
        """Sleep the wait the last verdict chose, then make one more attempt.

        Raises the final error when the verdict was to stop, and ``_TryAgain`` after
        a failure that the new verdict lets be retried.
        """
        verdict, request = run.verdict, run.request
        if verdict.error is not None:
            raise verdict.error
        logger.warning(
            "Retrying %s %s: attempt %d of %d failed (%s); next attempt in %.2f s",
            request.method,
            request.path,
            run.attempts,
            self.policy.max_attempts,
            reason(run.last),
            verdict.wait,
        )
        if not verdict.ambiguous:
            # Nothing sent so far can have been processed: a stop during the wait
            # leaves the request unsent.
            watch = WRITE_WATCH.get()
            if watch is not None:
                watch.written = False
        await self._sleep(verdict.wait)
        run.attempts += 1
        self.stats.retries += 1
        try:
            response = await self._attempt(request, body, run.attempts)
        except ThuliumError as error:
            run.last = error
            run.verdict = self._judge(run, error)
            raise _TryAgain from None
        return response._replace(attempts=run.attempts)

    def _judge(self, run: _Run, error: ThuliumError) -> Verdict:
        """Ask :func:`decide` what follows *error*; count and log a refused retry."""
        request = run.request
        verdict = decide(
            error,
            policy=self.policy,
            budget=self.budget,
            attempts=run.attempts,
            elapsed=self._clock() - run.started,
            idempotent=request.idempotent,
            ambiguous_before=run.verdict.ambiguous,
            method=request.method,
            url=str(request.url),
            side_effect=request.side_effect,
        )
        if verdict.budget_refused:
            self.stats.retries_refused += 1
            logger.warning(
                "Not retrying %s %s: the client's retry budget is spent (%s)",
                request.method,
                request.path,
                reason(error),
            )
        return verdict

    async def _read_capped(
        self, response: aiohttp.ClientResponse
    ) -> tuple[bytes, bool]:
        """Read a body of unknown or compressed size up to the cap; say if complete."""
        limit = self._max_response_size
        chunks: list[bytes] = []
        size = 0
        while chunk := await response.content.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                chunks.append(chunk[: limit - (size - len(chunk))])
                return b"".join(chunks), False
            chunks.append(chunk)
        return b"".join(chunks), True


def _log_attempt(
    request: Request, number: int, outcome: str, began: float, ended: float
) -> None:
    """Log one attempt at DEBUG: never a header or a body, so no secret, no number."""
    logger.debug(
        "%s %s: attempt %d, %s, %.1f ms",
        request.method,
        request.path,
        number,
        outcome,
        (ended - began) * 1000,
    )


# aiohttp's own words when writing the request failed (client_reqrep.write_bytes, and
# http_writer when the transport is already closing): the server cannot have received
# the whole request, so it cannot have acted on it. Stable since aiohttp 3.x; pinned by
# tests/test_write_phase.py against the installed aiohttp.
_WRITE_FAILURES = (
    "Can not write request body",
    "Failed to send bytes into the underlying connection",
    "Cannot write to closing transport",
)


def _request_unwritten(exc: BaseException) -> bool:
    """Return whether *exc* says the request was still being written when it failed.

    Three ways aiohttp reports it: an error from writing the body (its message says
    so); the transport closing before the write began; and a broken pipe, which the
    kernel reports only for a write (EPIPE: the peer was gone before our bytes were
    taken). A reset or an end of stream after the request was written stays
    ambiguous: the server may have read the request and acted on it.
    """
    if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
        return True
    cause = exc.__cause__
    if isinstance(cause, OSError) and cause.errno == errno.EPIPE:
        return True
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return text.startswith(_WRITE_FAILURES)


def _connection_error(method: str, url: URL, exc: BaseException) -> APIConnectionError:
    """Map an aiohttp or OS failure after connecting to the SDK's error."""
    if _request_unwritten(exc):
        return APIConnectionError(
            f"{method} {url}: the connection failed while the request was being "
            f"written ({type(exc).__name__}: {exc}); it cannot have been processed",
            method=method,
            url=str(url),
            request_sent=False,
        )
    return APIConnectionError(
        f"{method} {url}: the connection failed after the request was sent "
        f"({type(exc).__name__}: {exc})",
        method=method,
        url=str(url),
        request_sent=True,
    )


def _status_error(
    method: str,
    url: URL,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    request: Request,
) -> APIStatusError:
    parsed: Any = parse_error_body(body)
    request_id, details = vendor_error(parsed)
    if 300 <= status < 400:
        location = headers.get("Location", "")
        message = (
            f"{method} {url} answered {status} redirecting to {location!r}; redirects "
            "are not followed, so credentials never leave the API host. Check "
            "base_url: https rather than http, and the path of the API root "
            "(usually '/api')"
        )
    elif details:
        said = "; ".join(
            detail.message
            if detail.code is None
            else f"{detail.message} ({detail.code})"
            for detail in details
        )
        message = f"{method} {url} answered {status}: {snippet(said)}"
        if request_id is not None:
            message += f" [request_id {request_id}]"
    else:
        message = f"{method} {url} answered {status}"
        # A body like "404: Not Found" (aiohttp's, many proxies') repeats the status.
        said = snippet(body).removeprefix(f"{status}:").removeprefix(f"{status} ")
        if said.strip():
            message += f": {said.strip()}"
        if status == 404 and not _api_root(url, request.path).endswith("/api"):
            message += (
                f". Check base_url: {_api_root(url, request.path) or '/'!r} is not the "
                "API root, which usually ends in '/api' "
                "(https://acme.thulium.com/api)"
            )
    return status_error_class(status)(
        message,
        status=status,
        body=parsed,
        method=method,
        url=str(url),
        retry_after=parse_retry_after(headers.get("Retry-After")),
        request_id=request_id,
        errors=details,
    )


def _api_root(url: URL, path: str) -> str:
    """Return the path of the base URL that *url* was joined from (no trailing '/')."""
    full = url.path
    if path and full.endswith(path):
        full = full[: -len(path)]
    return full.rstrip("/")
