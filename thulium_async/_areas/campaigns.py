"""Outbound campaigns and webhook subscriptions: ``client.outbounds``, ``client.webhooks``.

Campaign ids are 5-character strings (``00001``), validated as path values. Adding a
record or agents to a campaign, and subscribing a webhook, are writes that are never
sent twice after a failure that may have been processed.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import (
    AsyncGenerator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from datetime import datetime
from typing import Annotated, Any, cast

import attrs

from .._api.endpoints import (
    Endpoint,
    PathKind,
    check_path_value,
    described,
)
from .._api.namespace import Namespace
from .._api.operations import (
    Body,
    PathValue,
    batch_of,
    checked_arguments,
    endpoint_of,
    made_class,
    operation,
)
from .._core import validation as _validation
from .._core.errors import InvalidInputError
from .._core.wallclock import Clock
from .._core.write_watch import WRITE_WATCH
from .._features.batches import BatchWatch, batch_run, check_batch_size
from .._features.dial_models import (
    BatchReply,
    CallOutcome,
    DialProgress,
    NewRecord,
    NumberSource,
    RecordSource,
)
from .._features.dialer import PathLike
from .._models.campaigns import (
    CampaignAgent,
    CampaignRecord,
    CampaignStats,
    RecordRemoval,
    Webhook,
)
from .._models.fields import WIRE
from ._thin import OutboundsThin
from .campaign_batches import (
    ADD_BATCH,
    REMOVE_BATCH,
    add_reply,
    lines_of,
    read_entries,
    removal,
    remove_reply,
)
from .campaign_records import CAMPAIGN_ID, AgentLogins, CampaignRecords
from .crm_campaigns import CrmCampaignRecords

_CAMPAIGN = {"outbound_id": PathKind.CAMPAIGN}


@attrs.define(kw_only=True)
class RemoveQuery:
    """``DELETE batch/outbounds/:id/records``'s query."""

    phone_number: tuple[str, ...] = attrs.field(
        metadata=described(
            example=["441", "442"], format="phone", base={WIRE: "phone_number[]"}
        )
    )
    search_in_additional_numbers: bool | None = attrs.field(
        default=None, metadata=described(example=True)
    )


REMOVE_RECORDS = Endpoint(
    "outbounds.remove_records",
    "DELETE",
    "batch/outbounds/{outbound_id}/records",
    _CAMPAIGN,
    query=RemoveQuery,
    returns=Any,
    doc="csv_outbounds_batch/delete_batch_outbounds_id_records",
    path_examples={"outbound_id": "00001"},
    example={
        "441": [
            {"http_status": 200, "record_id": 5235, "status": "REMOVED"},
            {"http_status": 200, "record_id": 5226, "status": "REMOVED"},
        ],
        "442": [{"http_status": 404, "status": "NOT_EXIST"}],
    },
)


@attrs.frozen(kw_only=True)
class StatusAnswer:
    """``POST outbound_status_by_phone_number``'s answer."""

    outbound_id: list[str] = attrs.field(factory=list)


def _record_body(record: NewRecord) -> Any:
    """Check a record by ``add_record``'s declaration; return its body.

    A refusal names the field (``record.status_id ...``); the item's outcome says
    which item it was.
    """
    fields = attrs.asdict(record, recurse=False, filter=lambda a, _: a.name != "index")
    return RecordBody(**checked_arguments(Outbounds.add_record, fields, where="record"))


def _bulk_body(number: str, when: datetime | None, item: object) -> Any:
    """The body of one item of ``add_records``: a number, a CallRequest or a NewRecord."""
    if isinstance(item, NewRecord):
        return _record_body(item)
    return _record_body(NewRecord(phone_number=number, next_call_date=when))


def _checked_number(number: str, when: datetime | None, item: object) -> str:
    """One number of a removal, checked (``InvalidInputError``: it fails alone)."""
    return _validation.phone_number(number)


