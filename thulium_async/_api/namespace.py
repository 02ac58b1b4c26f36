"""What every endpoint namespace of a client holds: where to send, and how.

``client.queues`` (and ``client.request``'s builder) are namespaces over one transport.
A ``with_options`` view is a shallow copy with another transport: its caches, headers
and zone are the original's, shared without copying them one by one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import tzinfo
from typing import TypeVar

from yarl import URL

from .._http.transport import Transport

N = TypeVar("N", bound="Namespace")


class Namespace:
    """The transport, API root, zone and prebuilt headers a namespace sends with."""

    __slots__ = ("_base_url", "_get_headers", "_post_headers", "_transport", "_zone")

    def __init__(
        self,
        transport: Transport,
        *,
        base_url: URL,
        zone: tzinfo,
        get_headers: Mapping[str, str],
        post_headers: Mapping[str, str],
    ) -> None:
        self._transport = transport
        self._base_url = base_url
        self._zone = zone
        self._get_headers = get_headers
        self._post_headers = post_headers

    def with_transport(self: N, transport: Transport) -> N:
        """Return the same namespace sending through *transport* (for with_options)."""
        view = copy.copy(self)
        view._transport = transport
        return view
