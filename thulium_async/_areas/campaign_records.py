"""A campaign's records and statuses: reading, updating and removing them one by one.

Part of ``client.outbounds`` (:class:`~thulium_async._areas.campaigns.Outbounds`
inherits :class:`CampaignRecords`): the endpoints of the vendor's ``outbounds``,
``outbounds_batch``, ``csv_outbounds`` and ``csv_outbounds_batch`` pages beyond adding
and removing records in bulk (``campaigns.py``).
"""

from __future__ import annotations

from .._api.endpoints import Endpoint
from .._api.namespace import Namespace

ENDPOINTS: tuple[Endpoint, ...] = ()


class CampaignRecords(Namespace):
    """The campaign record methods of ``client.outbounds``."""

    __slots__ = ()