def _numbers(value: object) -> builtins.list[str]:
    """The phone numbers of a removal, each checked; refuse a lone string or none."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidInputError(
            f"phone_numbers must be a list of phone numbers, got {value!r}"
        )
    numbers = [_validation.phone_number(x) for x in value]
    if not numbers:
        raise InvalidInputError("phone_numbers must name at least one number")
    return numbers


def _positive_order(*, order: int | None, **_: object) -> None:
    """Refuse an *order* below 1: a place in the campaign (its type says only int)."""
    _validation.optional_id("order", order)


def _subscription(
    *,
    actions: object,
    subscription_url: object,
    http_auth_user: object = None,
    http_auth_password: object = None,
) -> None:
    """Refuse a subscription Thulium would not take: its actions, URL, user, password.

    ``webhooks.create``'s ``check=``, run after each argument's own check, for what
    their types cannot say (action names, an http(s) URL, a password that is not
    empty); and ``webhooks.ensure``'s whole check, with the same messages where
    they meet, so it takes unchecked arguments too. It never shows the password.
    """
    if isinstance(actions, (str, bytes, Mapping)) or not isinstance(actions, Iterable):
        raise InvalidInputError(f"actions must be a list, got {actions!r}")
    names = tuple(actions)
    if not names:
        raise InvalidInputError("actions must name at least one")
    if not all(
        isinstance(a, str) and a.replace("_", "").isalnum() and a.isupper()
        for a in names
    ):
        raise InvalidInputError("actions must be action names like 'CUSTOMER_CREATED'")
    url = subscription_url
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise InvalidInputError("subscription_url must be an http(s) URL")
    _validation.text("http_auth_user", http_auth_user, optional=True)
    # The page makes the user and the password separately optional.
    if http_auth_password is not None and not (
        isinstance(http_auth_password, str) and http_auth_password
    ):
        raise InvalidInputError(
            "http_auth_password must be a non-empty string (its value is not shown)"
        )


class Outbounds(CampaignRecords, CrmCampaignRecords, OutboundsThin, Namespace):
    """Outbound campaigns: ``client.outbounds.stats()``, ``agents``, ``add_record``, ..."""

    __slots__ = ()

    @operation(
        "outbounds.stats",
        "GET",
        "outbounds/stats",
        doc="outbounds/get_outbounds_stats",
        example=[
            {"id": "00001", "records_count": 1324, "completion_percent": 14.87},
            {"id": "00002", "records_count": 20, "completion_percent": 23},
        ],
    )
    async def stats(self) -> list[CampaignStats]:
        """Return every campaign's record count and completion."""

    @operation(
        "outbounds.agents",
        "GET",
        "outbounds/{outbound_id}/agents",
        doc="outbounds/get_outbounds_id_agents",
        # The page closes its list with a brace: here as JSON.
        example=[
            {
                "login": "jkowalski",
                "number": "3113",
                "active": True,
                "active_in_outbound": True,
                "agent_id": 12,
            },
            {
                "login": "anowak",
                "number": "3422",
                "active": False,
                "active_in_outbound": False,
                "agent_id": 43,
            },
        ],
    )
    async def agents(
        self, outbound_id: Annotated[str, CAMPAIGN_ID]
    ) -> list[CampaignAgent]:
        """Return the agents of campaign *outbound_id*, and whether each is active."""

    @operation(
        "outbounds.add_agents",
        "POST",
        "outbounds/{outbound_id}/add_agents",
        # Adding an agent who is already in the campaign leaves them in it: harmless.
        idempotent=True,
        doc="outbounds/post_outbounds_id_add_agents",
    )
    async def add_agents(
        self,
        outbound_id: Annotated[str, CAMPAIGN_ID],
        logins: AgentLogins,
    ) -> None:
        """Add agents *logins* to campaign *outbound_id*; one already in stays in.

        Safe to repeat, so it is sent again after a failure that may have been
        processed.
        """

    @operation(
        "outbounds.add_record",
        "POST",
        "outbounds/{outbound_id}/records",
        side_effect="add the number to the campaign twice (the server may refuse the "
        "second as a duplicate)",
        doc="csv_outbounds/post_outbounds_id_records",
        # The page's answer; the method gives nothing back (it never did).
        example={"record_id": "231"},
        check=_positive_order,
    )
    async def add_record(
        self,
        outbound_id: Annotated[str, CAMPAIGN_ID],
        phone_number: Annotated[
            str, Body("the number to call", example="333444555", format="phone")
        ],
        *,
        next_call_date: Annotated[
            datetime | None,
            Body(
                "when to call it (sent to the minute, the system's clock)",
                example="2018-05-24 12:24",
                clock=Clock.MINUTES,
            ),
        ] = None,
        identifier: Annotated[
            str | None, Body("your id for the record", example="1234567890")
        ] = None,
        agent_login: Annotated[
            str | None,
            Body("the agent to give it to", example="j.doe", kind=PathKind.LOGIN),
        ] = None,
        status_id: Annotated[
            int | None, Body("its status", example=8, kind=PathKind.ID)
        ] = None,
        dictionary_status_id: Annotated[
            int | None,
            Body("its status from the dictionary", example=8, kind=PathKind.ID),
        ] = None,
        record_fields: Annotated[
            Mapping[str, Any] | None,
            Body(
                "the campaign's own fields, by name",
                example={"field1": "value1", "field2": "value2"},
            ),
        ] = None,
        order: Annotated[
            int | None, Body("its place in the campaign (1 or more)", example=50)
        ] = None,
    ) -> None:
        """Add *phone_number* to campaign *outbound_id*.

        **Not idempotent**: after a failure that may have been processed it raises
        :class:`~thulium_async.DeliveryUnknownError` and is not sent again. The server
        refuses a number already in the campaign, and an unknown field.
        """

    def add_records(
        self,
        outbound_id: str,
        records: RecordSource,
        *,
        batch_size: int | None = None,
        concurrency: int = 10,
        progress: DialProgress | None = None,
        deduplicate: bool = True,
        journal: PathLike | None = None,
        resume_from: PathLike | None = None,
        stop: asyncio.Event | None = None,
    ) -> AsyncGenerator[CallOutcome, None]:
        """Add each of *records* to campaign *outbound_id*; yield one outcome per item.

        Sent *batch_size* records a request (``POST batch/outbounds/:id/records``;
        default 100: the vendor states no maximum, and 100 makes 100,000 records
        1,000 requests while a request stays near 10 KB and one failure touches at
        most 100 numbers), by *concurrency* requests at a time.

        The dialer's machinery, with its guarantees: *records* (phone numbers,
        :class:`~thulium_async.NewRecord` items with every field ``add_record``
        takes, or :class:`~thulium_async.CallRequest` items whose ``call_at`` becomes
        the record's ``next_call_date``) are read lazily, memory stays bounded by
        ``concurrency * batch_size``, each item yields one
        :class:`~thulium_async.CallOutcome`, a number repeated in the input is
        ``skipped``, a 401, 403 or 404 stops the run, and *journal*,
        *resume_from* and *stop* work exactly as for ``queues.schedule_calls``
        (numbers are one person by the same rule: their E.164 form in the client's
        ``phone_region``). A record whose fields are bad fails alone, unsent.

        The one write that is sent again after an attempt that may have been
        processed (a timeout, a 5xx after sending, or in flight or ``unknown`` in the
        run resumed): the API never adds a duplicate number to a campaign, so a
        resend adds nothing twice. Each number's outcome:

        - ``ADDED``: ``scheduled`` (added);
        - ``ALREADY_EXISTS`` on the resend of an attempt that may have added it:
          ``scheduled``, reason ``"confirmed on resend"``;
        - ``ALREADY_EXISTS`` when no attempt of ours can have added it: ``skipped``,
          reason ``"already in the campaign"``;
        - ``FAILED``: ``failed``, with Thulium's reason;
        - the whole request failing: ``failed`` if nothing can have been processed,
          else ``unknown`` (resent by a ``resume_from`` run).

        Raises:
            InvalidInputError: a bad *outbound_id*, *batch_size*, *concurrency*,
                *journal* or *resume_from*, at once.
        """
        campaign = check_path_value(PathKind.CAMPAIGN, "outbound_id", outbound_id)
        size = check_batch_size(batch_size, ADD_BATCH)
        send = self._send
        region = self._wiring.phone_region

        async def add(parts: list[Any]) -> list[BatchReply]:
            answer = await send(
                ADD_RECORDS, campaign, body=RecordsBody(records=tuple(parts))
            )
            entries = read_entries(answer)
            return [add_reply(lines_of(p.phone_number, entries, region)) for p in parts]

        return batch_run(
            _bulk_body,
            add,
            records,
            batch_size=size,
            concurrency=concurrency,
            progress=progress,
            deduplicate=deduplicate,
            journal=journal,
            resume_from=resume_from,
            stop=stop,
            phone_region=region,
            name="add_records",
            records=True,
        )

    async def remove_records(
        self,
        outbound_id: str,
        phone_numbers: Iterable[str],
        *,
        search_in_additional_numbers: bool = False,
        batch_size: int | None = None,
    ) -> builtins.list[RecordRemoval]:
        """Remove *phone_numbers* from campaign *outbound_id*; say what became of each.

        For do-not-call requests. Sent *batch_size* numbers a request (``DELETE
        batch/outbounds/:id/records``; default 50, since the numbers travel in the
        URL and 50 keep it near 1.5 KB), one request after the other. Every record
        of a number is removed (a number can have several), but one in a call
        (``CALL_IN_PROGRESS``), which stays: run the removal again for it.

        Returns one :class:`~thulium_async.RecordRemoval` per number given, in order:
        its records as Thulium answered (``record_id``, ``REMOVED`` / ``NOT_EXIST`` /
        ``CALL_IN_PROGRESS``) and one ``status``: ``removed`` if any record was, else
        ``in_call`` if any is in a call, else ``not_there``.

        Safe to repeat: an attempt that may have been processed is resent, and
        ``NOT_EXIST`` on that resend counts as removed (``confirmed_on_resend``).
        For a file of numbers with a journal and resume, see CLI ``campaign remove``
        and :meth:`remove_records_bulk`.

        Args:
            outbound_id: the campaign (5 characters, like ``"00001"``).
            phone_numbers: the numbers to remove.
            search_in_additional_numbers: look in the records' additional numbers too.
            batch_size: numbers per request (1 to 10,000).

        Raises:
            InvalidInputError: a bad campaign id, number or batch size (nothing is
                sent).
            APIStatusError, APIConnectionError: a request failed; numbers of the
                requests before were removed. Repeating the call is safe.
        """
        campaign = check_path_value(PathKind.CAMPAIGN, "outbound_id", outbound_id)
        size = check_batch_size(batch_size, REMOVE_BATCH)
        numbers = _numbers(phone_numbers)
        if not isinstance(search_in_additional_numbers, bool):
            raise InvalidInputError(
                "search_in_additional_numbers must be True or False, got "
                f"{search_in_additional_numbers!r}"
            )
        wanted = builtins.list(dict.fromkeys(numbers))
        found: dict[str, RecordRemoval] = {}
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            found.update(
                await self._remove(campaign, chunk, search_in_additional_numbers)
            )
        return [attrs.evolve(found[n], phone_number=n) for n in numbers]

    async def _remove(
        self, campaign: str, numbers: builtins.list[str], additional: bool
    ) -> dict[str, RecordRemoval]:
        """Send one removal of *numbers*; read each number's removal from the answer."""
        query = RemoveQuery(
            phone_number=tuple(numbers),
            search_in_additional_numbers=True if additional else None,
        )
        watch = WRITE_WATCH.get()
        own = None
        if not isinstance(watch, BatchWatch):  # a bulk run sets its own
            watch = BatchWatch(None)
            own = WRITE_WATCH.set(watch)
        try:
            answer = await self._send(REMOVE_RECORDS, campaign, query=query)
        finally:
            if own is not None:
                WRITE_WATCH.reset(own)
        entries = read_entries(answer)
        region = self._wiring.phone_region
        return {
            n: removal(n, lines_of(n, entries, region), resent=watch.ambiguous)
            for n in numbers
        }

    def remove_records_bulk(
        self,
        outbound_id: str,
        numbers: NumberSource,
        *,
        search_in_additional_numbers: bool = False,
        batch_size: int | None = None,
        concurrency: int = 4,
        progress: DialProgress | None = None,
        deduplicate: bool = True,
        journal: PathLike | None = None,
        resume_from: PathLike | None = None,
        stop: asyncio.Event | None = None,
    ) -> AsyncGenerator[CallOutcome, None]:
        """Remove each of *numbers* from campaign *outbound_id*; yield one outcome each.

        :meth:`remove_records` on the bulk machinery of :meth:`add_records` (lazy
        input, journal, resume, graceful stop, systemic stop, de-duplication by
        identity), for the CLI's ``campaign remove``. Each number's outcome:
        ``scheduled`` (removed; reason ``"confirmed on resend"`` when ``NOT_EXIST``
        answered the resend of an attempt that may have removed it), ``skipped``
        (``"not in the campaign"``), ``failed`` with ``CALL_IN_PROGRESS`` (a call is
        in progress: run it again; a resume sends it again), ``unknown`` (a request
        that may have been processed failed; a resume sends it again, safely).

        Raises:
            InvalidInputError: a bad argument, at once.
        """
        campaign = check_path_value(PathKind.CAMPAIGN, "outbound_id", outbound_id)
        size = check_batch_size(batch_size, REMOVE_BATCH)
        if not isinstance(search_in_additional_numbers, bool):
            raise InvalidInputError(
                "search_in_additional_numbers must be True or False, got "
                f"{search_in_additional_numbers!r}"
            )
        additional = search_in_additional_numbers

        async def remove(parts: builtins.list[str]) -> builtins.list[BatchReply]:
            found = await self._remove(campaign, parts, additional)
            return [remove_reply(found[n]) for n in parts]

        return batch_run(
            _checked_number,
            remove,
            numbers,
            batch_size=size,
            concurrency=concurrency,
            progress=progress,
            deduplicate=deduplicate,
            journal=journal,
            resume_from=resume_from,
            stop=stop,
            phone_region=self._wiring.phone_region,
            name="remove_records",
        )

    @operation(
        "outbounds.status_by_phone_number",
        "POST",
        "outbound_status_by_phone_number",
        # Setting the same status twice leaves it set: harmless.
        idempotent=True,
        doc="csv_outbounds/post_outbound_status_by_phone_number",
        example={"outbound_id": ["00001", "00002", "00003"]},
        answer=(StatusAnswer, "outbound_id"),
    )
    async def status_by_phone_number(
        self,
        phone_number: Annotated[
            str,
            Body(
                "the number whose records get the status",
                example="333444555",
                format="phone",
            ),
        ],
        status_id: Annotated[
            int, Body("the status to set", example=8, kind=PathKind.ID)
        ],
    ) -> list[str]:
        """Set status *status_id* on *phone_number*'s records; return the campaigns hit."""

    @operation(
        "outbounds.crm_record",
        "GET",
        "crm_outbounds/{outbound_id}/records/{customer_id}",
        doc="crm_outbounds/get_crm_outbounds_id_records_customer_id",
        example={
            "record_id": 47,
            "phone_number": "158433367",
            "system_status": "NO_CALL",
            "status": "Do not call",
            "status_id": 6,
            "call_date": "2016-10-19 14:02",
            "create_date": "2016-10-18 12:02",
            "next_call_date": "",
            "agent_name": "",
            "agent_login": "",
            "customer_id": 441,
            "last_note": "Last note for record",
            "order": "",
        },
    )
    async def crm_record(
        self,
        outbound_id: Annotated[str, CAMPAIGN_ID],
        customer_id: Annotated[
            int, PathValue("the CRM customer", PathKind.ID, example=441)
        ],
    ) -> CampaignRecord:
        """Return CRM customer *customer_id*'s record in campaign *outbound_id*.

        A customer with no record in that campaign raises ``NotFoundError``.
        """


