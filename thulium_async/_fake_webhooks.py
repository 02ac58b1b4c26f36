"""FakeThulium's webhook deliveries: the events its state changes produce, POSTed.

A subscription made on the fake (``POST webhooks``) receives the events the fake's own
state changes produce, POSTed as JSON with Basic auth when the subscription has a user,
as Thulium delivers them. Deliveries go to ``127.0.0.1`` only: a subscription to any
other host is kept (``webhooks.list`` shows it) but never called, so a test can never
reach a real service.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import attrs

from ._fake_state import Subscription
from ._http.wire import basic_auth_header

_TIMEOUT = aiohttp.ClientTimeout(total=5.0)


@attrs.frozen(kw_only=True)
class WebhookDelivery:
    """One delivery the fake made, or declined to make.

    Attributes:
        subscription_id: the subscription it was for.
        url: where it was POSTed.
        action: the event's action (``CUSTOMER_CREATED``, ...).
        body: the JSON object sent.
        status: the receiver's HTTP status; ``None`` when nothing was answered.
        error: why there was no answer (refused, timed out, not a loopback URL).
    """

    subscription_id: int
    url: str
    action: str
    body: Mapping[str, Any]
    status: int | None = None
    error: str | None = None


def loopback(url: str) -> bool:
    """Whether the fake may POST to *url*: plain HTTP(S) on 127.0.0.1."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname == "127.0.0.1"


class Deliveries:
    """The deliveries made to the fake's subscriptions, in the background.

    Args:
        subscriptions: the fake state's subscriptions, read as each event comes.
    """

    def __init__(self, subscriptions: list[Subscription]) -> None:
        self.subscriptions = subscriptions
        self.made: list[WebhookDelivery] = []
        self._running: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    def emit(self, action: str, fields: Mapping[str, Any]) -> None:
        """Deliver event *action* to every subscription to it, in the background."""
        body = {"action": action, **fields}
        for subscription in self.subscriptions:
            if action not in subscription.actions:
                continue
            url = subscription.subscription_url
            if not loopback(url):
                self.made.append(
                    WebhookDelivery(
                        subscription_id=subscription.id,
                        url=url,
                        action=action,
                        body=body,
                        error="not delivered: the fake delivers to 127.0.0.1 only",
                    )
                )
                continue
            task = asyncio.ensure_future(self._post(subscription, body))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _post(self, subscription: Subscription, body: dict[str, Any]) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=_TIMEOUT)
        headers = {"Content-Type": "application/json"}
        user, password = subscription.http_auth_user, subscription.http_auth_password
        if user:
            headers["Authorization"] = basic_auth_header(user, password or "")
        status: int | None = None
        error: str | None = None
        try:
            async with self._session.post(
                subscription.subscription_url,
                data=json.dumps(body).encode(),
                headers=headers,
            ) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        self.made.append(
            WebhookDelivery(
                subscription_id=subscription.id,
                url=subscription.subscription_url,
                action=body["action"],
                body=body,
                status=status,
                error=error,
            )
        )

    async def settle(self) -> None:
        """Wait until every delivery started so far has been answered or has failed."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def close(self) -> None:
        """Stop what is still being delivered and close the connections."""
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*list(self._running), return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
