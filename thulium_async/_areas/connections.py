"""The call history: ``client.connections`` and ``client.recordings``.

Both lists page 100 records at a time (the vendor's maximum), fetched a few pages at a
time once the first has told the total. ``connections.call`` rings a person and is
never sent twice after a failure that may have been processed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import attrs

from .._api.endpoints import (
    Endpoint,
    Paging,
    PathKind,
    check_optional_path_value,
    described,
)
from .._api.namespace import Namespace
from .._api.paging import Pages
from .._core import validation as _validation
from .._core.errors import InvalidInputError
from .._core.wallclock import Clock, clock
from .._models.calls import Connection, ConnectionTopic, Recording
from .._models.fields import WIRE

_MINUTES = clock(Clock.MINUTES)


@attrs.define(kw_only=True)
class ConnectionFilter:
    """``GET connections``'s query, in the vendor's order."""

    date_from: date | datetime | None = attrs.field(
        default=None, metadata=described(example="2014-07-04", base=_MINUTES)
    )
    date_to: date | datetime | None = attrs.field(
        default=None, metadata=described(example="2014-07-14 12:34", base=_MINUTES)
    )
    src: str | None = attrs.field(
        default=None, metadata=described(example="123321", format="phone")
    )
    dst: str | None = attrs.field(
        default=None, metadata=described(example="123321", format="phone")
    )
    connection_id: str | None = attrs.field(
        default=None,
        metadata=described(example="1416225570.341", kind=PathKind.CONNECTION),
    )
    user_login: str | None = attrs.field(
        default=None, metadata=described(example="j.doe", kind=PathKind.LOGIN)
    )
    queue_id: int | None = attrs.field(
        default=None, metadata=described(example=542, kind=PathKind.ID)
    )
    topic_id: int | None = attrs.field(
        default=None, metadata=described(example=365, kind=PathKind.ID)
    )
    customer_id: int | None = attrs.field(
        default=None, metadata=described(example=321, kind=PathKind.ID)
    )
    tags: tuple[str, ...] | None = attrs.field(
        default=None,
        metadata=described(example=["tag1", "tag2", "tag3"], base={WIRE: "tags[]"}),
    )
    include_tags: bool | None = attrs.field(
        default=None, metadata=described(example=True)
    )
    include_topics: bool | None = attrs.field(
        default=None, metadata=described(example=True)
    )


@attrs.define(kw_only=True)
class RecordingFilter:
    """``GET recordings``'s query."""

    date_from: date | datetime | None = attrs.field(
        default=None, metadata=described(example="2014-07-04", base=_MINUTES)
    )
    date_to: date | datetime | None = attrs.field(
        default=None, metadata=described(example="2014-07-14 12:34", base=_MINUTES)
    )
    src: str | None = attrs.field(
        default=None, metadata=described(example="123321", format="phone")
    )
    dst: str | None = attrs.field(
        default=None, metadata=described(example="123321", format="phone")
    )
    connection_id: str | None = attrs.field(
        default=None,
        metadata=described(example="1416225570.341", kind=PathKind.CONNECTION),
    )


@attrs.define(kw_only=True)
class CallBody:
    """``POST connections/call``'s body."""

    sip: str = attrs.field(metadata=described(example="301"))
    phone_number: str = attrs.field(
        metadata=described(example="666777888", format="phone")
    )


LIST = Endpoint(
    "connections.list",
    "GET",
    "connections",
    returns=Connection,
    query=ConnectionFilter,
    paging=Paging(max_limit=100),
    doc="connections/get_connections",
)
TOPIC = Endpoint(
    "connections.topic",
    "GET",
    "connections/{connection_id}/topic",
    {"connection_id": PathKind.CONNECTION},
    returns=ConnectionTopic,
    doc="connections/get_connections_id_topic",
    # The page's example value is "xxxxx"; its example request uses this one.
    path_examples={"connection_id": "123423.23"},
    example={
        "topic_id": 96,
        "agent_login": "jan.kowalski",
        "comment": "komentarz do rozmowy",
        "custom_fields": [
            {"field_id": 1, "value": "pole 1 wartość"},
            {"field_id": 2, "value": "pole 2 wartość"},
        ],
    },
)
CALL = Endpoint(
    "connections.call",
    "POST",
    "connections/call",
    body=CallBody,
    side_effect="ring the person twice",
    doc="connections/post_connections_call",
)
RECORDINGS = Endpoint(
    "recordings.list",
    "GET",
    "recordings",
    returns=Recording,
    query=RecordingFilter,
    paging=Paging(max_limit=100),
    doc="recordings/get_recordings",
)
ENDPOINTS = (LIST, TOPIC, CALL, RECORDINGS)


def _number(name: str, value: object) -> str | None:
    if value is None:
        return None
    try:
        return _validation.phone_number(value)
    except InvalidInputError:
        raise InvalidInputError(
            f"{name} must be a phone number or an extension, got {value!r}"
        ) from None


def _range(date_from: object, date_to: object) -> None:
    """Refuse a range that is not dates, or that ends before it starts."""
    start, end = (
        _validation.optional_date("date_from", date_from),
        _validation.optional_date("date_to", date_to),
    )
    if start is None or end is None:
        return
    try:
        backwards = start > end
    except TypeError:  # a date against a datetime, or naive against aware
        return
    if backwards:
        raise InvalidInputError(f"date_from {start} is after date_to {end}")


