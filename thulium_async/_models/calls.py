"""The call-history models users receive: frozen attrs classes, data only.

Field names are the vendor's own (``connections/get_connections``,
``connections/get_connections_id_topic``, ``recordings/get_recordings`` under
https://api.thulium.com/docs/api/). The history writes its times to the minute
(``YYYY-MM-DD HH:MM``); they arrive as aware datetimes in the client's zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .._core.wallclock import Clock, clock
from .fields import either


@attrs.frozen(kw_only=True)
class Connection:
    """One call in the history, as ``connections.list`` reports it.

    Attributes:
        connection_id: the call's unique id (``"1416225570.341"``).
        date: when the call started, to the minute; aware, in the client's zone.
        src: the number that called; dst: the number called.
        disposition: ``ANSWERED``, ``BUSY``, ``FAILED`` or ``NO ANSWER``.
        type: ``INBOUND`` or ``OUTBOUND``.
        duration: seconds of the whole call; billsec: seconds billed (talking).
        queue_id: the queue it went through, if any.
        user_login: the agent's login, if an agent took or made it; user: their name.
        customer_id: the CRM customer, if matched; ticket_id: the ticket, if any.
        topic_id: the topic the agent picked, if any.
        filename: the recording's file, if recorded.
        operator: the trunk used; outbound_result: a campaign call's result.
        tags: the call's tags (with ``include_tags``), as the vendor sends them.
        disconnected_by: ``Agent`` or ``Customer``; transferred_to: the agent's login
            or the number it was transferred to.
    """

    connection_id: str = attrs.field(metadata=either())
    date: datetime = attrs.field(metadata=clock(Clock.MINUTES))
    src: str = attrs.field(metadata=either())
    dst: str = attrs.field(metadata=either())
    disposition: str
    type: str
    duration: int = 0
    billsec: int = 0
    queue_id: int | None = attrs.field(default=None, metadata=either())
    user_login: str | None = None
    user: str | None = None
    customer_id: int | None = attrs.field(default=None, metadata=either())
    ticket_id: int | None = attrs.field(default=None, metadata=either())
    topic_id: int | None = attrs.field(default=None, metadata=either())
    filename: str | None = None
    operator: str | None = None
    outbound_result: str | None = None
    tags: Any = None
    disconnected_by: str | None = None
    transferred_to: str | None = attrs.field(default=None, metadata=either())


@attrs.frozen(kw_only=True)
class TopicValue:
    """One custom field an agent filled in with a call's topic.

    Attributes:
        field_id: the custom field's id (see ``queues.topics``).
        value: what the agent entered.
    """

    field_id: int = attrs.field(metadata=either())
    value: Any = None


@attrs.frozen(kw_only=True)
class ConnectionTopic:
    """The topic an agent picked for a call, as ``connections.topic`` reports it.

    Attributes:
        topic_id: the topic's id; agent_login: who picked it; comment: their note.
        custom_fields: the custom fields filled in.
    """

    topic_id: int | None = attrs.field(default=None, metadata=either())
    agent_login: str | None = None
    comment: str | None = None
    custom_fields: tuple[TopicValue, ...] = ()


@attrs.frozen(kw_only=True)
class Recording:
    """One recorded call, as ``recordings.list`` reports it.

    Attributes:
        connection_id: the call's id, as in the history.
        date: when the call started; created_at: when the recording was made (both
            to the minute, aware, in the client's zone).
        src, dst: the numbers; disposition: always ``ANSWERED``; type: ``INBOUND`` or
            ``OUTBOUND``; duration, billsec: seconds.
        filename: the file (for the vendor's recordings/stream and download).
        user: the agent's name.
    """

    connection_id: str = attrs.field(metadata=either())
    date: datetime = attrs.field(metadata=clock(Clock.MINUTES))
    created_at: datetime | None = attrs.field(
        default=None, metadata=clock(Clock.MINUTES)
    )
    src: str = attrs.field(default="", metadata=either())
    dst: str = attrs.field(default="", metadata=either())
    disposition: str = "ANSWERED"
    type: str = ""
    duration: int = 0
    billsec: int = 0
    filename: str | None = None
    user: str | None = None
