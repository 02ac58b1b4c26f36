"""The CRM and the ticket desk: ``client.customers``, ``client.companies``, ``client.tickets``.

What a repeat would do decides how each write is sent: ``tickets.create`` would open a
duplicate ticket, ``tickets.reply`` would e-mail the customer twice, ``customers.create``
would make a duplicate record, so none is sent again after a failure that may have been
processed (``DeliveryUnknownError``, with those words). ``customers.delete`` is safe to
repeat: a retry that finds the customer gone (404) after an earlier attempt that may
have worked counts as deleted.

The methods that check their arguments and send one request are declared
(``@operation``): the signature is the endpoint. The others keep a hand-written body
over an :class:`Endpoint` declared here: ``customers.list`` (a phone number that may be
``""``, which the emitted document's phone pattern would refuse), ``customers.create``
(its answer's id, its addresses and birth date), the batches, ``add_feed_record`` (a
payload sent as JSON text) and ``delete_many``.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any

import attrs

from .._api.endpoints import (
    Endpoint,
    Paging,
    PathKind,
    check_optional_path_value,
    described,
)
from .._api.namespace import Namespace
from .._api.operations import (
    Body,
    PathValue,
    Query,
    endpoint_of,
    endpoints_of,
    operation,
)
from .._api.paging import Pages
from .._core import validation as _validation
from .._core.errors import InvalidInputError
from .._core.wallclock import Clock, clock
from .._models.crm import Address, Company, Customer, Deletion, Ticket
from ._thin import CompaniesThin, CustomersThin

_BODY_TYPES = ("PLAIN", "HTML")
_SOURCES = ("email", "phone", "sms", "chat", "www")
_DIRECTIONS = ("in_behalf_of", "out")
# What several declared methods share: an include_* flag, file tokens, tags.
_TOKENS = ["61527075253ba62a76ca5c"]  # temporary_files tokens
_ATTACHMENTS = "files to attach: the tokens ``client.temporary_files.upload`` returns"
_CUSTOM_FIELDS = {"field_name_1": "value_1", "field_name_2": "value_2"}
_FIELD_FILTER = {"Kraj": ["POLSKA", "NORWEGIA"], "Miasto": "Kraków"}
# The filters customers.list and companies.list share (examples: crm/get_customers).
_Identifier = Annotated[
    str | None,
    Query(
        'your own id for it; ``""``: those without one', example="3434558", empty=True
    ),
]
_Email = Annotated[
    str | None,
    Query("those with this address", example="jan.kowalski@foo.bar", format="email"),
]
_Nip = Annotated[str | None, Query("the tax number", example="6783144527")]
_Type = Annotated[str | None, Query("the CRM's type name", example="custom type name")]
_Group = Annotated[
    str | None, Query("the CRM's group name", example="custom group name")
]
_FieldFilter = Annotated[
    Mapping[str, str | Sequence[str]] | None,
    Query(
        "those whose custom fields hold these values, by field name; a list gives "
        "alternatives",
        example=_FIELD_FILTER,
    ),
]
_WITH_FIELDS = Query("add the custom fields", example=True)
_WITH_ADDRESS = Query("add the address", example=True)
_WITH_INVOICE = Query("add the invoice address", example=True)
_WITH_MAIL_DROP = Query("add the mailing address", example=True)


@attrs.define(kw_only=True)
class NewCustomerBody:
    """``POST customers``'s body (its page shows an example of custom_fields only)."""

    surname: str
    name: str | None = None
    email: str | None = attrs.field(default=None, metadata=described(format="email"))
    phone_number: str | None = attrs.field(
        default=None, metadata=described(format="phone")
    )
    company_id: int | None = attrs.field(
        default=None, metadata=described(kind=PathKind.ID)
    )
    type: str | None = None
    group: str | None = None
    identifier: str | None = None
    gender: str | None = None
    homepage: str | None = None
    birthdate: date | None = attrs.field(default=None, metadata=clock(Clock.DATE))
    nip: str | None = None
    note: str | None = None
    pesel: str | None = None
    job: str | None = None
    job_title: str | None = None
    account_manager: str | None = attrs.field(
        default=None, metadata=described(kind=PathKind.LOGIN)
    )
    custom_fields: Mapping[str, Any] | None = attrs.field(
        default=None,
        metadata=described(
            example={"field_name_1": "value_1", "field_name_2": "value_2"}
        ),
    )
    fill_read_only_custom_fields: bool | None = attrs.field(
        default=None, metadata=described(example=True)
    )
    vip: bool | None = attrs.field(default=None, metadata=described(example=True))
    address: Address | None = None
    invoice_address: Address | None = None
    mail_drop_address: Address | None = None


