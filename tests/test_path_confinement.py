"""client.request never leaves the API root, and an unsendable URL is never "unknown".

A path is judged as the proxy in front of Thulium will read it: percent-decoded.
``http:/admin`` would reach ``/admin`` on the API host with the Authorization header,
``..%2Fadmin`` would be decoded by nginx into ``/admin``; both are refused before
anything is sent. If aiohttp itself ever refuses a URL, nothing was sent: the error says
so, and it is neither retried nor reported as possibly processed.
"""

from __future__ import annotations

import pytest
from aiohttp import web
from yarl import URL

from thulium_async import (
    APIConnectionError,
    DeliveryUnknownError,
    InvalidInputError,
    ThuliumClient,
)
from thulium_async._api.generic import check_path
from thulium_async._http.transport import Request

from .conftest import FAST_RETRY
from .test_faults import serve

# Each would leave the API root, as written or once a proxy has decoded it.
HOSTILE_PATHS = [
    "127.0.0.1:1/x",
    "javascript:x",
    "https:/admin",
    "http:/admin",
    "/http:/admin",
    "mailto:a@b",
    "a:b",
    "javascript%3Ax",
    "..%2Fadmin",
    "..%2fadmin",
    "agents/..%2F..%2Fadmin",
    "agents%2F..%2F..%2Fadmin",
    "..%5Cadmin",
    "..%5cadmin",
    "agents/%2e%2e%5c%2e%2e/admin",
    "..%252Fadmin",
    "%2e%2e/admin",
    "agents/%252e%252e/x",
    "a%00b",
]


@pytest.fixture
async def upstream():
    """A server that records every request, wherever it was sent on its host."""
    seen: list[str] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append(request.raw_path)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    async with serve(app) as base:
        yield base, seen


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", HOSTILE_PATHS)
async def test_a_path_that_leaves_the_api_root_is_refused_unsent(
    upstream, method, path
):
    base, seen = upstream
    async with ThuliumClient(base, "u", "p", retry=FAST_RETRY) as client:
        with pytest.raises(InvalidInputError) as info:
            await client.request(method, path, json={} if method == "POST" else None)
        assert client.stats.attempts == 0
    assert not isinstance(info.value, DeliveryUnknownError)
    assert seen == []


@pytest.mark.parametrize(
    "path",
    [
        "agents/jkowalski/status",
        "/agents/jkowalski/status",
        "agents/a:b/status",  # a ':' after the first '/' names no scheme or host
        "agents/a%20b",
        "agents/a..b",
    ],
)
async def test_a_plain_path_under_the_root_is_sent_there(upstream, path):
    base, seen = upstream
    async with ThuliumClient(base, "u", "p", retry=FAST_RETRY) as client:
        assert await client.request("GET", path) == {"ok": True}
    (sent,) = seen
    assert sent.startswith("/api/agents/")


def test_check_path_returns_the_path_as_written():
    assert check_path("/agents/a%20b") == "agents/a%20b"


@pytest.mark.parametrize(
    ("method", "idempotent"), [("POST", False), ("GET", True), ("PUT", True)]
)
@pytest.mark.parametrize(
    "url", ["127.0.0.1:1/x", "javascript:x", "mailto:a@b", "http:///admin"]
)
async def test_a_url_aiohttp_refuses_is_unsent_and_not_retried(
    upstream, method, idempotent, url
):
    """Reached past check_path (a URL built elsewhere): aiohttp refuses it before
    connecting. That is nothing sent, not "may have been processed", and the same URL
    would be refused again."""
    base, seen = upstream
    async with ThuliumClient(base, "u", "p", retry=FAST_RETRY) as client:
        request = Request(method, URL(url), "x", {}, idempotent=idempotent)
        with pytest.raises(APIConnectionError) as info:
            # The transport itself, private on purpose: no public call can build
            # such a URL (check_path refuses it first), and the transport must cope.
            await client._transport.send(request, b"{}")
        assert client.stats.attempts == 1
    error = info.value
    assert error.request_sent is False
    assert isinstance(error, InvalidInputError)
    assert not isinstance(error, DeliveryUnknownError)
    assert error.attempts == 1
    assert "nothing was sent" in str(error)
    assert seen == []
