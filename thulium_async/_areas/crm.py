"""The CRM and the ticket desk: ``client.customers``, ``client.companies``, ``client.tickets``.

What a repeat would do decides how each write is sent: ``tickets.create`` would open a
duplicate ticket, ``tickets.reply`` would e-mail the customer twice, ``customers.create``
would make a duplicate record, so none is sent again after a failure that may have been
processed (``DeliveryUnknownError``, with those words). ``customers.delete`` is safe to
repeat: a retry that finds the customer gone (404) after an earlier attempt that may
have worked counts as deleted.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from .._api.endpoints import (
    Endpoint,
    Paging,
    PathKind,
    check_optional_path_value,
    described,
)
from .._api.namespace import Namespace
from .._api.paging import Pages
from .._core import validation as _validation
from .._core.errors import InvalidInputError, NotFoundError
from .._core.wallclock import Clock, clock
from .._models.crm import Address, Company, Customer, Deletion, Ticket
from .._models.fields import WIRE
from ._thin import CompaniesThin, CustomersThin

_MINUTES = clock(Clock.MINUTES)
_BODY_TYPES = ("PLAIN", "HTML")
_SOURCES = ("email", "phone", "sms", "chat", "www")
_DIRECTIONS = ("in_behalf_of", "out")
_TOKENS = described(example=["61527075253ba62a76ca5c"])  # temporary_files tokens
_TAGS = described(example=["tag1", "tag2", "tag3"])
_TRUE = described(example=True)  # every include_* flag's example on the vendor's pages


@attrs.define(kw_only=True)
class TicketFilter:
    """``GET tickets``'s query."""

    date_from: date | datetime | None = attrs.field(
        default=None, metadata=described(example="2014-07-04", base=_MINUTES)
    )
    date_to: date | datetime | None = attrs.field(
        default=None, metadata=described(example="2014-07-14 12:34", base=_MINUTES)
    )
    create_date_from: date | datetime | None = attrs.field(
        default=None, metadata=described(example="2014-07-04", base=_MINUTES)
    )
    create_date_to: date | datetime | None = attrs.field(
        default=None, metadata=described(example="2014-07-14 12:34", base=_MINUTES)
    )
    company_id: int | None = attrs.field(
        default=None, metadata=described(example=21, kind=PathKind.ID)
    )
    customer_id: int | None = attrs.field(
        default=None, metadata=described(example=32122, kind=PathKind.ID)
    )
    user_login: str | None = attrs.field(
        default=None, metadata=described(example="akowalski", kind=PathKind.LOGIN)
    )
    source: str | None = attrs.field(
        default=None, metadata=described(example="www", choices=_SOURCES)
    )
    ticket_queue_id: int | None = attrs.field(
        default=None, metadata=described(example=2, kind=PathKind.ID)
    )
    category_id: int | None = attrs.field(
        default=None, metadata=described(example=2, kind=PathKind.ID)
    )
    message_id: int | None = attrs.field(
        default=None, metadata=described(example=432, kind=PathKind.ID)
    )
    status_id: tuple[int, ...] | None = attrs.field(
        default=None,
        metadata=described(
            example=[1, 2], kind=PathKind.ID, base={WIRE: "status_id[]"}
        ),
    )
    custom_fields: Mapping[str, Any] | None = attrs.field(
        default=None,
        metadata=described(
            example={"Kraj": ["POLSKA", "NORWEGIA"], "Miasto": "Kraków"}
        ),
    )


@attrs.define(kw_only=True)
class Include:
    """The ``include_*`` flags of the CRM and ticket reads."""

    include_custom_fields: bool | None = attrs.field(default=None, metadata=_TRUE)
    include_address: bool | None = attrs.field(default=None, metadata=_TRUE)
    include_invoice_address: bool | None = attrs.field(default=None, metadata=_TRUE)
    include_mail_drop_address: bool | None = attrs.field(default=None, metadata=_TRUE)