@attrs.define(kw_only=True)
class CustomerChanges(NewCustomerBody):
    """One customer of ``PUT batch/customers``: its id, and the fields to change."""

    customer_id: int = attrs.field(metadata=described(example=13, kind=PathKind.ID))
    surname: str | None = None  # type: ignore[assignment]  # optional in a change


@attrs.define(kw_only=True)
class NewCustomersBody:
    """``POST batch/customers``'s body."""

    customers: tuple[NewCustomerBody, ...]


@attrs.define(kw_only=True)
class CustomersChangesBody:
    """``PUT batch/customers``'s body."""

    customers: tuple[CustomerChanges, ...]


@attrs.frozen(kw_only=True)
class BatchEntry:
    """One id's line in the batch answer."""

    http_status: int
    message: str | None = None


@attrs.frozen(kw_only=True)
class TicketCreated:
    """``POST tickets``'s answer."""

    ticket_id: int


@attrs.frozen(kw_only=True)
class TagsAdded:
    """``POST tags``'s answer."""

    status: str


NEW_CUSTOMER = Endpoint(
    "customers.create",
    "POST",
    "customers",
    body=NewCustomerBody,
    returns=Any,
    side_effect="create a duplicate customer record",
    doc="crm/post_customers",
)
NEW_CUSTOMERS = Endpoint(
    "customers.create_many",
    "POST",
    "batch/customers",
    body=NewCustomersBody,
    returns=Any,  # the stored page is cut before its answer: passed on as JSON
    side_effect="create duplicate customer records",
    doc="crm_batch/post_batch_customers",
)
CHANGE_CUSTOMERS = Endpoint(
    "customers.update_many",
    "PUT",
    "batch/customers",
    body=CustomersChangesBody,
    returns=Any,  # the stored page is cut before its answer: passed on as JSON
    doc="crm_batch/put_batch_customers",
)


def _flag(name: str, value: object) -> bool | None:
    if not isinstance(value, bool):
        raise InvalidInputError(f"{name} must be True or False, got {value!r}")
    return value or None


def _deletions(
    answer: Mapping[str, BatchEntry], *, customer_ids: tuple[int, ...], **_: object
) -> list[Deletion]:
    """One result per id given, from the batch's answer (keyed by the id as text)."""
    results = []
    for customer in customer_ids:
        entry = answer.get(str(customer))
        results.append(
            Deletion(
                customer_id=customer,
                http_status=0 if entry is None else entry.http_status,
                message="not in the answer" if entry is None else entry.message,
            )
        )
    return results


def _fields(value: object) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidInputError(
            "custom_fields must be a mapping of field names to values"
        )
    return dict(value)


def _login(name: str, value: object) -> str | None:
    return check_optional_path_value(PathKind.LOGIN, name, value)


_TEXTS = ("name", "type", "group", "identifier", "gender", "homepage", "nip", "note")
_MORE_TEXTS = ("pesel", "job", "job_title")
_ADDRESSES = ("address", "invoice_address", "mail_drop_address")


def _customers(name: str, value: object) -> list[Mapping[str, Any]]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidInputError(f"{name} must be a list of mappings, got {value!r}")
    items = list(value)
    if not items or not all(isinstance(item, Mapping) for item in items):
        raise InvalidInputError(f"{name} must be a non-empty list of mappings")
    return items


def _customer_values(
    index: int, item: Mapping[str, Any], *, change: bool
) -> dict[str, Any]:
    """Check one customer of a batch as ``customers.create`` checks its arguments."""
    where = f"customers[{index}]"
    known = {field.name for field in attrs.fields(CustomerChanges)}
    unknown = set(item) - known - ({"customer_id"} if change else set())
    if not change:
        unknown |= {"customer_id"} & set(item)
    if unknown:
        raise InvalidInputError(f"{where} has unknown fields {sorted(unknown)}")
    values: dict[str, Any] = {}
    for key, value in item.items():
        name = f"{where}.{key}"
        if value is None:
            continue
        if key in _TEXTS or key in _MORE_TEXTS or key == "surname":
            values[key] = _validation.text(name, value)
        elif key == "email":
            values[key] = _validation.email(name, value)
        elif key == "phone_number":
            values[key] = _validation.phone_number(value)
        elif key in ("company_id", "customer_id"):
            values[key] = _validation.optional_id(name, value)
        elif key == "birthdate":
            if not isinstance(value, date) or isinstance(value, datetime):
                raise InvalidInputError(f"{name} must be a date, got {value!r}")
            values[key] = value
        elif key == "account_manager":
            values[key] = _login(name, value)
        elif key == "custom_fields":
            values[key] = _fields(value)
        elif key in ("vip", "fill_read_only_custom_fields"):
            values[key] = _validation.optional_bool(name, value)
        elif key in _ADDRESSES:
            values[key] = _address(name, value)
    if change and "customer_id" not in values:
        raise InvalidInputError(f"{where} needs its customer_id")
    if not change and "surname" not in values:
        raise InvalidInputError(f"{where} needs a surname")
    return values


