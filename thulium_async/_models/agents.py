"""The agent models users receive: frozen attrs classes, data only.

Field names are the vendor's own (``agents/get_agents_login``,
``agents/get_agents_login_status``, ``agents/post_agents``,
``agents/get_agents_work_report`` under https://api.thulium.com/docs/api/).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .fields import OpenEnum, either, raw


class AgentState(OpenEnum):
    """An agent's status, equal to the vendor's own string (``AgentState.FREE == "FREE"``).

    A value the vendor adds later does not fail: it arrives as a member that is not
    one of these (``AgentState("BREAK") == "BREAK"``, ``.is_known`` false), so old code
    keeps running and can still show it.
    """

    OFF = "OFF"
    FREE = "FREE"
    PAUSED = "PAUSED"
    INBOUND_CALL = "INBOUND_CALL"
    OUTBOUND_CALL = "OUTBOUND_CALL"
    OUTBOUND_PREVIEW = "OUTBOUND_PREVIEW"
    CALL = "CALL"
    RINGING = "RINGING"

    @property
    def on_call(self) -> bool:
        """Whether the agent is talking, dialling or being rung."""
        return self in _ON_CALL


_ON_CALL = frozenset(
    {
        AgentState.INBOUND_CALL,
        AgentState.OUTBOUND_CALL,
        AgentState.OUTBOUND_PREVIEW,
        AgentState.CALL,
        AgentState.RINGING,
    }
)


@attrs.frozen(kw_only=True)
class Agent:
    """An agent's account, as ``agents.get`` reports it.

    Attributes:
        agent_id: the agent's id.
        login: the login.
        name: first name; surname: last name.
        email: the e-mail address, if set.
        active: whether the account is active.
        number: the agent's extension, as text (the vendor sends it as a number).
        outbound_mode: ``manual`` or ``auto``.
        group_id: the agent group, if any.
    """

    agent_id: int = attrs.field(metadata=either())
    login: str
    name: str | None = None
    surname: str | None = None
    email: str | None = None
    active: bool = True
    number: str | None = attrs.field(default=None, metadata=either())
    outbound_mode: str | None = None
    group_id: int | None = attrs.field(default=None, metadata=either())


@attrs.frozen(kw_only=True)
class AgentStatus:
    """What an agent is doing, as ``agents.status`` reports it.

    Attributes:
        login: the agent's login.
        status: an :class:`AgentState` (a ``str``: compare it with ``"FREE"``).
        pause_id: the pause reason while ``PAUSED``.
        last_change: when the status last changed; aware, in the client's zone.
    """

    login: str
    status: AgentState
    pause_id: int | None = attrs.field(default=None, metadata=either())
    last_change: datetime | None = None


@attrs.frozen(kw_only=True)
class AgentCreated:
    """The answer to ``agents.create``.

    Attributes:
        agent_id: the new agent's id (the vendor sends it as text; this is the int).
        agent_login: the new agent's login.
    """

    agent_id: int = attrs.field(metadata=either())
    agent_login: str


@attrs.frozen(kw_only=True)
class WorkReportAgent:
    """The agent a row of ``agents.work_report`` is about.

    Attributes:
        login: the agent's login.
        name: first name; surname: last name.
    """

    login: str
    name: str | None = None
    surname: str | None = None


@attrs.frozen(kw_only=True)
class WorkReportInbound:
    """An agent's inbound calls in one period of ``agents.work_report``.

    Attributes:
        count: the calls offered to the agent.
        answered_count: the calls the agent answered.
        fields: the whole object, as sent (the vendor's stored example is cut
            after ``answered_count``: the rest of its fields are here).
    """

    count: int = attrs.field(metadata=either())
    answered_count: int | None = attrs.field(default=None, metadata=either())
    fields: Mapping[str, Any] = attrs.field(factory=dict, metadata=raw())


@attrs.frozen(kw_only=True)
class WorkReportRow:
    """One agent's work in one period, as ``agents.work_report`` reports it.

    The vendor's example answer is cut short in the copy this SDK was written from,
    after the inbound calls' ``answered_count``: the row's other sections are kept
    in ``fields``, as sent, so nothing the server reports is lost.

    Attributes:
        agent: who (login, name, surname).
        period: the period of the row, in the shape *aggregate_by* gives it
            (``"2019-12"`` for a month).
        inbound: the agent's inbound calls in the period.
        fields: the whole row, as sent.
    """

    agent: WorkReportAgent
    period: str = attrs.field(metadata=either())
    inbound: WorkReportInbound | None = None
    fields: Mapping[str, Any] = attrs.field(factory=dict, metadata=raw())
