"""The CRM and the ticket desk: ``client.customers``, ``client.companies``, ``client.tickets``.

What a repeat would do decides how each write is sent: ``tickets.create`` would open a
duplicate ticket, ``tickets.reply`` would e-mail the customer twice, ``customers.create``
would make a duplicate record, so none is sent again after a failure that may have been
processed (``DeliveryUnknownError``, with those words). ``customers.delete`` is safe to
repeat: a retry that finds the customer gone (404) after an earlier attempt that may
have worked counts as deleted.

The methods that check their arguments and send one request are declared
(``@operation``): the signature is the endpoint. ``customers.create_many`` and
``update_many`` keep a hand-written body over an :class:`Endpoint` declared here: their
items are ``customers.create``'s arguments, checked by its declaration
(``checked_arguments``) and sent in classes made from its body.
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
    keyed_item,
    made_class,
    operation,
)
from .._api.paging import Pages
from .._core import validation as _validation
from .._core.errors import InvalidInputError
from .._core.wallclock import Clock
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


def _a_day_of_birth(*, birthdate: object, **_: object) -> None:
    """Refuse a datetime birth date: the system's zone could move it to another day."""
    if isinstance(birthdate, datetime):
        raise InvalidInputError(f"birthdate must be a date, got {birthdate!r}")


def _new_customer_id(answer: object, **_: object) -> int | None:
    """The new customer's id, where the answer gives one (as a number or digits)."""
    found = answer.get("customer_id") if isinstance(answer, dict) else None
    if isinstance(found, str) and found.isdigit():
        return int(found)
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def _change(index: int, item: object) -> Any:
    """One customer of ``update_many``: its id, and ``customers.create``'s fields to change."""
    where = f"customers[{index}]"
    customer, fields = keyed_item(item, "customer_id", where=where)
    changes = checked_arguments(Customers.create, fields, where=where, required=False)
    number = int(check_path_value(PathKind.ID, f"{where}.customer_id", customer))
    return CustomerChanges(customer_id=number, **changes)


def _customers(name: str, value: object) -> list[Mapping[str, Any]]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidInputError(f"{name} must be a list of mappings, got {value!r}")
    items = list(value)
    if not items or not all(isinstance(item, Mapping) for item in items):
        raise InvalidInputError(f"{name} must be a non-empty list of mappings")
    return items


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

    @operation(
        "customers.create",
        "POST",
        "customers",
        side_effect="create a duplicate customer record",
        doc="crm/post_customers",
        # The answer's shape is not shown: the id is read from it where it is.
        answer=(Any, _new_customer_id),
        check=_a_day_of_birth,
    )
    async def create(
        self,
        *,
        surname: Annotated[str, Body("last name (or the company's name)")],
        name: Annotated[str | None, Body("first name")] = None,
        email: Annotated[str | None, Body("the e-mail address", format="email")] = None,
        phone_number: Annotated[
            str | None, Body("the phone number", format="phone")
        ] = None,
        company_id: Annotated[
            int | None, Body("the company they belong to", kind=PathKind.ID)
        ] = None,
        type: Annotated[str | None, Body("the CRM's type name")] = None,
        group: Annotated[str | None, Body("the CRM's group name")] = None,
        identifier: Annotated[str | None, Body("your own id for them")] = None,
        gender: Annotated[str | None, Body("as the CRM names it")] = None,
        homepage: Annotated[str | None, Body("their web page")] = None,
        birthdate: Annotated[
            date | None, Body("their date of birth", clock=Clock.DATE)
        ] = None,
        nip: Annotated[str | None, Body("the tax number")] = None,
        note: Annotated[str | None, Body("a note")] = None,
        pesel: Annotated[str | None, Body("the PESEL number")] = None,
        job: Annotated[str | None, Body("where they work")] = None,
        job_title: Annotated[str | None, Body("their position")] = None,
        account_manager: Annotated[
            str | None,
            Body("the login of the agent who looks after them", kind=PathKind.LOGIN),
        ] = None,
        custom_fields: Annotated[
            Mapping[str, Any] | None,
            Body(
                "custom-field values by name",
                example={"field_name_1": "value_1", "field_name_2": "value_2"},
            ),
        ] = None,
        fill_read_only_custom_fields: Annotated[
            bool | None, Body("fill custom fields even if READ ONLY", example=True)
        ] = None,
        vip: Annotated[
            bool | None, Body("whether they are a VIP", example=True)
        ] = None,
        address: Annotated[
            Address | None, Body("their address, an :class:`~thulium_async.Address`")
        ] = None,
        invoice_address: Annotated[
            Address | None, Body("the address for invoices")
        ] = None,
        mail_drop_address: Annotated[
            Address | None, Body("the mailing address")
        ] = None,
    ) -> int | None:
        """Add a customer to the CRM; return its id when the answer gives one.

        **Not idempotent**: a repeat would make a duplicate record, so it is never
        sent twice after a failure that may have been processed; find the customer
        (``customers.list(phone_number=...)``) before trying again.
        """

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
                _NEW_CUSTOMER(
                    **checked_arguments(Customers.create, item, where=f"customers[{i}]")
                )
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
            customers=tuple(_change(i, item) for i, item in enumerate(items))
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


_OPTIONAL_TEXT: Any = str | None  # a change names only what it changes
_NEW_CUSTOMER: Any = endpoint_of(Customers.create).body
CustomerChanges = made_class(
    "CustomerChanges",
    "One customer of ``PUT batch/customers``: its id, and the fields to change.",
    {
        "customer_id": attrs.field(
            type=int, metadata=described(example=13, kind=PathKind.ID)
        ),
        "surname": attrs.field(type=_OPTIONAL_TEXT, default=None),  # optional here
    },
    module=__name__,
    base=_NEW_CUSTOMER,
)
NewCustomersBody = made_class(
    "NewCustomersBody",
    "``POST batch/customers``'s body: customers as ``customers.create`` sends them.",
    {"customers": attrs.field(type=batch_of(_NEW_CUSTOMER))},
    module=__name__,
)
CustomersChangesBody = made_class(
    "CustomersChangesBody",
    "``PUT batch/customers``'s body.",
    {"customers": attrs.field(type=batch_of(CustomerChanges))},
    module=__name__,
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
