"""An echoed Authorization header never reaches an exception's text.

Debug endpoints, proxies and misconfigured servers answer with the request's headers
in the body; the SDK quotes the start of an error body in its exceptions, so it must
hide the credentials there as it hides a password field.
"""

from __future__ import annotations

import base64
import json

import pytest
from aiohttp import web

from thulium_async import APIStatusError, RetryPolicy, ThuliumClient
from thulium_async._core.errors import snippet

TOKEN = base64.b64encode(b"api_user:Secret-pw-42").decode()


@pytest.mark.parametrize(
    "body",
    [
        f"GET /api/x HTTP/1.1\r\nHost: a\r\nAuthorization: Basic {TOKEN}\r\n",
        f"authorization: basic {TOKEN}",
        f'{{"Authorization": "Basic {TOKEN}", "cut short',
        f'{{"headers": {{"Authorization": "Basic {TOKEN}"}}}}',
        f'{{"echo": "GET / HTTP/1.1\\r\\nAuthorization: Basic {TOKEN}\\r\\n"}}',
        f"{{'Authorization': 'Basic {TOKEN}', 'Host': 'a'}}",
        f"<tr><td>HTTP_AUTHORIZATION=Basic {TOKEN}</td></tr>",
        f'{{"Proxy-Authorization": "Bearer {TOKEN}"}}',
        "[" * 5000 + f'"Authorization: Basic {TOKEN}"' + "]" * 5000,
    ],
    ids=[
        "header",
        "lowercase",
        "json-cut-short",
        "json-member",
        "json-string",
        "python-repr",
        "php-server-var",
        "proxy",
        "nested-too-deep",
    ],
)
def test_an_echoed_authorization_header_is_hidden(body):
    shown = snippet(body.encode(), limit=20_000)
    assert TOKEN not in shown
    assert "***" in shown


def test_the_rest_of_the_body_is_still_shown():
    shown = snippet(f"Authorization: Basic {TOKEN}\nHost: acme.example\n")
    assert shown == "Authorization: *** Host: acme.example"


async def test_an_error_body_echoing_the_request_hides_the_credentials():
    """A 400 whose body echoes the request's headers: the error's text has no token."""

    async def echo(request: web.Request) -> web.Response:
        headers = "\r\n".join(f"{k}: {v}" for k, v in request.headers.items())
        if request.query.get("as") == "json":
            return web.json_response({"headers": dict(request.headers)}, status=400)
        return web.Response(status=400, text=f"Bad request\r\n{headers}")

    app = web.Application()
    app.router.add_get("/api/queues/2/waiting_list", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}/api"
    try:
        async with ThuliumClient(
            base, "api_user", "Secret-pw-42", retry=RetryPolicy(max_attempts=1)
        ) as client:
            for shape in ("text", "json"):
                with pytest.raises(APIStatusError) as caught:
                    await client.request(
                        "GET", "queues/2/waiting_list", params={"as": shape}
                    )
                text = f"{caught.value} {caught.value!r}"
                assert "Authorization" in text or "authorization" in text, text
                assert TOKEN not in text
                assert "Secret-pw-42" not in text
                assert json.dumps(TOKEN) not in text
    finally:
        await runner.cleanup()
