"""Paging of Thulium's lists: ``limit``/``offset`` in, ``{"count", "result"}`` out.

A list call returns :class:`Pages`, which is both awaitable (the first :class:`Page`)
and ``async for``-able (every item across pages, in order). Once the first page has told
the total, the pages after it are fetched a few at a time concurrently (under the
client's rate limit, like every request), and yielded in order: memory holds the pages
in flight, never the whole list. No HTTP here: a *fetch* callable gets one page.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

import attrs

from .._core.errors import InvalidInputError, ResponseDecodeError, snippet

T = TypeVar("T")


@attrs.frozen
class Page(Generic[T]):
    """One page of a list.

    Attributes:
        items: this page's items, in the server's order.
        count: how many items the whole list has, as the server reports it.
        limit: the page size asked for.
        offset: the position of this page's first item in the whole list.
    """

    items: tuple[T, ...]
    count: int
    limit: int
    offset: int


FetchPage = Callable[[int, int], Awaitable[Page[T]]]


class Pages(Generic[T]):
    """A list call: ``await`` it for the first page, ``async for`` over every item.

    Pages after the first are fetched *concurrency* at a time, in offset order, and
    their items yielded in order. Leaving the loop early cancels the pages in flight.
    A list that grows or shrinks while it is read is read to the total the first page
    reported, and no further than the first empty page.
    """

    def __init__(
        self, fetch: FetchPage[T], *, limit: int, offset: int = 0, concurrency: int = 8
    ) -> None:
        self._fetch = fetch
        self._limit = limit
        self._offset = offset
        self._concurrency = concurrency
        self.total: int | None = None
        """The total the first page reported, once ``async for`` has fetched it: what
        a progress bar needs (``None`` before)."""

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self._fetch(self._offset, self._limit).__await__()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncIterator[T]:
        limit = self._limit
        first = await self._fetch(self._offset, limit)
        self.total = max(0, first.count - self._offset)
        for item in first.items:
            yield item
        if not first.items:
            return
        offsets = iter(range(self._offset + limit, first.count, limit))
        pending: deque[asyncio.Future[Page[T]]] = deque()

        def fetch_next() -> None:
            offset = next(offsets, None)
            if offset is not None:
                pending.append(asyncio.ensure_future(self._fetch(offset, limit)))

        try:
            for _ in range(self._concurrency):
                fetch_next()
            while pending:
                page = await pending.popleft()
                if not page.items:
                    return  # the list shrank while it was read
                fetch_next()
                for item in page.items:
                    yield item
        finally:
            for future in pending:
                future.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)


def page_from_json(
    data: object, *, limit: int, offset: int, method: str, url: str
) -> Page[Any]:
    """Return the page in a decoded ``{"count": N, "result": [...]}`` body, or refuse it."""
    problem = None
    if not isinstance(data, dict):
        problem = "the body is not an object with 'count' and 'result'"
    elif not isinstance(data.get("result"), list):
        problem = "'result' is missing or not a list"
    elif isinstance(data.get("count"), bool) or not isinstance(data.get("count"), int):
        problem = "'count' is missing or not an integer"
    if problem is not None:
        raise ResponseDecodeError(
            f"{method} {url} answered with a body that is not a page of a list: "
            f"{problem}: {snippet(repr(data))}",
            method=method,
            url=url,
            body=snippet(repr(data)),
        )
    assert isinstance(data, dict)  # noqa: S101 -- checked above, for the type checker
    return Page(
        items=tuple(data["result"]), count=data["count"], limit=limit, offset=offset
    )


def check_paging(
    limit: object, offset: object, concurrency: object, *, max_limit: int = 1000
) -> None:
    """Refuse a page size, start or concurrency that cannot be right.

    *max_limit* is the endpoint's documented largest page (100 or 1000).
    """
    if type(limit) is not int or not 1 <= limit <= max_limit:
        hint = (
            " (Thulium's largest page; 100 for connections, recordings and tickets)"
            if max_limit == 1000
            else " (this list's largest page)"
        )
        raise InvalidInputError(
            f"limit must be an int from 1 to {max_limit}{hint}, got {limit!r}"
        )
    if type(offset) is not int or offset < 0:
        raise InvalidInputError(f"offset must be an int >= 0, got {offset!r}")
    if type(concurrency) is not int or not 1 <= concurrency <= 32:
        raise InvalidInputError(
            f"concurrency must be an int from 1 to 32 pages, got {concurrency!r}"
        )