@attrs.define(kw_only=True)
class CustomerFilter:
    """``GET customers`` / ``GET companies``'s query (examples: ``crm/get_customers``)."""

    identifier: str | None = attrs.field(
        default=None, metadata=described(example="3434558")
    )
    email: str | None = attrs.field(
        default=None, metadata=described(example="jan.kowalski@foo.bar", format="email")
    )
    # Not format="phone": an empty value is documented (those without a number).
    phone_number: str | None = attrs.field(
        default=None, metadata=described(example="555666777")
    )
    nip: str | None = attrs.field(
        default=None, metadata=described(example="6783144527")
    )
    company_id: int | None = attrs.field(
        default=None, metadata=described(example=456, kind=PathKind.ID)
    )
    company_flag: bool | None = attrs.field(
        default=None, metadata=described(example=True)
    )
    type: str | None = attrs.field(
        default=None, metadata=described(example="custom type name")
    )
    group: str | None = attrs.field(
        default=None, metadata=described(example="custom group name")
    )
    custom_fields: Mapping[str, Any] | None = attrs.field(
        default=None,
        metadata=described(
            example={"Kraj": ["POLSKA", "NORWEGIA"], "Miasto": "Kraków"}
        ),
    )
    include_custom_fields: bool | None = attrs.field(default=None, metadata=_TRUE)
    include_address: bool | None = attrs.field(default=None, metadata=_TRUE)
    include_invoice_address: bool | None = attrs.field(default=None, metadata=_TRUE)
    include_mail_drop_address: bool | None = attrs.field(default=None, metadata=_TRUE)


@attrs.define(kw_only=True)
class NewTicketBody:
    """``POST tickets``'s body (examples: the page's, or its example request's)."""

    to: str = attrs.field(metadata=described(example="mailbox@foo.bar", format="email"))
    subject: str = attrs.field(metadata=described(example="ticket subject"))
    body: str = attrs.field(metadata=described(example="email content"))
    from_: str | None = attrs.field(
        default=None,
        metadata=described(
            example="john.doe@foo.bar", format="email", base={WIRE: "from"}
        ),
    )
    body_type: str | None = attrs.field(
        default=None, metadata=described(example="HTML", choices=_BODY_TYPES)
    )
    comment: str | None = attrs.field(
        default=None, metadata=described(example="ticket comment")
    )
    cc: tuple[str, ...] | None = attrs.field(
        default=None,
        metadata=described(
            example=["cc_mail1@foo.bar", "cc_mail2@foo.bar"], format="email"
        ),
    )
    attachments: tuple[str, ...] | None = attrs.field(default=None, metadata=_TOKENS)
    source: str | None = attrs.field(
        default=None, metadata=described(example="email", choices=_SOURCES)
    )
    direction: str | None = attrs.field(
        default=None, metadata=described(example="in_behalf_of", choices=_DIRECTIONS)
    )
    user_login: str | None = attrs.field(
        default=None, metadata=described(example="akowalski", kind=PathKind.LOGIN)
    )
    customer_id: int | None = attrs.field(
        default=None, metadata=described(example=32122, kind=PathKind.ID)
    )
    tags: tuple[str, ...] | None = attrs.field(default=None, metadata=_TAGS)
    status_id: int | None = attrs.field(
        default=None, metadata=described(kind=PathKind.ID)
    )
    substatus_id: int | None = attrs.field(
        default=None, metadata=described(kind=PathKind.ID)
    )
    category_id: int | None = attrs.field(
        default=None, metadata=described(kind=PathKind.ID)
    )
    ticket_queue_id: int | None = attrs.field(
        default=None, metadata=described(kind=PathKind.ID)
    )
    custom_fields: Mapping[str, Any] | None = attrs.field(
        default=None,
        metadata=described(
            example={"field_name_1": "value_1", "field_name_2": "value_2"}
        ),
    )


@attrs.define(kw_only=True)
class ReplyBody:
    """``POST tickets/:id/agent_response``'s body."""

    body: str = attrs.field(metadata=described(example="This is body."))
    user_login: str = attrs.field(
        metadata=described(example="testowy.agent11", kind=PathKind.LOGIN)
    )
    body_type: str | None = attrs.field(
        default=None, metadata=described(example="HTML", choices=_BODY_TYPES)
    )
    date: datetime | None = attrs.field(
        default=None, metadata=described(example="2014-07-14 12:34", base=_MINUTES)
    )
    attachments: tuple[str, ...] | None = attrs.field(default=None, metadata=_TOKENS)


@attrs.define(kw_only=True)
class TicketChanges:
    """``PUT tickets/:id``'s body: a field left out (``None``) is not changed.

    Examples: the page's request (its ids written as text there).
    """

    user_login: str | None = attrs.field(
        default=None, metadata=described(example="akowalski", kind=PathKind.LOGIN)
    )
    status_id: int | None = attrs.field(
        default=None, metadata=described(example=1, kind=PathKind.ID)
    )
    substatus_id: int | None = attrs.field(
        default=None, metadata=described(example=2, kind=PathKind.ID)
    )
    category_id: int | None = attrs.field(
        default=None, metadata=described(example=3, kind=PathKind.ID)
    )
    tags: tuple[str, ...] | None = attrs.field(default=None, metadata=_TAGS)
    ticket_queue_id: int | None = attrs.field(
        default=None, metadata=described(kind=PathKind.ID)
    )
    custom_fields: Mapping[str, Any] | None = attrs.field(
        default=None,
        metadata=described(
            example={"field_name_1": "value_1", "field_name_2": "value_2"}
        ),
    )


