"""What every endpoint namespace of a client holds, and the one way they all send.

``client.queues`` and every other namespace (and ``client.request``'s builder) share one
:class:`Wiring`: the API root, the zone, the prebuilt headers and one bounded cache of
prebuilt requests, keyed by endpoint and path values. A namespace's methods validate
their arguments and call :meth:`Namespace._send` (one answer) or
:meth:`Namespace._list` (a paged list) with a declared endpoint; nothing else about
HTTP is written per endpoint. A ``with_options`` view is a shallow copy with another
transport: the wiring is shared, not copied.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any, TypeVar

from yarl import URL

from .._core.errors import InvalidInputError
from .._http.transport import Request, Transport
from .._http.wire import join_url
from .converter import Reader, answer_reader, read_page
from .encoding import encode_body, encode_query
from .endpoints import Endpoint
from .paging import Page, Pages, check_paging

N = TypeVar("N", bound="Namespace")
_CACHE_LIMIT = 4096
# Only values of exactly these types are cache keys: True == 1 and 2.0 == 2 hash alike,
# and must be validated (and refused), never served queue 1's or queue 2's request.
_CACHEABLE = (int, str)


class Wiring:
    """Where a client's requests go and what they carry, shared by its namespaces."""

    __slots__ = (
        "base_url",
        "get_headers",
        "phone_region",
        "post_headers",
        "readers",
        "requests",
        "zone",
    )

    def __init__(
        self,
        *,
        base_url: URL,
        zone: tzinfo,
        get_headers: Mapping[str, str],
        post_headers: Mapping[str, str],
        phone_region: str = "PL",
    ) -> None:
        self.base_url = base_url
        self.phone_region = phone_region
        self.zone = zone
        self.get_headers = get_headers
        self.post_headers = post_headers
        # Built once per endpoint and path values and reused: joining URLs and
        # checking path values cost more than the rest of an endpoint's own work
        # (see benchmarks/). Bounded: cleared when full, as the keys are few.
        self.requests: dict[tuple[Any, ...], Request] = {}
        self.readers: dict[Endpoint, Reader] = {}

    def prebuilt(self, endpoint: Endpoint, values: tuple[object, ...]) -> Request:
        """Return *endpoint*'s request for path *values*, checked and built once."""
        key = (endpoint, values)
        request = self.requests.get(key)
        if request is not None:
            for value in values:
                if type(value) not in _CACHEABLE:
                    break
            else:
                return request
        return self._build(endpoint, values, key)

    def prebuilt_one(self, endpoint: Endpoint, value: object) -> Request:
        """:meth:`prebuilt` for an endpoint with one path value: the dialer's path."""
        request = self.requests.get((endpoint, value))
        if request is not None and type(value) in _CACHEABLE:
            return request
        return self._build(endpoint, (value,), (endpoint, value))

    def _build(
        self, endpoint: Endpoint, values: tuple[object, ...], key: tuple[Any, ...]
    ) -> Request:
        path = endpoint.render(*values)
        headers = self.post_headers if endpoint.body is not None else self.get_headers
        request = Request(
            endpoint.method,
            join_url(self.base_url, path),
            path,
            headers,
            idempotent=endpoint.is_idempotent,
            side_effect=endpoint.side_effect,
        )
        if all(type(v) in _CACHEABLE for v in values):
            if len(self.requests) >= _CACHE_LIMIT:
                self.requests.clear()
            self.requests[key] = request
        return request

    def reader(self, endpoint: Endpoint) -> Reader:
        """Return the function that turns *endpoint*'s answers into its model."""
        read = self.readers.get(endpoint)
        if read is None:
            read = self.readers[endpoint] = answer_reader(endpoint, self.zone)
        return read


class Namespace:
    """A group of endpoints (``client.queues``): a transport and the client's wiring."""

    __slots__ = ("_transport", "_wiring", "_zone")

    def __init__(self, transport: Transport, wiring: Wiring) -> None:
        self._transport = transport
        self._wiring = wiring
        self._zone = wiring.zone

    def with_transport(self: N, transport: Transport) -> N:
        """Return the same namespace sending through *transport* (for with_options)."""
        view = copy.copy(self)
        view._transport = transport
        return view

    async def _send(
        self,
        endpoint: Endpoint,
        *values: object,
        query: object = None,
        body: object = None,
    ) -> Any:
        """Send *endpoint* for path *values*; return its answer as declared.

        *query* and *body* are instances of the endpoint's declared ``query`` and
        ``body`` classes; both are encoded before anything is sent.
        """
        wiring = self._wiring
        request = wiring.prebuilt(endpoint, values)
        payload = None
        if body is not None:
            _check_model(endpoint, "body", body)
            payload = encode_body(body, self._zone)
        if query is not None:
            _check_model(endpoint, "query", query)
            request = request._replace(
                url=request.url.with_query(encode_query(query, self._zone))
            )
        response = await self._transport.send(request, payload)
        read = wiring.readers.get(endpoint) or wiring.reader(endpoint)
        return read(response, request)

    def _list(
        self,
        endpoint: Endpoint,
        *values: object,
        query: object = None,
        limit: int | None = None,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Any]:
        """Return *endpoint*'s paged list for path *values*, filtered by *query*.

        Everything is checked now, before the first page is asked for: a bad
        argument raises here, not in the middle of a loop.
        """
        paging = endpoint.paging
        if paging is None:
            raise TypeError(f"{endpoint.name} is not a paged list")
        size = paging.max_limit if limit is None else limit
        check_paging(size, offset, concurrency, max_limit=paging.max_limit)
        request = self._wiring.prebuilt(endpoint, values)
        base: list[tuple[str, str]] = []
        if query is not None:
            _check_model(endpoint, "query", query)
            base = encode_query(query, self._zone)
        transport, zone, url = self._transport, self._zone, request.url
        where = str(url)

        async def fetch(start: int, count: int) -> Page[Any]:
            page_query = [*base, ("limit", str(count)), ("offset", str(start))]
            response = await transport.send(
                request._replace(url=url.with_query(page_query))
            )
            return read_page(endpoint, response, zone, where, limit=count, offset=start)

        return Pages(fetch, limit=size, offset=offset, concurrency=concurrency)


def _check_model(endpoint: Endpoint, part: str, value: object) -> None:
    declared = getattr(endpoint, part)
    if declared is None or not isinstance(value, declared):
        raise InvalidInputError(
            f"{endpoint.name} takes a {part} of "
            f"{getattr(declared, '__name__', 'nothing')}, got {type(value).__name__}"
        )
