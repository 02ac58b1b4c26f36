"""The decision table: which failures are retried, for which methods, after how long."""

from __future__ import annotations

import random

import pytest

from thulium_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    DeliveryUnknownError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
    ResponseDecodeError,
    RetryPolicy,
    ServerError,
    UnprocessableEntityError,
)
from thulium_async._http.retry import Failure, classify


def status(cls, code, retry_after=None):
    return cls(
        "x", status=code, body="", method="GET", url="u", retry_after=retry_after
    )


def conn(cls=APIConnectionError, *, sent):
    return cls("x", method="POST", url="u", request_sent=sent)


CASES = [
    # (error, failure kind, retried for GET, retried for POST)
    (conn(sent=False), Failure.NOT_SENT, True, True),
    (conn(APITimeoutError, sent=False), Failure.NOT_SENT, True, True),
    (status(RateLimitError, 429), Failure.REFUSED, True, True),
    (status(ServerError, 503, retry_after=1.0), Failure.REFUSED, True, True),
    (status(ServerError, 503), Failure.BARE_503, True, False),
    (status(ServerError, 500), Failure.AMBIGUOUS, True, False),
    (status(ServerError, 502), Failure.AMBIGUOUS, True, False),
    (status(ServerError, 504), Failure.AMBIGUOUS, True, False),
    (conn(APITimeoutError, sent=True), Failure.AMBIGUOUS, True, False),
    (conn(sent=True), Failure.AMBIGUOUS, True, False),
    (status(BadRequestError, 400), Failure.DEFINITIVE, False, False),
    (status(AuthenticationError, 401), Failure.DEFINITIVE, False, False),
    (status(NotFoundError, 404), Failure.DEFINITIVE, False, False),
    (status(UnprocessableEntityError, 422), Failure.DEFINITIVE, False, False),
    (status(APIStatusError, 301), Failure.DEFINITIVE, False, False),
    (
        ResponseDecodeError("x", method="GET", url="u", body=""),
        Failure.DEFINITIVE,
        False,
        False,
    ),
    (
        DeliveryUnknownError("x", method="POST", url="u", status=None),
        Failure.DEFINITIVE,
        False,
        False,
    ),
]


@pytest.mark.parametrize(("error", "kind", "get", "post"), CASES)
def test_decision_table(error, kind, get, post):
    """Each failure is classified and retried exactly as DESIGN.md's table says."""
    policy = RetryPolicy()
    assert classify(error) is kind
    assert policy.allows_retry(kind, idempotent=True) is get
    assert policy.allows_retry(kind, idempotent=False) is post


def test_retry_unsafe_opts_post_into_retrying_ambiguous_failures():
    policy = RetryPolicy(retry_unsafe=True)
    assert policy.allows_retry(Failure.AMBIGUOUS, idempotent=False)
    assert not policy.allows_retry(Failure.DEFINITIVE, idempotent=False)


def test_backoff_is_full_jitter_under_an_exponential_cap():
    policy = RetryPolicy(initial_delay=0.5, max_delay=3.0)
    rng = random.Random(7)
    for attempt, cap in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (30, 3.0)]:
        waits = [policy.backoff(attempt, rng=rng) for _ in range(300)]
        assert all(0.0 <= w <= cap for w in waits)
        assert max(waits) > cap * 0.8  # the jitter spans the whole range


def test_backoff_survives_enormous_attempt_numbers():
    assert RetryPolicy(max_delay=2.0).backoff(10_000) <= 2.0


def test_retry_after_raises_the_wait_but_never_lowers_it():
    policy = RetryPolicy(initial_delay=0.001, max_delay=0.001)
    assert policy.wait_after(1, status(RateLimitError, 429, retry_after=7.0)) == 7.0
    big = RetryPolicy(initial_delay=100.0, max_delay=100.0)
    rng = random.Random(1)
    waits = [
        big.wait_after(1, status(RateLimitError, 429, retry_after=0.0), rng=rng)
        for _ in range(20)
    ]
    assert max(waits) > 1.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"max_attempts": True},
        {"max_attempts": 2.0},
        {"initial_delay": -1},
        {"max_delay": float("inf")},
        {"deadline": float("nan")},
        {"initial_delay": "1"},
    ],
)
def test_policy_rejects_nonsense_with_the_sdk_s_input_error(kwargs):
    name = next(iter(kwargs))
    with pytest.raises(InvalidInputError, match=name):
        RetryPolicy(**kwargs)


def test_policy_is_frozen():
    policy = RetryPolicy(max_attempts=1)
    with pytest.raises(AttributeError):
        policy.max_attempts = 3  # type: ignore[misc]
