"""One request, start to finish: an in-flight slot, retries, one attempt at a time.

The only module that sends HTTP. It turns every aiohttp and asyncio failure into the SDK's
errors, deciding there whether the request can have been processed, and asks
:func:`~thulium_async._http.retry.decide` what follows a failure. The first attempt is
:meth:`Transport.send` itself; tenacity is entered only when a retry is actually
needed, so a request that succeeds first time pays nothing for the retry machinery.
"""

from __future__ import annotations

import asyncio
import copy
import errno
import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, NamedTuple, Protocol, TypeVar, overload

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


class _Attempt(Protocol):
    """One attempt: the request, its body, the attempt's number; a 2xx response or an error."""

    def __call__(
        self, request: Request, body: Any, *, number: int
    ) -> Awaitable[Response]: ...


Body = bytes | Callable[[], object] | None
"""A streamed request's body: bytes, or a function giving a fresh body per attempt.

The function's result is anything aiohttp takes as ``data=`` (bytes, a file object, an
async iterator of bytes); it is called once per attempt, so a retry sends the body
from its start. A source that cannot start again (a one-shot iterator) must not be
retried: send it through a view whose policy makes one attempt.
"""

Consume = Callable[["Response", AsyncIterator[bytes]], Awaitable[None]]
"""Where a streamed answer's body goes: given the 2xx response (its body empty) and
the body's chunks, as they arrive. Called once per attempt: a retry starts it again,
so it must start over (truncate its file) each time it is called."""


class _ReadFailed(Exception):
    """Reading a streamed answer failed; the cause is aiohttp's or asyncio's error.

    Set apart from the consumer's own errors (a full disk is an ``OSError`` too, and
    must not be taken for a dropped connection and retried).
    """


class _ConsumerFailed(Exception):
    """A streamed answer's consumer raised *error*: never an attempt's failure."""

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


class _TryAgain(Exception):
    """The last attempt failed and :func:`decide` chose to retry it."""


