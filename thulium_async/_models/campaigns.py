"""The campaign and webhook models users receive: frozen attrs classes, data only.

Field names are the vendor's own (``outbounds/get_outbounds_stats``,
``outbounds/get_outbounds_id_agents``, ``outbounds/get_outbounds_id_statuses``,
``outbounds_batch/delete_batch_outbounds``, ``csv_outbounds/get_outbounds_id_records``,
``crm_outbounds/get_crm_outbounds_id_records_customer_id``, ``webhooks/get_webhooks``
under https://api.thulium.com/docs/api/).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from .._core.wallclock import Clock, clock
from .fields import OpenEnum, either

_MINUTES = clock(Clock.MINUTES)


@attrs.frozen(kw_only=True)
class CampaignStats:
    """How far one outbound campaign has got, as ``outbounds.stats`` reports it.

    Attributes:
        id: the campaign's id (5 characters, like ``"00001"``).
        records_count: the records it holds.
        completion_percent: how much of it is done, 0 to 100.
    """

    id: str = attrs.field(metadata=either())
    records_count: int = 0
    completion_percent: float = 0.0


@attrs.frozen(kw_only=True)
class CampaignAgent:
    """An agent in a campaign, as ``outbounds.agents`` reports them.

    Attributes:
        login: the agent's login; agent_id: their id; number: their extension.
        active: whether the account is active.
        active_in_outbound: whether they take this campaign's calls now.
    """

    login: str
    agent_id: int | None = attrs.field(default=None, metadata=either())
    number: str | None = attrs.field(default=None, metadata=either())
    active: bool = True
    active_in_outbound: bool = False


@attrs.frozen(kw_only=True)
class CampaignRecord:
    """A record in a campaign, as ``outbounds.records`` and ``outbounds.crm_record`` report it.

    Attributes:
        record_id: the record; customer_id: the CRM customer (CRM campaigns);
            phone_number: the number.
        system_status, status, status_id: where it stands.
        call_date, create_date, next_call_date: to the minute, aware.
        agent_name, agent_login: the agent it is assigned to.
        last_note: the last note; order: its place in the campaign.
        identifier: your own unique id for the record, if it was given one (what
            ``outbounds.update_record_by_identifier`` finds it by).
    """

    record_id: int = attrs.field(metadata=either())
    phone_number: str | None = attrs.field(default=None, metadata=either())
    customer_id: int | None = attrs.field(default=None, metadata=either())
    system_status: str | None = None
    status: str | None = None
    status_id: int | None = attrs.field(default=None, metadata=either())
    call_date: datetime | None = attrs.field(default=None, metadata=_MINUTES)
    create_date: datetime | None = attrs.field(default=None, metadata=_MINUTES)
    next_call_date: datetime | None = attrs.field(default=None, metadata=_MINUTES)
    agent_name: str | None = None
    agent_login: str | None = None
    last_note: str | None = None
    order: Any = None
    identifier: str | None = attrs.field(default=None, metadata=either())


@attrs.frozen(kw_only=True)
class CampaignStatus:
    """A status a campaign's records can have, as ``outbounds.statuses`` lists it.

    Attributes:
        status_id: its id in this campaign: what the ``status_id`` of a record, a
            filter or a change names.
        name: its name, as agents see it (``"Contact needed"``).
        system_status: the system status behind it, which decides whether and when
            a record is called: ``TO_CALL`` (just added), ``IN_PROGRESS``, ``CALL``,
            ``MY_RECORD``, ``NO_CALL``, ``ABANDONED_AFTER_N_TRIES``,
            ``CALL_NO_SOONER_THAN`` or ``CALL_PROGRESSIVE``.
        dictionary_status_id: the dictionary status it stands for, if any.
    """

    status_id: int = attrs.field(metadata=either())
    name: str | None = None
    system_status: str | None = None
    dictionary_status_id: int | None = attrs.field(default=None, metadata=either())


class CampaignDeletionStatus(OpenEnum):
    """What ``outbounds.delete_many`` says of one campaign; compares equal to its value."""

    REMOVAL_QUEUED = "REMOVAL_QUEUED"
    """Queued for deletion now."""
    NOT_EXIST = "NOT_EXIST"
    """No such campaign."""
    ALREADY_QUEUED = "ALREADY_QUEUED"
    """Queued for deletion before (by an earlier request, or an earlier attempt of
    this one)."""


@attrs.frozen(kw_only=True)
class CampaignDeletion:
    """What ``outbounds.delete_many`` did with one campaign.

    Thulium queues a campaign for deletion, with all its records (and, if asked, its
    recordings); the deletion itself may take hours.

    Attributes:
        id: the campaign's id (5 characters, like ``"00001"``).
        status: a :class:`CampaignDeletionStatus`; ``None`` when the answer left
            this campaign out.
        http_status: Thulium's status for it (200 queued, 404 no such campaign, 400
            queued before), if the answer gave one.
    """

    id: str = attrs.field(metadata=either())
    status: CampaignDeletionStatus | None = None
    http_status: int | None = None

    @property
    def queued(self) -> bool:
        """Whether the campaign is queued for deletion (now, or before)."""
        return self.status in (
            CampaignDeletionStatus.REMOVAL_QUEUED,
            CampaignDeletionStatus.ALREADY_QUEUED,
        )


@attrs.frozen(kw_only=True)
class RecordUpdate:
    """What ``outbounds.update_records`` did with one record.

    Attributes:
        phone_number: the record's number, as it was sent (compact: separators
            removed).
        http_status: Thulium's status for it (204 changed, 400 refused, ...); 0 when
            the answer left the number out.
        message: Thulium's reason, when it gives one (``"Agent not found."``).
    """

    phone_number: str
    http_status: int
    message: str | None = None

    @property
    def updated(self) -> bool:
        """Whether Thulium changed the record."""
        return self.http_status in (200, 204)


@attrs.frozen(kw_only=True)
class Webhook:
    """A webhook subscription, as ``webhooks.list`` and ``webhooks.create`` report it.

    Attributes:
        id: the subscription's id.
        actions: the actions it receives (``CUSTOMER_CREATED``, ...).
        subscription_url: where Thulium POSTs them.
        http_auth_user: the Basic auth user Thulium sends, if any.
        http_auth_password: its password; never shown in ``repr()``.
    """

    id: int = attrs.field(metadata=either())
    actions: tuple[str, ...] = ()
    subscription_url: str = ""
    http_auth_user: str | None = None
    http_auth_password: str | None = attrs.field(default=None, repr=False)


class RemovalStatus(str, enum.Enum):
    """What ``outbounds.remove_records`` did for one number; compares equal to its value."""

    REMOVED = "removed"
    """At least one of its records was removed (or, after a resend of an attempt
    that may have been processed, none was left to remove)."""
    IN_CALL = "in_call"
    """None was removed and one is in a call (``CALL_IN_PROGRESS``): run it again."""
    NOT_THERE = "not_there"
    """The campaign holds no record of it (``NOT_EXIST``)."""

    def __str__(self) -> str:
        return self.value


@attrs.frozen(kw_only=True)
class RemovedRecord:
    """One record's line in ``DELETE batch/outbounds/:id/records``'s answer.

    Attributes:
        status: ``"REMOVED"``, ``"NOT_EXIST"`` or ``"CALL_IN_PROGRESS"``, as Thulium
            says it.
        record_id: the record, when there is one.
        http_status: Thulium's status for it (200 removed, 404 not there, ...).
    """

    status: str
    record_id: int | None = None
    http_status: int | None = None


@attrs.frozen(kw_only=True)
class RecordRemoval:
    """What ``outbounds.remove_records`` did for one number.

    Attributes:
        phone_number: the number as it was given.
        status: the summary (:class:`RemovalStatus`): removed if any record was, in a
            call if any is, else not there.
        records: each of its records as Thulium answered (a number can have several).
        confirmed_on_resend: the removal was resent after an attempt that may have
            been processed, and Thulium found nothing left: counted as removed.
    """

    phone_number: str
    status: RemovalStatus
    records: tuple[RemovedRecord, ...] = ()
    confirmed_on_resend: bool = False
