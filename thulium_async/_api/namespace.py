"""What every endpoint namespace of a client holds, and the one way they all send.

``client.queues`` and every other namespace (and ``client.request``) share one
:class:`Wiring`: the API root, the zone, the prebuilt headers and, per endpoint, a
:class:`Route` built on its first call: the endpoint's requests by path values (checked
and joined once), its body encoder and its answer reader, all derived from the
declaration. A namespace's methods validate their arguments and call
:meth:`Namespace._send` (one answer) or :meth:`Namespace._list` (a paged list) with a
declared endpoint; the dialers use :meth:`Namespace._send_counted`, the same request
whose result is the attempts it took. Nothing else about HTTP is written per endpoint,
and no endpoint has a path of its own. A ``with_options`` view is a shallow copy with
another transport: the wiring is shared, not copied.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Mapping
from datetime import tzinfo
from typing import Any, Generic, TypeVar

from yarl import URL

from .._core.errors import InvalidInputError, ResponseDecodeError
from .._http.transport import Body, Consume, Request, Response, Transport
from .._http.wire import frozen_headers, join_url
from .converter import answer_reader, read_page
from .encoding import body_encoder, encode_body, encode_query
from .endpoints import Endpoint
from .paging import Page, Pages, check_paging

N = TypeVar("N", bound="Namespace")
R = TypeVar("R")
_REQUESTS_PER_ROUTE = 1024
# Only values of exactly these types are cache keys: True == 1 and 2.0 == 2 hash alike,
# and must be validated (and refused), never served queue 1's or queue 2's request.
_CACHEABLE = (int, str)


class Route(Generic[R]):
    """One endpoint as one client sends it: everything its declaration lets be built once.

    Joining URLs and checking path values cost more than the rest of an endpoint's own
    work (``benchmarks/``), so a request is built once per path values and reused
    (bounded: cleared when full, as the keys are few); the body encoder and the
    answer reader are built from the declared classes when the route is.
    """

    __slots__ = ("_body", "_encode", "_wiring", "endpoint", "read", "requests")

    def __init__(self, endpoint: Endpoint[R], wiring: Wiring) -> None:
        self.endpoint = endpoint
        self._wiring = wiring
        self.requests: dict[tuple[object, ...], Request] = {}
        self.read: Callable[[Response, Request], R] = answer_reader(
            endpoint, wiring.zone
        )
        self._body = endpoint.body
        self._encode = (
            None if self._body is None else body_encoder(self._body, wiring.zone)
        )

    def request(self, values: tuple[object, ...]) -> Request:
        """Return the request for path *values*, checked and built once."""
        try:
            request = self.requests.get(values)
        except TypeError:  # unhashable (a list for a login): _build refuses it
            request = None
        if request is not None:
            for value in values:
                if type(value) not in _CACHEABLE:
                    break
            else:
                return request
        return self._build(values)

    def _build(self, values: tuple[object, ...]) -> Request:
        endpoint, wiring = self.endpoint, self._wiring
        path = endpoint.render(*values)
        request = Request(
            endpoint.method,
            join_url(wiring.base_url, path),
            path,
            wiring.post_headers if endpoint.body is not None else wiring.get_headers,
            idempotent=endpoint.is_idempotent,
            side_effect=endpoint.side_effect,
        )
        if all(type(value) in _CACHEABLE for value in values):
            if len(self.requests) >= _REQUESTS_PER_ROUTE:
                self.requests.clear()
            self.requests[values] = request
        return request

    def prepare(
        self, values: tuple[object, ...], query: object, body: object
    ) -> tuple[Request, bytes | None]:
        """Return the request and encoded body for one call; refuse bad input first."""
        try:
            request = self.requests.get(values)  # :meth:`request`, one call fewer
        except TypeError:  # unhashable (a list for a login): _build refuses it
            request = None
        if request is None:
            request = self._build(values)
        else:
            for value in values:
                if type(value) not in _CACHEABLE:
                    request = self._build(values)
                    break
        if body is None:
            payload = None
        elif type(body) is self._body:
            payload = self._encode(body)  # type: ignore[misc]  # declared, so built
        else:
            _check_model(self.endpoint, "body", body)  # a subclass passes
            payload = encode_body(body, self._wiring.zone)
        if query is not None:
            _check_model(self.endpoint, "query", query)
            pairs = encode_query(query, self._wiring.zone)
            request = request._replace(url=request.url.with_query(pairs))
        return request, payload

    def read_attempts(self, response: Response, request: Request) -> int:
        """Read the answer as :attr:`read` does; return the attempts it took."""
        self.read(response, request)
        return response.attempts


class Wiring:
    """Where a client's requests go and what they carry, shared by its namespaces."""

    __slots__ = (
        "base_url",
        "get_headers",
        "phone_region",
        "post_headers",
        "routes",
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
        self.routes: dict[Endpoint[Any], Route[Any]] = {}

    def route(self, endpoint: Endpoint[R]) -> Route[R]:
        """Return *endpoint*'s route for this client, built on first use."""
        route = self.routes.get(endpoint)
        if route is None:
            route = self.routes[endpoint] = Route(endpoint, self)
        return route


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

    def _send(
        self,
        endpoint: Endpoint[R],
        *values: object,
        query: object = None,
        body: object = None,
    ) -> Awaitable[R]:
        """Send *endpoint* for path *values*; its awaitable gives the declared answer.

        *query* and *body* are instances of the endpoint's declared ``query`` and
        ``body`` classes. Everything is checked and encoded now, before anything is
        sent; the transport then reads the answer in its own coroutine (not a
        coroutine here: one frame fewer for every suspension of every request).
        """
        wiring = self._wiring
        route = wiring.routes.get(endpoint) or wiring.route(endpoint)
        request, payload = route.prepare(values, query, body)
        return self._transport.send(request, payload, route.read)

    def _send_counted(
        self, endpoint: Endpoint[Any], *values: object, body: object = None
    ) -> Awaitable[int]:
        """:meth:`_send` for the bulk runs: the same request, giving the attempts it took.

        The answer is read as for :meth:`_send` (and so refused the same way); the
        runs report how many attempts each item took.
        """
        wiring = self._wiring
        route = wiring.routes.get(endpoint) or wiring.route(endpoint)
        request, payload = route.prepare(values, None, body)
        return self._transport.send(request, payload, route.read_attempts)

    async def _send_body(
        self,
        endpoint: Endpoint[R],
        *values: object,
        query: object = None,
        body: Body,
        headers: Mapping[str, str],
    ) -> R:
        """:meth:`_send` with a streamed, raw *body* and its *headers* (Content-Type).

        The answer is read and decoded as :meth:`_send` does; the body is not encoded
        (it is bytes, or a function giving a fresh body per attempt).
        """
        route = self._wiring.route(endpoint)
        request, _ = route.prepare(values, query, None)
        request = request._replace(
            headers=frozen_headers({**request.headers, **headers})
        )
        response = await self._transport.send_body(request, body)
        return route.read(response, request)

    async def _receive(
        self,
        endpoint: Endpoint[Any],
        *values: object,
        query: object = None,
        consume: Consume,
    ) -> Response:
        """Send *endpoint* and hand its binary answer to *consume*, chunk by chunk.

        Nothing is decoded: the answer is a file. Returns the response (its body
        empty) with the attempts it took.
        """
        route = self._wiring.route(endpoint)
        request, _ = route.prepare(values, query, None)
        request = request._replace(headers=_any_media(request.headers))
        return await self._transport.receive(request, consume)

    async def _send_for_bytes(
        self, endpoint: Endpoint[Any], *values: object, query: object = None
    ) -> bytes:
        """Send *endpoint*; return its answer's bytes as they are (under the size cap).

        Raises:
            ResponseDecodeError: the answer is larger than the client's
                ``max_response_size``.
        """
        route = self._wiring.route(endpoint)
        request, _ = route.prepare(values, query, None)
        request = request._replace(headers=_any_media(request.headers))
        response = await self._transport.send(request)
        if response.truncated:
            raise ResponseDecodeError(
                f"{request.method} {request.url}: the answer is larger than "
                "max_response_size; raise it on the client to read this one",
                method=request.method,
                url=str(request.url),
                body="",
            )
        return response.body

    def _list(
        self,
        endpoint: Endpoint[R],
        *values: object,
        query: object = None,
        limit: int | None = None,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[R]:
        """Return *endpoint*'s paged list for path *values*, filtered by *query*.

        Everything is checked now, before the first page is asked for: a bad
        argument raises here, not in the middle of a loop.
        """
        paging = endpoint.paging
        if paging is None:
            raise TypeError(f"{endpoint.name} is not a paged list")
        size = paging.max_limit if limit is None else limit
        check_paging(size, offset, concurrency, max_limit=paging.max_limit)
        request = self._wiring.route(endpoint).request(values)
        base: list[tuple[str, str]] = []
        if query is not None:
            _check_model(endpoint, "query", query)
            base = encode_query(query, self._zone)
        transport, zone, url = self._transport, self._zone, request.url
        where = str(url)

        async def fetch(start: int, count: int) -> Page[R]:
            page_query = [*base, ("limit", str(count)), ("offset", str(start))]
            response = await transport.send(
                request._replace(url=url.with_query(page_query))
            )
            return read_page(endpoint, response, zone, where, limit=count, offset=start)

        return Pages(fetch, limit=size, offset=offset, concurrency=concurrency)


def _any_media(headers: Mapping[str, str]) -> Mapping[str, str]:
    """*headers* asking for any media type: a binary answer is not JSON."""
    return frozen_headers({**headers, "Accept": "*/*"})


def _check_model(endpoint: Endpoint[Any], part: str, value: object) -> None:
    declared = getattr(endpoint, part)
    if declared is None or not isinstance(value, declared):
        raise InvalidInputError(
            f"{endpoint.name} takes a {part} of "
            f"{getattr(declared, '__name__', 'nothing')}, got {type(value).__name__}"
        )
