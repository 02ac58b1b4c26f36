"""The endpoints the vendor lists without documenting them, declared once, in one table.

Thulium's index (https://api.thulium.com/docs/api/printer) names these endpoints with a
line of description each, but no page says what they take or answer. Each row holds
what is known: the method, the path and the kind of its path parameters, the index's
description, and the client method a later step will add for it (the area's namespace
and the vendor's verb: ``POST agents/:login/pause`` is ``agents.pause``). Nothing else
is guessed: the OpenAPI document marks them ``x-thulium-documented: false`` with
free-form parameters and answers. No I/O here.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

import attrs

from .endpoints import PathKind


@attrs.frozen
class Undocumented:
    """An endpoint the vendor lists but does not document.

    Attributes:
        operation: the client method that will send it (``agents.pause``).
        method: the HTTP method.
        path: the path template relative to the API root.
        params: the kind of each ``{name}`` in *path*.
        summary: what the vendor's index says it does.
        answer_type: the answer's media type, when it is not JSON.
    """

    operation: str
    method: str
    path: str
    params: Mapping[str, PathKind] = attrs.field(factory=dict)
    summary: str = ""
    answer_type: str = "application/json"

    def __attrs_post_init__(self) -> None:
        fields = {
            field for _, field, _, _ in string.Formatter().parse(self.path) if field
        }
        if fields != set(self.params):
            raise TypeError(
                f"{self.operation}: path {self.path!r} names {sorted(fields)}, "
                f"params declare {sorted(self.params)}"
            )


# Named as the typed endpoints on the same paths name them: one path, one name.
_LOGIN = {"login": PathKind.LOGIN}
_CONVERSATION = {"conversation_id": PathKind.ID}
_COMPANY = {"company_id": PathKind.ID}
_CUSTOMER = {"customer_id": PathKind.ID}
_CAMPAIGN = {"outbound_id": PathKind.CAMPAIGN}

# The agent actions of the index: POST agents/:login/<verb>, what each does.
_AGENT_ACTIONS = {
    "answer": "Answer the agent's ringing call (Thulium Softphone).",
    "call_preview": "Call in a preview campaign.",
    "free": "End the agent's pause.",
    "hangup": "Hang up the agent's calls.",
    "hold": "Put the agent's call on hold.",
    "login": "Log the agent in.",
    "logout": "Log the agent out.",
    "mute": "Mute the agent's microphone.",
    "pause": "Pause the agent.",
    "stop_recording": "Stop recording the agent's current call.",
    "transfer": "Transfer the agent's call.",
    "unhold": "Take the agent's call off hold.",
    "unmute": "Unmute the agent's microphone.",
}

UNDOCUMENTED: tuple[Undocumented, ...] = (
    Undocumented("agents.list", "GET", "agents", summary="List the agents."),
    Undocumented("agents.groups", "GET", "agents_groups", summary="List agent groups."),
    Undocumented(
        "agents.statuses", "GET", "agents_statuses", summary="List agent statuses."
    ),
    Undocumented(
        "agents.last_queue_call",
        "GET",
        "agents/{login}/last_queue_call",
        _LOGIN,
        summary="The agent's last call from a queue.",
    ),
    Undocumented(
        "agents.last_screenshot",
        "GET",
        "agents/{login}/screenshot/last",
        _LOGIN,
        summary="The agent's last screenshot (a JPEG image).",
        answer_type="image/jpeg",
    ),
    *(
        Undocumented(f"agents.{verb}", "POST", f"agents/{{login}}/{verb}", _LOGIN, text)
        for verb, text in _AGENT_ACTIONS.items()
    ),
    Undocumented(
        "agents.screenshot",
        "POST",
        "agents/{login}/screenshot",
        _LOGIN,
        summary="Take a screenshot of the agent's screen.",
    ),
    Undocumented(
        "chats.delete_conversation",
        "DELETE",
        "chat_conversations/{conversation_id}",
        _CONVERSATION,
        summary="Delete a chat conversation.",
    ),
    Undocumented("chats.queues", "GET", "chats/queues", summary="List chat queues."),
    Undocumented(
        "chats.message",
        "POST",
        "chat_conversations/{conversation_id}/message",
        _CONVERSATION,
        summary="Send a message in a chat conversation.",
    ),
    Undocumented(
        "companies.create", "POST", "companies", summary="Add a company to the CRM."
    ),
    Undocumented(
        "companies.update",
        "PUT",
        "companies/{company_id}",
        _COMPANY,
        summary="Edit a company.",
    ),
    Undocumented(
        "companies.delete",
        "DELETE",
        "companies/{company_id}",
        _COMPANY,
        summary="Delete a company.",
    ),
    Undocumented(
        "customers.update",
        "PUT",
        "customers/{customer_id}",
        _CUSTOMER,
        summary="Edit a customer.",
    ),
    Undocumented(
        "customers.ids_by_outbound_status",
        "GET",
        "customer_id_by_outbound_status",
        summary="Customer ids, narrowed by their record's status in a campaign.",
    ),
    Undocumented("outbounds.list", "GET", "outbounds", summary="List the campaigns."),
    Undocumented(
        "outbounds.delete",
        "DELETE",
        "outbounds/{outbound_id}",
        _CAMPAIGN,
        summary="Delete a campaign with all its records.",
    ),
    Undocumented(
        "outbounds.create",
        "POST",
        "outbounds",
        summary="Create a campaign (in the older index only).",
    ),
    Undocumented(
        "outbounds.clone",
        "POST",
        "outbounds/{outbound_id}/clone",
        _CAMPAIGN,
        summary="Copy a campaign (in the older index only).",
    ),
)
"""Every endpoint of the vendor's index that has no page of its own (31)."""