class _Run:
    """The state of one request's retries: its attempts, the last error and verdict."""

    __slots__ = ("attempt", "attempts", "last", "request", "started", "verdict")

    def __init__(
        self,
        request: Request,
        started: float,
        first: ThuliumError,
        attempt: _Attempt,
    ) -> None:
        self.request = request
        self.attempt = attempt
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
    async def send(
        self,
        request: Request,
        body: bytes | None = None,
        read: None = None,
        *,
        number: int = 1,
    ) -> Response: ...

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
        *,
        number: int = 1,
    ) -> Any:
        """Send *request* with *body*, retrying as the policy allows; return its 2xx response.

        With *read*, return ``read(response, request)`` instead: the endpoint layer's
        decoding runs in this coroutine, so an endpoint's call is one coroutine frame
        on top of aiohttp's, not three (every suspension of a request resumes each
        frame above it). A failure of *read* is never retried.

        One call is one attempt (rate limit, in-flight slot, aiohttp, error mapping),
        so a request that succeeds first time passes through no retry machinery at
        all. A failed first attempt goes on to :meth:`_retry`, whose loop makes the
        later attempts through this method too (*number* 2, 3, ...): those raise
        their failure for the loop to judge. *number* also names the attempt in the
        DEBUG log line.

        Raises:
            APIStatusError: a non-2xx answer that was not (or no longer) retried.
            APIConnectionError: the network failed and retrying did not help.
            DeliveryUnknownError: a non-idempotent request may have been processed.
        """
        method, url = request.method, request.url
        started = self._clock()
        debug = logger.isEnabledFor(logging.DEBUG)
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
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            error = self._failure(method, url, exc)
        else:
            if 200 <= status < 300:
                self.budget.refill()
                if debug:
                    _log_attempt(
                        request, number, f"status {status}", started, self._clock()
                    )
                answer = _new_response(
                    Response, (status, headers, content, not complete, 1)
                )
                return answer if read is None else read(answer, request)
            error = _status_error(method, url, status, headers, content, request)
        finally:
            stats.in_flight -= 1
            slots.give_back()
        await self._failed(error, request, number, sent_at, started if debug else None)
        if number > 1:  # an attempt of the retry loop, which judges the failure
            raise error
        answer = await self._retry(request, body, error, started)
        return answer if read is None else read(answer, request)

    async def send_body(self, request: Request, body: Body) -> Response:
        """Send *request* with a streamed *body*; return its 2xx response, body capped.

        For uploads: the body is not held in memory (a file is read as it is sent),
        and the answer is read as :meth:`send` reads it. Retried as :meth:`send` is
        (by the request's idempotency), each attempt sending the body from its start.
        Waits for the answer are timed per read (``timeout`` seconds without a byte),
        not for the whole exchange, so a large body is not cut off by the clock.
        """
        started = self._clock()
        try:
            return await self._stream_attempt(request, body)
        except ThuliumError as error:
            return await self._retry_with(
                request, body, error, started, self._stream_attempt
            )

    async def receive(
        self, request: Request, consume: Consume, body: Body = None
    ) -> Response:
        """Send *request*; hand its 2xx body to *consume* chunk by chunk, uncapped.

        For downloads: memory stays bounded by one chunk, whatever the size, so the
        size cap does not apply; a non-2xx answer is read (capped) and raised as
        :meth:`send` raises it. A connection lost or a read timed out mid-body is an
        attempt's failure like any other: a GET is retried, and *consume* is called
        again from the first byte. An error raised by *consume* itself is never
        retried and reaches the caller as it is. Returns the response (body empty)
        with the attempts it took.
        """
        started = self._clock()
        attempt = functools.partial(self._stream_attempt, consume=consume)
        try:
            try:
                return await attempt(request, body)
            except ThuliumError as error:
                return await self._retry_with(request, body, error, started, attempt)
        except _ConsumerFailed as failed:
            raise failed.error from None

    async def _stream_attempt(
        self,
        request: Request,
        body: Body,
        number: int = 1,
        *,
        consume: Consume | None = None,
    ) -> Response:
        """:meth:`send`'s attempt for a streamed body or a streamed answer (*consume*).

        The same rate limit, slot, write watch and error mapping; kept apart so that
        the JSON path pays nothing for what only files need.
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
            # As in send: durable now that the request is about to go out.
            before_write, watch.before_write = watch.before_write, None
            await before_write()
        slots = self._slots
        if not slots.try_take():
            await slots.wait()
        stats.attempts += 1
        stats.in_flight += 1
        if watch is not None:
            watch.written = True
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self._client_timeout.connect, sock_read=self.timeout
        )
        error: ThuliumError
        own: Exception | None = None  # the consumer's own failure: not the network's
        try:
            data = body() if callable(body) else body
            async with session.request(
                method,
                url,
                data=data,
                headers=request.headers,
                timeout=timeout,
                allow_redirects=False,
            ) as response:
                status = response.status
                headers = response.headers
                if consume is None or not 200 <= status < 300:
                    content, complete = await self._read_capped(response)
                else:
                    content, complete = b"", True
                    answer = _new_response(Response, (status, headers, b"", False, 1))
                    try:
                        await consume(answer, _chunks(response.content))
                    except _ReadFailed:
                        raise
                    except Exception as exc:
                        own = exc
        except _ReadFailed as exc:
            error = self._failure(method, url, exc.__cause__ or exc)
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            error = self._failure(method, url, exc)
        else:
            if own is not None:  # past the retry loop, which retries SDK errors
                raise _ConsumerFailed(own)
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
        await self._failed(error, request, number, sent_at, began if debug else None)
        raise error

    def _failure(self, method: str, url: URL, exc: BaseException) -> ThuliumError:
        """Map an aiohttp or asyncio failure of one attempt to the SDK's error."""
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return APITimeoutError(
                f"{method} {url}: could not connect within "
                f"{self._client_timeout.connect} s; nothing was sent",
                method=method,
                url=str(url),
                request_sent=False,
            )
        if isinstance(exc, aiohttp.ClientConnectorError):
            return APIConnectionError(
                f"{method} {url}: could not connect ({exc.os_error}); nothing was sent",
                method=method,
                url=str(url),
                request_sent=False,
            )
        if isinstance(exc, (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)):
            # aiohttp refuses such a URL before it connects (redirects, whose URL
            # errors share these classes, are never followed): nothing was sent, and
            # the same URL would be refused again, so it is not retried either.
            from .._core.errors import UnsendableURLError

            return UnsendableURLError(
                f"{method} {url}: aiohttp refused the URL ({type(exc).__name__}); "
                "nothing was sent",
                method=method,
                url=str(url),
                request_sent=False,
            )
        if isinstance(exc, asyncio.TimeoutError):
            return APITimeoutError(
                f"{method} {url}: no complete answer within {self.timeout} s",
                method=method,
                url=str(url),
                request_sent=True,
            )
        return _connection_error(method, url, exc)

    async def _failed(
        self,
        error: ThuliumError,
        request: Request,
        number: int,
        sent_at: float,
        began: float | None,
    ) -> None:
        """Slow the client down after a throttling answer; log the attempt at DEBUG."""
        if isinstance(error, APIStatusError) and (
            error.status == 429
            or (error.status == 503 and error.retry_after is not None)
        ):
            self.stats.throttled += 1
            await self.limiter.throttled(error.retry_after, sent_at)
        if began is not None:
            _log_attempt(request, number, reason(error), began, self._clock())

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
        run = _Run(request, started, first, self.send)
        run.verdict = self._judge(run, first)
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_TryAgain), stop=stop_never, reraise=True
        )
        return await retrying(self._next_attempt, run, body)

    async def _retry_with(
        self,
        request: Request,
        body: object,
        first: ThuliumError,
        started: float,
        attempt: _Attempt,
    ) -> Response:
        """:meth:`_retry` for attempts other than the JSON path's (binary, streamed)."""
        run = _Run(request, started, first, attempt)
        run.verdict = self._judge(run, first)
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_TryAgain), stop=stop_never, reraise=True
        )
        return await retrying(self._next_attempt, run, body)

    async def _next_attempt(self, run: _Run, body: object) -> Response:
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
            response = await run.attempt(request, body, number=run.attempts)
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


async def _chunks(content: aiohttp.StreamReader) -> AsyncIterator[bytes]:
    """Yield a streamed answer's body as it arrives; mark a failure as the network's."""
    try:
        while chunk := await content.readany():
            yield chunk
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
        raise _ReadFailed(str(exc)) from exc


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
