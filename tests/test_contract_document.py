"""SDK, fake and document agree, judged by a validator someone else wrote (#28).

Every contract row (``tests/test_contract.py``'s ``CALLS``) is sent by the SDK to
FakeThulium; each request the fake recorded is validated by openapi-core against the
OpenAPI document the SDK emits, and then sent again, raw, so that the fake's answer is
validated against the document too. A field the SDK sends that the document does not
declare, a type the two disagree on, or an answer whose shape the document does not
allow fails here, naming the endpoint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from thulium_async import ThuliumClient
from thulium_async._api.endpoints import JSON, Endpoint, PathKind
from thulium_async._api.openapi import openapi_document
from thulium_async._areas import ENDPOINTS
from thulium_async._http.wire import basic_auth_header
from thulium_async.testing import FakeThulium, ReceivedRequest

from .conftest import FAST_RETRY
from .test_contract import (
    CALLS,
    DOWNLOADS,
    GOOD,
    RECORDED_AT,
    SAMPLES,
    path_values,
)

HOST = "https://your-system-name.thulium.com"  # the document's server, its default
GOOD_ID = cast("int", GOOD[PathKind.ID])  # the id every contract row passes


@pytest.fixture(scope="module")
def spec() -> OpenAPI:
    return OpenAPI.from_dict(openapi_document(ENDPOINTS))


def _request(fake: FakeThulium, received: ReceivedRequest) -> MockRequest:
    headers = {
        **received.headers,
        "Authorization": basic_auth_header(fake.username, fake.password),
    }
    return MockRequest(
        HOST,
        received.method,
        received.path,
        args=received.query,
        headers=headers,
        data=received.body or None,
        content_type=received.headers.get("Content-Type", "application/json"),
    )


async def _send(client: ThuliumClient, endpoint: Endpoint, *values: object) -> None:
    result: Any = CALLS[endpoint.name](client, *values)
    await result  # a coroutine, or the first Page of a list


def _streamed(endpoint: Endpoint) -> bool:
    """Whether the SDK sends or reads *endpoint*'s body as a stream (a file)."""
    return endpoint.body_type != JSON or endpoint.answer_type != JSON


async def record_raw(
    session: aiohttp.ClientSession,
    fake: FakeThulium,
    received: ReceivedRequest,
    answers: list[tuple[int, str, bytes]],
) -> None:
    """Send *received* again as it was, and record the fake's answer."""
    root = fake.base_url.removesuffix("/").removesuffix("/api")
    async with session.request(
        received.method,
        root + received.path,
        params=[(k, v) for k, values in received.query.items() for v in values],
        data=received.body,
        headers={
            **received.headers,
            "Authorization": basic_auth_header(fake.username, fake.password),
        },
    ) as response:
        answers.append((response.status, response.content_type, await response.read()))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
async def test_the_sdk_request_and_the_fake_answer_fit_the_document(
    spec: OpenAPI, endpoint: Endpoint, tmp_path: Path
) -> None:
    """What the SDK sends validates against the document; so does what the fake answers."""
    DOWNLOADS[:] = [tmp_path]
    answers: list[tuple[int, str, bytes]] = []

    async def record(
        request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        response = await handler(request)
        if not _streamed(endpoint):
            body = await response.read()  # kept by the response: the SDK reads again
            answers.append((response.status, response.content_type, body))
        return response

    async with (
        FakeThulium(samples=SAMPLES) as fake,
        aiohttp.ClientSession(middlewares=(record,)) as session,
        ThuliumClient(
            fake.base_url,
            fake.username,
            fake.password,
            retry=FAST_RETRY,
            session=session,
        ) as client,
    ):
        if endpoint.name == "customers.delete":  # a write that needs a record
            fake.add_customer("Kowalski", customer_id=GOOD_ID)
        fake.add_recording(at=RECORDED_AT)  # the files the contract rows download
        await _send(client, endpoint, *path_values(endpoint))
        (received,) = fake.requests_to(endpoint.name)
        if _streamed(endpoint):
            # The SDK reads a file (or an upload's answer) from the stream, which the
            # middleware must leave alone: the request is sent again, raw.
            async with aiohttp.ClientSession() as raw:
                await record_raw(raw, fake, received, answers)
    request = _request(fake, received)
    spec.validate_request(request)
    ((status, content_type, body),) = answers
    assert status < 400, (status, body)
    spec.validate_response(
        request,
        MockResponse(
            body, status_code=status, content_type=content_type if body else ""
        ),
    )


async def test_a_request_the_document_refuses_is_refused_by_openapi_core(
    spec: OpenAPI,
) -> None:
    """The check above has teeth: a misspelt query parameter type fails validation."""
    from openapi_core.validation.request.exceptions import RequestValidationError

    request = MockRequest(
        HOST,
        "GET",
        "/api/customers",
        args={"limit": ["many"]},
        headers={"Authorization": basic_auth_header("u", "p")},
    )
    with pytest.raises(RequestValidationError):
        spec.validate_request(request)
