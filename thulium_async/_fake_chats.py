"""FakeThulium's chats: conversations started and ended, and the events they announce.

Starting a conversation keeps it and announces ``CHAT_CONVERSATION_CREATED``; ending
one marks it closed and announces ``CHAT_CONVERSATION_CLOSED``, with the fields the
vendor's notifications document for chat events (``conversation_id``,
``chat_queue_id``, ``agent_login``, ``date``, ``client_name``, ``client_email``). No
agent is ever assigned here, so ``CHAT_AGENT_ASSIGNED`` comes only from ``send_event``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from ._core.wallclock import wall_clock_text
from ._fake_answers import Stateful, error
from ._fake_state import Conversation, FakeState


def _event(state: FakeState, conversation: Conversation) -> dict[str, Any]:
    return {
        "conversation_id": conversation.conversation_id,
        "chat_queue_id": conversation.chat_queue_id,
        "agent_login": None,
        "date": wall_clock_text(state.clock.now()),
        "client_name": conversation.client_name,
        "client_email": conversation.client_email,
    }


def start(state: FakeState, request: web.Request, body: bytes) -> web.StreamResponse:
    """Start a conversation (its parameters are in the query, as the page sends them)."""
    query = request.query
    customer = query.get("customer_id")
    conversation = Conversation(
        conversation_id=str(uuid.uuid4()),
        chat_queue_id=int(query["chat_queue_id"]),
        client_name=query.get("client_name"),
        client_surname=query.get("client_surname"),
        client_email=query.get("client_email"),
        client_id=query.get("client_id"),
        customer_id=None if customer is None else int(customer),
        started_at=wall_clock_text(state.clock.now()),
    )
    state.chats[conversation.conversation_id] = conversation
    state.announce("CHAT_CONVERSATION_CREATED", _event(state, conversation))
    return web.json_response({"conversation_id": conversation.conversation_id})


def stop(state: FakeState, request: web.Request, body: bytes) -> web.StreamResponse:
    """End a conversation; ending an ended one changes nothing and announces nothing."""
    conversation = state.chats.get(request.match_info["conversation_id"])
    if conversation is None:
        return error(404, "Conversation not found.")
    if conversation.status != "CLOSED":
        conversation.status = "CLOSED"
        conversation.closed_at = wall_clock_text(state.clock.now())
        state.announce("CHAT_CONVERSATION_CLOSED", _event(state, conversation))
    return web.Response(status=200)


ROUTES: Mapping[str, Stateful] = {
    "chats.start": Stateful(start),
    # Until a conversation was started here, the vendor's example answers (rule 3).
    "chats.stop": Stateful(stop, reads=lambda state: state.chats),
}
"""The chat endpoints with state, and the part of the state each reads."""
