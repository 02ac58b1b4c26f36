"""A campaign's records and statuses: reading, updating and removing them one by one.

Part of ``client.outbounds`` (:class:`~thulium_async._areas.campaigns.Outbounds`
inherits :class:`CampaignRecords`): the endpoints of the vendor's ``outbounds``,
``outbounds_batch``, ``csv_outbounds`` and ``csv_outbounds_batch`` pages beyond adding
and removing records in bulk (``campaigns.py``).

Every write here is safe to repeat (a PUT or a DELETE, or removing agents, which leaves
them out however often it is sent), so each is retried after a failure that may have
been processed, and none raises ``DeliveryUnknownError``. A removal whose retry finds
nothing left to remove (404) counts as done. Nothing is sent on a bad argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any

import attrs

from .._api.endpoints import (
    Endpoint,
    Paging,
    PathKind,
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
    keyed_item,
    made_class,
    operation,
)
from .._api.paging import Pages
from .._core import validation as _validation
from .._core.errors import InvalidInputError
from .._core.wallclock import Clock, clock
from .._models.campaigns import (
    CampaignDeletion,
    CampaignRecord,
    CampaignStatus,
    RecordUpdate,
)
from .crm import BatchEntry

_CAMPAIGN = {"outbound_id": PathKind.CAMPAIGN}
_CAMPAIGN_EXAMPLE = {"outbound_id": "00001"}
CAMPAIGN_ID = PathValue(
    'the campaign (5 characters, like ``"00001"``)', PathKind.CAMPAIGN, example="00001"
)
AgentLogins = Annotated[
    Sequence[str],
    Body("the agents' logins", example=["anowak", "jkowalski"], kind=PathKind.LOGIN),
]
"""The agents a campaign's ``add_agents`` and ``remove_agents`` name."""
_IDENTIFIER = PathValue(
    "the record's own unique id, given when it was added",
    PathKind.IDENTIFIER,
    example="1234567890",
)
# A number in the path, compacted as anywhere else.
_NUMBER = PathValue(
    'the number; separators are removed (``"+48 500 333 222"`` is sent as '
    "``+48500333222``)",
    PathKind.PHONE,
    example="333444555",
    format="phone",
)
_ADDITIONAL_FLAG = Query("look in the records' additional numbers too", example=True)
_MINUTES = clock(Clock.MINUTES)
SYSTEM_STATUSES = (
    "TO_CALL",
    "IN_PROGRESS",
    "CALL",
    "MY_RECORD",
    "NO_CALL",
    "ABANDONED_AFTER_N_TRIES",
    "CALL_NO_SOONER_THAN",
    "CALL_PROGRESSIVE",
)
"""The system statuses the vendor's campaign pages list (``outbounds/:id/statuses``)."""

# The record filters a campaign's and a CRM campaign's lists share (the pages' examples).
StatusFilter = Annotated[
    Sequence[int] | None,
    Query(
        "records with any of these statuses (see :meth:`statuses`)",
        example=[10, 15],
        kind=PathKind.ID,
        wire="status_id[]",
    ),
]
SystemStatusFilter = Annotated[
    Sequence[str] | None,
    Query(
        "records with any of these system statuses (``"
        + "``, ``".join(SYSTEM_STATUSES)
        + "``)",
        example=["TO_CALL", "CALL"],
        choices=SYSTEM_STATUSES,
        wire="system_status[]",
    ),
]
CreatedFrom = Annotated[
    date | None,
    Query("created on or after this day", example="2016-10-18", clock=Clock.DATE),
]
CreatedTo = Annotated[
    date | None,
    Query("created on or before this day", example="2016-10-20", clock=Clock.DATE),
]
CalledFrom = Annotated[
    date | None,
    Query("last called on or after this day", example="2016-10-18", clock=Clock.DATE),
]
CalledTo = Annotated[
    date | None,
    Query("last called on or before this day", example="2016-10-20", clock=Clock.DATE),
]
_ADDITIONAL = described(example=True)  # search_in_additional_numbers, on every page
_FIELDS_EXAMPLE = {"field1": "value1", "field2": "value2"}


@attrs.define(kw_only=True)
class AdditionalNumbersQuery:
    """The ``search_in_additional_numbers`` flag of a record's removal or update."""

    search_in_additional_numbers: bool | None = attrs.field(
        default=None, metadata=_ADDITIONAL
    )


def _campaign_deletions(
    answer: list[CampaignDeletion], *, outbound_ids: tuple[str, ...], **_: object
) -> list[CampaignDeletion]:
    """One result per campaign given, in order; one the answer leaves out has no status."""
    found = {entry.id: entry for entry in answer}
    return [found.get(x) or CampaignDeletion(id=x) for x in outbound_ids]


