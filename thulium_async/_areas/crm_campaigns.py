"""CRM campaigns: records that are CRM customers (``crm_outbounds``).

Part of ``client.outbounds`` (:class:`~thulium_async._areas.campaigns.Outbounds`
inherits :class:`CrmCampaignRecords`): the endpoints of the vendor's ``crm_outbounds``
and ``crm_outbounds_batch`` pages. A CRM campaign's record is named by its customer's
id, not by a phone number.

What a repeat would do decides how each write is sent. Adding one customer
(``add_crm_record``) is never sent twice after a failure that may have been processed:
the vendor's page does not say that a second add is refused. The batch add is resent:
its page answers a customer already in the campaign ``ALREADY_EXISTS``, never a second
record. Changing a record (a PUT) and removing records (a DELETE) are safe to repeat.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any

import attrs

from .._api.endpoints import (
    Endpoint,
    Paging,
    PathKind,
    check_path_value,
    described,
)
from .._api.namespace import Namespace
from .._api.operations import (
    Body,
    PathValue,
    Query,
    batch_of,
    checked_arguments,
    endpoint_of,
    made_class,
    operation,
)
from .._api.paging import Pages
from .._core import validation as _validation
from .._core.errors import InvalidInputError
from .._core.wallclock import Clock
from .._core.write_watch import WRITE_WATCH
from .._features.batches import BatchWatch, check_batch_size
from .._models.crm_campaigns import (
    ALREADY_EXISTS,
    NOT_EXIST,
    CrmCampaignRecord,
    CrmRecordAddition,
    CrmRecordRemoval,
    NewCrmRecord,
)
from .._models.fields import WIRE, either
from .campaign_batches import ADD_BATCH, REMOVE_BATCH
from .campaign_records import (
    CAMPAIGN_ID,
    CalledFrom,
    CalledTo,
    CreatedFrom,
    CreatedTo,
    StatusFilter,
    SystemStatusFilter,
)

_CAMPAIGN = {"outbound_id": PathKind.CAMPAIGN}
# The fields of a record to add or change (the pages' examples).
_STATUS = Body("the record's status in the campaign", example=8, kind=PathKind.ID)
_DICTIONARY_STATUS = Body("its status from the dictionary", example=8, kind=PathKind.ID)
_AGENT_LOGIN = Body(
    "the agent to give it to (the system status ``MY_RECORD`` needs one)",
    example="j.doe",
    kind=PathKind.LOGIN,
)
_NEXT_CALL = Body(
    "when to call (naive: the system's wall clock, aware: converted into it; sent "
    "to the minute). ``MY_RECORD`` and ``CALL_NO_SOONER_THAN`` need one",
    example="2018-05-24 12:24",
    clock=Clock.MINUTES,
)
_ORDER = Body("its place in the campaign (1 or more)", example=50)
# The one field the list sorts by: rising, or falling with a '-'.
_ORDERS = ("next_call_date", "-next_call_date")


@attrs.define(kw_only=True)
class CrmRemoveQuery:
    """``DELETE batch/crm_outbounds/:id/records``'s query."""

    customer_id: tuple[int, ...] = attrs.field(
        metadata=described(
            example=[441, 442], kind=PathKind.ID, base={WIRE: "customer_id[]"}
        )
    )


@attrs.frozen(kw_only=True)
class CrmRecordCreated:
    """``POST crm_outbounds/:id/records``'s answer: the new record's id (as text)."""

    record_id: int = attrs.field(metadata=either())


@attrs.frozen(kw_only=True)
class CrmBatchLine:
    """One customer's line in the answer of a ``batch/crm_outbounds`` request."""

    http_status: int | None = None
    status: str | None = None
    record_id: int | None = attrs.field(default=None, metadata=either())
    message: str | None = None