RecordBody: Any = endpoint_of(Outbounds.add_record).body
"""One record of ``POST batch/outbounds/:id/records``: ``add_record``'s body."""
RecordsBody = made_class(
    "RecordsBody",
    "``POST batch/outbounds/:id/records``'s body: the records, as ``add_record`` "
    "sends one.",
    {
        "records": attrs.field(
            type=batch_of(RecordBody),
            metadata=described(example=[{"phone_number": "333444555", "status_id": 8}]),
        )
    },
    module=__name__,
)
ADD_RECORDS = Endpoint(
    "outbounds.add_records",
    "POST",
    "batch/outbounds/{outbound_id}/records",
    _CAMPAIGN,
    body=RecordsBody,
    returns=Any,
    # The one write that is resent after an ambiguous attempt: idempotent by the
    # server's own rule. The vendor's page says the API never adds a duplicate number
    # to a campaign, so a resend adds nothing twice; what the first attempt added is
    # answered ALREADY_EXISTS, which the run reads as confirmed.
    idempotent=True,
    side_effect="nothing twice: the API never adds a duplicate number to a campaign",
    doc="csv_outbounds_batch/post_batch_outbounds_id_records",
    path_examples={"outbound_id": "00001"},
    # The stored page is cut before its example answer: read as the DELETE page's
    # shape or as a list of {phone_number, status, record_id} (read_entries).
)


