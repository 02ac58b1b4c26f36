"""A minimal Thulium stand-in for benchmarks, run in its own process on 127.0.0.1.

Usage: python benchmarks/server.py PORT_FILE [CPU]. It writes its port to PORT_FILE
once listening and serves until killed. The bodies are fixed, so every contender
receives byte-identical responses.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from aiohttp import web

CALLERS = [
    {
        "phone_number": "613459851",
        "started_at": "2014-08-06 14:30:37",
        "customer_id": None,
        "customer_label": None,
    },
    {
        "phone_number": "840526437",
        "started_at": "2014-08-06 14:30:36",
        "customer_id": None,
        "customer_label": None,
    },
    {
        "phone_number": "746842523",
        "started_at": "2014-08-06 14:30:35",
        "customer_id": 123,
        "customer_label": "Jan Kowalski",
    },
]
WAITING_BODY = json.dumps(CALLERS).encode()


async def waiting_list(request: web.Request) -> web.Response:
    return web.Response(body=WAITING_BODY, content_type="application/json")


async def schedule_call(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(status=200)


async def serve(port_file: str) -> None:
    app = web.Application()
    app.router.add_get("/api/queues/{id}/waiting_list", waiting_list)
    app.router.add_post("/api/queues/{id}/schedule_call", schedule_call)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    announce(port_file, runner.addresses[0][1])
    await asyncio.Event().wait()


def announce(port_file: str, port: int) -> None:
    """Write the port atomically, so the parent never reads half a number."""
    with open(port_file + ".tmp", "w") as handle:
        handle.write(str(port))
    os.replace(port_file + ".tmp", port_file)


def main() -> None:
    if len(sys.argv) > 2 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(sys.argv[2])})
    try:
        import uvloop

        uvloop.run(serve(sys.argv[1]))
    except ImportError:
        asyncio.run(serve(sys.argv[1]))


if __name__ == "__main__":
    main()