def _items(name: str, value: object, what: str) -> tuple[object, ...]:
    """Return the items of the list *value*; refuse a lone string, a mapping or none."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidInputError(f"{name} must be a list of {what}, got {value!r}")
    items = tuple(value)
    if not items:
        raise InvalidInputError(f"{name} must not be empty: give at least one")
    return items


def _flag(name: str, value: object) -> bool | None:
    """A flag whose default (False) is the server's: sent only when True."""
    if not isinstance(value, bool):
        raise InvalidInputError(f"{name} must be True or False, got {value!r}")
    return value or None


_CHANGES = (
    "status_id",
    "dictionary_status_id",
    "agent_login",
    "record_fields",
    "next_call_date",
)


def _changes_something(**values: object) -> None:
    """Refuse an update that changes nothing."""
    if all(values.get(name) is None for name in _CHANGES):
        raise InvalidInputError(
            f"the update changes nothing: give {', '.join(_CHANGES[:-1])} or "
            f"{_CHANGES[-1]}"
        )


def _batch(records: object) -> tuple[Any, ...]:
    """Check each record of ``update_records``; refuse a number given twice.

    A record's changes are checked by ``update_record_by_identifier``'s declaration:
    the same fields, the same checks, not a second list of them.
    """
    batch = []
    seen: set[str] = set()
    for index, item in enumerate(_items("records", records, "mappings")):
        where = f"records[{index}]"
        given, fields = keyed_item(item, "phone_number", where=where)
        number = _validation.phone_number(given)
        if number in seen:  # the answer is keyed by number: two could not be told
            raise InvalidInputError(f"{where}: {number} is given twice")
        seen.add(number)
        changes = checked_arguments(  # "changes nothing" is that method's check
            CampaignRecords.update_record_by_identifier,
            fields,
            where=where,
            required=False,
        )
        batch.append(RecordChangesByNumber(phone_number=number, **changes))
    return tuple(batch)


