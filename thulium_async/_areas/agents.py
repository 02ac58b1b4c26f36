"""The ``client.agents`` namespace: who the agents are and what they are doing.

``agents.call`` rings a person and ``agents.create`` makes an account: neither is ever
sent twice after a failure that may have been processed (``DeliveryUnknownError``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .._api.endpoints import (
    Endpoint,
    PathKind,
    check_optional_path_value,
    check_path_value,
    described,
)
from .._api.namespace import Namespace
from .._core import validation as _validation
from .._core.errors import InvalidInputError
from .._models.agents import Agent, AgentCreated, AgentStatus

_LOGIN = {"login": PathKind.LOGIN}
_LOGIN_EXAMPLE = {"login": "jkowalski"}
_LANGUAGES = ("pl", "en")
_OUTBOUND_MODES = ("manual", "auto")


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


GET = Endpoint(
    "agents.get",
    "GET",
    "agents/{login}",
    _LOGIN,
    returns=Agent,
    doc="agents/get_agents_login",
    path_examples=_LOGIN_EXAMPLE,
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
STATUS = Endpoint(
    "agents.status",
    "GET",
    "agents/{login}/status",
    _LOGIN,
    returns=AgentStatus,
    doc="agents/get_agents_login_status",
    path_examples=_LOGIN_EXAMPLE,
    example={
        "login": "jkowalski",
        "status": "PAUSED",
        "pause_id": 1,
        "last_change": "2014-10-24 10:30:44",
    },
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
ENDPOINTS = (GET, STATUS, CREATE, CALL)


class Agents(Namespace):
    """Agent endpoints: ``client.agents.get(login)``, ``status``, ``create``, ``call``."""

    __slots__ = ()

    async def get(self, login: str) -> Agent:
        """Return agent *login*'s account.

        Raises:
            InvalidInputError: *login* is not a login (nothing is sent).
            NotFoundError: no such agent.
        """
        return await self._send(GET, login)

    async def status(self, login: str) -> AgentStatus:
        """Return what agent *login* is doing now, and since when.

        Raises:
            InvalidInputError: *login* is not a login (nothing is sent).
            NotFoundError: no such agent.
        """
        return await self._send(STATUS, login)

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