class Webhooks(Namespace):
    """Webhook subscriptions: ``client.webhooks.list()``, ``create``."""

    __slots__ = ()

    @operation(
        "webhooks.list",
        "GET",
        "webhooks",
        doc="webhooks/get_webhooks",
        example=[
            {
                "id": 1,
                "actions": ["CHAT_AGENT_ASSIGNED"],
                "subscription_url": "https://example.com/",
                "http_auth_user": "",
                "http_auth_password": "",
            },
            {
                "id": 2,
                "actions": ["CHAT_CONVERSATION_CREATED"],
                "subscription_url": "https://example.com/",
                "http_auth_user": "",
                "http_auth_password": "",
            },
        ],
    )
    async def list(self) -> builtins.list[Webhook]:
        """Return the system's webhook subscriptions."""

    @operation(
        "webhooks.create",
        "POST",
        "webhooks",
        side_effect="subscribe the URL twice (every event delivered twice)",
        doc="webhooks/post_webhooks",
        example={
            "id": 5,
            "actions": ["CHAT_CONVERSATION_CREATED"],
            "subscription_url": "https://example.pl",
            "http_auth_user": "",
            "http_auth_password": "",
        },
        check=_subscription,
    )
    async def create(
        self,
        # The examples are the page's example request.
        actions: Annotated[
            Sequence[str],
            Body(
                'the events to deliver, like ``"CUSTOMER_CREATED"``',
                example=["CHAT_CONVERSATION_CREATED"],
            ),
        ],
        subscription_url: Annotated[
            str,
            Body(
                "the http(s) URL Thulium posts them to",
                example="https://example.pl",
                format="uri",
            ),
        ],
        *,
        http_auth_user: Annotated[
            str | None, Body("the HTTP Basic user Thulium sends")
        ] = None,
        http_auth_password: Annotated[
            str | None,
            # Any string but "" (refused by _subscription), as before.
            Body("the HTTP Basic password Thulium sends", secret=True, empty=True),
        ] = None,
    ) -> Webhook:
        """Subscribe *subscription_url* to *actions*; return the subscription.

        Never sent twice after a failure that may have been processed (every event
        would then arrive twice): check ``webhooks.list()`` before trying again. The
        user and the password are each optional, as the vendor's page makes them; a
        password is never empty, and never shown in ``repr()``, logs or errors.
        """

    async def ensure(
        self,
        actions: Sequence[str],
        subscription_url: str,
        *,
        http_auth_user: str | None = None,
        http_auth_password: str | None = None,
    ) -> Webhook:
        """Return a subscription of *subscription_url* to *actions*, made only if missing.

        For an app that subscribes itself when it starts: a restart finds its own
        subscription (same URL and user, covering every action) in ``list()`` and
        makes no second one, which would deliver every event twice. Two processes
        starting at the same moment can still both subscribe; start one first.

        Raises:
            InvalidInputError: as for ``create`` (nothing is sent).
            DeliveryUnknownError: the subscription may or may not have been made.
        """
        if isinstance(actions, Iterator):  # read once, here
            actions = tuple(actions)
        _subscription(
            actions=actions,
            subscription_url=subscription_url,
            http_auth_user=http_auth_user,
            http_auth_password=http_auth_password,
        )
        names = tuple(actions)
        for hook in await self.list():
            if (
                hook.subscription_url == subscription_url
                and hook.http_auth_user == http_auth_user
                and set(names) <= set(hook.actions)
            ):
                return hook
        create = endpoint_of(Webhooks.create)
        made = cast("Callable[..., object]", create.body)  # the declared body class
        body = made(
            actions=names,
            subscription_url=subscription_url,
            http_auth_user=http_auth_user,
            http_auth_password=http_auth_password,
        )
        return await self._send(create, body=body)
