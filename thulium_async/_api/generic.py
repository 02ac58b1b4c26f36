"""``client.request``: any path of the API, through the same transport as the typed endpoints.

The vendor lists endpoints it does not document (agent actions, chats, more campaign
management); this is how users reach them. It validates the path (relative to the API
root: no scheme, no host, no ``..``), encodes query parameters and a JSON body, and sends
through the transport, so auth, retries, the rate limit, the never-resend rule for
requests that are not idempotent and the typed errors all hold. Its query and body go
through the same encoding rules as the typed endpoints', and its answer through the
reader of an endpoint whose answer is not declared: JSON, decoded, nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from .._core.errors import InvalidInputError
from .._http.transport import Request
from .._http.wire import join_url
from .converter import decode_json, read_json
from .encoding import Params, encode_json, encode_params
from .endpoints import IDEMPOTENT_METHODS
from .namespace import Namespace
from .paging import Page, Pages, check_paging, page_from_json

_METHODS = IDEMPOTENT_METHODS | {"POST", "PATCH"}
_FORBIDDEN_IN_PATH = ("?", "#", "\\")
_SIDE_EFFECT = "act twice (create a second record, or ring a person again)"
# Proxies decode a path before they route it (nginx picks its location from the decoded,
# normalised path), so a path is judged as the proxy will read it: decoded until it no
# longer changes, for an escape may hide another (%252F is %2F is /).
_DECODE_ROUNDS = 4


def _decoded(text: str) -> str | None:
    """Return *text* percent-decoded until stable, or None if it never settles."""
    for _ in range(_DECODE_ROUNDS):
        plain = unquote(text)
        if plain == text:
            return plain
        text = plain
    return None


def check_path(path: object) -> str:
    """Return *path* if it names an endpoint under the API root, or refuse it.

    The path is joined onto ``base_url`` and sent with the client's credentials, so
    anything that could take it elsewhere is refused before sending: a scheme or a
    host (``https:/admin``, ``127.0.0.1:1/x``: any ``:`` before the first ``/``), a
    query or fragment, a backslash, ``.`` and ``..`` segments, and an encoded ``/``
    or backslash (``..%2Fadmin``, which a proxy decodes into a path outside the API).
    The checks that keep a path under the root hold for it as written and once
    percent-decoded.
    """
    if not isinstance(path, str) or not path.strip("/"):
        raise InvalidInputError(
            f"path must be an endpoint path relative to the API root, like "
            f"'agents/jkowalski/status', got {path!r}"
        )
    text = path.removeprefix("/")
    decoded = _decoded(text)
    if decoded is None or any(
        decoded.count(mark) != text.count(mark) for mark in ("/", "\\")
    ):
        raise InvalidInputError(
            f"path {path!r} may not hold an encoded '/' or '\\' (%2F, %5C): a proxy "
            "decodes it, and the request would leave the API root"
        )
    _check_plain(path, text)
    _check_plain(path, decoded, decoded=True)
    return text


def _check_plain(path: str, text: str, *, decoded: bool = False) -> None:
    """Refuse *text* (*path* as written, or decoded) unless it is a plain relative path.

    Decoded, a ``?``, ``#`` or space is data inside its segment (the proxy routes on
    it, still under the API root), so only the path as written must be free of them.
    """
    if "://" in text or text.startswith("/") or ":" in text.partition("/")[0]:
        raise InvalidInputError(
            f"path {path!r} must be relative to the API root: no scheme, no host, no "
            "':' before the first '/' (the client's base_url says where the API is)"
        )
    forbidden = ("\\",) if decoded else _FORBIDDEN_IN_PATH
    if any(mark in text for mark in forbidden) or not text.isprintable():
        raise InvalidInputError(
            f"path {path!r} may hold no '?', '#', backslash or control character, "
            "encoded or not: pass query parameters in params="
        )
    if any(part in (".", "..") for part in text.split("/")):
        raise InvalidInputError(
            f"path {path!r} may not contain '.' or '..' segments, encoded or not"
        )
    if not decoded and " " in text:
        raise InvalidInputError(f"path {path!r} may not contain spaces")


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
        return await self._transport.send(request, body, read_json)

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
                data, limit=size, offset=start, method="GET", url=where, bare=None
            )

        return Pages(fetch, limit=limit, offset=offset, concurrency=concurrency)
