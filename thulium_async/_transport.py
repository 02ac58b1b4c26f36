"""One request, start to finish: an in-flight slot, retries, one attempt at a time.

The only module that sends HTTP. It turns every aiohttp and asyncio failure into the SDK's
errors, and asks ``_retry`` (the decision table) whether to try again. The first attempt
runs directly; tenacity is entered only when a retry is actually needed, so a request that
succeeds first time pays nothing for the retry machinery.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple

import aiohttp
import attrs
from multidict import CIMultiDictProxy
from tenacity import AsyncRetrying, RetryCallState
from yarl import URL

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    DeliveryUnknownError,
    ThuliumError,
    parse_error_body,
    snippet,
    status_error_class,
)
from ._ratelimit import LocalRateLimiter, RateLimiter
from ._retry import Failure, RetryBudget, RetryPolicy, classify
from ._session import SessionManager
from ._slots import Slots
from ._wire import parse_retry_after

logger = logging.getLogger("thulium_async")

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

    async def send(
        self, request: Request, body: bytes | None = None, *, retrying: bool = False
    ) -> Response:
        """Send *request* with *body*, retrying as the policy allows; return its 2xx response.

        This coroutine makes the first attempt itself, so a request that succeeds first
        time passes through no retry machinery at all. A failed first attempt hands over
        to :meth:`_retry`, which calls back here with *retrying* set for each further
        attempt and decides itself what follows a failure.

        Raises:
            APIStatusError: a non-2xx answer that was not (or no longer) retried.
            APIConnectionError: the network failed and retrying did not help.
            DeliveryUnknownError: a non-idempotent request may have been processed.
        """
        started = self._clock()
        session = self._sessions.get()
        method, url = request.method, request.url
        stats = self.stats
        limiter = self.limiter
        sent_at = await limiter.acquire() if limiter.must_wait() else 0.0
        # Nothing can interrupt between taking the slot and the try that gives it back.
        slots = self._slots
        if not slots.try_take():
            await slots.wait()
        stats.attempts += 1
        stats.in_flight += 1
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
        except asyncio.TimeoutError:
            error = APITimeoutError(
                f"{method} {url}: no complete answer within {self.timeout} s",
                method=method,
                url=str(url),
                request_sent=True,
            )
        except (aiohttp.ClientError, OSError) as exc:
            error = APIConnectionError(
                f"{method} {url}: the connection failed after the request was "
                f"sent ({type(exc).__name__}: {exc})",
                method=method,
                url=str(url),
                request_sent=True,
            )
        else:
            if 200 <= status < 300:
                self.budget.refill()
                return _new_response(
                    Response, (status, headers, content, not complete, 1)
                )
            error = _status_error(method, url, status, headers, content)
        finally:
            stats.in_flight -= 1
            slots.give_back()
        if isinstance(error, APIStatusError) and (
            error.status == 429
            or (error.status == 503 and error.retry_after is not None)
        ):
            stats.throttled += 1
            await limiter.throttled(error.retry_after, sent_at)
        return await self._failed(request, body, error, started, retrying=retrying)

    async def _failed(
        self,
        request: Request,
        body: bytes | None,
        error: ThuliumError,
        started: float,
        *,
        retrying: bool,
    ) -> Response:
        """Decide what follows a failed attempt: raise it, or retry if it was the first."""
        if not retrying:
            error.attempts = 1
        if self._must_not_resend(error, request):
            raise self._final_error(error, request, Failure.AMBIGUOUS)
        if retrying:  # _retry counts the attempts and decides what follows
            raise error
        if self.policy.max_attempts == 1 or not self._may_retry(error, request):
            raise self._final_error(error, request, classify(error))
        return await self._retry(request, body, error, started)

    def _may_retry(self, error: ThuliumError, request: Request) -> bool:
        """Apply the decision table, then the client-wide retry budget."""
        failure = classify(error)
        if not self.policy.allows_retry(failure, idempotent=request.idempotent):
            return False
        if self.budget.try_spend(failure):
            return True
        self.stats.retries_refused += 1
        logger.warning(
            "Not retrying %s %s: the client's retry budget is spent (%s)",
            request.method,
            request.path,
            _reason(error),
        )
        return False

    async def _retry(
        self,
        request: Request,
        body: bytes | None,
        first: ThuliumError,
        started: float,
    ) -> Response:
        """Drive attempts 2..n with tenacity, replaying *first* as attempt 1."""
        policy = self.policy
        pending: list[ThuliumError] = [first]
        ambiguous = [classify(first) is Failure.AMBIGUOUS]
        attempts = [1]

        async def attempt() -> Response:
            if pending:
                raise pending.pop()
            attempts[0] += 1
            self.stats.retries += 1
            try:
                response = await self.send(request, body, retrying=True)
            except ThuliumError as error:
                ambiguous[0] = ambiguous[0] or classify(error) is Failure.AMBIGUOUS
                raise
            return response._replace(attempts=attempts[0])

        def should_retry(state: RetryCallState) -> bool:
            error = state.outcome.exception() if state.outcome else None
            if not isinstance(error, ThuliumError):
                return False
            if state.attempt_number == 1:  # the replayed first failure: already judged
                return True
            return self._may_retry(error, request)

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            assert isinstance(error, ThuliumError)  # noqa: S101 -- should_retry ran
            return policy.wait_after(state.attempt_number, error)

        def stop(state: RetryCallState) -> bool:
            if state.attempt_number >= policy.max_attempts:
                return True
            elapsed = self._clock() - started
            return elapsed + state.upcoming_sleep > policy.deadline

        def log_retry(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            logger.warning(
                "Retrying %s %s: attempt %d of %d failed (%s); next attempt in %.2f s",
                request.method,
                request.path,
                state.attempt_number,
                policy.max_attempts,
                _reason(error),
                state.upcoming_sleep,
            )

        retrying = AsyncRetrying(
            stop=stop,
            wait=wait,
            retry=should_retry,
            before_sleep=log_retry,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return await retrying(attempt)
        except ThuliumError as error:
            error.attempts = attempts[0]
            if not request.idempotent and ambiguous[0]:
                raise self._final_error(error, request, Failure.AMBIGUOUS)  # noqa: B904
            raise

    def _final_error(
        self, error: ThuliumError, request: Request, failure: Failure
    ) -> ThuliumError:
        """Return the error the caller sees once no retry will follow *error*."""
        if request.idempotent or failure is not Failure.AMBIGUOUS:
            return error
        unknown = DeliveryUnknownError(
            f"{request.method} {request.url} may or may not have been processed "
            f"({_reason(error)}); it was not sent again, because a repeat could act "
            "twice (for schedule_call: call the customer twice). Check in Thulium "
            "before sending it again.",
            method=request.method,
            url=str(request.url),
            status=getattr(error, "status", None),
        )
        unknown.attempts = error.attempts
        unknown.__cause__ = error
        unknown.__suppress_context__ = True
        return unknown

    def _must_not_resend(self, error: ThuliumError, request: Request) -> bool:
        """Whether *error* may mean a non-idempotent request was processed."""
        return (
            not request.idempotent
            and not self.policy.retry_unsafe
            and classify(error) is Failure.AMBIGUOUS
        )

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


def _status_error(
    method: str, url: URL, status: int, headers: Mapping[str, str], body: bytes
) -> APIStatusError:
    parsed: Any = parse_error_body(body)
    if 300 <= status < 400:
        location = headers.get("Location", "")
        message = (
            f"{method} {url} answered {status} redirecting to {location!r}; redirects "
            "are not followed, so credentials never leave the API host. Check "
            "base_url: https rather than http, and the path of the API root "
            "(usually '/api')"
        )
    else:
        message = f"{method} {url} answered {status}"
        if body:
            message += f": {snippet(body)}"
    return status_error_class(status)(
        message,
        status=status,
        body=parsed,
        method=method,
        url=str(url),
        retry_after=parse_retry_after(headers.get("Retry-After")),
    )


def _reason(error: BaseException | None) -> str:
    """Return a short reason for a log line: no body text, so no customer data."""
    if isinstance(error, APIStatusError):
        return f"status {error.status}"
    if isinstance(error, APIConnectionError):
        kind = "timeout" if isinstance(error, APITimeoutError) else "connection error"
        return f"{kind}, {'after' if error.request_sent else 'before'} sending"
    return type(error).__name__