@attrs.define(kw_only=True)
class NewTagsBody:
    """``POST tags``'s body."""

    tags: tuple[str, ...] = attrs.field(metadata=described(example=["new", "vip"]))


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


@attrs.define(kw_only=True)
class FeedRecordBody:
    """``POST customers/:id/feed_records``'s body (examples: the page's request)."""

    type: str = attrs.field(metadata=described(example="ZOWIE", choices=("ZOWIE",)))
    payload: str = attrs.field(
        metadata=described(
            example='[{"id":"sample-id","type":"text","payload":{"message":'
            '"Sample message"},"author":"customer","time":"2021-02-02T10:10:12"}]'
        )
    )


@attrs.define(kw_only=True)
class BatchQuery:
    """``DELETE batch/customers``'s query."""

    customer_id: tuple[int, ...] = attrs.field(
        metadata=described(example=[13], kind=PathKind.ID, base={WIRE: "customer_id[]"})
    )


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


TICKETS = Endpoint(
    "tickets.list",
    "GET",
    "tickets",
    returns=Ticket,
    query=TicketFilter,
    paging=Paging(max_limit=100),
    doc="tickets/get_tickets",
)
TICKET = Endpoint(
    "tickets.get",
    "GET",
    "tickets/{ticket_id}",
    {"ticket_id": PathKind.ID},
    returns=Ticket,
    query=Include,
    doc="tickets/get_tickets_id",
    path_examples={"ticket_id": 1234},
)
NEW_TICKET = Endpoint(
    "tickets.create",
    "POST",
    "tickets",
    body=NewTicketBody,
    returns=TicketCreated,
    side_effect="open a duplicate ticket",
    doc="tickets/post_tickets",
    # The current page's stored copy is cut before its answer; the older page
    # (api.thulium.pl) shows this one, with its key unquoted.
    example={"ticket_id": 1232},
)
REPLY = Endpoint(
    "tickets.reply",
    "POST",
    "tickets/{ticket_id}/agent_response",
    {"ticket_id": PathKind.ID},
    body=ReplyBody,
    side_effect="e-mail the customer twice",
    doc="tickets/post_tickets_id_agent_response",
    path_examples={"ticket_id": 1234},
    example=[],
)
UPDATE_TICKET = Endpoint(
    "tickets.update",
    "PUT",
    "tickets/{ticket_id}",
    {"ticket_id": PathKind.ID},
    body=TicketChanges,
    doc="tickets/put_tickets_id",
    path_examples={"ticket_id": 12},
)
NEW_TAGS = Endpoint(
    "tags.create",
    "POST",
    "tags",
    body=NewTagsBody,
    returns=TagsAdded,
    # The page: duplicates are skipped, so adding the same tags again changes
    # nothing; an ambiguous attempt is resent.
    idempotent=True,
    doc="tags/post_tags",
    # The page's has a trailing comma: here as JSON.
    example={"status": "success"},
)
CUSTOMERS = Endpoint(
    "customers.list",
    "GET",
    "customers",
    returns=Customer,
    query=CustomerFilter,
    paging=Paging(max_limit=1000),
    doc="crm/get_customers",
)
CUSTOMER = Endpoint(
    "customers.get",
    "GET",
    "customers/{customer_id}",
    {"customer_id": PathKind.ID},
    returns=Customer,
    query=Include,
    doc="crm/get_customers_id",
    path_examples={"customer_id": 273},
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
FEED_RECORD = Endpoint(
    "customers.add_feed_record",
    "POST",
    "customers/{customer_id}/feed_records",
    {"customer_id": PathKind.ID},
    body=FeedRecordBody,
    side_effect="add the entry to the contact history twice",
    doc="crm/post_customers_id_feed_records",
    path_examples={"customer_id": 23},
)
DELETE_CUSTOMER = Endpoint(
    "customers.delete",
    "DELETE",
    "customers/{customer_id}",
    {"customer_id": PathKind.ID},
    doc="crm/delete_customers_id",
    path_examples={"customer_id": 13},
)
DELETE_CUSTOMERS = Endpoint(
    "customers.delete_many",
    "DELETE",
    "batch/customers",
    query=BatchQuery,
    returns=dict[str, BatchEntry],
    doc="crm_batch/delete_batch_customers",
    # The page's has a trailing comma: here as JSON.
    example={
        "13": {"http_status": 204},
        "14": {"http_status": 404, "message": "Customer not found."},
    },
)
COMPANIES = Endpoint(
    "companies.list",
    "GET",
    "companies",
    returns=Company,
    query=CustomerFilter,
    paging=Paging(max_limit=1000),
    doc="crm/get_companies",
)
COMPANY = Endpoint(
    "companies.get",
    "GET",
    "companies/{company_id}",
    {"company_id": PathKind.ID},
    returns=Company,
    query=Include,
    doc="crm/get_companies_id",
    path_examples={"company_id": 28},
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
ENDPOINTS = (
    TICKETS,
    TICKET,
    NEW_TICKET,
    REPLY,
    UPDATE_TICKET,
    NEW_TAGS,
    CUSTOMERS,
    CUSTOMER,
    NEW_CUSTOMER,
    NEW_CUSTOMERS,
    CHANGE_CUSTOMERS,
    FEED_RECORD,
    DELETE_CUSTOMER,
    DELETE_CUSTOMERS,
    COMPANIES,
    COMPANY,
)


def _flag(name: str, value: object) -> bool | None:
    if not isinstance(value, bool):
        raise InvalidInputError(f"{name} must be True or False, got {value!r}")
    return value or None


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


def _texts(name: str, value: object, what: str) -> tuple[str, ...] | None:
    """Return *value* as a tuple of non-empty strings (tags, file tokens), or refuse it."""
    if value is None:
        return None
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, (list, tuple))
        or not all(isinstance(item, str) and item.strip() for item in value)
    ):
        raise InvalidInputError(f"{name} must be a list of {what}, got {value!r}")
    return tuple(value)


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


