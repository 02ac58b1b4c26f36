"""The ``client.agents`` namespace: who the agents are and what they are doing.

``agents.call`` rings a person and ``agents.create`` makes an account: neither is ever
sent twice after a failure that may have been processed (``DeliveryUnknownError``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any

import attrs

from .._api.endpoints import (
    Endpoint,
    Paging,
    PathKind,
    check_optional_path_value,
    check_path_value,
    described,
)
from .._api.namespace import Namespace
from .._api.operations import PathValue, endpoints_of, operation
from .._api.paging import Pages
from .._core import validation as _validation
from .._core.errors import InvalidInputError
from .._models.agents import Agent, AgentCreated, AgentStatus, WorkReportRow
from .._models.fields import WIRE
from . import screenshots
from ._thin import AgentsThin

_LOGIN = {"login": PathKind.LOGIN}
_LOGIN_EXAMPLE = {"login": "jkowalski"}
_AGENT = PathValue("the agent's login", PathKind.LOGIN, example="jkowalski")
_LANGUAGES = ("pl", "en")
_OUTBOUND_MODES = ("manual", "auto")
_AGGREGATES = ("hour_of_day", "minute", "hour", "day", "week", "month", "year")


@attrs.define(kw_only=True)
class NewAgentBody:
    """``POST agents``'s body (examples: the vendor page's; of "true|false", the first)."""

    name: str = attrs.field(metadata=described(example="Jan"))
    surname: str = attrs.field(metadata=described(example="Kowalski"))
    login: str = attrs.field(
        metadata=described(example="jkowalski", kind=PathKind.LOGIN)
    )
    password: str = attrs.field(metadata=described(example="somepass123!QAZ"))
    number: str = attrs.field(metadata=described(example="5634"))
    email: str | None = attrs.field(
        default=None,
        metadata=described(example="jkowalski@example.com", format="email"),
    )
    change_password: bool | None = attrs.field(
        default=None, metadata=described(example=True)
    )
    callerid: str | None = attrs.field(
        default=None, metadata=described(example="J.Kowalski")
    )
    language: str | None = attrs.field(
        default=None, metadata=described(example="pl", choices=_LANGUAGES)
    )
    active: bool | None = attrs.field(default=None, metadata=described(example=True))
    outbound_mode: str | None = attrs.field(
        default=None, metadata=described(example="manual", choices=_OUTBOUND_MODES)
    )
    roles: tuple[int, ...] | None = attrs.field(
        default=None, metadata=described(example=[1, 2])
    )


@attrs.define(kw_only=True)
class AgentCallBody:
    """``POST agents/:login/call``'s body."""

    phone_number: str | None = attrs.field(
        default=None, metadata=described(example="111222333", format="phone")
    )
    outbound_id: str | None = attrs.field(
        default=None, metadata=described(example="00001", kind=PathKind.CAMPAIGN)
    )
    customer_id: int | None = attrs.field(
        default=None, metadata=described(example=321, kind=PathKind.ID)
    )
    caller_id: str | None = attrs.field(
        default=None, metadata=described(example="321", format="phone")
    )
    custom_data: Any = attrs.field(
        default=None, metadata=described(example={"example": "json"})
    )


@attrs.define(kw_only=True)
class WorkReportQuery:
    """``GET agents_work_report``'s query (examples: the vendor page's)."""

    agent_logins: tuple[str, ...] | None = attrs.field(
        default=None,
        metadata=described(
            example=["jankowalski", "anowak"],
            kind=PathKind.LOGIN,
            base={WIRE: "agent_logins[]"},
        ),
    )
    agent_group_ids: tuple[int, ...] | None = attrs.field(
        default=None,
        metadata=described(
            example=[2, 3, 9], kind=PathKind.ID, base={WIRE: "agent_group_ids[]"}
        ),
    )
    date_from: date | datetime = attrs.field(
        metadata=described(example="2019-11-01 11:12:00")
    )
    date_to: date | datetime = attrs.field(
        metadata=described(example="2019-11-02 11:12:00")
    )
    aggregate_by: str | None = attrs.field(
        default=None, metadata=described(example="month", choices=_AGGREGATES)
    )
    queues_ids: tuple[int, ...] | None = attrs.field(
        default=None,
        metadata=described(
            example=[1, 3], kind=PathKind.ID, base={WIRE: "queues_ids[]"}
        ),
    )
    outbound_threshold: int | None = attrs.field(
        default=None, metadata=described(example=10)
    )


