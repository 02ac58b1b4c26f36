"""The asyncio SDK for the Thulium contact-center REST API.

Everything a user may import is imported here and listed in ``__all__``; modules whose
names start with ``_`` are private. The public submodules are ``thulium_async.testing``
(the fake server) and ``thulium_async.redis_limit`` (a rate limit shared through Redis,
with the ``redis`` extra), kept apart so that importing the SDK imports neither.
"""

from __future__ import annotations

from typing import Any

from ._api.paging import Page, Pages
from ._areas import openapi_document
from ._client import ThuliumClient
from ._core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    DeliveryUnknownError,
    ErrorDetail,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RateLimiterUnavailableError,
    ResponseDecodeError,
    RunStoppedError,
    ServerError,
    ThuliumError,
    UnprocessableEntityError,
)
from ._features.dial_models import (
    CallOutcome,
    CallRequest,
    DialProgress,
    NewRecord,
    OutcomeStatus,
    RefusedItem,
)
from ._features.journal import JournalWriteError
from ._features.reconcile import ReconcileResult, ReconcileStatus
from ._features.watch import WaitingListChange
from ._http.ratelimit import LocalRateLimiter, RateLimiter
from ._http.retry import RetryPolicy
from ._http.transport import ClientStats
from ._models.agents import (
    Agent,
    AgentCreated,
    AgentState,
    AgentStatus,
    WorkReportAgent,
    WorkReportInbound,
    WorkReportRow,
)
from ._models.calls import Connection, ConnectionTopic, Recording, TopicValue
from ._models.campaigns import (
    CampaignAgent,
    CampaignDeletion,
    CampaignDeletionStatus,
    CampaignRecord,
    CampaignStats,
    CampaignStatus,
    RecordRemoval,
    RecordUpdate,
    RemovalStatus,
    RemovedRecord,
    Webhook,
)
from ._models.chats import Chat, ChatSummaryRow, ChatTimes
from ._models.crm import (
    Address,
    Company,
    Customer,
    Deletion,
    MessageType,
    Ticket,
    TicketMessage,
)
from ._models.crm_campaigns import (
    CrmCampaignRecord,
    CrmRecordAddition,
    CrmRecordRemoval,
    NewCrmRecord,
)
from ._models.files import DownloadedFile, TemporaryFile
from ._models.queues import (
    QueueTopics,
    Topic,
    TopicField,
    TopicGroup,
    WaitingCaller,
    WaitingStats,
)
from ._models.users import SipAccount, User

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "Address",
    "Agent",
    "AgentCreated",
    "AgentState",
    "AgentStatus",
    "AuthenticationError",
    "BadRequestError",
    "CallOutcome",
    "CallRequest",
    "CampaignAgent",
    "CampaignDeletion",
    "CampaignDeletionStatus",
    "CampaignRecord",
    "CampaignStats",
    "CampaignStatus",
    "Chat",
    "ChatSummaryRow",
    "ChatTimes",
    "ClientStats",
    "Company",
    "Connection",
    "ConnectionTopic",
    "CrmCampaignRecord",
    "CrmRecordAddition",
    "CrmRecordRemoval",
    "Customer",
    "Deletion",
    "DeliveryUnknownError",
    "DialProgress",
    "DownloadedFile",
    "ErrorDetail",
    "InvalidInputError",
    "JournalWriteError",
    "LocalRateLimiter",
    "MessageType",
    "NewCrmRecord",
    "NewRecord",
    "NotFoundError",
    "OutcomeStatus",
    "Page",
    "Pages",
    "PermissionDeniedError",
    "QueueTopics",
    "RateLimitError",
    "RateLimiter",
    "RateLimiterUnavailableError",
    "ReconcileResult",
    "ReconcileStatus",
    "RecordRemoval",
    "RecordUpdate",
    "Recording",
    "RefusedItem",
    "RemovalStatus",
    "RemovedRecord",
    "ResponseDecodeError",
    "RetryPolicy",
    "RunStoppedError",
    "ServerError",
    "SipAccount",
    "TemporaryFile",
    "ThuliumClient",
    "ThuliumError",
    "Ticket",
    "TicketMessage",
    "Topic",
    "TopicField",
    "TopicGroup",
    "TopicValue",
    "UnprocessableEntityError",
    "User",
    "WaitingCaller",
    "WaitingListChange",
    "WaitingStats",
    "Webhook",
    "WorkReportAgent",
    "WorkReportInbound",
    "WorkReportRow",
    "openapi_document",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("thulium-async")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
