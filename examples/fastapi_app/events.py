"""Thulium's webhook events, fanned out live to every open supervisor page.

The receiver (``thulium_async.webhooks.fastapi_router``) hands each event to
:meth:`EventHub.publish`; each page's server-sent-event stream has a queue of its own.
A page that opens late is first sent the last few events; a page that cannot keep up
loses its oldest unsent events, never the receiver's time: Thulium's delivery is
answered before any of this runs.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from datetime import datetime, timezone

from thulium_async.webhooks import (
    ChatEvent,
    CustomerCreated,
    Event,
    TicketEvent,
)

RECENT = 20
QUEUE_SIZE = 100


def summary(event: Event) -> str:
    """One line a supervisor can read."""
    if isinstance(event, CustomerCreated):
        return f"new customer {event.customer_id}"
    if isinstance(event, TicketEvent):
        if event.action == "TICKET_CREATED":
            return f"ticket {event.ticket_id} opened"
        return f"ticket {event.ticket_id}: new message"
    if isinstance(event, ChatEvent):
        who = event.client_name or event.client_email or "a visitor"
        verb = {
            "CHAT_CONVERSATION_CREATED": "started",
            "CHAT_AGENT_ASSIGNED": f"taken by {event.agent_login or 'an agent'}",
            "CHAT_CONVERSATION_CLOSED": "closed",
        }.get(event.action, event.action)
        return f"chat with {who} {verb}"
    return event.action.replace("_", " ").lower()


class EventHub:
    """The recent events, and a bounded queue per live page."""

    def __init__(self) -> None:
        self.recent: deque[dict[str, str]] = deque(maxlen=RECENT)
        self._pages: set[asyncio.Queue[dict[str, str]]] = set()

    async def publish(self, event: Event) -> None:
        """Give *event* to every open page (the webhook receiver's handler)."""
        item = {
            "action": event.action,
            "summary": summary(event),
            "received_at": datetime.now(timezone.utc).isoformat(),
        }
        self.recent.append(item)
        for queue in self._pages:
            if queue.full():
                queue.get_nowait()  # a page that cannot keep up loses the oldest
            queue.put_nowait(item)

    async def follow(self) -> AsyncIterator[dict[str, str]]:
        """Yield the recent events, then each new one, until the page goes away."""
        queue: asyncio.Queue[dict[str, str]] = asyncio.Queue(QUEUE_SIZE)
        backlog = list(self.recent)
        self._pages.add(queue)
        try:
            for item in backlog:
                yield item
            while True:
                yield await queue.get()
        finally:
            self._pages.discard(queue)