CREATE = Endpoint(
    "agents.create",
    "POST",
    "agents",
    body=NewAgentBody,
    returns=AgentCreated,
    side_effect="try to create the agent twice",
    doc="agents/post_agents",
    example={"agent_id": "11", "agent_login": "jkowalski"},
)
CALL = Endpoint(
    "agents.call",
    "POST",
    "agents/{login}/call",
    _LOGIN,
    body=AgentCallBody,
    side_effect="ring the person twice",
    doc="agents/post_agents_login_call",
    path_examples=_LOGIN_EXAMPLE,
)
WORK_REPORT = Endpoint(
    "agents.work_report",
    "GET",
    "agents_work_report",
    returns=WorkReportRow,
    query=WorkReportQuery,
    # limit/offset, at most 100, but the answer is the page's rows alone: no total.
    paging=Paging(max_limit=100, bare=True),
    doc="agents/get_agents_work_report",
    # The stored page's example answer is cut after the inbound calls'
    # answered_count (and its login is unquoted): no example here; the sample
    # tests/samples/agents.work_report holds what it shows, as JSON.
)


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

    async def create(
        self,
        *,
        name: str,
        surname: str,
        login: str,
        password: str,
        number: str,
        email: str | None = None,
        change_password: bool | None = None,
        callerid: str | None = None,
        language: str | None = None,
        active: bool | None = None,
        outbound_mode: str | None = None,
        roles: Sequence[int] | None = None,
    ) -> AgentCreated:
        """Create an agent account; return its id and login.

        **Not idempotent**: after a failure that may have been processed this raises
        :class:`~thulium_async.DeliveryUnknownError` instead of sending it again;
        look the login up with ``agents.get`` before trying again.

        Args:
            name: the agent's first name.
            surname: the agent's last name.
            login: the login (letters, digits, ``_ . @ + -``).
            password: the panel password.
            number: the agent's extension.
            email: an e-mail address.
            change_password: force a change at first login (the server's default:
                no).
            callerid: the caller id shown (default: initial and surname).
            language: the panel's language, ``"pl"`` or ``"en"``.
            active: whether the account is active (default: yes).
            outbound_mode: ``"manual"`` or ``"auto"``.
            roles: role ids.

        Raises:
            InvalidInputError: a bad argument (nothing is sent).
            DeliveryUnknownError: the account may or may not have been created.
        """
        address: object = email
        if address is not None and (not isinstance(address, str) or "@" not in address):
            raise InvalidInputError(f"email must be an e-mail address, got {email!r}")
        if roles is not None and (
            isinstance(roles, (str, bytes))
            or not all(type(role) is int and role > 0 for role in roles)
        ):
            raise InvalidInputError(f"roles must be positive int ids, got {roles!r}")
        body = NewAgentBody(
            name=str(_validation.text("name", name)),
            surname=str(_validation.text("surname", surname)),
            login=check_path_value(PathKind.LOGIN, "login", login),
            password=str(_validation.text("password", password)),
            number=str(_validation.text("number", number)),
            email=email,
            change_password=_validation.optional_bool(
                "change_password", change_password
            ),
            callerid=_validation.text("callerid", callerid, optional=True),
            language=_validation.choice("language", language, _LANGUAGES),
            active=_validation.optional_bool("active", active),
            outbound_mode=_validation.choice(
                "outbound_mode", outbound_mode, _OUTBOUND_MODES
            ),
            roles=None if roles is None else tuple(roles),
        )
        return await self._send(CREATE, body=body)

    async def call(
        self,
        login: str,
        phone_number: str | None = None,
        *,
        customer_id: int | None = None,
        outbound_id: str | None = None,
        caller_id: str | None = None,
        custom_data: str | Mapping[str, Any] | None = None,
    ) -> None:
        """Ring *phone_number* (or CRM customer *customer_id*'s number) for agent *login*.

        The agent must be in a campaign (*outbound_id*, or the one they are in). This
        **rings a person**: after a failure that may have been processed it raises
        :class:`~thulium_async.DeliveryUnknownError` and is never sent again.

        Args:
            login: the agent.
            phone_number: the number to ring; may be left out with *customer_id*
                (then the customer's main number is rung).
            customer_id: the CRM customer; with *phone_number* too, the number must
                be one of theirs.
            outbound_id: the campaign (5 characters, like ``"00001"``) to report it in.
            caller_id: the number to present.
            custom_data: passed on to webhooks: a string, or a JSON object.

        Raises:
            InvalidInputError: a bad argument, or neither number nor customer.
            DeliveryUnknownError: the person may or may not have been rung.
        """
        if phone_number is None and customer_id is None:
            raise InvalidInputError("agents.call needs phone_number or customer_id")
        if customer_id is not None and (
            type(customer_id) is not int or customer_id < 1
        ):
            raise InvalidInputError(
                f"customer_id must be a positive int, got {customer_id!r}"
            )
        if custom_data is not None and not isinstance(custom_data, (str, Mapping)):
            raise InvalidInputError(
                "custom_data must be a string or a mapping, got "
                f"{type(custom_data).__name__}"
            )
        body = AgentCallBody(
            phone_number=(
                None if phone_number is None else _validation.phone_number(phone_number)
            ),
            customer_id=customer_id,
            outbound_id=check_optional_path_value(
                PathKind.CAMPAIGN, "outbound_id", outbound_id
            ),
            caller_id=(
                None if caller_id is None else _validation.phone_number(caller_id)
            ),
            custom_data=dict(custom_data)
            if isinstance(custom_data, Mapping)
            else custom_data,
        )
        await self._send(CALL, login, body=body)

    def work_report(
        self,
        *,
        date_from: date | datetime,
        date_to: date | datetime,
        agent_logins: Sequence[str] | None = None,
        agent_group_ids: Sequence[int] | None = None,
        aggregate_by: str | None = None,
        queues_ids: Sequence[int] | None = None,
        outbound_threshold: int | None = None,
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

        Args:
            date_from: the start: a ``date``, or a ``datetime`` (sent to the second;
                naive means the system's wall clock, aware is converted into it).
            date_to: the end, likewise.
            agent_logins: the agents to report on; at least one of *agent_logins*
                and *agent_group_ids* is required.
            agent_group_ids: the agent groups to report on.
            aggregate_by: the period of a row: ``"hour_of_day"``, ``"minute"``,
                ``"hour"``, ``"day"``, ``"week"``, ``"month"`` (the server's
                default) or ``"year"``.
            queues_ids: only calls of these queues.
            outbound_threshold: the threshold for outbound calls, in seconds (the
                server's default: 0).
            limit: rows per page, 1 to 100 (the vendor's maximum).
            offset: where to start.

        Raises:
            InvalidInputError: a bad argument, at once (nothing is sent).
        """
        if not agent_logins and not agent_group_ids:
            raise InvalidInputError(
                "agents.work_report needs agent_logins or agent_group_ids"
            )
        for name, value in (("date_from", date_from), ("date_to", date_to)):
            if _validation.optional_date(name, value) is None:
                raise InvalidInputError(f"{name} is required")
        _ordered(date_from, date_to)
        if outbound_threshold is not None and (
            type(outbound_threshold) is not int or outbound_threshold < 0
        ):
            raise InvalidInputError(
                "outbound_threshold must be an int of seconds >= 0, got "
                f"{outbound_threshold!r}"
            )
        query = WorkReportQuery(
            agent_logins=_logins("agent_logins", agent_logins),
            agent_group_ids=_ids("agent_group_ids", agent_group_ids),
            date_from=date_from,
            date_to=date_to,
            aggregate_by=_validation.choice("aggregate_by", aggregate_by, _AGGREGATES),
            queues_ids=_ids("queues_ids", queues_ids),
            outbound_threshold=outbound_threshold,
        )
        return self._list(
            WORK_REPORT, query=query, limit=limit, offset=offset, concurrency=1
        )


def _logins(name: str, values: object) -> tuple[str, ...] | None:
    """Return *values* as checked logins, or refuse them."""
    if values is None:
        return None
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise InvalidInputError(f"{name} must be a list of logins, got {values!r}")
    return tuple(check_path_value(PathKind.LOGIN, name, value) for value in values)


def _ids(name: str, values: object) -> tuple[int, ...] | None:
    """Return *values* as checked positive ids, or refuse them."""
    if values is None:
        return None
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise InvalidInputError(f"{name} must be a list of int ids, got {values!r}")
    return tuple(int(check_path_value(PathKind.ID, name, value)) for value in values)


def _ordered(start: date | datetime, end: date | datetime) -> None:
    """Refuse a range that ends before it starts (where the two compare)."""
    try:
        backwards = start > end
    except TypeError:  # a date against a datetime, or naive against aware
        return
    if backwards:
        raise InvalidInputError(f"date_from {start} is after date_to {end}")


ENDPOINTS: tuple[Endpoint, ...] = (*endpoints_of(Agents), CREATE, CALL, WORK_REPORT)
