"""Paging of Thulium's lists: ``limit``/``offset`` in, a page out.

A page is ``{"count", "result"}`` for most lists, and a bare JSON array for a few
(``agents_work_report``, ``chats/reports/summary``), which tells no total.

A list call returns :class:`Pages`, which is both awaitable (the first :class:`Page`)
and ``async for``-able (every item across pages, in order). Once the first page has told
the total, the pages after it are fetched a few at a time concurrently (under the
client's rate limit, like every request), and yielded in order: memory holds the pages
in flight, never the whole list. A bare array's pages are fetched one after another,
each starting where the one before ended, until a page is empty or shorter than the
one before. Either way the next page starts after the items the server actually gave,
so a server that caps ``limit`` below what was asked loses no items. No HTTP here: a
*fetch* callable gets one page.
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
        count: how many items the whole list has, as the server reports it; for a
            list answered as a bare array (``has_total`` false), which reports no
            total, the items up to this page's end (``offset + len(items)``): a
            lower bound.
        limit: the page size asked for.
        offset: the position of this page's first item in the whole list.
        has_total: whether *count* is the server's total (a ``{"count", "result"}``
            answer), not a bare array's lower bound.
    """

    items: tuple[T, ...]
    count: int
    limit: int
    offset: int
    has_total: bool = True


FetchPage = Callable[[int, int], Awaitable[Page[T]]]


class Pages(Generic[T]):
    """A list call: ``await`` it for the first page, ``async for`` over every item.

    Pages after the first are fetched *concurrency* at a time, in offset order, and
    their items yielded in order. Leaving the loop early cancels the pages in flight.
    A list that grows or shrinks while it is read is read to the total the first page
    reported, and no further than the first empty page. A page shorter than asked
    while the total says more follow means the server caps the page size: the next
    pages start after the items it gave and ask for that many.

    A list answered as a bare array reports no total (``total`` stays ``None``):
    its pages are fetched one at a time, each from where the last one ended, and
    the list ends at an empty page or one shorter than the page before.
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
        if first.has_total:  # known before the first item: a progress bar's total
            self.total = max(0, first.count - self._offset)
        for item in first.items:
            yield item
        if not first.items:
            return
        if not first.has_total:
            async for item in self._rest_of_bare(first):
                yield item
            return
        got = len(first.items)
        if got < limit and self._offset + got < first.count:
            limit = got  # the server caps the page size lower than asked
        offsets = iter(range(self._offset + got, first.count, limit))
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

    async def _rest_of_bare(self, first: Page[T]) -> AsyncIterator[T]:
        """Yield the items after *first* of a list that reports no total.

        Each page starts after the items the one before gave, so a server that caps
        the page size loses nothing; the list ends at an empty page, or at one
        shorter than the page before (the server's page size, whatever it is).
        """
        before = len(first.items)
        offset = first.offset + before
        while True:
            page = await self._fetch(offset, self._limit)
            for item in page.items:
                yield item
            got = len(page.items)
            if got == 0 or got < before:
                return
            offset += got
            before = got


def page_from_json(
    data: object,
    *,
    limit: int,
    offset: int,
    method: str,
    url: str,
    bare: bool | None = False,
) -> Page[Any]:
    """Return the page in a decoded body, or refuse it.

    The body is ``{"count": N, "result": [...]}``, or with *bare* a JSON array of
    the items (no total); *bare* ``None`` takes either (``client.paginate``, which
    knows nothing of the list).
    """
    problem = None
    if isinstance(data, list) and bare is not False:
        return Page(
            items=tuple(data),
            count=offset + len(data),
            limit=limit,
            offset=offset,
            has_total=False,
        )
    if bare:
        problem = "the body is not a JSON array"
    elif not isinstance(data, dict):
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
