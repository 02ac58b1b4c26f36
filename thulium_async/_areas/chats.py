"""The ``client.chats`` namespace: chat queues and conversations.

The vendor documents some chat endpoints (typed here as they are added) and lists
others without a page (``chats/queues``, deleting a conversation, sending a message in
one): those are thin methods, generated from the table of undocumented endpoints.
"""

from __future__ import annotations

from .._api.endpoints import Endpoint
from .._api.namespace import Namespace
from ._thin import ChatsThin

ENDPOINTS: tuple[Endpoint, ...] = ()


class Chats(ChatsThin, Namespace):
    """Chat endpoints: ``client.chats.queues()``, ``delete_conversation``, ``message``."""

    __slots__ = ()
