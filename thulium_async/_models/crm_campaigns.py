"""The models of CRM campaigns (campaigns whose records are CRM customers).

Frozen attrs classes, data only. Field names are the vendor's own
(``crm_outbounds/get_crm_outbounds_id_records``,
``crm_outbounds_batch/post_batch_crm_outbounds_id_records`` and
``crm_outbounds_batch/delete_batch_crm_outbounds_id_records`` under
https://api.thulium.com/docs/api/). A record itself is a
:class:`~thulium_async.CampaignRecord`, as ``outbounds.crm_record`` reports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .campaigns import CampaignRecord
from .fields import raw

ADDED = "ADDED"
ALREADY_EXISTS = "ALREADY_EXISTS"
FAILED = "FAILED"
REMOVED = "REMOVED"
NOT_EXIST = "NOT_EXIST"
CALL_IN_PROGRESS = "CALL_IN_PROGRESS"


@attrs.frozen(kw_only=True)
class CrmCampaignRecord(CampaignRecord):
    """A record of a CRM campaign, as ``outbounds.crm_records`` lists it.

    A :class:`~thulium_async.CampaignRecord` (the same fields, read the same way)
    that also keeps the whole record as sent: the customer's data that the
    ``include_*`` flags add are there, in the shape Thulium sends them (the
    vendor's page does not show it).

    Attributes:
        fields: the whole record, as sent.
    """

    fields: Mapping[str, Any] = attrs.field(factory=dict, metadata=raw())


@attrs.frozen(kw_only=True)
class NewCrmRecord:
    """One CRM customer to add to a campaign with ``outbounds.add_crm_records``.

    Attributes:
        customer_id: the CRM customer.
        status_id: the record's status in the campaign.
        dictionary_status_id: its status from the dictionary.
        agent_login: the agent to give it to (needed for the system status
            ``MY_RECORD``).
        next_call_date: when to call (naive: the system's wall clock; sent to the
            minute; needed for ``MY_RECORD`` and ``CALL_NO_SOONER_THAN``).
        order: its place in the campaign.
    """

    customer_id: int
    status_id: int | None = None
    dictionary_status_id: int | None = None
    agent_login: str | None = None
    next_call_date: datetime | None = None
    order: int | None = None


@attrs.frozen(kw_only=True)
class CrmRecordAddition:
    """What ``outbounds.add_crm_records`` did for one customer.

    Attributes:
        customer_id: the customer, as given.
        status: Thulium's word for it: ``"ADDED"``, ``"ALREADY_EXISTS"`` (the
            customer was in the campaign already) or ``"FAILED"``; ``None`` when
            the answer does not name the customer.
        record_id: the customer's record in the campaign, when there is one.
        http_status: Thulium's status for it (201 added, 400 not, ...).
        message: Thulium's reason, if any (``"Customer not found."``).
        confirmed_on_resend: the request was sent again after an attempt that may
            have been processed, and Thulium found the customer in the campaign:
            most likely the first attempt added it.
    """

    customer_id: int
    status: str | None
    record_id: int | None = None
    http_status: int | None = None
    message: str | None = None
    confirmed_on_resend: bool = False

    @property
    def in_campaign(self) -> bool:
        """Whether the customer is in the campaign now (added, or already there)."""
        return self.status in (ADDED, ALREADY_EXISTS)


@attrs.frozen(kw_only=True)
class CrmRecordRemoval:
    """What ``outbounds.remove_crm_records`` did for one customer.

    Attributes:
        customer_id: the customer, as given.
        status: Thulium's word for it: ``"REMOVED"``, ``"NOT_EXIST"`` (no record
            of the customer in the campaign) or ``"CALL_IN_PROGRESS"`` (its record
            is in a call, and stays); ``None`` when the answer does not name the
            customer.
        record_id: the record removed, when there is one.
        http_status: Thulium's status for it (200 removed, 404 not there, ...).
        message: Thulium's reason, if any.
        confirmed_on_resend: the request was sent again after an attempt that may
            have been processed, and Thulium found no record: most likely the first
            attempt removed it.
    """

    customer_id: int
    status: str | None
    record_id: int | None = None
    http_status: int | None = None
    message: str | None = None
    confirmed_on_resend: bool = False

    @property
    def removed(self) -> bool:
        """Whether the record was removed (now, or by an attempt before a resend)."""
        return self.status == REMOVED or (
            self.status == NOT_EXIST and self.confirmed_on_resend
        )