class Connections(Namespace):
    """The call history: ``client.connections.list(...)``, ``topic``, ``call``."""

    __slots__ = ()

    def list(
        self,
        *,
        date_from: date | datetime | None = None,
        date_to: date | datetime | None = None,
        src: str | None = None,
        dst: str | None = None,
        queue_id: int | None = None,
        user_login: str | None = None,
        connection_id: str | None = None,
        customer_id: int | None = None,
        topic_id: int | None = None,
        tags: Sequence[str] | None = None,
        include_tags: bool = False,
        include_topics: bool = False,
        limit: int = 100,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Connection]:
        """The call history, filtered: ``await`` it for the first page, or ``async for``.

        ``await`` gives the first :class:`~thulium_async.Page` (its ``count`` is the
        whole history's total for these filters); ``async for`` yields every
        :class:`~thulium_async.Connection`, pages fetched *concurrency* at a time::

            async for call in client.connections.list(date_from=date(2026, 11, 1), queue_id=2):
                print(call.date, call.dst, call.disposition)

        Args:
            date_from: the first call date: a ``date`` (the whole day) or a
                ``datetime`` (sent to the minute; naive means the system's wall
                clock, aware is converted into it).
            date_to: the last call date, likewise.
            src: the calling number.
            dst: the called number.
            queue_id: the queue.
            user_login: the agent.
            connection_id: one call.
            customer_id: the CRM customer.
            topic_id: the topic.
            tags: calls with these tags.
            include_tags: add each call's tags.
            include_topics: add each call's topic.
            limit: records per page, 1 to 100 (the vendor's maximum).
            offset: where to start.
            concurrency: pages in flight after the first, 1 to 32.

        Raises:
            InvalidInputError: a bad argument, at once (nothing is sent).
        """
        _range(date_from, date_to)
        given: object = tags  # whatever the annotation says, callers pass anything
        if given is not None and (
            isinstance(given, str)
            or not isinstance(given, (list, tuple))
            or not all(isinstance(t, str) and t for t in given)
        ):
            raise InvalidInputError(f"tags must be a list of strings, got {tags!r}")
        for name, flag in (
            ("include_tags", include_tags),
            ("include_topics", include_topics),
        ):
            if not isinstance(flag, bool):
                raise InvalidInputError(f"{name} must be True or False, got {flag!r}")
        query = ConnectionFilter(
            date_from=date_from,
            date_to=date_to,
            src=_number("src", src),
            dst=_number("dst", dst),
            connection_id=check_optional_path_value(
                PathKind.CONNECTION, "connection_id", connection_id
            ),
            user_login=check_optional_path_value(
                PathKind.LOGIN, "user_login", user_login
            ),
            queue_id=_validation.optional_id("queue_id", queue_id),
            topic_id=_validation.optional_id("topic_id", topic_id),
            customer_id=_validation.optional_id("customer_id", customer_id),
            tags=None if tags is None else tuple(tags),
            include_tags=include_tags or None,
            include_topics=include_topics or None,
        )
        return self._list(
            LIST, query=query, limit=limit, offset=offset, concurrency=concurrency
        )

    async def topic(self, connection_id: str) -> ConnectionTopic:
        """Return the topic and custom fields an agent recorded for call *connection_id*.

        Raises:
            InvalidInputError: not a connection id like ``"1416225570.341"``.
            NotFoundError: no such call, or no topic recorded.
        """
        return await self._send(TOPIC, connection_id)

    async def call(self, sip: str, phone_number: str) -> None:
        """Connect SIP account *sip* with *phone_number*: **rings a person**.

        The call's outcome is not known when this returns. After a failure that may
        have been processed it raises :class:`~thulium_async.DeliveryUnknownError`
        and is never sent again.

        Raises:
            InvalidInputError: a bad argument (nothing is sent).
            DeliveryUnknownError: the person may or may not have been rung.
        """
        account: object = sip
        if not isinstance(account, str) or not account.strip() or len(account) > 64:
            raise InvalidInputError(f"sip must be a SIP account name, got {sip!r}")
        body = CallBody(sip=sip, phone_number=_validation.phone_number(phone_number))
        await self._send(CALL, body=body)


class Recordings(Namespace):
    """Recorded calls: ``client.recordings.list(...)``."""

    __slots__ = ()

    def list(
        self,
        *,
        date_from: date | datetime | None = None,
        date_to: date | datetime | None = None,
        src: str | None = None,
        dst: str | None = None,
        connection_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Recording]:
        """Recorded calls, filtered by when the recording was made: await or ``async for``.

        Args:
            date_from: the first creation date (a ``date``, or a ``datetime`` sent to
                the minute).
            date_to: the last creation date, likewise.
            src: the calling number.
            dst: the called number.
            connection_id: one call.
            limit: records per page, 1 to 100.
            offset: where to start.
            concurrency: pages in flight after the first, 1 to 32.

        Raises:
            InvalidInputError: a bad argument, at once (nothing is sent).
        """
        _range(date_from, date_to)
        query = RecordingFilter(
            date_from=date_from,
            date_to=date_to,
            src=_number("src", src),
            dst=_number("dst", dst),
            connection_id=check_optional_path_value(
                PathKind.CONNECTION, "connection_id", connection_id
            ),
        )
        return self._list(
            RECORDINGS, query=query, limit=limit, offset=offset, concurrency=concurrency
        )
