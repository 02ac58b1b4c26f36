"""CRM campaigns: records that are CRM customers (``crm_outbounds``).

Part of ``client.outbounds`` (:class:`~thulium_async._areas.campaigns.Outbounds`
inherits :class:`CrmCampaignRecords`): the endpoints of the vendor's ``crm_outbounds``
and ``crm_outbounds_batch`` pages.
"""

from __future__ import annotations

from .._api.endpoints import Endpoint
from .._api.namespace import Namespace

ENDPOINTS: tuple[Endpoint, ...] = ()


class CrmCampaignRecords(Namespace):
    """The CRM campaign record methods of ``client.outbounds``."""

    __slots__ = ()