def _number_or_none(value: object) -> str | None:
    """A phone number to match, or ``""``: the customers without one."""
    if value is None or value == "":
        return None if value is None else ""
    return _validation.phone_number(value)


def _address(name: str, value: object) -> Address | None:
    if value is not None and not isinstance(value, Address):
        raise InvalidInputError(
            f"{name} must be an Address, got {type(value).__name__}"
        )
    return value


def _moment(name: str, value: object) -> datetime | None:
    """Return *value* if it is ``None`` or a ``datetime`` (a wall-clock moment)."""
    if value is not None and not isinstance(value, datetime):
        raise InvalidInputError(
            f"{name} must be a datetime, got {type(value).__name__}"
        )
    return value


def _include(**flags: object) -> Include | None:
    checked = {name: _flag(name, value) for name, value in flags.items()}
    return Include(**checked) if any(checked.values()) else None


class Tickets(Namespace):
    """The ticket desk: ``client.tickets.list(...)``, ``get``, ``create``, ``reply``, ``update``."""

    __slots__ = ()

    def list(
        self,
        *,
        date_from: date | datetime | None = None,
        date_to: date | datetime | None = None,
        create_date_from: date | datetime | None = None,
        create_date_to: date | datetime | None = None,
        company_id: int | None = None,
        customer_id: int | None = None,
        user_login: str | None = None,
        source: str | None = None,
        ticket_queue_id: int | None = None,
        category_id: int | None = None,
        message_id: int | None = None,
        status_id: Sequence[int] | None = None,
        custom_fields: Mapping[str, str | Sequence[str]] | None = None,
        limit: int = 100,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Ticket]:
        """Tickets, newest-modified first: ``await`` for the first page, or ``async for``.

        Args:
            date_from: modified since (a ``date``, or a ``datetime`` to the minute).
            date_to: modified until.
            create_date_from: created since.
            create_date_to: created until.
            company_id: the company's tickets.
            customer_id: the customer's tickets.
            user_login: the assigned agent's.
            source: ``email``, ``phone``, ``sms``, ``chat`` or ``www``.
            ticket_queue_id: the ticket queue.
            category_id: the category.
            message_id: the ticket holding this message.
            status_id: any of these statuses.
            custom_fields: tickets whose custom fields hold these values, by field
                name; a list gives alternatives (``{"ID": ["1", "2"]}``).
            limit: tickets per page, 1 to 100.
            offset: where to start.
            concurrency: pages in flight after the first, 1 to 32.

        Raises:
            InvalidInputError: a bad argument, at once (nothing is sent).
        """
        statuses: object = status_id
        if statuses is not None and (
            isinstance(statuses, str)
            or not isinstance(statuses, (list, tuple))
            or not all(type(s) is int and s > 0 for s in statuses)
        ):
            raise InvalidInputError(
                f"status_id must be a list of ids, got {status_id!r}"
            )
        query = TicketFilter(
            date_from=_validation.optional_date("date_from", date_from),
            date_to=_validation.optional_date("date_to", date_to),
            create_date_from=_validation.optional_date(
                "create_date_from", create_date_from
            ),
            create_date_to=_validation.optional_date("create_date_to", create_date_to),
            company_id=_validation.optional_id("company_id", company_id),
            customer_id=_validation.optional_id("customer_id", customer_id),
            user_login=_login("user_login", user_login),
            source=_validation.choice("source", source, _SOURCES),
            ticket_queue_id=_validation.optional_id("ticket_queue_id", ticket_queue_id),
            category_id=_validation.optional_id("category_id", category_id),
            message_id=_validation.optional_id("message_id", message_id),
            status_id=None if status_id is None else tuple(status_id),
            custom_fields=_field_filter(custom_fields),
        )
        return self._list(
            TICKETS, query=query, limit=limit, offset=offset, concurrency=concurrency
        )

    async def get(
        self, ticket_id: int, *, include_custom_fields: bool = False
    ) -> Ticket:
        """Return ticket *ticket_id* with its messages.

        Raises:
            InvalidInputError: *ticket_id* is not a positive int (nothing is sent).
            NotFoundError: no such ticket.
        """
        query = _include(include_custom_fields=include_custom_fields)
        return await self._send(TICKET, ticket_id, query=query)

    async def create(
        self,
        *,
        to: str,
        subject: str,
        body: str,
        from_: str | None = None,
        body_type: str | None = None,
        comment: str | None = None,
        cc: Sequence[str] | None = None,
        attachments: Sequence[str] | None = None,
        source: str | None = None,
        direction: str | None = None,
        user_login: str | None = None,
        customer_id: int | None = None,
        tags: Sequence[str] | None = None,
        status_id: int | None = None,
        substatus_id: int | None = None,
        category_id: int | None = None,
        ticket_queue_id: int | None = None,
        custom_fields: Mapping[str, Any] | None = None,
    ) -> int:
        """Open a ticket; return its id. **Not idempotent**: never sent twice.

        Subjects, bodies and custom-field values are sent as JSON, never in a URL.

        Args:
            to: the ticket queue's address.
            subject: the subject.
            body: the first message.
            from_: the sender's address (``from``).
            body_type: ``PLAIN`` or ``HTML``.
            comment: an internal comment.
            cc: addresses to copy.
            attachments: files to attach: the tokens
                ``client.temporary_files.upload`` returns.
            source: ``email``, ``phone``, ``sms``, ``chat`` or ``www``.
            direction: ``"in_behalf_of"`` (on the customer's behalf, the server's
                default) or ``"out"`` (an e-mail out to the customer).
            user_login: the agent to assign.
            customer_id: the CRM customer.
            tags: tags to put on the ticket.
            status_id: the status.
            substatus_id: the substatus.
            category_id: the category.
            ticket_queue_id: the ticket queue.
            custom_fields: custom-field values by name.

        Raises:
            InvalidInputError: a bad argument (nothing is sent).
            DeliveryUnknownError: the ticket may or may not have been opened.
        """
        copies: object = cc
        if copies is not None and (
            isinstance(copies, str) or not isinstance(copies, (list, tuple))
        ):
            raise InvalidInputError(f"cc must be a list of addresses, got {cc!r}")
        payload = NewTicketBody(
            to=str(
                _validation.email("to", to)
                if "@" in str(to)
                else _validation.text("to", to)
            ),
            subject=str(_validation.text("subject", subject)),
            body=str(_validation.text("body", body)),
            from_=_validation.email("from_", from_),
            body_type=_validation.choice("body_type", body_type, _BODY_TYPES),
            comment=_validation.text("comment", comment, optional=True),
            cc=None
            if cc is None
            else tuple(str(_validation.email("cc", a)) for a in cc),
            attachments=_texts("attachments", attachments, "file tokens"),
            source=_validation.choice("source", source, _SOURCES),
            direction=_validation.choice("direction", direction, _DIRECTIONS),
            user_login=_login("user_login", user_login),
            customer_id=_validation.optional_id("customer_id", customer_id),
            tags=_texts("tags", tags, "tags"),
            status_id=_validation.optional_id("status_id", status_id),
            substatus_id=_validation.optional_id("substatus_id", substatus_id),
            category_id=_validation.optional_id("category_id", category_id),
            ticket_queue_id=_validation.optional_id("ticket_queue_id", ticket_queue_id),
            custom_fields=_fields(custom_fields),
        )
        created = await self._send(NEW_TICKET, body=payload)
        return created.ticket_id

    async def reply(
        self,
        ticket_id: int,
        *,
        body: str,
        user_login: str,
        body_type: str = "HTML",
        date: datetime | None = None,
        attachments: Sequence[str] | None = None,
    ) -> None:
        """Answer ticket *ticket_id* as agent *user_login*: **e-mails the customer**.

        Never sent twice after a failure that may have been processed: that raises
        :class:`~thulium_async.DeliveryUnknownError`; look at the ticket's messages
        before answering again.

        Args:
            ticket_id: the ticket.
            body: the message, as text or HTML.
            user_login: the agent who sends it.
            body_type: ``"HTML"`` (the server's default) or ``"PLAIN"``.
            date: when the message was sent (sent to the minute; naive means the
                system's wall clock, aware is converted into it).
            attachments: files to attach: the tokens
                ``client.temporary_files.upload`` returns.

        Raises:
            InvalidInputError: a bad argument, or a *body_type* other than ``PLAIN``
                or ``HTML`` (nothing is sent).
            DeliveryUnknownError: the answer may or may not have been sent.
        """
        payload = ReplyBody(
            body=str(_validation.text("body", body)),
            user_login=str(_login("user_login", user_login)),
            body_type=_validation.choice("body_type", body_type, _BODY_TYPES),
            date=_moment("date", date),
            attachments=_texts("attachments", attachments, "file tokens"),
        )
        await self._send(REPLY, ticket_id, body=payload)

    async def update(
        self,
        ticket_id: int,
        *,
        user_login: str | None = None,
        status_id: int | None = None,
        substatus_id: int | None = None,
        category_id: int | None = None,
        tags: Sequence[str] | None = None,
        ticket_queue_id: int | None = None,
        custom_fields: Mapping[str, Any] | None = None,
    ) -> None:
        """Change ticket *ticket_id*: what is left out (``None``) stays as it is.

        A PUT: sending the same changes again leaves the ticket as one request
        did, so an ambiguous failure is retried.

        Args:
            ticket_id: the ticket.
            user_login: the agent to assign.
            status_id: the status.
            substatus_id: the substatus.
            category_id: the category.
            tags: the ticket's tags.
            ticket_queue_id: the ticket queue.
            custom_fields: custom-field values by name.

        Raises:
            InvalidInputError: a bad argument, or nothing to change (nothing is
                sent).
            NotFoundError: no such ticket.
        """
        changes = TicketChanges(
            user_login=_login("user_login", user_login),
            status_id=_validation.optional_id("status_id", status_id),
            substatus_id=_validation.optional_id("substatus_id", substatus_id),
            category_id=_validation.optional_id("category_id", category_id),
            tags=_texts("tags", tags, "tags"),
            ticket_queue_id=_validation.optional_id("ticket_queue_id", ticket_queue_id),
            custom_fields=_fields(custom_fields),
        )
        if all(value is None for value in attrs.astuple(changes, recurse=False)):
            raise InvalidInputError("tickets.update needs something to change")
        await self._send(UPDATE_TICKET, ticket_id, body=changes)