def _field_filter(value: object) -> Mapping[str, Any] | None:
    """Check a ``custom_fields`` filter: field names to a value or its alternatives."""
    if value is None:
        return None
    problem = "custom_fields must map field names to a value or a list of values"
    if not isinstance(value, Mapping) or not value:
        raise InvalidInputError(f"{problem}, got {value!r}")
    checked: dict[str, Any] = {}
    for name, wanted in value.items():
        if not isinstance(name, str) or not name or "[" in name or "]" in name:
            raise InvalidInputError(f"{problem}; bad field name {name!r}")
        if isinstance(wanted, str):
            checked[name] = wanted
        elif (
            isinstance(wanted, (list, tuple))
            and wanted
            and all(isinstance(one, str) for one in wanted)
        ):
            checked[name] = tuple(wanted)
        else:
            raise InvalidInputError(f"{problem}; {name!r} has {wanted!r}")
    return checked


def _or_none(name: str, value: object) -> str | None:
    """Text to match, or ``""``: the records without one (as the CRM pages say)."""
    if value == "":
        return ""
    return _validation.text(name, value, optional=True)


def _address(name: str, value: object) -> Address | None:
    if value is not None and not isinstance(value, Address):
        raise InvalidInputError(
            f"{name} must be an Address, got {type(value).__name__}"
        )
    return value


def _filters(*, custom_fields: object, identifier: object = None, **_: object) -> None:
    """``tickets.list``'s and ``companies.list``'s check, beyond the types.

    A custom-fields filter maps field names to a value or its alternatives; an
    identifier is text or ``""`` (the records without one), not blanks.
    """
    _field_filter(custom_fields)
    _or_none("identifier", identifier)


def _listed(name: str, value: object, what: str) -> None:
    """Refuse a blank item in *value* (tags, file tokens); ``[]`` is a value of its own.

    ``empty=True`` lets ``""`` through as an item too, so the items are checked here.
    """
    if isinstance(value, tuple) and not all(item.strip() for item in value):
        raise InvalidInputError(f"{name} must be a list of {what}, got {list(value)!r}")


def _new_ticket(
    *, tags: object, attachments: object, custom_fields: object, **_: object
) -> None:
    """``tickets.create``'s check: no blank tag or token, custom fields by name."""
    _listed("tags", tags, "tags")
    _listed("attachments", attachments, "file tokens")
    _fields(custom_fields)


def _reply(*, attachments: object, **_: object) -> None:
    """``tickets.reply``'s check: no blank file token."""
    _listed("attachments", attachments, "file tokens")


def _changes(ticket_id: object, **changes: object) -> None:
    """``tickets.update``'s check: something to change, no blank tag, fields by name."""
    _listed("tags", changes["tags"], "tags")
    _fields(changes["custom_fields"])
    if all(value is None for value in changes.values()):
        raise InvalidInputError("tickets.update needs something to change")


