"""One module per area of Thulium's API (``client.queues``, ...), over ``_api``.

Each area module declares its endpoints beside the methods that call them and lists
them in its ``ENDPOINTS``; :data:`ENDPOINTS` here is every one of them, which the fake
server serves and the contract tests run over.
"""

from __future__ import annotations

from .._api.endpoints import Endpoint
from . import agents, campaigns, connections, crm, queues

ENDPOINTS: tuple[Endpoint, ...] = (
    *queues.ENDPOINTS,
    *agents.ENDPOINTS,
    *connections.ENDPOINTS,
    *crm.ENDPOINTS,
    *campaigns.ENDPOINTS,
)