REMOVE_CRM_RECORDS = Endpoint(
    "outbounds.remove_crm_records",
    "DELETE",
    "batch/crm_outbounds/{outbound_id}/records",
    _CAMPAIGN,
    query=CrmRemoveQuery,
    returns=dict[str, CrmBatchLine],
    doc="crm_outbounds_batch/delete_batch_crm_outbounds_id_records",
    path_examples={"outbound_id": "00001"},
    example={
        "441": {"http_status": 200, "record_id": 5235, "status": "REMOVED"},
        "442": {"http_status": 404, "status": "NOT_EXIST"},
    },
)


def _id(name: str, value: object) -> int:
    """Return *value* if it is an id (a positive int), or refuse it."""
    return int(check_path_value(PathKind.ID, name, value))


def _items(name: str, value: object, what: str) -> builtins.list[Any]:
    """Return the items of *value*, a non-empty iterable (not text, not a mapping)."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidInputError(f"{name} must be a list of {what}, got {value!r}")
    items = builtins.list(value)
    if not items:
        raise InvalidInputError(f"{name} must name at least one of {what}")
    return items


def _ids(name: str, value: object) -> tuple[int, ...]:
    """Return the ids in *value*, each a positive int, or refuse them."""
    return tuple(_id(name, i) for i in _items(name, value, "positive int ids"))


def _record_body(where: str, record: NewCrmRecord) -> Any:
    """Check one record to add by ``add_crm_record``'s declaration; return its body."""
    fields = attrs.asdict(record, recurse=False)
    return CrmRecordBody(
        **checked_arguments(CrmCampaignRecords.add_crm_record, fields, where=where)
    )


def _new_records(records: object) -> builtins.list[Any]:
    """The bodies of ``add_crm_records``'s *records*, in order, each checked."""
    bodies = []
    for index, item in enumerate(_items("records", records, "customers")):
        where = f"records[{index}]"
        if type(item) is int:
            item = NewCrmRecord(customer_id=item)
        elif not isinstance(item, NewCrmRecord):
            raise InvalidInputError(
                f"records[{index}] must be a customer id or a NewCrmRecord, "
                f"got {item!r}"
            )
        bodies.append(_record_body(where, item))
    return bodies


def _distinct(bodies: builtins.list[Any]) -> builtins.list[Any]:
    """Each customer's body once; refuse a customer given twice with other fields."""
    found: dict[int, Any] = {}
    for body in bodies:
        seen = found.setdefault(body.customer_id, body)
        if seen != body:
            raise InvalidInputError(
                f"customer {body.customer_id} is given twice, with different fields"
            )
    return builtins.list(found.values())


def _positive_order(*, order: int | None, **_: object) -> None:
    """Refuse an *order* below 1: a place in the campaign (its type says only int)."""
    _validation.optional_id("order", order)


def _changes_something(
    *,
    status_id: object,
    dictionary_status_id: object,
    agent_login: object,
    next_call_date: object,
    order: int | None,
    **_: object,
) -> None:
    """Refuse an update that changes nothing, or an *order* below 1."""
    _positive_order(order=order)
    changes = (status_id, dictionary_status_id, agent_login, next_call_date, order)
    if all(value is None for value in changes):
        raise InvalidInputError("outbounds.update_crm_record needs something to change")


