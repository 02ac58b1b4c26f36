"""RetryPolicy and the decision table: may this failure be retried, and after how long.

Pure logic, no I/O. The transport asks :func:`classify` what kind of failure it saw and
:meth:`RetryPolicy.allows_retry` whether to try again; this file is the one place that
decides "retry or not", and it implements the table in ``shared/DESIGN.md`` (Retries):

=====================================  =================  ==========================
failure                                GET (idempotent)   POST schedule_call
=====================================  =================  ==========================
could not connect: nothing was sent    retry              retry
429, 503 (server refused, unprocessed) retry (Retry-After) retry (Retry-After)
500, 502, 504; timeout or disconnect   retry              DeliveryUnknownError
after the request was sent
other 4xx, decode errors               raise              raise
=====================================  =================  ==========================
"""

from __future__ import annotations

import enum
import math
import random

import attrs

from ._errors import (
    APIConnectionError,
    APIStatusError,
    InvalidInputError,
    RateLimitError,
    ServerError,
    ThuliumError,
)


class Failure(enum.Enum):
    """What a failed attempt tells us about whether the server acted on it."""

    NOT_SENT = "not sent"
    """Nothing reached the server: safe to send again, whatever the method."""
    REFUSED = "refused"
    """The server answered that it did not process the request (429, 503)."""
    AMBIGUOUS = "ambiguous"
    """The request may have been processed (timeout, disconnect, 500/502/504)."""
    DEFINITIVE = "definitive"
    """The answer is final: sending the same request again cannot help."""


def classify(error: ThuliumError) -> Failure:
    """Return what *error*, raised by one attempt, says about delivery."""
    if isinstance(error, APIConnectionError):
        return Failure.AMBIGUOUS if error.request_sent else Failure.NOT_SENT
    if isinstance(error, RateLimitError):
        return Failure.REFUSED
    if isinstance(error, ServerError):
        return Failure.REFUSED if error.status == 503 else Failure.AMBIGUOUS
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
    least the server's ``Retry-After``. No wait or attempt starts that would end past
    *deadline*; the last error is raised at once instead.

    Args:
        max_attempts: attempts in all, the first included; ``1`` means never retry.
        initial_delay: seconds; the upper bound of the first jittered wait.
        max_delay: seconds; the cap on the backoff (not on ``Retry-After``).
        deadline: seconds from the first attempt within which every retry must start.
        retry_unsafe: also retry a non-idempotent request (``schedule_call``) after an
            ambiguous failure. This can call a customer twice; leave it ``False`` unless
            a duplicate call is acceptable to you.
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
    retry_budget: int | None = attrs.field(default=500, validator=_optional_count)

    def allows_retry(self, failure: Failure, *, idempotent: bool) -> bool:
        """Return whether a failure of this kind may be retried, by method safety."""
        if failure is Failure.DEFINITIVE:
            return False
        if failure is Failure.AMBIGUOUS:
            return idempotent or self.retry_unsafe
        return True

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
