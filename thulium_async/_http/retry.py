"""RetryPolicy and the one decision of what follows a failed attempt.

Pure logic, no I/O. After each failed attempt the transport calls :func:`decide`, which
weighs everything in one place (what the failure says about delivery, the method's
idempotency, attempts left, the backoff and ``Retry-After``, the deadline and, last, the
client's retry budget) and returns either a wait before the next attempt or the error to
raise, ``DeliveryUnknownError`` included. The table it implements:

=======================================  ==================  ==========================
failure                                  GET (idempotent)    POST (not idempotent)
=======================================  ==================  ==========================
could not connect: nothing was sent      retry               retry
failed while the request was written     retry               retry
429; 503 with ``Retry-After`` or         retry (Retry-After) retry (Retry-After)
Thulium's error body (refused)
any other 503 (a proxy's page, empty)    retry               DeliveryUnknownError
500, 502, 504; timeout or disconnect     retry               DeliveryUnknownError
after the whole request was sent
other 4xx, decode errors                 raise               raise
=======================================  ==================  ==========================

A bare 503 is not proof of a refusal: Envoy answers one when the upstream connection
resets after the request was sent, so the request may have been processed. Only
``Retry-After`` or Thulium's own error body (the application answered, and refused)
makes a 503 safe to resend. The price: a proxy's own bare 503 (nginx ``limit_req``) on
a write becomes ``DeliveryUnknownError``, which ``reconcile`` settles;
``RetryPolicy(retry_bare_503_on_writes=True)`` resends them instead.
"""

from __future__ import annotations

import enum
import math
import random

import attrs

from .._core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    DeliveryUnknownError,
    InvalidInputError,
    RateLimitError,
    ServerError,
    ThuliumError,
    snippet,
)


class Failure(enum.Enum):
    """What a failed attempt tells us about whether the server acted on it."""

    NOT_SENT = "not sent"
    """Nothing reached the server: safe to send again, whatever the method."""
    REFUSED = "refused"
    """The server answered that it did not process the request (429; a 503 with
    ``Retry-After`` or Thulium's error body)."""
    BARE_503 = "bare 503"
    """A 503 that shows no refusal: a proxy's own, or one after the upstream acted."""
    AMBIGUOUS = "ambiguous"
    """The request may have been processed (timeout, disconnect, 500/502/504)."""
    DEFINITIVE = "definitive"
    """The answer is final: sending the same request again cannot help."""


def classify(error: ThuliumError) -> Failure:
    """Return what *error*, raised by one attempt, says about delivery."""
    if isinstance(error, InvalidInputError):  # a URL aiohttp refused: sent nowhere
        return Failure.DEFINITIVE
    if isinstance(error, APIConnectionError):
        return Failure.AMBIGUOUS if error.request_sent else Failure.NOT_SENT
    if isinstance(error, RateLimitError):
        return Failure.REFUSED
    if isinstance(error, ServerError):
        if error.status != 503:
            return Failure.AMBIGUOUS
        if error.retry_after is not None or error.errors:
            return Failure.REFUSED
        return Failure.BARE_503
    return Failure.DEFINITIVE


def _positive_finite(
    _: object, attribute: attrs.Attribute[float], value: object
) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError(
            f"{attribute.name} must be a number of seconds, got {value!r}"
        )
    if not (math.isfinite(value) and value >= 0):
        raise InvalidInputError(
            f"{attribute.name} must be >= 0 and finite, got {value!r}"
        )


def _attempt_count(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"{attribute.name} must be an int >= 1, got {value!r}")