class CampaignRecords(Namespace):
    """The campaign record methods of ``client.outbounds``."""

    __slots__ = ()

    @operation(
        "outbounds.remove_agents",
        "POST",
        "outbounds/{outbound_id}/remove_agents",
        # Removing an agent who is already out of the campaign leaves them out: harmless.
        idempotent=True,
        doc="outbounds/post_outbounds_id_remove_agents",
    )
    async def remove_agents(
        self,
        outbound_id: Annotated[str, CAMPAIGN_ID],
        logins: AgentLogins,
    ) -> None:
        """Take agents *logins* out of campaign *outbound_id*.

        Safe to repeat (an agent already out stays out), so it is sent again after a
        failure that may have been processed.
        """

    @operation(
        "outbounds.statuses",
        "GET",
        "outbounds/{outbound_id}/statuses",
        doc="outbounds/get_outbounds_id_statuses",
        # The page closes its list with a brace: here as JSON.
        example=[
            {
                "system_status": "CALL",
                "status_id": "3",
                "dictionary_status_id": 2,
                "name": "Contact needed",
            },
            {
                "system_status": "NO_CALL",
                "status_id": "4",
                "dictionary_status_id": None,
                "name": "Not interested",
            },
        ],
    )
    async def statuses(
        self, outbound_id: Annotated[str, CAMPAIGN_ID]
    ) -> list[CampaignStatus]:
        """Return the statuses campaign *outbound_id*'s records can have.

        Their ``status_id`` is what :meth:`records` filters by and what
        :meth:`update_record_by_identifier` and :meth:`update_records` set.
        """

    @operation(
        "outbounds.delete_many",
        "DELETE",
        "batch/outbounds",
        doc="outbounds_batch/delete_batch_outbounds",
        example=[
            {"http_status": 200, "id": "00001", "status": "REMOVAL_QUEUED"},
            {"http_status": 404, "id": "00002", "status": "NOT_EXIST"},
            {"http_status": 400, "id": "00003", "status": "ALREADY_QUEUED"},
        ],
        answer=(list[CampaignDeletion], _campaign_deletions),
    )
    async def delete_many(
        self,
        outbound_ids: Annotated[
            Iterable[str],
            Query(
                'the campaigns (5 characters each, like ``"00001"``), each sent once',
                example=["00001", "00002", "00003"],
                kind=PathKind.CAMPAIGN,
                wire="id[]",
                unique=True,
            ),
        ],
        *,
        delete_recordings: Annotated[
            bool,
            Query(
                "delete their recordings too (Thulium keeps them by default)",
                example=True,
            ),
        ] = False,
    ) -> list[CampaignDeletion]:
        """Delete campaigns *outbound_ids* with all their records; say what became of each.

        Thulium queues each campaign for deletion and answers at once; deleting its
        records (and recordings) may take hours. Returns one
        :class:`~thulium_async.CampaignDeletion` per campaign given, in order
        (each once): ``REMOVAL_QUEUED``, ``NOT_EXIST`` or ``ALREADY_QUEUED``;
        ``.queued`` says whether it is on its way out.

        Safe to repeat: a resend after an attempt that may have been processed
        finds the campaigns it queued ``ALREADY_QUEUED``, which ``.queued`` counts.
        """

    @operation(
        "outbounds.records",
        "GET",
        "outbounds/{outbound_id}/records",
        paging=Paging(max_limit=100),
        doc="csv_outbounds/get_outbounds_id_records",
        example={
            "count": 1,
            "result": [
                {
                    "record_id": 228,
                    "phone_number": "5555",
                    "system_status": "NO_CALL",
                    "status": "Do not call",
                    "status_id": 5,
                    "call_date": "2016-10-19 14:02",
                    "create_date": "2016-10-18 12:02",
                    "next_call_date": "",
                    "agent_name": "",
                    "agent_login": "",
                    "last_note": "Last note for record",
                    "identifier": "1234567890",
                    "order": "",
                }
            ],
        },
    )
    def records(
        self,
        outbound_id: Annotated[str, CAMPAIGN_ID],
        *,
        status_id: StatusFilter = None,
        system_status: SystemStatusFilter = None,
        create_date_from: CreatedFrom = None,
        create_date_to: CreatedTo = None,
        call_date_from: CalledFrom = None,
        call_date_to: CalledTo = None,
        limit: int = 100,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[CampaignRecord]:
        """Campaign *outbound_id*'s records, in the order added: ``await`` or ``async for``.

        ``await`` gives the first :class:`~thulium_async.Page` (its ``count`` is
        every record the filters match); ``async for`` gives every
        :class:`~thulium_async.CampaignRecord`, page after page: *limit* records a
        page (1 to 100) from *offset*, *concurrency* pages in flight after the first
        (1 to 32). A filter left out does not filter; the dates are whole days of the
        system's calendar (a ``datetime`` counts by its day there).
        """

    @operation(
        "outbounds.remove_record",
        "DELETE",
        "outbounds/{outbound_id}/records/{phone_number}",
        doc="csv_outbounds/delete_outbounds_id_records_phone_number",
        gone_is_done=True,
    )
    async def remove_record(
        self,
        outbound_id: Annotated[str, CAMPAIGN_ID],
        phone_number: Annotated[str, _NUMBER],
        *,
        search_in_additional_numbers: Annotated[bool, _ADDITIONAL_FLAG] = False,
    ) -> None:
        """Remove *phone_number*'s records from campaign *outbound_id*.

        Every record of the number goes (a number can have several), but one in a
        call, which stays. For many numbers at once, with what became of each, see
        ``remove_records``.

        Safe to repeat, so it is retried like a GET; a retry that finds nothing left
        to remove (404) after an attempt that may have been processed counts as
        removed. A 404 on the first attempt raises ``NotFoundError``.
        """

    @operation(
        "outbounds.update_record_by_identifier",
        "PUT",
        "outbounds/{outbound_id}/records_by_identifier/{identifier}",
        doc="csv_outbounds/put_outbounds_id_records_by_identifier_identifier",
        check=_changes_something,
    )
    async def update_record_by_identifier(
        self,
        outbound_id: Annotated[str, CAMPAIGN_ID],
        identifier: Annotated[str, _IDENTIFIER],
        *,
        # The examples are the page's (its example request writes the status id
        # as text).
        status_id: Annotated[
            int | None,
            Body(
                "its status in the campaign (see :meth:`statuses`)",
                example=8,
                kind=PathKind.ID,
            ),
        ] = None,
        dictionary_status_id: Annotated[
            int | None,
            Body("its status from the dictionary", example=8, kind=PathKind.ID),
        ] = None,
        agent_login: Annotated[
            str | None,
            Body(
                "the agent to give it to (needed for a ``MY_RECORD`` status)",
                example="j.doe",
                kind=PathKind.LOGIN,
            ),
        ] = None,
        record_fields: Annotated[
            Mapping[str, Any] | None,
            Body(
                "the campaign's own fields to set, by name; an empty value clears a "
                "field, an unknown name is refused by Thulium",
                example=_FIELDS_EXAMPLE,
            ),
        ] = None,
        next_call_date: Annotated[
            datetime | None,
            Body(
                "when to call it next (sent to the minute, the system's clock; "
                "needed for ``MY_RECORD`` and ``CALL_NO_SOONER_THAN``)",
                example="2018-05-24 12:24",
                clock=Clock.MINUTES,
            ),
        ] = None,
    ) -> None:
        """Change the record of campaign *outbound_id* that you gave *identifier*.

        What is left out (``None``) stays as it is. A PUT: sending the same changes
        again leaves the record as one request did, so it is retried after a
        failure that may have been processed. Nothing to change is refused, and
        nothing is sent.
        """

    @operation(
        "outbounds.remove_record_by_identifier",
        "DELETE",
        "outbounds/{outbound_id}/records_by_identifier/{identifier}",
        doc="csv_outbounds/delete_outbounds_id_records_by_identifier_identifier",
        gone_is_done=True,
    )
    async def remove_record_by_identifier(
        self,
        outbound_id: Annotated[str, CAMPAIGN_ID],
        identifier: Annotated[str, _IDENTIFIER],
    ) -> None:
        """Remove the record of campaign *outbound_id* that you gave *identifier*.

        A record in a call stays. Safe to repeat, so it is retried like a GET; a
        retry that finds the record gone (404) after an attempt that may have been
        processed counts as removed. A 404 on the first attempt raises
        ``NotFoundError``.
        """

    async def update_records(
        self,
        outbound_id: str,
        records: Iterable[Mapping[str, Any]],
        *,
        search_in_additional_numbers: bool = False,
    ) -> list[RecordUpdate]:
        """Change several records of campaign *outbound_id*, found by number, at once.

        Each of *records* is a mapping with the record's ``phone_number`` and what
        to change: ``status_id``, ``dictionary_status_id``, ``agent_login``,
        ``record_fields``, ``next_call_date``, as for
        :meth:`update_record_by_identifier` (what is left out stays as it is). All
        go in one request. Thulium does not change a number the campaign holds
        twice.

        Returns one :class:`~thulium_async.RecordUpdate` per record, in order:
        Thulium's ``http_status`` and ``message`` for it; ``.updated`` says whether
        it was changed. A PUT: sending the same changes again leaves the records as
        one request did, so it is retried after a failure that may have been
        processed.

        Args:
            outbound_id: the campaign (5 characters, like ``"00001"``).
            records: the records' numbers and changes, like
                ``[{"phone_number": "500333222", "status_id": 3}]``.
            search_in_additional_numbers: find records by their additional
                numbers too.

        Raises:
            InvalidInputError: no records, an unknown field, a bad value, a record
                that changes nothing, or a number given twice (nothing is sent).
        """
        batch = _batch(records)
        query = AdditionalNumbersQuery(
            search_in_additional_numbers=_flag(
                "search_in_additional_numbers", search_in_additional_numbers
            )
        )
        answer = await self._send(
            UPDATE_RECORDS,
            outbound_id,
            query=query,
            body=RecordChangesBatch(records=batch),
        )
        results = []
        for record in batch:
            entry = answer.get(record.phone_number)
            results.append(
                RecordUpdate(
                    phone_number=record.phone_number,
                    http_status=0 if entry is None else entry.http_status,
                    message="not in the answer" if entry is None else entry.message,
                )
            )
        return results


RecordChangesByNumber = made_class(
    "RecordChangesByNumber",
    "One record of ``PUT batch/outbounds/:id/records``: its number, and the changes "
    "``update_record_by_identifier`` takes (``None``: not changed).",
    {
        "phone_number": attrs.field(
            type=str, metadata=described(example="333444555", format="phone")
        )
    },
    module=__name__,
    base=endpoint_of(CampaignRecords.update_record_by_identifier).body,
)
RecordChangesBatch = made_class(
    "RecordChangesBatch",
    "``PUT batch/outbounds/:id/records``'s body (example: the page's request).",
    {
        "records": attrs.field(
            type=batch_of(RecordChangesByNumber),
            metadata=described(
                example=[
                    {
                        "phone_number": "111222333",
                        "status_id": 3,
                        "record_fields": {"pole1": "wartosc1", "pole2": "wartosc2"},
                    },
                    {"phone_number": "555123321", "agent_login": "user"},
                ]
            ),
        )
    },
    module=__name__,
)
UPDATE_RECORDS = Endpoint(
    "outbounds.update_records",
    "PUT",
    "batch/outbounds/{outbound_id}/records",
    _CAMPAIGN,
    query=AdditionalNumbersQuery,
    body=RecordChangesBatch,
    returns=dict[str, BatchEntry],
    doc="csv_outbounds_batch/put_batch_outbounds_id_records",
    path_examples=_CAMPAIGN_EXAMPLE,
    example={
        "111222333": {"http_status": 204},
        "555123321": {"http_status": 400, "message": "Agent not found."},
    },
)
