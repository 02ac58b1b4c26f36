"""client.request: any API path through the same transport; ThuliumClient.from_env."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime

import pytest
from aiohttp import web

from thulium_async import (
    DeliveryUnknownError,
    InvalidInputError,
    NotFoundError,
    ResponseDecodeError,
    ThuliumClient,
)

from .conftest import FAST_RETRY
from .test_faults import serve


@pytest.fixture
async def echo():
    """A server that records requests and answers what each test sets."""
    seen: list[dict[str, object]] = []
    answers: list[web.Response] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        seen.append(
            {
                "method": request.method,
                "path": request.path,
                "query": list(request.query.items()),
                "body": body,
                "headers": dict(request.headers),
            }
        )
        if answers:
            return answers.pop(0)
        return web.json_response({"ok": True, "path": request.path})

    app = web.Application()
    app.router.add_route("*", "/api/{tail:.*}", handler)
    async with serve(app) as base:
        yield base, seen, answers


async def test_get_returns_the_decoded_json(echo):
    base, seen, _ = echo
    async with ThuliumClient(base, "u", "p") as client:
        answer = await client.request("get", "agents/jkowalski/status")
    assert answer == {"ok": True, "path": "/api/agents/jkowalski/status"}
    assert seen[0]["method"] == "GET"
    assert str(seen[0]["headers"]["Authorization"]).startswith("Basic ")


async def test_params_and_json_are_encoded(echo):
    base, seen, _ = echo
    async with ThuliumClient(base, "u", "p") as client:
        await client.request(
            "POST",
            "/agents/jkowalski/pause",
            params={
                "tags[]": ["a", "b"],
                "include_tags": True,
                "date_from": date(2026, 11, 1),
                "at": datetime(2026, 11, 23, 9, 30),
                "limit": 100,
                "skip": None,
            },
            json={"pause_id": 2, "note": "Łódź"},
        )
    request = seen[0]
    assert request["path"] == "/api/agents/jkowalski/pause"
    assert request["query"] == [
        ("tags[]", "a"),
        ("tags[]", "b"),
        ("include_tags", "true"),
        ("date_from", "2026-11-01"),
        ("at", "2026-11-23 09:30:00"),
        ("limit", "100"),
    ]
    assert json.loads(request["body"]) == {"pause_id": 2, "note": "Łódź"}


async def test_an_empty_answer_is_none(echo):
    base, _, answers = echo
    answers.append(web.Response(status=204))
    async with ThuliumClient(base, "u", "p") as client:
        assert await client.request("DELETE", "customers/13") is None


async def test_a_post_is_not_resent_after_an_ambiguous_failure(echo):
    base, seen, answers = echo
    answers.append(web.Response(status=502, text="bad gateway"))
    async with ThuliumClient(base, "u", "p", retry=FAST_RETRY) as client:
        with pytest.raises(DeliveryUnknownError, match="act twice"):
            await client.request(
                "POST", "agents/jkowalski/call", json={"phone_number": "1"}
            )
    assert len(seen) == 1


async def test_a_get_is_retried_after_an_ambiguous_failure(echo):
    base, seen, answers = echo
    answers.append(web.Response(status=502, text="bad gateway"))
    async with ThuliumClient(base, "u", "p", retry=FAST_RETRY) as client:
        assert await client.request("GET", "agents") == {
            "ok": True,
            "path": "/api/agents",
        }
    assert len(seen) == 2


async def test_idempotent_can_be_overridden(echo):
    base, seen, answers = echo
    answers.append(web.Response(status=502, text="bad gateway"))
    async with ThuliumClient(base, "u", "p", retry=FAST_RETRY) as client:
        await client.request("POST", "search", json={}, idempotent=True)
    assert len(seen) == 2


async def test_errors_are_the_typed_ones(echo):
    base, _, answers = echo
    answers.append(
        web.json_response(
            {"request_id": "r9", "errors": [{"message": "Agent not found", "code": 7}]},
            status=404,
        )
    )
    answers.append(web.Response(text="not json", content_type="text/plain"))
    async with ThuliumClient(base, "u", "p") as client:
        with pytest.raises(NotFoundError) as info:
            await client.request("GET", "agents/nobody")
        assert info.value.request_id == "r9"
        with pytest.raises(ResponseDecodeError):
            await client.request("GET", "agents")


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/",
        "https://evil.example.com/api/agents",
        "//evil.example.com/agents",
        "agents/../../admin",
        "agents/./x",
        "agents?x=1",
        "agents#x",
        "agents\\x",
        "agents/%2e%2e/x",
        "agents/a b",
        "agents/\n",
        None,
        5,
    ],
)
async def test_bad_paths_are_refused_before_sending(echo, path):
    base, seen, _ = echo
    async with ThuliumClient(base, "u", "p") as client:
        with pytest.raises(InvalidInputError):
            await client.request("GET", path)
    assert not seen


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "FETCH"},
        {"method": 1},
        {"params": ["not", "a", "mapping"]},
        {"params": {"x": object()}},
        {"params": {"x": float("nan")}},
        {"params": {"": "x"}},
        {"json": {"when": datetime(2026, 1, 1)}},
        {"json": float("inf")},
        {"idempotent": "yes"},
    ],
)
async def test_bad_arguments_are_refused_before_sending(echo, kwargs):
    base, seen, _ = echo
    arguments = {"method": "GET", "path": "agents", **kwargs}
    async with ThuliumClient(base, "u", "p") as client:
        with pytest.raises(InvalidInputError):
            await client.request(**arguments)
    assert not seen


async def test_a_view_from_with_options_sends_through_its_own_settings(echo):
    base, seen, _ = echo
    async with ThuliumClient(base, "u", "p") as client:
        view = client.with_options(timeout=5.0)
        await view.request("GET", "agents")
    assert len(seen) == 1


def test_from_env_reads_the_clis_variables(monkeypatch):
    monkeypatch.setenv("THULIUM_BASE_URL", "https://acme.thulium.com/api")
    monkeypatch.setenv("THULIUM_USERNAME", "api_user")
    monkeypatch.setenv("THULIUM_PASSWORD", "s3cret")
    monkeypatch.setenv("THULIUM_TIMEZONE", "Europe/London")
    client = ThuliumClient.from_env(timeout=5.0)
    assert client.base_url == "https://acme.thulium.com/api/"
    assert str(client.timezone) == "Europe/London"
    assert client.timeout == 5.0
    assert "s3cret" not in repr(client)


def test_from_env_names_every_missing_variable(monkeypatch):
    for name in ("THULIUM_BASE_URL", "THULIUM_USERNAME", "THULIUM_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("THULIUM_USERNAME", "api_user")
    with pytest.raises(InvalidInputError) as info:
        ThuliumClient.from_env()
    assert "THULIUM_BASE_URL, THULIUM_PASSWORD" in str(info.value)


async def test_every_attempt_is_logged_at_debug_without_secrets(fake, caplog):
    caplog.set_level(logging.DEBUG, logger="thulium_async")
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, retry=FAST_RETRY
    ) as client:
        from thulium_async.testing import Fault

        fake.fail_next("waiting_list", Fault.status_response(503))
        await client.queues.waiting_list(2)
        await client.queues.schedule_call(2, "500333222")
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any(
        "GET queues/2/waiting_list: attempt 1, status 503" in line for line in lines
    )
    assert any(
        "GET queues/2/waiting_list: attempt 2, status 200" in line for line in lines
    )
    assert any(
        "POST queues/2/schedule_call: attempt 1, status 200" in line for line in lines
    )
    text = caplog.text
    assert fake.password not in text
    assert "500333222" not in text
    assert "Basic " not in text
