"""The endpoints the vendor lists without documenting them, declared once, in one table.

Thulium's index (https://api.thulium.com/docs/api/printer) names these endpoints with a
line of description each, but no page says what they take or answer. Each row holds
what is known: the method, the path and the kind of its path parameters, the index's
description, what a repeat of a write would do, and the client method that sends it
(the area's namespace and the vendor's verb: ``POST agents/:login/pause`` is
``agents.pause``). Nothing else is guessed: the OpenAPI document marks them
``x-thulium-documented: false`` with free-form parameters and answers, and the client's
thin methods (``_areas/_thin.py``) are generated from this table. No I/O here.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

import attrs

from .endpoints import IDEMPOTENT_METHODS, PathKind


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
        side_effect: what a repeat would do, for ``DeliveryUnknownError`` (it ends
            "a repeat could ..."): required of a write that is not idempotent
            (POST, PATCH), which is never sent twice after an ambiguous failure.
        thin: whether the client gets a thin method (path values, ``params=``,
            ``json=``, the decoded JSON answer) generated from this row; ``False``
            where the answer is binary and a hand-written method sends it.
    """

    operation: str
    method: str
    path: str
    params: Mapping[str, PathKind] = attrs.field(factory=dict)
    summary: str = ""
    answer_type: str = "application/json"
    side_effect: str = ""
    thin: bool = True

    def __attrs_post_init__(self) -> None:
        fields = {
            field for _, field, _, _ in string.Formatter().parse(self.path) if field
        }
        if fields != set(self.params):
            raise TypeError(
                f"{self.operation}: path {self.path!r} names {sorted(fields)}, "
                f"params declare {sorted(self.params)}"
            )
        if not self.is_idempotent and not self.side_effect:
            raise TypeError(f"{self.operation}: say what a repeat would do")

    @property
    def is_idempotent(self) -> bool:
        """Whether a repeat is harmless, by the method (GET, PUT, DELETE yes)."""
        return self.method in IDEMPOTENT_METHODS


# Named as the typed endpoints on the same paths name them: one path, one name.
_LOGIN = {"login": PathKind.LOGIN}
_CONVERSATION = {"conversation_id": PathKind.CONVERSATION}
_COMPANY = {"company_id": PathKind.ID}
_CUSTOMER = {"customer_id": PathKind.ID}
_CAMPAIGN = {"outbound_id": PathKind.CAMPAIGN}

# The agent actions of the index: POST agents/:login/<verb>, what each does, and what a
# repeat could do: each acts on the agent's state as it is when it arrives, which may
# have changed since the first one (a new call, a pause ended).
_AGENT_ACTIONS = {
    "answer": (
        "Answer the agent's ringing call (Thulium Softphone).",
        "answer a call that rang after the first one",
    ),
    "call_preview": (
        "Call in a preview campaign.",
        "ring the person twice",
    ),
    "free": (
        "End the agent's pause.",
        "end a pause the agent began since",
    ),
    "hangup": (
        "Hang up the agent's calls.",
        "hang up a call the agent began since",
    ),
    "hold": (
        "Put the agent's call on hold.",
        "put a call back on hold that the agent took off hold since",
    ),
    "login": ("Log the agent in.", "log the agent back in after a logout since"),
    "logout": ("Log the agent out.", "log the agent out after a login since"),
    "mute": ("Mute the agent's microphone.", "mute the agent after an unmute since"),
    "pause": (
        "Pause the agent.",
        "pause the agent again after the agent was freed",
    ),
    "stop_recording": (
        "Stop recording the agent's current call.",
        "stop the recording of a call the agent began since",
    ),
    "transfer": (
        "Transfer the agent's call.",
        "transfer a call twice, or another call of the agent's",
    ),
    "unhold": (
        "Take the agent's call off hold.",
        "take a call off hold that the agent put on hold since",
    ),
    "unmute": (
        "Unmute the agent's microphone.",
        "unmute the agent after a mute since",
    ),
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
        thin=False,  # bytes, not JSON: agents.screenshot* are written by hand
    ),
    *(
        Undocumented(
            f"agents.{verb}",
            "POST",
            f"agents/{{login}}/{verb}",
            _LOGIN,
            summary,
            side_effect=repeat,
        )
        for verb, (summary, repeat) in _AGENT_ACTIONS.items()
    ),
    Undocumented(
        "agents.screenshot",
        "POST",
        "agents/{login}/screenshot",
        _LOGIN,
        summary="Take a screenshot of the agent's screen.",
        side_effect="take a second screenshot",
        thin=False,  # beside agents.last_screenshot, whose answer is an image
    ),
    Undocumented(
        "chats.delete_conversation",
        "DELETE",
        "chat_conversations/{conversation_id}",
        _CONVERSATION,
        summary="Delete a chat conversation.",
        side_effect="find the conversation gone (404)",
    ),
    Undocumented("chats.queues", "GET", "chats/queues", summary="List chat queues."),
    Undocumented(
        "chats.message",
        "POST",
        "chat_conversations/{conversation_id}/message",
        _CONVERSATION,
        summary="Send a message in a chat conversation.",
        side_effect="send the message twice",
    ),
    Undocumented(
        "companies.create",
        "POST",
        "companies",
        summary="Add a company to the CRM.",
        side_effect="add the company twice",
    ),
    Undocumented(
        "companies.update",
        "PUT",
        "companies/{company_id}",
        _COMPANY,
        summary="Edit a company.",
        side_effect="write the same edit again",
    ),
    Undocumented(
        "companies.delete",
        "DELETE",
        "companies/{company_id}",
        _COMPANY,
        summary="Delete a company.",
        side_effect="find the company gone (404)",
    ),
    Undocumented(
        "customers.update",
        "PUT",
        "customers/{customer_id}",
        _CUSTOMER,
        summary="Edit a customer.",
        side_effect="write the same edit again",
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
        side_effect="find the campaign gone (404)",
    ),
    Undocumented(
        "outbounds.create",
        "POST",
        "outbounds",
        summary="Create a campaign (in the older index only).",
        side_effect="create a second campaign",
    ),
    Undocumented(
        "outbounds.clone",
        "POST",
        "outbounds/{outbound_id}/clone",
        _CAMPAIGN,
        summary="Copy a campaign (in the older index only).",
        side_effect="make a second copy of the campaign",
    ),
)
"""Every endpoint of the vendor's index that has no page of its own (31)."""