class CrmCampaignRecords(Namespace):
    """The CRM campaign record methods of ``client.outbounds``."""

    __slots__ = ()

    @operation(
        "outbounds.crm_records",
        "GET",
        "crm_outbounds/{outbound_id}/records",
        paging=Paging(max_limit=100),
        doc="crm_outbounds/get_crm_outbounds_id_records",
        # The stored page is cut inside its parameter list (after include_address),
        # before its example answer: none is declared.
    )
    def crm_records(
        self,
        outbound_id: Annotated[str, CAMPAIGN_ID],
        *,
        status_id: StatusFilter = None,
        system_status: SystemStatusFilter = None,
        create_date_from: CreatedFrom = None,
        create_date_to: CreatedTo = None,
        call_date_from: CalledFrom = None,
        call_date_to: CalledTo = None,
        order: Annotated[
            str | None,
            Query(
                """``"next_call_date"``, or ``"-next_call_date"`` for the latest first""",
                example="-next_call_date",
                choices=_ORDERS,
            ),
        ] = None,
        include_customer: Annotated[
            bool, Query("add each record's customer", example=True)
        ] = False,
        include_custom_fields: Annotated[
            bool, Query("add the customer's custom fields", example=True)
        ] = False,
        include_address: Annotated[
            bool, Query("add the customer's address", example=True)
        ] = False,
        limit: int = 100,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[CrmCampaignRecord]:
        """The records of CRM campaign *outbound_id*: ``await`` for a page, or ``async for``.

        In the order they were added to the campaign, unless *order* says otherwise.
        Each is a :class:`~thulium_async.CrmCampaignRecord`; what the ``include_*``
        flags add is in its ``fields``, as Thulium sends it. ``await`` gives the
        first :class:`~thulium_async.Page`; ``async for`` gives every record, page
        after page: *limit* records a page (1 to 100) from *offset*, *concurrency*
        pages in flight after the first (1 to 32). The dates are whole days of the
        system's calendar.
        """

    @operation(
        "outbounds.add_crm_record",
        "POST",
        "crm_outbounds/{outbound_id}/records",
        # The page does not say that a customer already in the campaign is refused: a
        # repeat may add a second record, so an ambiguous attempt is not resent.
        side_effect="add the customer to the campaign a second time",
        doc="crm_outbounds/post_crm_outbounds_id_records",
        example={"record_id": "231"},
        check=_positive_order,
        answer=(CrmRecordCreated, "record_id"),
    )
    async def add_crm_record(
        self,
        outbound_id: Annotated[str, CAMPAIGN_ID],
        customer_id: Annotated[
            int, Body("the CRM customer", example=441, kind=PathKind.ID)
        ],
        *,
        status_id: Annotated[int | None, _STATUS] = None,
        dictionary_status_id: Annotated[int | None, _DICTIONARY_STATUS] = None,
        agent_login: Annotated[str | None, _AGENT_LOGIN] = None,
        next_call_date: Annotated[datetime | None, _NEXT_CALL] = None,
        order: Annotated[int | None, _ORDER] = None,
    ) -> int:
        """Add CRM customer *customer_id* to campaign *outbound_id*; return the record's id.

        **Not idempotent**: the vendor does not say that a customer already in the
        campaign is refused, so a repeat might add a second record. After a failure
        that may have been processed it raises
        :class:`~thulium_async.DeliveryUnknownError` and is not sent again: look
        with ``crm_record(outbound_id, customer_id)`` before trying again, or use
        :meth:`add_crm_records`, which is safe to repeat.
        """

    @operation(
        "outbounds.update_crm_record",
        "PUT",
        "crm_outbounds/{outbound_id}/records/{customer_id}",
        doc="crm_outbounds/put_crm_outbounds_id_records_customer_id",
        check=_changes_something,
    )
    async def update_crm_record(
        self,
        outbound_id: Annotated[str, CAMPAIGN_ID],
        customer_id: Annotated[
            int,
            PathValue("the CRM customer whose record it is", PathKind.ID, example=441),
        ],
        *,
        status_id: Annotated[int | None, _STATUS] = None,
        dictionary_status_id: Annotated[int | None, _DICTIONARY_STATUS] = None,
        agent_login: Annotated[str | None, _AGENT_LOGIN] = None,
        next_call_date: Annotated[datetime | None, _NEXT_CALL] = None,
        order: Annotated[int | None, _ORDER] = None,
    ) -> None:
        """Change customer *customer_id*'s record in campaign *outbound_id*.

        What is left out (``None``) stays as it is; nothing to change is refused. A
        PUT: sending the same changes again leaves the record as one request did, so
        an ambiguous failure is retried.
        """

    async def add_crm_records(
        self,
        outbound_id: str,
        records: Iterable[int | NewCrmRecord],
        *,
        batch_size: int | None = None,
    ) -> builtins.list[CrmRecordAddition]:
        """Add CRM customers to campaign *outbound_id*; say what became of each.

        *records* are customer ids, or :class:`~thulium_async.NewCrmRecord` items
        with the fields :meth:`add_crm_record` takes. Sent *batch_size* customers a
        request (``POST batch/crm_outbounds/:id/records``; default 100, as for
        ``add_records``), one request after the other. A customer given twice with
        the same fields is sent once.

        Returns one :class:`~thulium_async.CrmRecordAddition` per item given, in
        order: ``ADDED``, ``ALREADY_EXISTS`` (it was in the campaign) or ``FAILED``
        with Thulium's reason; ``.in_campaign`` says whether it is there now.

        Safe to repeat: the API never adds a customer to a campaign twice, so an
        attempt that may have been processed is sent again, and ``ALREADY_EXISTS``
        on that resend most likely means the first attempt added the customer
        (``confirmed_on_resend``).

        Args:
            outbound_id: the campaign (5 characters, like ``"00001"``).
            records: the customers to add.
            batch_size: customers per request (1 to 10,000).

        Raises:
            InvalidInputError: a bad campaign id, record or batch size, or none at
                all (nothing is sent).
            APIStatusError, APIConnectionError: a request failed; the customers of
                the requests before were added. Repeating the call is safe.
        """
        campaign = check_path_value(PathKind.CAMPAIGN, "outbound_id", outbound_id)
        size = check_batch_size(batch_size, ADD_BATCH)
        given = _new_records(records)
        wanted = _distinct(given)
        found: dict[int, CrmRecordAddition] = {}
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            body = CrmRecordsBody(records=tuple(chunk))
            lines, resent = await self._watched(ADD_CRM_RECORDS, campaign, body=body)
            for record in chunk:
                line = lines.get(str(record.customer_id))
                found[record.customer_id] = _addition(record.customer_id, line, resent)
        return [found[body.customer_id] for body in given]

    async def remove_crm_records(
        self,
        outbound_id: str,
        customer_ids: Iterable[int],
        *,
        batch_size: int | None = None,
    ) -> builtins.list[CrmRecordRemoval]:
        """Remove CRM customers *customer_ids* from campaign *outbound_id*.

        For customers who must not be called. Sent *batch_size* customers a request
        (``DELETE batch/crm_outbounds/:id/records``; default 50, as the ids travel
        in the URL), one request after the other. A record in a call is not removed
        (``CALL_IN_PROGRESS``): run the removal again for it.

        Returns one :class:`~thulium_async.CrmRecordRemoval` per id given, in order:
        ``REMOVED``, ``NOT_EXIST`` or ``CALL_IN_PROGRESS``; ``.removed`` says
        whether the record is gone by this call.

        Safe to repeat: an attempt that may have been processed is sent again, and
        ``NOT_EXIST`` on that resend counts as removed (``confirmed_on_resend``).

        Args:
            outbound_id: the campaign (5 characters, like ``"00001"``).
            customer_ids: the CRM customers whose records to remove.
            batch_size: customers per request (1 to 10,000).

        Raises:
            InvalidInputError: a bad campaign id, customer id or batch size, or no
                ids at all (nothing is sent).
            APIStatusError, APIConnectionError: a request failed; the customers of
                the requests before were removed. Repeating the call is safe.
        """
        campaign = check_path_value(PathKind.CAMPAIGN, "outbound_id", outbound_id)
        size = check_batch_size(batch_size, REMOVE_BATCH)
        given = _ids("customer_ids", customer_ids)
        wanted = builtins.list(dict.fromkeys(given))
        found: dict[int, CrmRecordRemoval] = {}
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            query = CrmRemoveQuery(customer_id=tuple(chunk))
            lines, resent = await self._watched(
                REMOVE_CRM_RECORDS, campaign, query=query
            )
            for customer in chunk:
                line = lines.get(str(customer))
                found[customer] = _removal(customer, line, resent)
        return [found[customer] for customer in given]

    async def _watched(
        self,
        endpoint: Endpoint[dict[str, CrmBatchLine]],
        campaign: str,
        *,
        query: object = None,
        body: object = None,
    ) -> tuple[dict[str, CrmBatchLine], bool]:
        """Send one batch; return its answer and whether an attempt was resent.

        Resent means: an attempt before the one answered may have been processed.
        """
        watch = WRITE_WATCH.get()
        own = None
        if not isinstance(watch, BatchWatch):  # a bulk run sets its own
            watch = BatchWatch(None)
            own = WRITE_WATCH.set(watch)
        try:
            lines = await self._send(endpoint, campaign, query=query, body=body)
        finally:
            if own is not None:
                WRITE_WATCH.reset(own)
        return lines, watch.ambiguous


def _addition(
    customer: int, line: CrmBatchLine | None, resent: bool
) -> CrmRecordAddition:
    """One customer's :class:`CrmRecordAddition` from its line of the answer."""
    if line is None:
        return CrmRecordAddition(
            customer_id=customer, status=None, message="not in the answer"
        )
    return CrmRecordAddition(
        customer_id=customer,
        status=line.status,
        record_id=line.record_id,
        http_status=line.http_status,
        message=line.message,
        confirmed_on_resend=resent and line.status == ALREADY_EXISTS,
    )


def _removal(
    customer: int, line: CrmBatchLine | None, resent: bool
) -> CrmRecordRemoval:
    """One customer's :class:`CrmRecordRemoval` from its line of the answer."""
    if line is None:
        return CrmRecordRemoval(
            customer_id=customer, status=None, message="not in the answer"
        )
    return CrmRecordRemoval(
        customer_id=customer,
        status=line.status,
        record_id=line.record_id,
        http_status=line.http_status,
        message=line.message,
        confirmed_on_resend=resent and line.status == NOT_EXIST,
    )


CrmRecordBody: Any = endpoint_of(CrmCampaignRecords.add_crm_record).body
"""One record of ``POST batch/crm_outbounds/:id/records``: ``add_crm_record``'s body."""
CrmRecordsBody = made_class(
    "CrmRecordsBody",
    "``POST batch/crm_outbounds/:id/records``'s body (example: the page's request).",
    {
        "records": attrs.field(
            type=batch_of(CrmRecordBody),
            metadata=described(
                example=[
                    {"customer_id": 441, "status_id": 3},
                    {"customer_id": 445, "status_id": 1},
                    {"customer_id": 448, "status_id": 1},
                ]
            ),
        )
    },
    module=__name__,
)
ADD_CRM_RECORDS = Endpoint(
    "outbounds.add_crm_records",
    "POST",
    "batch/crm_outbounds/{outbound_id}/records",
    _CAMPAIGN,
    body=CrmRecordsBody,
    returns=dict[str, CrmBatchLine],
    # Idempotent by the server's own rule: the page answers a customer already in
    # the campaign ALREADY_EXISTS (with its record), never adding it twice; on the
    # resend of an attempt that may have been processed, that confirms the add.
    idempotent=True,
    side_effect="nothing twice: the API never adds a customer to a campaign twice",
    doc="crm_outbounds_batch/post_batch_crm_outbounds_id_records",
    path_examples={"outbound_id": "00001"},
    example={
        "441": {"http_status": 201, "record_id": 111, "status": "ADDED"},
        "445": {"http_status": 400, "record_id": 100, "status": "ALREADY_EXISTS"},
        "448": {
            "http_status": 400,
            "status": "FAILED",
            "message": "Customer not found.",
        },
    },
)
