"""FakeThulium refuses, in Thulium's error shape, what the document says is wrong (#28).

Sent raw through aiohttp (the SDK would refuse these before sending), so a user's test
that builds a request by hand, or through ``client.request``, catches a misspelt
parameter, a missing field or a wrong type the way the fake's users expect a 400.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from thulium_async._fake_requests import INVALID, MISSING, UNKNOWN, WRONG_PHONE
from thulium_async._http.wire import basic_auth_header
from thulium_async.testing import FakeThulium

from .test_contract import SAMPLES


@pytest_asyncio.fixture
async def served() -> AsyncIterator[tuple[FakeThulium, aiohttp.ClientSession]]:
    async with FakeThulium(samples=SAMPLES) as fake, aiohttp.ClientSession() as http:
        yield fake, http


async def send(
    served: tuple[FakeThulium, aiohttp.ClientSession],
    method: str,
    path: str,
    *,
    query: list[tuple[str, str]] | None = None,
    body: Any = None,
    raw: bytes | None = None,
) -> tuple[int, Any]:
    fake, http = served
    headers = {"Authorization": basic_auth_header(fake.username, fake.password)}
    data = raw if raw is not None else None if body is None else json.dumps(body)
    if data is not None:
        headers["Content-Type"] = "application/json"
    async with http.request(
        method, f"{fake.base_url}/{path}", params=query, data=data, headers=headers
    ) as answer:
        return answer.status, await answer.json(content_type=None)


def assert_refused(answer: tuple[int, Any], code: int, *words: str) -> None:
    """400, with Thulium's error body: a request id and one entry per problem."""
    status, body = answer
    assert status == 400, body
    assert set(body) == {"request_id", "errors"}
    assert isinstance(body["request_id"], str)
    assert body["request_id"]
    assert all(set(error) == {"message", "code"} for error in body["errors"])
    (error,) = [e for e in body["errors"] if e["code"] == code]
    for word in words:
        assert word in error["message"], error


@pytest.mark.parametrize(
    ("path", "query", "name"),
    [
        ("customers", [("phone_numbr", "500333222")], "phone_numbr"),
        ("tickets", [("statusid[]", "2")], "statusid[]"),
        ("connections", [("date_form", "2026-12-01")], "date_form"),
        ("queues/2/waiting_list", [("limit", "10")], "limit"),
    ],
)
async def test_a_misspelt_query_parameter_is_refused(served, path, query, name) -> None:
    assert_refused(await send(served, "GET", path, query=query), UNKNOWN, name)
    fake, _ = served
    (received,) = fake.requests
    assert received.query == {name: [value for _, value in query]}


@pytest.mark.parametrize(
    ("path", "body", "name"),
    [
        ("queues/2/schedule_call", {"call_at": "2026-12-01 10:00:00"}, "phone_number"),
        ("customers", {"name": "Jan"}, "surname"),
        ("tickets", {"to": "desk@example.com", "subject": "Hi"}, "body"),
        ("webhooks", {"actions": ["CUSTOMER_CREATED"]}, "subscription_url"),
        ("outbounds/00001/records", {"status_id": 2}, "phone_number"),
    ],
)
async def test_a_missing_required_body_field_is_refused(
    served, path, body, name
) -> None:
    assert_refused(await send(served, "POST", path, body=body), MISSING, name)
    fake, _ = served
    assert fake.scheduled == []
    assert fake.customers == {}
    assert fake.webhooks == []
    assert fake.campaigns["00001"] == []


async def test_a_missing_required_query_parameter_is_refused(served) -> None:
    assert_refused(
        await send(served, "DELETE", "batch/customers"), MISSING, "customer_id[]"
    )


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "name"),
    [
        ("GET", "customers", [("limit", "many")], None, "limit"),
        ("GET", "customers", [("company_id", "0")], None, "company_id"),
        ("GET", "customers", [("include_address", "yes")], None, "include_address"),
        ("GET", "tickets", [("status_id[]", "open")], None, "status_id[]"),
        ("GET", "connections", [("date_from", "yesterday")], None, "date_from"),
        ("GET", "queues/two/waiting_list", None, None, "queue_id"),
        ("POST", "customers", None, {"surname": 7}, "surname"),
        ("POST", "customers", None, {"surname": "K", "company_id": "7"}, "company_id"),
        (
            "POST",
            "queues/2/schedule_call",
            None,
            {"phone_number": "500333222", "call_at": "tomorrow"},
            "call_at",
        ),
        ("POST", "outbounds/00001/add_agents", None, {"logins": "jan"}, "logins"),
        (
            "POST",
            "agents/jkowalski/call",
            None,
            {"phone_number": "500333222", "customer_id": True},
            "customer_id",
        ),
    ],
)
async def test_a_wrong_typed_value_is_refused(
    served, method, path, query, body, name
) -> None:
    answer = await send(served, method, path, query=query, body=body)
    assert_refused(answer, INVALID, name)


async def test_an_unknown_body_field_is_refused(served) -> None:
    answer = await send(
        served, "POST", "customers", body={"surname": "K", "surnmae": "K"}
    )
    assert_refused(answer, UNKNOWN, "surnmae")


async def test_a_phone_number_of_the_wrong_shape_is_refused_in_the_vendor_words(
    served,
) -> None:
    answer = await send(
        served, "POST", "queues/2/schedule_call", body={"phone_number": "call me"}
    )
    assert_refused(answer, WRONG_PHONE, "Wrong format of phone number", "phone_number")


@pytest.mark.parametrize(
    ("raw", "words"),
    [(b"not json", "not JSON"), (b"[]", "must be an object"), (b"", "required")],
)
async def test_a_body_that_is_not_an_object_is_refused(served, raw, words) -> None:
    status, body = await send(served, "POST", "customers", raw=raw)
    assert status == 400
    assert words in body["errors"][0]["message"]


async def test_every_problem_is_named_at_once(served) -> None:
    status, body = await send(
        served,
        "GET",
        "customers",
        query=[("limit", "many"), ("colour", "red"), ("offset", "-1")],
    )
    assert status == 400
    assert {e["code"] for e in body["errors"]} == {UNKNOWN, INVALID}
    assert len(body["errors"]) == 3


async def test_a_body_sent_where_none_is_taken_is_refused(served) -> None:
    assert_refused(
        await send(served, "GET", "agents/jkowalski", body={"x": 1}), INVALID, "no body"
    )


async def test_a_well_formed_request_still_gets_its_answer(served) -> None:
    status, body = await send(
        served,
        "GET",
        "tickets",
        query=[("status_id[]", "2"), ("date_from", "2026-12-01 10:00"), ("limit", "5")],
    )
    assert status == 200
    assert set(body) == {"count", "result"}


@pytest.mark.parametrize(
    ("name", "method", "path"),
    [
        ("agents.groups", "GET", "agents_groups"),
        ("agents.pause", "POST", "agents/jkowalski/pause"),
        ("outbounds.list", "GET", "outbounds"),
    ],
)
async def test_an_undocumented_endpoint_accepts_what_it_is_given(
    served, name, method, path
) -> None:
    fake, _ = served
    fake.respond(name, {"done": True})
    answer = await send(
        served, method, path, query=[("anything", "goes")], body={"free": ["form"]}
    )
    assert answer == (200, {"done": True})
    (received,) = fake.requests_to(name)
    assert received.query == {"anything": ["goes"]}
