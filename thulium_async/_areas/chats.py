"""The ``client.chats`` namespace: chat queues and conversations.

The vendor documents some chat endpoints (typed here as they are added) and lists
others without a page (``chats/queues``, deleting a conversation, sending a message in
one): those are thin methods, generated from the table of undocumented endpoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated

import attrs

from .._api.endpoints import (
    Paging,
    PathKind,
)
from .._api.namespace import Namespace
from .._api.operations import PathValue, Query, operation
from .._api.paging import Pages
from .._core.errors import InvalidInputError
from .._core.wallclock import Clock
from .._models.chats import Chat, ChatSummaryRow
from ._reports import AggregateBy, ReportEnd, ReportStart
from ._thin import ChatsThin


@attrs.frozen(kw_only=True)
class ConversationStarted:
    """``POST chat_conversations/start``'s answer."""

    conversation_id: str


_CONVERSATION = PathValue(
    "the conversation (a UUID, as ``start`` returns)",
    PathKind.CONVERSATION,
    example="6ed7c941-2c8a-411e-95d2-338a9f64800a",
)


def _threshold(*, response_threshold: int | None, **_: object) -> None:
    """The summary's first-answer threshold is a number of seconds, not below 0."""
    if response_threshold is not None and response_threshold < 0:
        raise InvalidInputError(
            "response_threshold must be an int of seconds >= 0, got "
            f"{response_threshold!r}"
        )


class Chats(ChatsThin, Namespace):
    """Chat endpoints: ``client.chats.list(...)``, ``summary``, ``start``, ``stop``, ..."""

    __slots__ = ()

    @operation(
        "chats.list",
        "GET",
        "chats",
        paging=Paging(max_limit=100),
        doc="chats/get_chats",
    )
    def list(
        self,
        *,
        date_from: Annotated[
            date | datetime | None,
            Query(
                "started since (a date, or a datetime sent to the minute)",
                example="2014-07-04",
                clock=Clock.MINUTES,
            ),
        ] = None,
        date_to: Annotated[
            date | datetime | None,
            Query("started until", example="2014-07-14 12:34", clock=Clock.MINUTES),
        ] = None,
        status: Annotated[
            str | None, Query("the chat's status", example="CLOSED")
        ] = None,
        chat_queue_id: Annotated[
            int | None, Query("the chat queue", example=3, kind=PathKind.ID)
        ] = None,
        include_messages: Annotated[
            bool, Query("add each chat's messages (in Chat.fields)", example=False)
        ] = False,
        include_files: Annotated[
            bool, Query("add each chat's files", example=False)
        ] = False,
        include_client_data: Annotated[
            bool,
            Query("add the client's data (browser, IP address)", example=False),
        ] = False,
        limit: int = 100,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Chat]:
        """Chats, filtered: ``await`` for the first page, or ``async for`` over all.

        ``limit`` is chats per page (1 to 100), ``offset`` where to start,
        ``concurrency`` the pages in flight after the first (1 to 32).
        """

    @operation(
        "chats.summary",
        "GET",
        "chats/reports/summary",
        # limit/offset, at most 100, but the answer is the page's rows alone: no total.
        paging=Paging(max_limit=100, bare=True),
        doc="chats/get_chats_reports_summary",
        check=_threshold,
    )
    def summary(
        self,
        *,
        date_from: ReportStart,
        date_to: ReportEnd,
        user_logins: Annotated[
            Sequence[str] | None,
            Query(
                "the users to report on",
                example=["jankowalski", "anowak"],
                kind=PathKind.LOGIN,
                wire="user_logins[]",
            ),
        ] = None,
        sum_users: Annotated[
            bool | None,
            Query("one row for all users (the server's default: no)", example=True),
        ] = None,
        aggregate_by: AggregateBy = None,
        chat_queue_ids: Annotated[
            Sequence[int] | None,
            Query(
                "only these chat queues",
                example=[1, 3],
                kind=PathKind.ID,
                wire="chat_queue_ids[]",
            ),
        ] = None,
        response_threshold: Annotated[
            int | None,
            Query(
                "the first-answer threshold, in seconds (the server's default: 20)",
                example=50,
            ),
        ] = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Pages[ChatSummaryRow]:
        """The chat report, one row per user (or all) and period: ``async for`` it.

        The vendor answers it as a bare array, with no total: pages (*limit* rows, 1
        to 100, from *offset*) are read one after another, each after the rows the
        one before gave, until a page is empty or shorter than the one before (see
        ``agents.work_report``).
        """

    @operation(
        "chats.start",
        "POST",
        "chat_conversations/start",
        side_effect="start a second conversation",
        doc="chats/post_chat_conversations_start",
        example={"conversation_id": "6ed7c941-2c8a-411e-95d2-338a9f64800a"},
        answer=(ConversationStarted, "conversation_id"),
    )
    async def start(  # its parameters go in the query, as the page sends them
        self,
        chat_queue_id: Annotated[
            int, Query("the chat queue", example=3, kind=PathKind.ID)
        ],
        *,
        client_name: Annotated[
            str | None, Query("the customer's first name", example="Jan")
        ] = None,
        client_surname: Annotated[
            str | None, Query("the customer's last name", example="Kowalski")
        ] = None,
        client_email: Annotated[
            str | None,
            Query(
                "the customer's e-mail address",
                example="jan.kowalski@example.org",
                format="email",
            ),
        ] = None,
        client_id: Annotated[
            str | None, Query("your own id for the customer", example="1234")
        ] = None,
        customer_id: Annotated[
            int | None,
            Query("the Thulium CRM customer", example=1, kind=PathKind.ID),
        ] = None,
    ) -> str:
        """Start a chat conversation in queue *chat_queue_id*; return its id.

        Thulium matches the CRM customer by *customer_id*, then *client_id*, then
        the e-mail address. **Not idempotent**: never sent twice after a failure
        that may have been processed (a repeat would start a second conversation).

        Raises:
            InvalidInputError: a bad argument (nothing is sent).
            DeliveryUnknownError: the conversation may or may not have started.
        """

    @operation(
        "chats.stop",
        "POST",
        "chat_conversations/{conversation_id}/stop",
        # Ending a conversation that has ended leaves it ended: a repeat adds nothing.
        idempotent=True,
        doc="chats/post_chat_conversations_id_stop",
    )
    async def stop(
        self,
        conversation_id: Annotated[str, _CONVERSATION],
        *,
        # The page's example request sends no body and shows no place for this one
        # optional parameter: the query is where its sibling ``start`` takes its own.
        external_chatbot_id: Annotated[
            str | None,
            Query(
                "the external chat bot that ends it, if one does",
                kind=PathKind.CONVERSATION,
                example="a779146f-4df3-49c1-826a-7caa6a5e653a",
            ),
        ] = None,
    ) -> None:
        """End chat conversation *conversation_id* (the id ``start`` returned).

        Safe to repeat: ending a conversation that has ended leaves it ended, so an
        attempt that may have been processed is sent again.
        """

    @operation(
        "chats.delete_content",
        "DELETE",
        "chat_conversations/content/{conversation_id}/{participant}",
        doc="chats/delete_chat_conversations_content_id_participant",
    )
    async def delete_content(
        self,
        conversation_id: Annotated[str, _CONVERSATION],
        participant: Annotated[
            str,
            PathValue(
                "whose messages go: 'user' (the agent's), 'customer' or 'both'",
                PathKind.PARTICIPANT,
                example="both",
            ),
        ],
    ) -> None:
        """Delete the messages of chat conversation *conversation_id*.

        For requests to erase personal data. The conversation itself stays
        (``delete_conversation`` removes it). Safe to repeat.
        """
