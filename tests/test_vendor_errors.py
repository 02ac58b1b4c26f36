"""Thulium's documented error body, the language of its messages, and the base_url hint."""

from __future__ import annotations

import json

import pytest
from yarl import URL

from thulium_async import (
    APIStatusError,
    BadRequestError,
    ErrorDetail,
    InvalidInputError,
    NotFoundError,
    ThuliumClient,
)
from thulium_async._core.errors import vendor_error

from .conftest import BASE_URL

PASSWORD = "s3cret-Pa55"
SCHEDULE = URL(f"{BASE_URL}/queues/2/schedule_call")
VENDOR_BODY = {
    "request_id": "53678450401cf",
    "errors": [
        {"message": "Wrong format of phone number.", "code": 111111},
        {"message": "Queue is closed.", "code": 222222},
    ],
}


async def test_the_vendor_error_body_is_typed_and_shown(mock_http):
    mock_http.post(SCHEDULE, status=400, payload=VENDOR_BODY)
    async with ThuliumClient(BASE_URL, "api_user", PASSWORD) as client:
        with pytest.raises(BadRequestError) as info:
            await client.queues.schedule_call(2, "500333222")
    error = info.value
    assert error.request_id == "53678450401cf"
    assert error.errors == (
        ErrorDetail(code=111111, message="Wrong format of phone number."),
        ErrorDetail(code=222222, message="Queue is closed."),
    )
    assert error.body == VENDOR_BODY
    text = str(error)
    assert "Wrong format of phone number. (111111)" in text
    assert "Queue is closed." in text
    assert "53678450401cf" in text
    assert PASSWORD not in text


@pytest.mark.parametrize(
    "body",
    [
        {"error": "invalid credentials"},
        {"errors": "no list"},
        {"errors": []},
        {"errors": [{"code": 1}]},
        {"errors": [{"message": "m"}], "request_id": ["x"]},
        ["not", "an", "object"],
        "<html>502 Bad Gateway</html>",
        "",
    ],
)
def test_other_bodies_give_no_vendor_details(body):
    assert vendor_error(body) == (None, ())


def test_entries_without_a_code_keep_their_message():
    assert vendor_error(
        {"errors": [{"message": "m", "code": "12"}, {"message": "n"}]}
    ) == (
        None,
        (ErrorDetail(code=12, message="m"), ErrorDetail(code=None, message="n")),
    )


async def test_a_long_vendor_message_is_cut(mock_http):
    body = {"request_id": "r1", "errors": [{"message": "x" * 5000, "code": 1}]}
    mock_http.post(SCHEDULE, status=422, body=json.dumps(body))
    async with ThuliumClient(BASE_URL, "api_user", PASSWORD) as client:
        with pytest.raises(APIStatusError) as info:
            await client.queues.schedule_call(2, "500333222")
    assert len(str(info.value)) < 400
    assert "r1" in str(info.value)


@pytest.mark.parametrize("language", ["en", "pl"])
async def test_language_is_sent_as_accept_language(fake, language):
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, language=language
    ) as client:
        await client.queues.schedule_call(2, "500333222")
    assert fake.requests[-1].headers["Accept-Language"] == language


async def test_no_language_sends_no_accept_language(fake):
    async with ThuliumClient(fake.base_url, fake.username, fake.password) as client:
        await client.queues.waiting_list(2)
    assert "Accept-Language" not in fake.requests[-1].headers


@pytest.mark.parametrize("language", ["de", "EN", "", 1, "en-US"])
def test_other_languages_are_refused(language):
    with pytest.raises(InvalidInputError, match="language"):
        ThuliumClient(BASE_URL, "u", "p", language=language)


async def test_a_plain_404_on_a_base_url_without_api_says_to_check_it(fake):
    root = fake.base_url.removesuffix("/api")
    async with ThuliumClient(root, fake.username, fake.password) as client:
        with pytest.raises(NotFoundError, match="Check base_url") as info:
            await client.queues.waiting_list(2)
    assert "/api" in str(info.value)


async def test_a_vendor_404_on_the_api_root_gets_no_hint(mock_http):
    url = URL(f"{BASE_URL}/queues/7/waiting_list")
    body = {"request_id": "q", "errors": [{"message": "Queue not found", "code": 404}]}
    mock_http.get(url, status=404, payload=body)
    async with ThuliumClient(BASE_URL, "u", "p") as client:
        with pytest.raises(NotFoundError) as info:
            await client.queues.waiting_list(7)
    assert "Check base_url" not in str(info.value)
    assert "Queue not found" in str(info.value)
