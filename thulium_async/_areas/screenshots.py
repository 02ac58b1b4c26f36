"""The agent screenshots: ``client.agents.last_screenshot`` and ``agents.screenshot``.

The vendor's index lists both without a page: ``GET agents/:login/screenshot/last``
answers an image (a JPEG), ``POST agents/:login/screenshot`` asks for a new one. The
functions here are methods of ``Agents`` (assigned in its class body): the first reads
bytes, not JSON, which the generated thin methods do not.
"""

from __future__ import annotations

from typing import Any

from .._api.endpoints import Endpoint, PathKind
from .._api.namespace import Namespace

_LOGIN = {"login": PathKind.LOGIN}

LAST_SCREENSHOT = Endpoint(
    "agents.last_screenshot",
    "GET",
    "agents/{login}/screenshot/last",
    _LOGIN,
    doc="the vendor's index only (a JPEG image)",
)
SCREENSHOT = Endpoint(
    "agents.screenshot",
    "POST",
    "agents/{login}/screenshot",
    _LOGIN,
    returns=Any,
    side_effect="take a second screenshot",
    doc="the vendor's index only",
)


async def last_screenshot(self: Namespace, login: str) -> bytes:
    """Return agent *login*'s last screenshot: the image's bytes (a JPEG).

    ``GET agents/:login/screenshot/last``, which the vendor lists without documenting
    it: the answer's bytes are returned as they are, read up to the client's
    ``max_response_size``. A read: retried like any GET.

    Raises:
        InvalidInputError: *login* is not a login (nothing is sent).
        NotFoundError: no such agent, or no screenshot.
        ResponseDecodeError: the image is larger than ``max_response_size``.
    """
    return await self._send_for_bytes(LAST_SCREENSHOT, login)


async def screenshot(self: Namespace, login: str) -> Any:
    """Ask for a new screenshot of agent *login*'s screen; return the JSON answer.

    ``POST agents/:login/screenshot``, which the vendor lists without documenting
    it: nothing is sent but the path, and the answer is passed on as decoded JSON
    (``None`` for an empty body). Read the image with :meth:`last_screenshot` once
    it has been taken. Not idempotent: after a failure that may have been processed
    it raises :class:`~thulium_async.DeliveryUnknownError` (a repeat would take a
    second screenshot).

    Raises:
        InvalidInputError: *login* is not a login (nothing is sent).
        DeliveryUnknownError: the screenshot may or may not have been asked for.
    """
    return await self._send(SCREENSHOT, login)
