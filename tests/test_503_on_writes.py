"""A 503 is a refusal only when it shows one; a bare 503 on a write may have acted.

Envoy answers a bare 503 when the upstream connection resets after the request was
sent, so Thulium may have scheduled the call. A write is resent after a 503 only when
the answer shows a refusal before processing: ``Retry-After``, or Thulium's own error
body. Any other 503 on a write is ``DeliveryUnknownError``; reads retry every 503;
``RetryPolicy(retry_bare_503_on_writes=True)`` opts back in. And an unknown after an
answer in Thulium's error shape carries the vendor's message and ``request_id``.
"""

from __future__ import annotations

import pytest
from aiohttp import web

from thulium_async import (
    APIStatusError,
    DeliveryUnknownError,
    ErrorDetail,
    RetryPolicy,
    ServerError,
    ThuliumClient,
)
from thulium_async._http.retry import Failure, RetryBudget, classify, decide
from thulium_async.testing import FakeThulium, Fault

from .conftest import FAST_RETRY
from .test_faults import serve

NUMBER = "500333222"


def bound(fake: FakeThulium, retry: RetryPolicy = FAST_RETRY) -> ThuliumClient:
    return ThuliumClient(fake.base_url, fake.username, fake.password, retry=retry)


@pytest.mark.parametrize(
    "fault",
    [
        Fault.processed_then_bare_503(),
        Fault.status_response(503, body=""),
        Fault.html_error_page(503),
    ],
    ids=["processed-then-bare", "bare-unprocessed", "proxy-page"],
)
async def test_a_bare_503_on_a_write_is_unknown_and_never_resent(fake, fault):
    async with bound(fake) as client:
        fake.fail_next("schedule_call", fault)
        with pytest.raises(DeliveryUnknownError) as info:
            await client.queues.schedule_call(2, NUMBER)
    assert len(fake.requests_to("schedule_call")) == 1
    assert len(fake.calls_to(NUMBER)) == (1 if fault.processed else 0)
    error = info.value
    assert error.status == 503
    assert error.attempts == 1
    assert "without Retry-After or Thulium's error body" in str(error)


@pytest.mark.parametrize(
    "fault",
    [
        Fault.status_response(503),  # Thulium's own error body: the app refused
        Fault.status_response(503, body="", headers={"Retry-After": "0"}),
        Fault.status_response(503, headers={"Retry-After": "0"}),
    ],
    ids=["thulium-body", "retry-after", "both"],
)
async def test_a_503_that_shows_a_refusal_is_resent_for_a_write(fake, fault):
    async with bound(fake) as client:
        fake.fail_next("schedule_call", fault)
        await client.queues.schedule_call(2, NUMBER)
    assert len(fake.requests_to("schedule_call")) == 2
    assert len(fake.calls_to(NUMBER)) == 1


async def test_the_fakes_refusals_answer_in_thuliums_error_shape(fake):
    async with bound(fake, RetryPolicy(max_attempts=1)) as client:
        fake.fail_next("schedule_call", Fault.status_response(503))
        with pytest.raises(ServerError) as info:
            await client.queues.schedule_call(2, NUMBER)
    assert info.value.request_id
    assert info.value.errors[0].message == "Service Unavailable"


@pytest.mark.parametrize(
    "fault",
    [Fault.processed_then_bare_503(), Fault.status_response(503, body="")],
    ids=["processed-then-bare", "bare-unprocessed"],
)
async def test_reads_retry_every_503(fake, fault):
    async with bound(fake) as client:
        fake.fail_next("waiting_list", fault)
        assert await client.queues.waiting_list(2) == []
    assert len(fake.requests_to("waiting_list")) == 2


async def test_the_opt_in_resends_a_write_after_a_bare_503(fake):
    policy = RetryPolicy(
        max_attempts=3,
        initial_delay=0.001,
        max_delay=0.002,
        retry_bare_503_on_writes=True,
    )
    async with bound(fake, policy) as client:
        fake.fail_next("schedule_call", Fault.status_response(503, body=""))
        await client.queues.schedule_call(2, NUMBER)
        assert len(fake.calls_to(NUMBER)) == 1
        # Every attempt refused: the last 503 is the answer, not "unknown".
        fake.fail_next("schedule_call", *[Fault.status_response(503, body="")] * 3)
        with pytest.raises(ServerError) as info:
            await client.queues.schedule_call(2, "500333223")
    error: object = info.value
    assert not isinstance(error, DeliveryUnknownError)
    assert info.value.attempts == 3
    assert len(fake.requests_to("schedule_call")) == 5


def test_the_opt_in_is_off_by_default_and_checked_with_the_policy():
    assert RetryPolicy().retry_bare_503_on_writes is False
    policy = RetryPolicy(retry_bare_503_on_writes=True)
    assert policy.allows_retry(Failure.BARE_503, idempotent=False)
    assert not policy.allows_retry(Failure.AMBIGUOUS, idempotent=False)
    assert RetryPolicy().allows_retry(Failure.BARE_503, idempotent=True)
    assert not RetryPolicy().allows_retry(Failure.BARE_503, idempotent=False)


def _server_error(status=503, *, body="", retry_after=None, errors=None):
    return ServerError(
        "x",
        status=status,
        body=body,
        method="POST",
        url="u",
        retry_after=retry_after,
        request_id="abc" if errors else None,
        errors=tuple(ErrorDetail(code=None, message=m) for m in errors or ()),
    )


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (_server_error(), Failure.BARE_503),
        (_server_error(body="<html>503</html>"), Failure.BARE_503),
        (_server_error(retry_after=0.0), Failure.REFUSED),
        (_server_error(errors=["busy"]), Failure.REFUSED),
        (_server_error(500, errors=["boom"]), Failure.AMBIGUOUS),
    ],
)
def test_what_a_503_shows_decides_its_kind(error, kind):
    assert classify(error) is kind


def test_a_bare_503_on_a_read_costs_a_refusals_budget_not_a_timeouts():
    budget = RetryBudget(100)
    verdict = decide(
        _server_error(),
        policy=RetryPolicy(initial_delay=0, max_delay=0),
        budget=budget,
        attempts=1,
        elapsed=0.0,
        idempotent=True,
        ambiguous_before=False,
        method="GET",
        url="u",
        side_effect="x",
    )
    assert verdict.error is None
    assert budget.available == 100 - RetryBudget.RETRY_COST


async def test_an_unknown_after_thuliums_error_body_carries_its_message_and_request_id():
    async def handler(request: web.Request) -> web.StreamResponse:
        await request.read()
        body = {
            "request_id": "53678450401cf",
            "errors": [{"message": "Internal error, try later.", "code": 500001}],
        }
        return web.json_response(body, status=500)

    app = web.Application()
    app.router.add_route("POST", "/api/{tail:.*}", handler)
    async with serve(app) as base, ThuliumClient(base, "u", "p") as client:
        with pytest.raises(DeliveryUnknownError) as info:
            await client.request("POST", "tickets", json={"title": "x"})
    text = str(info.value)
    assert "Internal error, try later. (500001)" in text
    assert "request_id 53678450401cf" in text
    assert "status 500" in text
    cause = info.value.__cause__
    assert isinstance(cause, APIStatusError)
    assert cause.request_id == "53678450401cf"
