"""``client.request``: any path of the API, through the same transport as the typed endpoints.

The vendor lists endpoints it does not document (agent actions, chats, more campaign
management); this is how users reach them. It validates the path (relative to the API
root: no scheme, no host, no ``..``), encodes query parameters and a JSON body, and sends
through the transport, so auth, retries, the rate limit, the never-resend rule for
requests that are not idempotent and the typed errors all hold. It decodes the answer
as JSON and nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.errors import InvalidInputError
from .._http.transport import Request
from .._http.wire import join_url
from .converter import decode_json
from .encoding import Params, encode_json, encode_params
from .endpoints import IDEMPOTENT_METHODS
from .namespace import Namespace
from .paging import Page, Pages, check_paging, page_from_json

_METHODS = IDEMPOTENT_METHODS | {"POST", "PATCH"}
_FORBIDDEN_IN_PATH = ("?", "#", "\\", "%2e", "%2E")
_SIDE_EFFECT = "act twice (create a second record, or ring a person again)"


def check_path(path: object) -> str:
    """Return *path* if it names an endpoint relative to the API root, or refuse it."""
    if not isinstance(path, str) or not path.strip("/"):
        raise InvalidInputError(
            f"path must be an endpoint path relative to the API root, like "
            f"'agents/jkowalski/status', got {path!r}"
        )
    text = path.removeprefix("/")
    if "://" in text or text.startswith("/"):
        raise InvalidInputError(
            f"path {path!r} must be relative to the API root: no scheme, no host "
            "(the client's base_url says where the API is)"
        )
    if any(mark in text for mark in _FORBIDDEN_IN_PATH) or not text.isprintable():
        raise InvalidInputError(
            f"path {path!r} may hold no '?', '#', backslash or control character: "
            "pass query parameters in params="
        )
    if any(part in (".", "..") for part in text.split("/")):
        raise InvalidInputError(f"path {path!r} may not contain '.' or '..' segments")
    if " " in text:
        raise InvalidInputError(f"path {path!r} may not contain spaces")
    return text


class GenericRequests(Namespace):
    """Build and send ``client.request`` and ``client.paginate`` calls for one client."""

    __slots__ = ()

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: object = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one request; return its decoded JSON answer (``None`` when empty)."""
        spelled: object = method
        verb = spelled.upper() if isinstance(spelled, str) else ""
        if verb not in _METHODS:
            raise InvalidInputError(
                f"method must be one of {', '.join(sorted(_METHODS))}, got {method!r}"
            )
        relative = check_path(path)
        if idempotent is None:
            idempotent = verb in IDEMPOTENT_METHODS
        elif not isinstance(idempotent, bool):
            raise InvalidInputError(
                f"idempotent must be True, False or None, got {idempotent!r}"
            )
        body = None if json is None else encode_json(json)
        url = join_url(self._wiring.base_url, relative)
        pairs = encode_params(params, self._zone)
        if pairs:
            url = url.with_query(pairs)
        headers = (
            self._wiring.get_headers if body is None else self._wiring.post_headers
        )
        request = Request(
            verb,
            url,
            relative,
            headers,
            idempotent=idempotent,
            side_effect=_SIDE_EFFECT,
        )
        response = await self._transport.send(request, body)
        if not response.truncated and not response.body.strip():
            return None
        return decode_json(
            response.body, method=verb, url=str(url), truncated=response.truncated
        )

    def pages(
        self,
        path: str,
        *,
        params: Params | None,
        limit: int,
        offset: int,
        concurrency: int,
    ) -> Pages[Any]:
        """Return the pages of the list at *path* (GET, ``limit``/``offset``)."""
        relative = check_path(path)
        check_paging(limit, offset, concurrency)
        if params is not None and isinstance(params, Mapping):
            clash = {"limit", "offset"} & set(params)
            if clash:
                raise InvalidInputError(
                    f"params must not hold {', '.join(sorted(clash))}: pass limit= "
                    "and offset= to paginate"
                )
        base = encode_params(params, self._zone)
        url = join_url(self._wiring.base_url, relative)
        where = str(url)

        async def fetch(start: int, size: int) -> Page[Any]:
            query = [*base, ("limit", str(size)), ("offset", str(start))]
            request = Request(
                "GET", url.with_query(query), relative, self._wiring.get_headers
            )
            response = await self._transport.send(request)
            data = decode_json(
                response.body, method="GET", url=where, truncated=response.truncated
            )
            return page_from_json(
                data, limit=size, offset=start, method="GET", url=where
            )

        return Pages(fetch, limit=limit, offset=offset, concurrency=concurrency)