def _optional_count(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or value < 0
    ):
        raise InvalidInputError(
            f"{attribute.name} must be None or an int >= 0, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How the SDK retries failed requests; immutable, so one policy serves many clients.

    Waits are exponential with full jitter: before attempt *n* + 1 the SDK sleeps a
    random time between 0 and ``min(max_delay, initial_delay * 2 ** (n - 1))``, or at
    least the server's ``Retry-After``. No retry starts after *deadline*: a wait that
    would end past it is not begun, and the last error is raised at once instead. (An
    attempt that has started runs to its own ``timeout``.)

    Args:
        max_attempts: attempts in all, the first included; ``1`` means never retry.
        initial_delay: seconds; the upper bound of the first jittered wait.
        max_delay: seconds; the cap on the backoff (not on ``Retry-After``).
        deadline: seconds from the start of the first attempt within which every
            retry must start.
        retry_unsafe: also retry a non-idempotent request (``schedule_call``) after an
            ambiguous failure. This can call a customer twice; leave it ``False`` unless
            a duplicate call is acceptable to you.
        retry_bare_503_on_writes: also retry a non-idempotent request after a 503
            without ``Retry-After`` or Thulium's error body, treating it as a refusal.
            Only for a path on which no proxy answers 503 after the request reached
            Thulium (Envoy does, after an upstream reset); otherwise it can act
            twice. Off, such a 503 on a write is ``DeliveryUnknownError``.
        retry_budget: tokens of the client-wide retry allowance (a retry costs 5, one
            after a timeout or disconnect 10, a success gives 1 back); when it is
            spent, failures are raised at once. ``None`` disables the budget.

    Raises:
        InvalidInputError: a field is out of range or of the wrong type.
    """

    max_attempts: int = attrs.field(default=4, validator=_attempt_count)
    initial_delay: float = attrs.field(default=0.5, validator=_positive_finite)
    max_delay: float = attrs.field(default=30.0, validator=_positive_finite)
    deadline: float = attrs.field(default=60.0, validator=_positive_finite)
    retry_unsafe: bool = False
    retry_bare_503_on_writes: bool = False
    retry_budget: int | None = attrs.field(default=500, validator=_optional_count)

    def allows_retry(self, failure: Failure, *, idempotent: bool) -> bool:
        """Return whether a failure of this kind may be retried, by method safety."""
        if failure is Failure.DEFINITIVE:
            return False
        if failure is Failure.AMBIGUOUS:
            return idempotent or self.retry_unsafe
        if failure is Failure.BARE_503:
            return idempotent or self.retry_bare_503_on_writes or self.retry_unsafe
        return True

    def may_be_processed(self, failure: Failure) -> bool:
        """Return whether a write that failed so may have been processed."""
        if failure is Failure.BARE_503:
            return not self.retry_bare_503_on_writes
        return failure is Failure.AMBIGUOUS

    def backoff(self, attempt: int, *, rng: random.Random | None = None) -> float:
        """Return a full-jitter wait, in seconds, after failed attempt number *attempt*."""
        ceiling = min(self.max_delay, self.initial_delay * 2.0 ** min(attempt - 1, 64))
        return (rng or _RNG).uniform(0.0, ceiling)

    def wait_after(
        self, attempt: int, error: ThuliumError, *, rng: random.Random | None = None
    ) -> float:
        """Return the wait after *error*: the backoff, raised to any ``Retry-After``."""
        wait = self.backoff(attempt, rng=rng)
        if isinstance(error, APIStatusError) and error.retry_after is not None:
            wait = max(wait, error.retry_after)
        return wait


_RNG = random.Random()  # noqa: S311 -- jitter, not cryptography


class RetryBudget:
    """A client-wide allowance of retries, so an outage cannot become a retry storm.

    Each retry spends tokens (a timeout or dropped connection more than a refusal);
    each success puts one back. When the budget is spent, failures are raised at once
    until successes refill it. botocore's retry quota is the model (500 tokens, 5 per
    retry, 10 per timeout, 1 back per success).
    """

    RETRY_COST = 5
    TIMEOUT_COST = 10

    def __init__(self, capacity: int | None) -> None:
        self.capacity = capacity
        self.available = capacity or 0
        self.exhausted_count = 0

    def try_spend(self, failure: Failure) -> bool:
        """Take the cost of retrying after *failure*; return False if it is not there."""
        if self.capacity is None:
            return True
        cost = self.TIMEOUT_COST if failure is Failure.AMBIGUOUS else self.RETRY_COST
        if self.available < cost:
            self.exhausted_count += 1
            return False
        self.available -= cost
        return True

    def refill(self) -> None:
        """Give one token back after a success."""
        if self.capacity is not None and self.available < self.capacity:
            self.available += 1


@attrs.frozen
class Verdict:
    """What follows a failed attempt: a wait before the next one, or the error to raise.

    Attributes:
        error: the error for the caller when no retry follows; ``None`` to retry.
        wait: seconds to sleep before the next attempt (when *error* is ``None``).
        ambiguous: whether any attempt so far may have been processed.
        budget_refused: the retry was refused only because the budget was spent.
    """

    error: ThuliumError | None
    wait: float = 0.0
    ambiguous: bool = False
    budget_refused: bool = False


def decide(
    error: ThuliumError,
    *,
    policy: RetryPolicy,
    budget: RetryBudget,
    attempts: int,
    elapsed: float,
    idempotent: bool,
    ambiguous_before: bool,
    method: str,
    url: str,
    side_effect: str,
) -> Verdict:
    """Return what follows *error*, the failure of attempt number *attempts*.

    The checks run in this order, and the retry budget comes last, so that it is only
    charged for a retry that really follows: may this failure be retried for this
    method at all; are attempts left; does the wait (backoff raised to ``Retry-After``)
    end within the deadline (*elapsed* seconds since the first attempt started); is
    there budget. A request that is not idempotent and may have been processed by any
    attempt ends in :class:`DeliveryUnknownError`, whose message names *side_effect*,
    what a repeat would do.
    """
    failure = classify(error)
    ambiguous = ambiguous_before or policy.may_be_processed(failure)
    error.attempts = attempts
    if policy.allows_retry(failure, idempotent=idempotent) and (
        attempts < policy.max_attempts
    ):
        wait = policy.wait_after(attempts, error)
        if elapsed + wait <= policy.deadline:
            if budget.try_spend(failure):
                return Verdict(None, wait, ambiguous)
            return Verdict(
                _final(error, ambiguous, idempotent, method, url, side_effect),
                ambiguous=ambiguous,
                budget_refused=True,
            )
    return Verdict(
        _final(error, ambiguous, idempotent, method, url, side_effect),
        ambiguous=ambiguous,
    )


def _final(
    error: ThuliumError,
    ambiguous: bool,
    idempotent: bool,
    method: str,
    url: str,
    side_effect: str,
) -> ThuliumError:
    """Return the error the caller sees once no retry follows *error*."""
    if idempotent or not ambiguous:
        return error
    unknown = DeliveryUnknownError(
        f"{method} {url} may or may not have been processed ({reason(error)}"
        f"{_BARE_503 if classify(error) is Failure.BARE_503 else _vendor_said(error)}"
        "); it "
        f"was not sent again, because a repeat could {side_effect}. Check in Thulium "
        "before sending it again.",
        method=method,
        url=url,
        status=getattr(error, "status", None),
    )
    unknown.attempts = error.attempts
    unknown.__cause__ = error
    unknown.__suppress_context__ = True
    return unknown


_BARE_503 = (
    " without Retry-After or Thulium's error body: a proxy can answer so after "
    "Thulium acted"
)


def _vendor_said(error: ThuliumError) -> str:
    """Return what Thulium's error body said, for the message: its messages, request_id.

    Only when the body is Thulium's documented error shape; anything else (a proxy's
    page) stays out, as in :class:`APIStatusError`'s own message.
    """
    if not isinstance(error, APIStatusError) or not error.errors:
        return ""
    said = "; ".join(
        detail.message if detail.code is None else f"{detail.message} ({detail.code})"
        for detail in error.errors
    )
    text = f": {snippet(said)}"
    if error.request_id is not None:
        text += f" [request_id {error.request_id}]"
    return text


def reason(error: BaseException | None) -> str:
    """Return a short reason for a log line: no body text, so no customer data."""
    if isinstance(error, APIStatusError):
        return f"status {error.status}"
    if isinstance(error, APIConnectionError):
        kind = "timeout" if isinstance(error, APITimeoutError) else "connection error"
        return f"{kind}, {'after' if error.request_sent else 'before'} sending"
    return type(error).__name__
