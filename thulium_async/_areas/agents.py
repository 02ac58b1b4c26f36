"""The ``client.agents`` namespace: who the agents are and what they are doing.

``agents.call`` rings a person and ``agents.create`` makes an account: neither is ever
sent twice after a failure that may have been processed (``DeliveryUnknownError``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any

from .._api.endpoints import (
    Paging,
    PathKind,
)
from .._api.namespace import Namespace
from .._api.operations import Body, PathValue, Query, operation
from .._api.paging import Pages
from .._core.errors import InvalidInputError
from .._models.agents import Agent, AgentCreated, AgentStatus, WorkReportRow
from . import screenshots
from ._reports import AggregateBy, ReportEnd, ReportStart
from ._thin import AgentsThin

_AGENT = PathValue("the agent's login", PathKind.LOGIN, example="jkowalski")
_LANGUAGES = ("pl", "en")
_OUTBOUND_MODES = ("manual", "auto")


def _report_check(
    *,
    date_from: date | datetime,
    date_to: date | datetime,
    agent_logins: tuple[str, ...] | None,
    agent_group_ids: tuple[int, ...] | None,
    outbound_threshold: int | None,
    **_: object,
) -> None:
    """What the work report's types cannot say: whom, and a range that runs forwards."""
    if not agent_logins and not agent_group_ids:
        raise InvalidInputError(
            "agents.work_report needs agent_logins or agent_group_ids"
        )
    if outbound_threshold is not None and outbound_threshold < 0:
        raise InvalidInputError(
            "outbound_threshold must be an int of seconds >= 0, got "
            f"{outbound_threshold!r}"
        )
    _ordered(date_from, date_to)


def _number_or_customer(
    *, phone_number: str | None, customer_id: int | None, **_: object
) -> None:
    """Refuse a call with neither a number nor a customer to ring."""
    if phone_number is None and customer_id is None:
        raise InvalidInputError("agents.call needs phone_number or customer_id")


