"""Thin methods: how the endpoints the vendor lists without documenting them are sent.

Each row of ``_api/undocumented.py`` whose ``thin`` is true becomes a method of its
area's namespace (``agents.pause`` of ``client.agents``). The methods themselves are
real ``def`` statements, generated once from the table into ``_areas/_thin.py`` (by
``tools/generate_thin.py``; a test fails when the table and that module differ), so
that ``mypy --strict``, ``help()`` and Sphinx see each signature and docstring as
written. A class built from the table at import would be one step fewer, but a type
checker cannot see its methods, and the acceptance code calls them. What the
generated methods share is here: :class:`ThinNamespace`, whose one method sends a row
for its path values, *params* and *json* as ``client.request`` would, with the row's
idempotency and side effect. No endpoint-specific code here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._http.transport import Request
from .._http.wire import join_url
from .converter import read_json
from .encoding import Params, encode_json, encode_params
from .endpoints import check_path_value
from .namespace import Namespace
from .undocumented import UNDOCUMENTED, Undocumented

ROWS: Mapping[str, Undocumented] = {
    row.operation: row for row in UNDOCUMENTED if row.thin
}
"""The rows that get a thin method, by the method's dotted name (``agents.pause``)."""


class ThinNamespace(Namespace):
    """A namespace with thin methods: the base of each generated ``<Area>Thin`` class."""

    __slots__ = ()

    async def _send_undocumented(
        self,
        row: Undocumented,
        values: tuple[object, ...],
        params: Params | None,
        json: object,
    ) -> Any:
        """Send *row* for path *values*; return the decoded JSON answer.

        Each value is checked by its kind before anything is sent, as the typed
        endpoints check theirs; *params* and *json* are encoded as
        ``client.request`` encodes them. A write that is not idempotent is never
        resent after a failure that may have been processed, and its
        ``DeliveryUnknownError`` says what a repeat would do (the row's
        ``side_effect``).
        """
        segments = {
            name: check_path_value(kind, name, value)
            for (name, kind), value in zip(row.params.items(), values, strict=True)
        }
        path = row.path.format(**segments)
        body = None if json is None else encode_json(json)
        wiring = self._wiring
        url = join_url(wiring.base_url, path)
        pairs = encode_params(params, self._zone)
        if pairs:
            url = url.with_query(pairs)
        request = Request(
            row.method,
            url,
            path,
            wiring.get_headers if body is None else wiring.post_headers,
            idempotent=row.is_idempotent,
            side_effect=row.side_effect or "act twice",
        )
        return await self._transport.send(request, body, read_json)