class Tickets(Namespace):
    """The ticket desk: ``client.tickets.list(...)``, ``get``, ``create``, ``reply``, ``update``."""

    __slots__ = ()

    @operation(
        "tickets.list",
        "GET",
        "tickets",
        paging=Paging(max_limit=100),
        doc="tickets/get_tickets",
        check=_filters,
    )
    def list(
        self,
        *,
        date_from: Annotated[
            date | datetime | None,
            Query(
                "modified since (a ``date``, or a ``datetime`` sent to the minute)",
                example="2014-07-04",
                clock=Clock.MINUTES,
            ),
        ] = None,
        date_to: Annotated[
            date | datetime | None,
            Query("modified until", example="2014-07-14 12:34", clock=Clock.MINUTES),
        ] = None,
        create_date_from: Annotated[
            date | datetime | None,
            Query("created since", example="2014-07-04", clock=Clock.MINUTES),
        ] = None,
        create_date_to: Annotated[
            date | datetime | None,
            Query("created until", example="2014-07-14 12:34", clock=Clock.MINUTES),
        ] = None,
        company_id: Annotated[
            int | None, Query("the company's tickets", example=21, kind=PathKind.ID)
        ] = None,
        customer_id: Annotated[
            int | None,
            Query("the customer's tickets", example=32122, kind=PathKind.ID),
        ] = None,
        user_login: Annotated[
            str | None,
            Query("the assigned agent's", example="akowalski", kind=PathKind.LOGIN),
        ] = None,
        source: Annotated[
            str | None,
            Query(
                "``email``, ``phone``, ``sms``, ``chat`` or ``www``",
                example="www",
                choices=_SOURCES,
            ),
        ] = None,
        ticket_queue_id: Annotated[
            int | None, Query("the ticket queue", example=2, kind=PathKind.ID)
        ] = None,
        category_id: Annotated[
            int | None, Query("the category", example=2, kind=PathKind.ID)
        ] = None,
        message_id: Annotated[
            int | None,
            Query("the ticket holding this message", example=432, kind=PathKind.ID),
        ] = None,
        status_id: Annotated[
            Sequence[int] | None,
            Query(
                "any of these statuses",
                example=[1, 2],
                kind=PathKind.ID,
                wire="status_id[]",
                empty=True,  # [] filters nothing, as before
            ),
        ] = None,
        custom_fields: Annotated[
            Mapping[str, str | Sequence[str]] | None,
            Query(
                "tickets whose custom fields hold these values, by field name; a "
                'list gives alternatives (``{"ID": ["1", "2"]}``)',
                example=_FIELD_FILTER,
            ),
        ] = None,
        limit: int = 100,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Ticket]:
        """Tickets, newest-modified first: ``await`` for the first page, or ``async for``.

        *limit* tickets per page (1 to 100), from *offset*; *concurrency* pages in
        flight after the first (1 to 32).
        """

    @operation(
        "tickets.get",
        "GET",
        "tickets/{ticket_id}",
        doc="tickets/get_tickets_id",
    )
    async def get(
        self,
        ticket_id: Annotated[int, PathValue("the ticket", PathKind.ID, example=1234)],
        *,
        include_custom_fields: Annotated[bool, _WITH_FIELDS] = False,
    ) -> Ticket:
        """Return ticket *ticket_id* with its messages."""

    @operation(
        "tickets.create",
        "POST",
        "tickets",
        side_effect="open a duplicate ticket",
        doc="tickets/post_tickets",
        # The current page's stored copy is cut before its answer; the older page
        # (api.thulium.pl) shows this one, with its key unquoted.
        example={"ticket_id": 1232},
        check=_new_ticket,
        answer=(TicketCreated, "ticket_id"),
    )
    async def create(
        self,
        *,
        to: Annotated[
            str,
            Body(
                "the ticket queue's address", example="mailbox@foo.bar", format="email"
            ),
        ],
        subject: Annotated[str, Body("the subject", example="ticket subject")],
        body: Annotated[str, Body("the first message", example="email content")],
        from_: Annotated[
            str | None,
            Body(
                "the sender's address (``from``)",
                example="john.doe@foo.bar",
                format="email",
                wire="from",
            ),
        ] = None,
        body_type: Annotated[
            str | None,
            Body("``PLAIN`` or ``HTML``", example="HTML", choices=_BODY_TYPES),
        ] = None,
        comment: Annotated[
            str | None, Body("an internal comment", example="ticket comment")
        ] = None,
        cc: Annotated[
            Sequence[str] | None,
            Body(
                "addresses to copy",
                example=["cc_mail1@foo.bar", "cc_mail2@foo.bar"],
                format="email",
                empty=True,
            ),
        ] = None,
        attachments: Annotated[
            Sequence[str] | None, Body(_ATTACHMENTS, example=_TOKENS, empty=True)
        ] = None,
        source: Annotated[
            str | None,
            Body(
                "``email``, ``phone``, ``sms``, ``chat`` or ``www``",
                example="email",
                choices=_SOURCES,
            ),
        ] = None,
        direction: Annotated[
            str | None,
            Body(
                "``\"in_behalf_of\"`` (on the customer's behalf, the server's "
                'default) or ``"out"`` (an e-mail out to the customer)',
                example="in_behalf_of",
                choices=_DIRECTIONS,
            ),
        ] = None,
        user_login: Annotated[
            str | None,
            Body("the agent to assign", example="akowalski", kind=PathKind.LOGIN),
        ] = None,
        customer_id: Annotated[
            int | None, Body("the CRM customer", example=32122, kind=PathKind.ID)
        ] = None,
        tags: Annotated[
            Sequence[str] | None,
            Body(
                "tags to put on the ticket",
                example=["tag1", "tag2", "tag3"],
                empty=True,
            ),
        ] = None,
        status_id: Annotated[int | None, Body("the status", kind=PathKind.ID)] = None,
        substatus_id: Annotated[
            int | None, Body("the substatus", kind=PathKind.ID)
        ] = None,
        category_id: Annotated[
            int | None, Body("the category", kind=PathKind.ID)
        ] = None,
        ticket_queue_id: Annotated[
            int | None, Body("the ticket queue", kind=PathKind.ID)
        ] = None,
        custom_fields: Annotated[
            Mapping[str, Any] | None,
            Body("custom-field values by name", example=_CUSTOM_FIELDS),
        ] = None,
    ) -> int:
        """Open a ticket; return its id. **Not idempotent**: never sent twice.

        Subjects, bodies and custom-field values are sent as JSON, never in a URL.
        """

    @operation(
        "tickets.reply",
        "POST",
        "tickets/{ticket_id}/agent_response",
        side_effect="e-mail the customer twice",
        doc="tickets/post_tickets_id_agent_response",
        example=[],
        check=_reply,
    )
    async def reply(
        self,
        ticket_id: Annotated[int, PathValue("the ticket", PathKind.ID, example=1234)],
        *,
        body: Annotated[
            str, Body("the message, as text or HTML", example="This is body.")
        ],
        user_login: Annotated[
            str,
            Body(
                "the agent who sends it",
                example="testowy.agent11",
                kind=PathKind.LOGIN,
            ),
        ],
        body_type: Annotated[
            str,
            Body(
                '``"HTML"`` (the server\'s default) or ``"PLAIN"``',
                example="HTML",
                choices=_BODY_TYPES,
            ),
        ] = "HTML",
        date: Annotated[
            datetime | None,
            Body(
                "when the message was sent (sent to the minute; naive means the "
                "system's wall clock, aware is converted into it)",
                example="2014-07-14 12:34",
                clock=Clock.MINUTES,
            ),
        ] = None,
        attachments: Annotated[
            Sequence[str] | None, Body(_ATTACHMENTS, example=_TOKENS, empty=True)
        ] = None,
    ) -> None:
        """Answer ticket *ticket_id* as agent *user_login*: **e-mails the customer**.

        Never sent twice after a failure that may have been processed: that raises
        :class:`~thulium_async.DeliveryUnknownError`; look at the ticket's messages
        before answering again.
        """

    @operation(
        "tickets.update",
        "PUT",
        "tickets/{ticket_id}",
        doc="tickets/put_tickets_id",
        check=_changes,
    )
    async def update(
        self,
        ticket_id: Annotated[int, PathValue("the ticket", PathKind.ID, example=12)],
        *,
        # Examples: the page's request (its ids written as text there).
        user_login: Annotated[
            str | None,
            Body("the agent to assign", example="akowalski", kind=PathKind.LOGIN),
        ] = None,
        status_id: Annotated[
            int | None, Body("the status", example=1, kind=PathKind.ID)
        ] = None,
        substatus_id: Annotated[
            int | None, Body("the substatus", example=2, kind=PathKind.ID)
        ] = None,
        category_id: Annotated[
            int | None, Body("the category", example=3, kind=PathKind.ID)
        ] = None,
        tags: Annotated[
            Sequence[str] | None,
            Body(
                "the ticket's tags (``[]``: none)",
                example=["tag1", "tag2", "tag3"],
                empty=True,
            ),
        ] = None,
        ticket_queue_id: Annotated[
            int | None, Body("the ticket queue", kind=PathKind.ID)
        ] = None,
        custom_fields: Annotated[
            Mapping[str, Any] | None,
            Body("custom-field values by name", example=_CUSTOM_FIELDS),
        ] = None,
    ) -> None:
        """Change ticket *ticket_id*: what is left out (``None``) stays as it is.

        A PUT: sending the same changes again leaves the ticket as one request
        did, so an ambiguous failure is retried. A call that changes nothing is
        refused; no such ticket raises ``NotFoundError``.
        """


