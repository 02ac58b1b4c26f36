"""Paging: await for the first page, async for over every item, in order, bounded."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web

from thulium_async import InvalidInputError, Page, ResponseDecodeError, ThuliumClient

from .test_faults import serve


def list_server(total: int, *, delay: float = 0.0, shape=None):
    """A server with *total* records at GET /api/records, paged by limit/offset."""
    state: dict[str, Any] = {"in_flight": 0, "peak": 0, "offsets": []}

    async def handler(request: web.Request) -> web.Response:
        state["in_flight"] += 1
        state["peak"] = max(state["peak"], state["in_flight"])
        try:
            limit = int(request.query["limit"])
            offset = int(request.query["offset"])
            state["offsets"].append(offset)
            if delay:
                await asyncio.sleep(delay)
            result = [{"id": i, "q": request.query.get("queue_id")}
                      for i in range(offset, min(offset + limit, total))]  # fmt: skip
            body = shape(result) if shape else {"count": total, "result": result}
            return web.json_response(body)
        finally:
            state["in_flight"] -= 1

    app = web.Application()
    app.router.add_get("/api/records", handler)
    return app, state


async def test_every_item_in_order_across_pages():
    app, state = list_server(1050)
    async with serve(app) as base, ThuliumClient(base, "u", "p") as client:
        ids = [r["id"] async for r in client.paginate("records", limit=100)]
    assert ids == list(range(1050))
    assert sorted(state["offsets"]) == list(range(0, 1050, 100))


async def test_awaiting_gives_the_first_page():
    app, state = list_server(250)
    async with serve(app) as base, ThuliumClient(base, "u", "p") as client:
        page = await client.paginate("records", limit=100, params={"queue_id": 2})
    assert isinstance(page, Page)
    assert (page.count, page.limit, page.offset, len(page.items)) == (250, 100, 0, 100)
    assert page.items[0] == {"id": 0, "q": "2"}
    assert state["offsets"] == [0]


async def test_pages_are_fetched_concurrently_and_bounded():
    app, state = list_server(2000, delay=0.01)
    async with serve(app) as base, ThuliumClient(base, "u", "p") as client:
        count = 0
        async for _ in client.paginate("records", limit=100, concurrency=4):
            count += 1
    assert count == 2000
    assert 1 < state["peak"] <= 4


async def test_leaving_early_cancels_the_pages_in_flight():
    app, state = list_server(10_000, delay=0.01)
    async with serve(app) as base, ThuliumClient(base, "u", "p") as client:
        async for record in client.paginate("records", limit=10, concurrency=3):
            if record["id"] == 15:
                break
        await asyncio.sleep(0)
    assert len(state["offsets"]) <= 1 + 3 + 1


async def test_an_empty_list_and_a_shrinking_one_stop():
    app, _ = list_server(0)
    async with serve(app) as base, ThuliumClient(base, "u", "p") as client:
        assert [r async for r in client.paginate("records")] == []

    def claims_more(result):
        return {"count": 500, "result": result}

    app, state = list_server(120, shape=claims_more)
    async with serve(app) as base, ThuliumClient(base, "u", "p") as client:
        items = [r async for r in client.paginate("records", limit=50, concurrency=1)]
    assert len(items) == 120
    assert state["offsets"][:4] == [0, 50, 100, 150]


@pytest.mark.parametrize(
    "body", ["a list", {"count": 3}, {"result": []}, {"count": "3", "result": []}]
)
async def test_a_body_that_is_not_a_page_names_the_problem(body):
    app, _ = list_server(10, shape=lambda result: body)
    async with serve(app) as base, ThuliumClient(base, "u", "p") as client:
        with pytest.raises(ResponseDecodeError, match="not a page"):
            await client.paginate("records")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"limit": 0},
        {"limit": 1001},
        {"offset": -1},
        {"concurrency": 0},
        {"concurrency": 33},
        {"params": {"limit": 5}},
        {"path": "../x"},
    ],
)
def test_bad_arguments_are_refused_at_once(kwargs):
    client = ThuliumClient("https://acme.thulium.com/api", "u", "p")
    arguments = {"path": "records", **kwargs}
    with pytest.raises(InvalidInputError):
        client.paginate(**arguments)
