"""The queue models users receive: frozen attrs classes, data only, no I/O, no cattrs.

Field names are the vendor's own (already snake_case), so a user can read Thulium's pages
and these classes side by side. Renames, if the vendor ever needs them, belong in
the converter (``_api/converter.py``), never here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from .fields import either, raw


@attrs.frozen(kw_only=True)
class WaitingCaller:
    """One caller waiting in a queue, as ``waiting_list`` reports them.

    Attributes:
        phone_number: the caller's number, as Thulium reports it.
        started_at: when they started waiting; timezone-aware, in the client's timezone.
        customer_id: the CRM customer id when the number matched exactly one record.
        customer_label: that customer's name, or the company name.
    """

    phone_number: str
    started_at: datetime
    customer_id: int | None = attrs.field(default=None, metadata=either())
    customer_label: str | None = None


@attrs.frozen(kw_only=True)
class Topic:
    """A call topic agents can pick for a conversation in a queue.

    Attributes:
        id: the topic's id (``topic_id`` in the call history).
        name: its name.
        show_custom_fields: whether picking it shows the queue's custom fields.
    """

    id: int = attrs.field(metadata=either())
    name: str
    show_custom_fields: bool = False


@attrs.frozen(kw_only=True)
class TopicGroup:
    """A named group of topics, as the queue's settings group them.

    Attributes:
        group_name: the group's name.
        topics: its active topics; empty groups are listed too.
    """

    group_name: str
    topics: tuple[Topic, ...] = ()


@attrs.frozen(kw_only=True)
class TopicField:
    """A custom field agents fill in with a topic.

    Attributes:
        id: the field's id.
        name: its name.
        type: the vendor's field type (``TEXT``, ``LONG_TEXT``, ...).
        require: whether agents must fill it in.
    """

    id: int = attrs.field(metadata=either())
    name: str
    type: str
    require: bool = False


@attrs.frozen(kw_only=True)
class QueueTopics:
    """The call topics of a queue, as ``queues.topics`` reports them.

    Attributes:
        topic_groups: the active topic groups, each with its active topics.
        custom_fields: the custom fields that go with the topics.
    """

    topic_groups: tuple[TopicGroup, ...] = ()
    custom_fields: tuple[TopicField, ...] = ()


@attrs.frozen(kw_only=True)
class WaitingStats:
    """How a queue's wait looks now, as ``queues.waiting_stats`` reports it.

    The vendor documents no page for this endpoint; its shape comes from the vendor's
    own queue widget, which reads these two fields. Everything the answer holds is
    kept in ``fields``, so a field typed here later is already there today.

    Attributes:
        in_queue: callers waiting now.
        approx_wait_time: the expected wait (``00:00:00`` when nobody waits).
        fields: the whole answer, as sent.
    """

    in_queue: int
    approx_wait_time: timedelta | None = None
    fields: Mapping[str, Any] = attrs.field(factory=dict, metadata=raw())
