"""``client.request`` paths stay under the API root behind a real nginx.

nginx routes on the decoded, normalised path but passes the raw one upstream:
``/api/..%2Fadmin`` is routed as ``/admin``, to whatever serves the rest of the host,
with the client's Authorization header. Here the rest of the host is a recorder: after
a list of hostile paths it must have seen nothing, and the API upstream only ``/api/``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import trustme
from aiohttp import web

from thulium_async import InvalidInputError, ThuliumClient, ThuliumError

from .conftest import start_nginx, stop_nginx

pytestmark = pytest.mark.proxy

HOSTILE_PATHS = [
    "..%2Fadmin",
    "..%2fadmin",
    "agents/..%2F..%2Fadmin",
    "..%5Cadmin",
    "..%252Fadmin",
    "%2e%2e/admin",
    "http:/admin",
    "https:/admin",
    "/http:/admin",
    "127.0.0.1:1/x",
    "javascript:x",
    "mailto:a@b",
    "../admin",
    "agents/../../admin",
    "//127.0.0.1/admin",
    "agents\\..\\..\\admin",
]


class Recorder:
    """An HTTP server on 127.0.0.1 that records the raw path of every request."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.port = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.paths.append(request.raw_path)
        return web.json_response({"reached": request.raw_path})


@asynccontextmanager
async def recording() -> AsyncIterator[Recorder]:
    recorder = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recorder.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield recorder
    finally:
        await runner.cleanup()


async def test_hostile_paths_never_leave_the_api_root(
    certificate_authority: trustme.CA, proxy_dir: Path
) -> None:
    refused: list[str] = []
    sent_anyway: list[str] = []
    async with recording() as api, recording() as rest_of_host:
        proxy = start_nginx(
            certificate_authority, api.port, proxy_dir, root_upstream=rest_of_host.port
        )
        try:
            async with ThuliumClient(
                proxy.base_url, "api_user", "api_pass", ssl_context=proxy.ssl_context
            ) as client:
                # The control: a plain path reaches the API upstream, under /api/.
                await client.request("GET", "queues/2/waiting_list")
                for path in HOSTILE_PATHS:
                    for method in ("GET", "POST"):
                        try:
                            await client.request(method, path, json={})
                        except InvalidInputError:
                            refused.append(f"{method} {path}")
                        except ThuliumError:
                            sent_anyway.append(f"{method} {path}")
                        else:
                            sent_anyway.append(f"{method} {path}")
        finally:
            stop_nginx(proxy)
    print(  # noqa: T201 -- the figure the issue asks for
        f"\nhostile paths behind nginx: {len(refused)} of {2 * len(HOSTILE_PATHS)} "
        f"refused before sending; the rest of the host saw {rest_of_host.paths}; "
        f"the API upstream saw {api.paths}"
    )
    assert rest_of_host.paths == [], "a request left the API root"
    assert all(path.startswith("/api/") for path in api.paths), api.paths
    assert api.paths == ["/api/queues/2/waiting_list"]
    assert sent_anyway == []
    assert len(refused) == 2 * len(HOSTILE_PATHS)
