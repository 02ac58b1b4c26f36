"""The chat models users receive: frozen attrs classes, data only.

Field names are the vendor's own (``chats/get_chats`` and
``chats/get_chats_reports_summary`` under https://api.thulium.com/docs/api/). The
stored copies of both pages are cut inside their example answers: each model keeps
the whole object as sent in ``fields``, so what is not typed here is not lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import attrs

from .fields import either, raw


@attrs.frozen(kw_only=True)
class ChatTimes:
    """The shortest, longest, total and average of a duration in a summary row."""

    min: timedelta | None = None
    max: timedelta | None = None
    sum: timedelta | None = None
    avg: timedelta | None = None


@attrs.frozen(kw_only=True)
class ChatSummaryRow:
    """One row of ``chats.summary``: one user's (or all users') chats in one period.

    Attributes:
        series: the period, in the shape *aggregate_by* gives it (``"2021-12"``).
        user_name: whose chats (absent when summed over users).
        incoming, incoming_to_agent, incoming_including_empty, abandoned, answered,
            incoming_to_bot, transferred_by_bot, finished_by_bot: chat counts.
        service_level_percent, sla_percent: as the vendor reports them.
        chat_time, wait_time: durations (``HHH:MM:SS`` on the wire).
        rating: the customers' ratings, as sent (``{"rate": {"sad": 0, ...}, ...}``).
        fields: the whole row, as sent.
    """

    series: str = attrs.field(metadata=either())
    user_name: str | None = None
    incoming: int | None = None
    incoming_to_agent: int | None = None
    incoming_including_empty: int | None = None
    abandoned: int | None = None
    answered: int | None = None
    incoming_to_bot: int | None = None
    transferred_by_bot: int | None = None
    finished_by_bot: int | None = None
    service_level_percent: float | None = None
    chat_time: ChatTimes | None = None
    wait_time: ChatTimes | None = None
    sla_percent: float | None = None
    rating: Mapping[str, Any] = attrs.field(factory=dict)
    fields: Mapping[str, Any] = attrs.field(factory=dict, metadata=raw())


@attrs.frozen(kw_only=True)
class Chat:
    """A chat, as ``chats.list`` reports it.

    ``created_at`` and ``closed_at`` are kept as the text Thulium sends: its example
    writes them to the millisecond (``2017-12-11 10:23:04.318``), a shape of the
    system's wall clock the SDK reads nowhere else.

    Attributes:
        conversation_id: the conversation's id (a UUID).
        chat_queue_id: the chat queue.
        client_name, client_email: who the customer said they are.
        customer_id: the CRM customer, if matched.
        created_at, closed_at: when it started and ended, as sent.
        status: the chat's status (``CLOSED``, ...).
        fields: the whole chat, as sent (messages, files and client data with the
            ``include_*`` flags).
    """

    conversation_id: str
    chat_queue_id: int | None = attrs.field(default=None, metadata=either())
    client_name: str | None = None
    client_email: str | None = None
    customer_id: int | None = attrs.field(default=None, metadata=either())
    created_at: str | None = None
    closed_at: str | None = None
    status: str | None = None
    fields: Mapping[str, Any] = attrs.field(factory=dict, metadata=raw())