class Tags(Namespace):
    """Tags for tickets and calls: ``client.tags.create(tags)``."""

    __slots__ = ()

    async def create(self, tags: Sequence[str]) -> str:
        """Add *tags* to the system; return the server's status (``"success"``).

        Tags that already exist are skipped by the server, so adding the same tags
        again changes nothing: an ambiguous failure is retried.

        Raises:
            InvalidInputError: *tags* is not a non-empty list of non-empty strings
                (nothing is sent).
        """
        checked = _texts("tags", tags, "tags")
        if not checked:
            raise InvalidInputError("tags.create needs at least one tag")
        added = await self._send(NEW_TAGS, body=NewTagsBody(tags=checked))
        return added.status


class Customers(CustomersThin, Namespace):
    """CRM customers: ``client.customers.list(...)``, ``get``, ``create``, ``delete``, ..."""

    __slots__ = ()

    def list(
        self,
        *,
        phone_number: str | None = None,
        email: str | None = None,
        identifier: str | None = None,
        nip: str | None = None,
        company_id: int | None = None,
        company_flag: bool | None = None,
        type: str | None = None,
        group: str | None = None,
        custom_fields: Mapping[str, str | Sequence[str]] | None = None,
        include_custom_fields: bool = False,
        include_address: bool = False,
        include_invoice_address: bool = False,
        include_mail_drop_address: bool = False,
        limit: int = 1000,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Customer]:
        """CRM customers matching the filters: ``await`` for a page, or ``async for``.

        The screen pop: ``(await client.customers.list(phone_number=caller)).items``.

        Args:
            phone_number: customers with this number; ``""``: customers without
                one.
            email: customers with this address.
            identifier: your own id for them; ``""``: customers without one.
            nip: the tax number.
            company_id: the company's people.
            company_flag: only companies (True) or only people (False).
            type: the CRM's type name.
            group: the CRM's group name.
            custom_fields: customers whose custom fields hold these values, by
                field name; a list gives alternatives (``{"Kraj": ["POLSKA",
                "NORWEGIA"], "Miasto": "Kraków"}``).
            include_custom_fields: add each customer's custom fields.
            include_address: add each customer's address.
            include_invoice_address: add each customer's invoice address.
            include_mail_drop_address: add each customer's mailing address.
            limit: customers per page, 1 to 1000.
            offset: where to start.
            concurrency: pages in flight after the first, 1 to 32.

        Raises:
            InvalidInputError: a bad argument, such as an e-mail address or a phone
                number that is obviously not one, at once (nothing is sent).
        """
        flag: object = company_flag
        if flag is not None and not isinstance(flag, bool):
            raise InvalidInputError(
                f"company_flag must be True, False or None, got {flag!r}"
            )
        query = CustomerFilter(
            identifier=_or_none("identifier", identifier),
            email=_validation.email("email", email),
            phone_number=_number_or_none(phone_number),
            nip=_validation.text("nip", nip, optional=True),
            company_id=_validation.optional_id("company_id", company_id),
            company_flag=company_flag,
            type=_validation.text("type", type, optional=True),
            group=_validation.text("group", group, optional=True),
            custom_fields=_field_filter(custom_fields),
            include_custom_fields=_flag("include_custom_fields", include_custom_fields),
            include_address=_flag("include_address", include_address),
            include_invoice_address=_flag(
                "include_invoice_address", include_invoice_address
            ),
            include_mail_drop_address=_flag(
                "include_mail_drop_address", include_mail_drop_address
            ),
        )
        return self._list(
            CUSTOMERS, query=query, limit=limit, offset=offset, concurrency=concurrency
        )

    async def get(
        self,
        customer_id: int,
        *,
        include_custom_fields: bool = False,
        include_address: bool = False,
        include_invoice_address: bool = False,
        include_mail_drop_address: bool = False,
    ) -> Customer:
        """Return customer *customer_id*.

        Raises:
            InvalidInputError: *customer_id* is not a positive int (nothing is sent).
            NotFoundError: no such customer.
        """
        query = _include(
            include_custom_fields=include_custom_fields,
            include_address=include_address,
            include_invoice_address=include_invoice_address,
            include_mail_drop_address=include_mail_drop_address,
        )
        return await self._send(CUSTOMER, customer_id, query=query)

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

    async def add_feed_record(
        self, customer_id: int, payload: str | Sequence[Any], *, type: str = "ZOWIE"
    ) -> None:
        """Add an entry to customer *customer_id*'s contact history.

        *payload* is the entry's data: JSON text, or a list (or mapping) sent as
        its JSON text, as the vendor's example sends it. The page names one *type*,
        ``"ZOWIE"`` (a chat transcript). **Not idempotent**: never sent twice after
        a failure that may have been processed.

        Raises:
            InvalidInputError: a bad argument (nothing is sent).
            DeliveryUnknownError: the entry may or may not have been added.
        """
        if isinstance(payload, str):
            text = str(_validation.text("payload", payload))
        elif isinstance(payload, (list, tuple, Mapping)):
            text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        else:
            raise InvalidInputError(
                f"payload must be JSON text, a list or a mapping, got "
                f"{builtins.type(payload).__name__}"
            )
        body = FeedRecordBody(
            type=str(_validation.choice("type", type, ("ZOWIE",))), payload=text
        )
        await self._send(FEED_RECORD, customer_id, body=body)

    async def delete(self, customer_id: int) -> None:
        """Delete customer *customer_id* and what hangs on it (calls, chats, tickets stay).

        Safe to repeat, so it is retried like a GET. If an attempt fails in a way
        that may have been processed and a retry then answers 404, the first one
        most likely worked: that counts as deleted, and this returns normally. A
        404 on the first attempt (no such customer) raises.

        Raises:
            InvalidInputError: *customer_id* is not a positive int (nothing is sent).
            NotFoundError: no such customer, on the first attempt.
        """
        try:
            await self._send(DELETE_CUSTOMER, customer_id)
        except NotFoundError as error:
            if error.attempts <= 1:
                raise

    async def delete_many(self, customer_ids: Iterable[int]) -> builtins.list[Deletion]:
        """Delete several customers in one request; return what happened to each id.

        Each :class:`~thulium_async.Deletion` has the batch's ``http_status`` (204
        deleted, 404 not found, ...) and ``message``; ``.deleted`` says whether the
        customer is gone. Retried like a GET: a retry reports 404 for ids the first
        attempt deleted, and such a 404 after a retry counts as deleted.

        Raises:
            InvalidInputError: no ids, or one that is not a positive int.
        """
        ids = list(customer_ids) if not isinstance(customer_ids, (str, bytes)) else []
        if not ids or not all(type(i) is int and i > 0 for i in ids):
            raise InvalidInputError(
                f"customer_ids must be positive int ids, got {customer_ids!r}"
            )
        wanted = tuple(dict.fromkeys(ids))
        answer = await self._send(
            DELETE_CUSTOMERS, query=BatchQuery(customer_id=wanted)
        )
        results = []
        for customer in wanted:
            entry = answer.get(str(customer))
            status = entry.http_status if entry is not None else 0
            results.append(
                Deletion(
                    customer_id=customer,
                    http_status=status,
                    message=entry.message if entry is not None else "not in the answer",
                )
            )
        return results