class Agents(AgentsThin, Namespace):
    """Agent endpoints: ``client.agents.get(login)``, ``status``, ``create``, ``call``."""

    __slots__ = ()

    # The screenshots: bytes, not JSON (written in screenshots.py).
    last_screenshot = screenshots.last_screenshot
    screenshot = screenshots.screenshot

    @operation(
        "agents.get",
        "GET",
        "agents/{login}",
        doc="agents/get_agents_login",
        example={
            "agent_id": 1,
            "login": "jkowalski",
            "name": "Jan",
            "surname": "Kowalski",
            "email": "jan.kowalski@example.org",
            "active": True,
            "number": 559933,
            "outbound_mode": "manual",
            "group_id": 3,
        },
    )
    async def get(self, login: Annotated[str, _AGENT]) -> Agent:
        """Return agent *login*'s account."""

    @operation(
        "agents.status",
        "GET",
        "agents/{login}/status",
        doc="agents/get_agents_login_status",
        example={
            "login": "jkowalski",
            "status": "PAUSED",
            "pause_id": 1,
            "last_change": "2014-10-24 10:30:44",
        },
    )
    async def status(self, login: Annotated[str, _AGENT]) -> AgentStatus:
        """Return what agent *login* is doing now, and since when."""

    @operation(
        "agents.create",
        "POST",
        "agents",
        side_effect="try to create the agent twice",
        doc="agents/post_agents",
        example={"agent_id": "11", "agent_login": "jkowalski"},
    )
    async def create(
        self,
        *,
        # The examples are the vendor page's; of its "true|false", the first.
        name: Annotated[str, Body("the agent's first name", example="Jan")],
        surname: Annotated[str, Body("the agent's last name", example="Kowalski")],
        login: Annotated[
            str,
            Body(
                "the login (letters, digits, ``_ . @ + -``)",
                example="jkowalski",
                kind=PathKind.LOGIN,
            ),
        ],
        password: Annotated[str, Body("the panel password", example="somepass123!QAZ")],
        number: Annotated[str, Body("the agent's extension", example="5634")],
        email: Annotated[
            str | None,
            Body("an e-mail address", example="jkowalski@example.com", format="email"),
        ] = None,
        change_password: Annotated[
            bool | None,
            Body(
                "force a change at first login (the server's default: no)",
                example=True,
            ),
        ] = None,
        callerid: Annotated[
            str | None,
            Body(
                "the caller id shown (default: initial and surname)",
                example="J.Kowalski",
            ),
        ] = None,
        language: Annotated[
            str | None,
            Body(
                """the panel's language, ``"pl"`` or ``"en"``""",
                example="pl",
                choices=_LANGUAGES,
            ),
        ] = None,
        active: Annotated[
            bool | None,
            Body("whether the account is active (default: yes)", example=True),
        ] = None,
        outbound_mode: Annotated[
            str | None,
            Body(
                '``"manual"`` or ``"auto"``',
                example="manual",
                choices=_OUTBOUND_MODES,
            ),
        ] = None,
        roles: Annotated[
            Sequence[int] | None,
            # [] is sent as given (no roles), as before.
            Body("role ids", example=[1, 2], kind=PathKind.ID, empty=True),
        ] = None,
    ) -> AgentCreated:
        """Create an agent account; return its id and login.

        **Not idempotent**: after a failure that may have been processed this raises
        :class:`~thulium_async.DeliveryUnknownError` instead of sending it again;
        look the login up with ``agents.get`` before trying again.
        """

    @operation(
        "agents.call",
        "POST",
        "agents/{login}/call",
        side_effect="ring the person twice",
        doc="agents/post_agents_login_call",
        check=_number_or_customer,
    )
    async def call(
        self,
        login: Annotated[str, _AGENT],
        phone_number: Annotated[
            str | None,
            Body(
                "the number to ring; may be left out with *customer_id* (then the "
                "customer's main number is rung)",
                example="111222333",
                format="phone",
            ),
        ] = None,
        *,
        customer_id: Annotated[
            int | None,
            Body(
                "the CRM customer; with *phone_number* too, the number must be one "
                "of theirs",
                example=321,
                kind=PathKind.ID,
            ),
        ] = None,
        outbound_id: Annotated[
            str | None,
            Body(
                'the campaign (5 characters, like ``"00001"``) to report it in',
                example="00001",
                kind=PathKind.CAMPAIGN,
            ),
        ] = None,
        caller_id: Annotated[
            str | None,
            Body("the number to present", example="321", format="phone"),
        ] = None,
        custom_data: Annotated[
            str | Mapping[str, Any] | None,
            Body(
                "passed on to webhooks: a string, or a JSON object",
                example={"example": "json"},
                empty=True,  # any string, "" too, is passed on as given
            ),
        ] = None,
    ) -> None:
        """Ring *phone_number* (or CRM customer *customer_id*'s number) for agent *login*.

        The agent must be in a campaign (*outbound_id*, or the one they are in). This
        **rings a person**: after a failure that may have been processed it raises
        :class:`~thulium_async.DeliveryUnknownError` and is never sent again.
        """

    @operation(
        "agents.work_report",
        "GET",
        "agents_work_report",
        # limit/offset, at most 100, but the answer is the page's rows alone: no total.
        paging=Paging(max_limit=100, bare=True),
        doc="agents/get_agents_work_report",
        check=_report_check,
        # The stored page's example answer is cut after the inbound calls'
        # answered_count (and its login is unquoted): no example here; the sample
        # tests/samples/agents.work_report holds what it shows, as JSON.
    )
    def work_report(
        self,
        *,
        date_from: ReportStart,
        date_to: ReportEnd,
        agent_logins: Annotated[
            Sequence[str] | None,
            Query(
                "the agents to report on; at least one of *agent_logins* and "
                "*agent_group_ids* is required",
                example=["jankowalski", "anowak"],
                kind=PathKind.LOGIN,
                wire="agent_logins[]",
                empty=True,  # [] filters nothing, as None
            ),
        ] = None,
        agent_group_ids: Annotated[
            Sequence[int] | None,
            Query(
                "the agent groups to report on",
                example=[2, 3, 9],
                kind=PathKind.ID,
                wire="agent_group_ids[]",
                empty=True,  # [] filters nothing, as None
            ),
        ] = None,
        aggregate_by: AggregateBy = None,
        queues_ids: Annotated[
            Sequence[int] | None,
            Query(
                "only calls of these queues",
                example=[1, 3],
                kind=PathKind.ID,
                wire="queues_ids[]",
                empty=True,  # [] filters nothing, as None
            ),
        ] = None,
        outbound_threshold: Annotated[
            int | None,
            Query(
                "the threshold for outbound calls, in seconds (the server's "
                "default: 0)",
                example=10,
            ),
        ] = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Pages[WorkReportRow]:
        """The agents' work report, one row per agent and period: ``async for`` it.

        ``async for`` yields every :class:`~thulium_async.WorkReportRow`;
        ``await`` gives the first :class:`~thulium_async.Page`. The vendor answers
        this list as a bare array, with no total: pages are read one after another,
        each starting after the rows the one before gave, until a page is empty or
        shorter than the one before (so a server that gives fewer rows than asked
        loses none), and the page's ``count`` is only a lower bound::

            async for row in client.agents.work_report(
                agent_logins=["jkowalski"],
                date_from=date(2026, 11, 1),
                date_to=date(2026, 11, 30),
                aggregate_by="day",
            ):
                print(row.agent.login, row.period, row.inbound.answered_count)

        *limit* is rows per page (1 to 100, the vendor's maximum), *offset* where to
        start.
        """


def _ordered(start: date | datetime, end: date | datetime) -> None:
    """Refuse a range that ends before it starts (where the two compare)."""
    try:
        backwards = start > end
    except TypeError:  # a date against a datetime, or naive against aware
        return
    if backwards:
        raise InvalidInputError(f"date_from {start} is after date_to {end}")
