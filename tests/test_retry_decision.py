"""decide(): the one place that chooses what follows a failed attempt.

The retry budget is checked last, so it is charged only for retries that really
follow; the deadline bounds when a retry may start; the final error, the
DeliveryUnknownError included, is built here with the request's own side effect.
"""

from __future__ import annotations

import pytest
from yarl import URL

from thulium_async import (
    APIConnectionError,
    BadRequestError,
    DeliveryUnknownError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    ThuliumClient,
)
from thulium_async._http.retry import RetryBudget, decide
from thulium_async.testing import VirtualClock

from .conftest import BASE_URL

WAITING = URL(f"{BASE_URL}/queues/2/waiting_list")
SCHEDULE = URL(f"{BASE_URL}/queues/2/schedule_call")


def status(cls, code, retry_after=None):
    return cls(
        "x", status=code, body="", method="GET", url="u", retry_after=retry_after
    )


def judge(
    error, *, policy, budget, attempts=1, elapsed=0.0, idempotent=True, before=False
):
    return decide(
        error,
        policy=policy,
        budget=budget,
        attempts=attempts,
        elapsed=elapsed,
        idempotent=idempotent,
        ambiguous_before=before,
        method="POST",
        url="https://acme.thulium.com/api/things",
        side_effect="open a duplicate ticket",
    )


def test_no_budget_is_spent_when_no_attempt_is_left():
    policy = RetryPolicy(max_attempts=2, initial_delay=0, max_delay=0, retry_budget=100)
    budget = RetryBudget(100)
    first = judge(status(ServerError, 502), policy=policy, budget=budget)
    assert first.error is None
    assert budget.available == 90
    last = judge(status(ServerError, 502), policy=policy, budget=budget, attempts=2)
    assert last.error is not None
    assert budget.available == 90  # the retry that never happens costs nothing


def test_no_budget_is_spent_for_a_wait_past_the_deadline():
    policy = RetryPolicy(deadline=5.0, retry_budget=100)
    budget = RetryBudget(100)
    verdict = judge(
        status(RateLimitError, 429, retry_after=30.0), policy=policy, budget=budget
    )
    assert isinstance(verdict.error, RateLimitError)
    assert budget.available == 100


def test_deadline_bounds_when_a_retry_may_start():
    policy = RetryPolicy(initial_delay=0, max_delay=0, deadline=10.0)
    error = status(ServerError, 503, retry_after=2.0)
    assert (
        judge(error, policy=policy, budget=RetryBudget(None), elapsed=7.9).error is None
    )
    late = judge(error, policy=policy, budget=RetryBudget(None), elapsed=8.1)
    assert late.error is error


def test_a_spent_budget_is_checked_last_and_reported():
    policy = RetryPolicy(initial_delay=0, max_delay=0)
    verdict = judge(status(ServerError, 503), policy=policy, budget=RetryBudget(4))
    assert verdict.budget_refused
    assert verdict.error is not None


def test_the_unknown_error_names_the_requests_own_side_effect():
    policy = RetryPolicy()
    error = APIConnectionError("lost", method="POST", url="u", request_sent=True)
    verdict = judge(error, policy=policy, budget=RetryBudget(None), idempotent=False)
    assert isinstance(verdict.error, DeliveryUnknownError)
    assert "open a duplicate ticket" in str(verdict.error)
    assert verdict.error.__cause__ is error


def test_a_definitive_answer_after_an_ambiguous_attempt_is_still_unknown():
    policy = RetryPolicy(retry_unsafe=True)
    verdict = judge(
        status(BadRequestError, 400),
        policy=policy,
        budget=RetryBudget(None),
        idempotent=False,
        attempts=2,
        before=True,
    )
    assert isinstance(verdict.error, DeliveryUnknownError)


async def test_after_two_502s_the_budget_still_affords_the_retries_it_should(mock_http):
    """Reproduces the review's bug: with max_attempts=2, two 502s used to spend two
    retries' worth of tokens (20) for the one retry made (10)."""
    policy = RetryPolicy(max_attempts=2, initial_delay=0, max_delay=0, retry_budget=30)
    clock = VirtualClock()
    async with ThuliumClient(BASE_URL, "u", "p", retry=policy, clock=clock) as client:
        mock_http.get(WAITING, status=502, repeat=2)
        with pytest.raises(ServerError):
            await client.queues.waiting_list(2)
        assert (client.stats.retries, client.stats.retries_refused) == (1, 0)
        mock_http.get(WAITING, status=502, repeat=2)
        with pytest.raises(ServerError):
            await client.queues.waiting_list(2)
        # 10 tokens left: one more retry is still affordable.
        mock_http.get(WAITING, status=502)
        mock_http.get(WAITING, status=200, payload=[])
        assert await client.queues.waiting_list(2) == []
        assert client.stats.retries_refused == 0


async def test_a_429_past_the_deadline_spends_no_budget(mock_http):
    policy = RetryPolicy(deadline=5.0, retry_budget=10)
    clock = VirtualClock()
    async with ThuliumClient(BASE_URL, "u", "p", retry=policy, clock=clock) as client:
        mock_http.post(SCHEDULE, status=429, headers={"Retry-After": "60"})
        with pytest.raises(RateLimitError):
            await client.queues.schedule_call(2, "500333222")
        assert (client.stats.retries, client.stats.retries_refused) == (0, 0)
        clock.advance(61)  # past the client-wide pause the 429 asked for
        refused = {"request_id": "1", "errors": [{"message": "busy"}]}  # Thulium's
        mock_http.post(SCHEDULE, status=503, payload=refused)
        mock_http.post(SCHEDULE, status=200, body=b"")
        await client.queues.schedule_call(2, "500333222")  # the budget still pays
        assert client.stats.retries == 1