class Tags(Namespace):
    """Tags for tickets and calls: ``client.tags.create(tags)``."""

    __slots__ = ()

    @operation(
        "tags.create",
        "POST",
        "tags",
        # The page: duplicates are skipped, so adding the same tags again changes
        # nothing; an ambiguous attempt is resent.
        idempotent=True,
        doc="tags/post_tags",
        # The page's has a trailing comma: here as JSON.
        example={"status": "success"},
        answer=(TagsAdded, "status"),
    )
    async def create(
        self,
        tags: Annotated[
            Sequence[str],
            Body("the tags to add (at least one)", example=["new", "vip"]),
        ],
    ) -> str:
        """Add *tags* to the system; return the server's status (``"success"``).

        Tags that already exist are skipped by the server, so adding the same tags
        again changes nothing: an ambiguous failure is retried.
        """


class Customers(CustomersThin, Namespace):
    """CRM customers: ``client.customers.list(...)``, ``get``, ``create``, ``delete``, ..."""

    __slots__ = ()

    @operation(
        "customers.list",
        "GET",
        "customers",
        paging=Paging(max_limit=1000),
        doc="crm/get_customers",
        check=_filters,
    )
    def list(
        self,
        *,
        phone_number: Annotated[
            str | None,
            Query(
                'customers with this number; ``""``: customers without one',
                example="555666777",
                format="phone",
                empty=True,
            ),
        ] = None,
        email: _Email = None,
        identifier: _Identifier = None,
        nip: _Nip = None,
        company_id: Annotated[
            int | None, Query("the company's people", example=456, kind=PathKind.ID)
        ] = None,
        company_flag: Annotated[
            bool | None,
            Query("only companies (True) or only people (False)", example=True),
        ] = None,
        type: _Type = None,
        group: _Group = None,
        custom_fields: _FieldFilter = None,
        include_custom_fields: Annotated[bool, _WITH_FIELDS] = False,
        include_address: Annotated[bool, _WITH_ADDRESS] = False,
        include_invoice_address: Annotated[bool, _WITH_INVOICE] = False,
        include_mail_drop_address: Annotated[bool, _WITH_MAIL_DROP] = False,
        limit: int = 1000,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Customer]:
        """CRM customers matching the filters: ``await`` for a page, or ``async for``.

        The screen pop: ``(await client.customers.list(phone_number=caller)).items``.
        *limit* customers per page (1 to 1000), from *offset*; *concurrency* pages in
        flight after the first (1 to 32).
        """

    @operation(
        "customers.get",
        "GET",
        "customers/{customer_id}",
        doc="crm/get_customers_id",
        example={
            "customer_id": 273,
            "name": "Jan",
            "surname": "Kowalski",
            "phone_number": "222333444",
            "phone_numbers": ["222333444", "213443523"],
            "email": "jan.kowalski@foo.bar",
            "company_id": "",
            "identifier": "",
            "type": "",
            "group": "",
            "company_flag": "",
            "account_manager": "",
            "updated_at": "",
            "custom_fields": {
                "ID": None,
                "Dodatkowe informacje": "Numer dowodu - AXX 121212",
            },
        },
    )
    async def get(
        self,
        customer_id: Annotated[
            int, PathValue("the customer", PathKind.ID, example=273)
        ],
        *,
        include_custom_fields: Annotated[bool, _WITH_FIELDS] = False,
        include_address: Annotated[bool, _WITH_ADDRESS] = False,
        include_invoice_address: Annotated[bool, _WITH_INVOICE] = False,
        include_mail_drop_address: Annotated[bool, _WITH_MAIL_DROP] = False,
    ) -> Customer:
        """Return customer *customer_id*."""

    async def create(
        self,
        *,
        surname: str,
        name: str | None = None,
        email: str | None = None,
        phone_number: str | None = None,
        company_id: int | None = None,
        type: str | None = None,
        group: str | None = None,
        identifier: str | None = None,
        gender: str | None = None,
        homepage: str | None = None,
        birthdate: date | None = None,
        nip: str | None = None,
        note: str | None = None,
        pesel: str | None = None,
        job: str | None = None,
        job_title: str | None = None,
        account_manager: str | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        fill_read_only_custom_fields: bool | None = None,
        vip: bool | None = None,
        address: Address | None = None,
        invoice_address: Address | None = None,
        mail_drop_address: Address | None = None,
    ) -> int | None:
        """Add a customer to the CRM; return its id when the answer gives one.

        **Not idempotent**: a repeat would make a duplicate record, so it is never
        sent twice after a failure that may have been processed; find the customer
        (``customers.list(phone_number=...)``) before trying again.

        Args:
            surname: last name (or the company's name).
            name: first name.
            email: the e-mail address.
            phone_number: the phone number.
            company_id: the company they belong to.
            type: the CRM's type name.
            group: the CRM's group name.
            identifier: your own id for them.
            gender: as the CRM names it.
            homepage: their web page.
            birthdate: their date of birth.
            nip: the tax number.
            note: a note.
            pesel: the PESEL number.
            job: where they work.
            job_title: their position.
            account_manager: the login of the agent who looks after them.
            custom_fields: custom-field values by name.
            fill_read_only_custom_fields: fill custom fields even if READ ONLY.
            vip: whether they are a VIP.
            address: their address, an :class:`~thulium_async.Address`.
            invoice_address: the address for invoices.
            mail_drop_address: the mailing address.

        Raises:
            InvalidInputError: a bad argument (nothing is sent).
            DeliveryUnknownError: the record may or may not have been created.
        """
        day: object = birthdate
        if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
            raise InvalidInputError(f"birthdate must be a date, got {birthdate!r}")
        payload = NewCustomerBody(
            surname=str(_validation.text("surname", surname)),
            name=_validation.text("name", name, optional=True),
            email=_validation.email("email", email),
            phone_number=(
                None if phone_number is None else _validation.phone_number(phone_number)
            ),
            company_id=_validation.optional_id("company_id", company_id),
            type=_validation.text("type", type, optional=True),
            group=_validation.text("group", group, optional=True),
            identifier=_validation.text("identifier", identifier, optional=True),
            gender=_validation.text("gender", gender, optional=True),
            homepage=_validation.text("homepage", homepage, optional=True),
            birthdate=birthdate,
            nip=_validation.text("nip", nip, optional=True),
            note=_validation.text("note", note, optional=True),
            pesel=_validation.text("pesel", pesel, optional=True),
            job=_validation.text("job", job, optional=True),
            job_title=_validation.text("job_title", job_title, optional=True),
            account_manager=_login("account_manager", account_manager),
            custom_fields=_fields(custom_fields),
            fill_read_only_custom_fields=_validation.optional_bool(
                "fill_read_only_custom_fields", fill_read_only_custom_fields
            ),
            vip=_validation.optional_bool("vip", vip),
            address=_address("address", address),
            invoice_address=_address("invoice_address", invoice_address),
            mail_drop_address=_address("mail_drop_address", mail_drop_address),
        )
        answer = await self._send(NEW_CUSTOMER, body=payload)
        found = answer.get("customer_id") if isinstance(answer, dict) else None
        if isinstance(found, str) and found.isdigit():
            return int(found)
        return found if isinstance(found, int) and not isinstance(found, bool) else None

    async def create_many(self, customers: Iterable[Mapping[str, Any]]) -> Any:
        """Add several customers in one request; return the server's answer as JSON.

        Each customer is a mapping of the fields :meth:`create` takes (``surname``
        required), checked the same way before anything is sent. The stored vendor
        page is cut before its example answer, so the answer is passed on as
        decoded JSON. **Not idempotent**: never sent twice after a failure that may
        have been processed (a repeat would make duplicates).

        Raises:
            InvalidInputError: no customers, an unknown field or a bad value
                (nothing is sent).
            DeliveryUnknownError: the records may or may not have been created.
        """
        items = _customers("customers", customers)
        body = NewCustomersBody(
            customers=tuple(
                NewCustomerBody(**_customer_values(i, item, change=False))
                for i, item in enumerate(items)
            )
        )
        return await self._send(NEW_CUSTOMERS, body=body)

    async def update_many(self, customers: Iterable[Mapping[str, Any]]) -> Any:
        """Change several customers in one request; return the server's answer as JSON.

        Each customer is a mapping with its ``customer_id`` and the fields to
        change (those :meth:`create` takes; what is left out stays). A PUT: the
        same changes again leave the records as one request did, so an ambiguous
        failure is retried. The stored vendor page is cut before its example
        answer, so the answer is passed on as decoded JSON.

        Raises:
            InvalidInputError: no customers, a missing or bad ``customer_id``, an
                unknown field or a bad value (nothing is sent).
        """
        items = _customers("customers", customers)
        body = CustomersChangesBody(
            customers=tuple(
                CustomerChanges(**_customer_values(i, item, change=True))
                for i, item in enumerate(items)
            )
        )
        return await self._send(CHANGE_CUSTOMERS, body=body)

    @operation(
        "customers.add_feed_record",
        "POST",
        "customers/{customer_id}/feed_records",
        side_effect="add the entry to the contact history twice",
        doc="crm/post_customers_id_feed_records",
    )
    async def add_feed_record(
        self,
        customer_id: Annotated[int, PathValue("the customer", PathKind.ID, example=23)],
        payload: Annotated[
            str | Sequence[Any] | Mapping[str, Any],
            Body(
                "the entry's data: JSON text, or a list (or mapping) sent as its JSON "
                "text, as the vendor's example sends it",
                example='[{"id":"sample-id","type":"text","payload":{"message":'
                '"Sample message"},"author":"customer","time":"2021-02-02T10:10:12"}]',
                format="json",
            ),
        ],
        *,
        type: Annotated[
            str,
            Body(
                'the entry\'s kind: the page names one, ``"ZOWIE"`` (a chat transcript)',
                example="ZOWIE",
                choices=("ZOWIE",),
            ),
        ] = "ZOWIE",
    ) -> None:
        """Add an entry to customer *customer_id*'s contact history.

        **Not idempotent**: never sent twice after a failure that may have been
        processed.
        """

    @operation(
        "customers.delete",
        "DELETE",
        "customers/{customer_id}",
        doc="crm/delete_customers_id",
        gone_is_done=True,
    )
    async def delete(
        self,
        customer_id: Annotated[int, PathValue("the customer", PathKind.ID, example=13)],
    ) -> None:
        """Delete customer *customer_id* and what hangs on it (calls, chats, tickets stay).

        Safe to repeat, so it is retried like a GET. If an attempt fails in a way
        that may have been processed and a retry then answers 404, the first one
        most likely worked: that counts as deleted, and this returns normally. A
        404 on the first attempt (no such customer) raises ``NotFoundError``.
        """

    @operation(
        "customers.delete_many",
        "DELETE",
        "batch/customers",
        doc="crm_batch/delete_batch_customers",
        # The page's has a trailing comma: here as JSON.
        example={
            "13": {"http_status": 204},
            "14": {"http_status": 404, "message": "Customer not found."},
        },
        answer=(dict[str, BatchEntry], _deletions),
    )
    async def delete_many(
        self,
        customer_ids: Annotated[
            Iterable[int],
            Query(
                "the customers to delete, each sent once",
                example=[13],
                kind=PathKind.ID,
                wire="customer_id[]",
                unique=True,
            ),
        ],
    ) -> builtins.list[Deletion]:
        """Delete several customers in one request; return what happened to each id.

        One :class:`~thulium_async.Deletion` per id given (each once, in order), with
        the batch's ``http_status`` (204 deleted, 404 not found, ...) and
        ``message``; ``.deleted`` says whether the customer is gone. Safe to repeat,
        so retried like a GET: a retry after an attempt that may have been processed
        reports 404 for the ids that attempt deleted.
        """