class Companies(CompaniesThin, Namespace):
    """CRM companies: ``client.companies.list(...)``, ``get``."""

    __slots__ = ()

    def list(
        self,
        *,
        nip: str | None = None,
        identifier: str | None = None,
        email: str | None = None,
        phone_number: str | None = None,
        type: str | None = None,
        group: str | None = None,
        custom_fields: Mapping[str, str | Sequence[str]] | None = None,
        include_custom_fields: bool = False,
        include_address: bool = False,
        include_invoice_address: bool = False,
        include_mail_drop_address: bool = False,
        limit: int = 1000,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[Company]:
        """CRM companies matching the filters: ``await`` for a page, or ``async for``.

        Args:
            nip: the tax number.
            identifier: your own id for it; ``""``: companies without one.
            email: companies with this address.
            phone_number: companies with this number.
            type: the CRM's type name.
            group: the CRM's group name.
            custom_fields: companies whose custom fields hold these values, by
                field name; a list gives alternatives.
            include_custom_fields: add each company's custom fields.
            include_address: add each company's address.
            include_invoice_address: add each company's invoice address.
            include_mail_drop_address: add each company's mailing address.
            limit: companies per page, 1 to 1000.
            offset: where to start.
            concurrency: pages in flight after the first, 1 to 32.

        Raises:
            InvalidInputError: a bad argument, at once (nothing is sent).
        """
        query = CustomerFilter(
            identifier=_or_none("identifier", identifier),
            email=_validation.email("email", email),
            phone_number=(
                None if phone_number is None else _validation.phone_number(phone_number)
            ),
            nip=_validation.text("nip", nip, optional=True),
            type=_validation.text("type", type, optional=True),
            group=_validation.text("group", group, optional=True),
            custom_fields=_field_filter(custom_fields),
            include_custom_fields=_flag("include_custom_fields", include_custom_fields),
            include_address=_flag("include_address", include_address),
            include_invoice_address=_flag(
                "include_invoice_address", include_invoice_address
            ),
            include_mail_drop_address=_flag(
                "include_mail_drop_address", include_mail_drop_address
            ),
        )
        return self._list(
            COMPANIES, query=query, limit=limit, offset=offset, concurrency=concurrency
        )

    async def get(
        self,
        company_id: int,
        *,
        include_custom_fields: bool = False,
        include_address: bool = False,
        include_invoice_address: bool = False,
        include_mail_drop_address: bool = False,
    ) -> Company:
        """Return company *company_id*.

        Raises:
            InvalidInputError: *company_id* is not a positive int (nothing is sent).
            NotFoundError: no such company.
        """
        query = _include(
            include_custom_fields=include_custom_fields,
            include_address=include_address,
            include_invoice_address=include_invoice_address,
            include_mail_drop_address=include_mail_drop_address,
        )
        return await self._send(COMPANY, company_id, query=query)