class Companies(CompaniesThin, Namespace):
    """CRM companies: ``client.companies.list(...)``, ``get``."""

    __slots__ = ()

    @operation(
        "companies.list",
        "GET",
        "companies",
        paging=Paging(max_limit=1000),
        doc="crm/get_companies",
        check=_filters,
    )
    def list(
        self,
        *,
        nip: _Nip = None,
        identifier: _Identifier = None,
        email: _Email = None,
        phone_number: Annotated[
            str | None,
            Query("companies with this number", example="555666777", format="phone"),
        ] = None,
        type: _Type = None,
        group: _Group = None,
        custom_fields: _FieldFilter = None,
        include_custom_fields: Annotated[bool, _WITH_FIELDS] = False,
        include_address: Annotated[bool, _WITH_ADDRESS] = False,
        include_invoice_address: Annotated[bool, _WITH_INVOICE] = False,
        include_mail_drop_address: Annotated[bool, _WITH_MAIL_DROP] = False,
        limit: int = 1000,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Company]:
        """CRM companies matching the filters: ``await`` for a page, or ``async for``.

        *limit* companies per page (1 to 1000), from *offset*; *concurrency* pages
        in flight after the first (1 to 32).
        """

    @operation(
        "companies.get",
        "GET",
        "companies/{company_id}",
        doc="crm/get_companies_id",
        # The page's misses a quote before custom_fields: here as JSON.
        example={
            "name": "Thulium",
            "company_id": 28,
            "customer_id": 13,
            "type": "internal",
            "group": "partner",
            "nip": "6783144527",
            "account_manager": "",
            "address": {
                "street": "Zlotej Jesieni",
                "building": "7",
                "flat": None,
                "postcode": "31-827",
                "city": "Krakow",
                "post_office": "Krakow",
                "borough": None,
                "county": None,
                "voivodship": None,
                "country": "Poland",
            },
            "custom_fields": {"ID": None, "Additional info": "none"},
        },
    )
    async def get(
        self,
        company_id: Annotated[int, PathValue("the company", PathKind.ID, example=28)],
        *,
        include_custom_fields: Annotated[bool, _WITH_FIELDS] = False,
        include_address: Annotated[bool, _WITH_ADDRESS] = False,
        include_invoice_address: Annotated[bool, _WITH_INVOICE] = False,
        include_mail_drop_address: Annotated[bool, _WITH_MAIL_DROP] = False,
    ) -> Company:
        """Return company *company_id*."""


ENDPOINTS = (
    *endpoints_of(Tickets, Tags),
    endpoint_of(Customers.list),
    endpoint_of(Customers.get),
    NEW_CUSTOMER,
    NEW_CUSTOMERS,
    CHANGE_CUSTOMERS,
    endpoint_of(Customers.add_feed_record),
    endpoint_of(Customers.delete),
    endpoint_of(Customers.delete_many),
    *endpoints_of(Companies),
)
