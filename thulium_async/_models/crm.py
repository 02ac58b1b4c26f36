"""The CRM and ticket-desk models users receive: frozen attrs classes, data only.

Field names are the vendor's own (``crm/get_customers_id``, ``crm/get_companies_id``,
``tickets/get_tickets_id`` under https://api.thulium.com/docs/api/). The CRM writes
``""`` for a value it does not have; those arrive as ``None``. Custom fields are a
mapping of the field's name to its value, as the vendor sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from .._core.wallclock import Clock, clock
from .fields import OpenEnum, either, wire

_MINUTES = clock(Clock.MINUTES)


@attrs.frozen(kw_only=True)
class Address:
    """A postal address (``include_address`` and friends).

    Attributes:
        street, building, flat, postcode, city, country: as the CRM holds them.
    """

    street: str | None = None
    building: str | None = attrs.field(default=None, metadata=either())
    flat: str | None = attrs.field(default=None, metadata=either())
    postcode: str | None = None
    city: str | None = None
    country: str | None = None


@attrs.frozen(kw_only=True)
class Customer:
    """A CRM customer, as ``customers.get`` and ``customers.list`` report them.

    Attributes:
        customer_id: the customer's id.
        name: first name; surname: last name (or the company's name).
        phone_number: the main number; phone_numbers: every number.
        email: the e-mail address.
        company_id: the company they belong to, if any.
        identifier: your own id for them, if set.
        type, group: the CRM's type and group names.
        company_flag: whether this record is a company.
        account_manager: the login of the agent who looks after them.
        updated_at: when the record last changed; the vendor's page leaves its
            shape open, so both ``YYYY-MM-DD HH:MM:SS`` and ``YYYY-MM-DD HH:MM``
            are read.
        custom_fields: the custom fields (with ``include_custom_fields``), by name.
        address, invoice_address, mail_drop_address: with the ``include_*`` flags.
    """

    customer_id: int = attrs.field(metadata=either())
    name: str | None = None
    surname: str | None = None
    phone_number: str | None = attrs.field(default=None, metadata=either())
    phone_numbers: tuple[str, ...] = ()
    email: str | None = None
    company_id: int | None = attrs.field(default=None, metadata=either())
    identifier: str | None = attrs.field(default=None, metadata=either())
    type: str | None = None
    group: str | None = None
    company_flag: Any = None
    account_manager: str | None = None
    updated_at: datetime | None = attrs.field(
        default=None, metadata=clock(Clock.SECONDS_OR_MINUTES)
    )
    custom_fields: Mapping[str, Any] = attrs.field(factory=dict)
    address: Address | None = None
    invoice_address: Address | None = None
    mail_drop_address: Address | None = None


@attrs.frozen(kw_only=True)
class Company:
    """A CRM company, as ``companies.get`` and ``companies.list`` report them.

    Attributes:
        company_id: the company's id; customer_id: its customer record.
        name: its name; nip: its tax number.
        type, group: the CRM's type and group names.
        account_manager: the login of the agent who looks after it.
        address: with ``include_address``.
        custom_fields: the custom fields, by name.
        invoice_address, mail_drop_address: with ``include_invoice_address`` and
            ``include_mail_drop_address``.
    """

    company_id: int = attrs.field(metadata=either())
    name: str | None = None
    customer_id: int | None = attrs.field(default=None, metadata=either())
    type: str | None = None
    group: str | None = None
    nip: str | None = attrs.field(default=None, metadata=either())
    account_manager: str | None = None
    address: Address | None = None
    custom_fields: Mapping[str, Any] = attrs.field(factory=dict)
    invoice_address: Address | None = None
    mail_drop_address: Address | None = None


class MessageType(OpenEnum):
    """Who wrote a ticket message."""

    MAIL = "MAIL"
    """From the customer."""
    REPLY = "REPLY"
    """To the customer."""
    COMMENT = "COMMENT"
    """An internal comment."""


@attrs.frozen(kw_only=True)
class TicketMessage:
    """One message of a ticket.

    Attributes:
        message_id: its id; type: a :class:`MessageType` (``MAIL``, ``REPLY``,
            ``COMMENT``).
        user_login: the agent, for replies and comments.
        body: the message; comment, system_comment: notes on it.
        created_at: when it was written (to the minute).
        attachments: as the vendor lists them.
    """

    message_id: int = attrs.field(metadata=either())
    type: MessageType
    user_login: str | None = None
    body: str | None = None
    comment: str | None = None
    system_comment: str | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=_MINUTES)
    attachments: tuple[Any, ...] = ()


@attrs.frozen(kw_only=True)
class Ticket:
    r"""A ticket of the desk, as ``tickets.get`` and ``tickets.list`` report it.

    A list's records may leave out the messages.

    Attributes:
        ticket_id: its id; subject: its subject.
        from\_: the sender's address (``from`` in the vendor's JSON).
        ticket_queue_id, ticket_queue_name: the ticket queue.
        status_id, substatus_id, full_status_name: its status.
        category_id: its category; customer_id: the CRM customer.
        user_login: the agent it is assigned to.
        created_at, updated_at, closed_at, first_agent_responded_at: to the minute.
        close_time: how long it took to close; first_agent_response_time: how long
            the first answer took (both ``timedelta``; hours may pass 24).
        messages: its messages, each a :class:`TicketMessage`.
        custom_fields: with ``include_custom_fields``, by name.
    """

    ticket_id: int = attrs.field(metadata=either())
    subject: str | None = None
    from_: str | None = attrs.field(default=None, metadata=wire("from"))
    ticket_queue_id: int | None = attrs.field(default=None, metadata=either())
    ticket_queue_name: str | None = None
    status_id: int | None = attrs.field(default=None, metadata=either())
    substatus_id: int | None = attrs.field(default=None, metadata=either())
    full_status_name: str | None = None
    category_id: int | None = attrs.field(default=None, metadata=either())
    customer_id: int | None = attrs.field(default=None, metadata=either())
    user_login: str | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=_MINUTES)
    updated_at: datetime | None = attrs.field(default=None, metadata=_MINUTES)
    closed_at: datetime | None = attrs.field(default=None, metadata=_MINUTES)
    close_time: timedelta | None = None
    first_agent_responded_at: datetime | None = attrs.field(
        default=None, metadata=_MINUTES
    )
    first_agent_response_time: timedelta | None = None
    messages: tuple[TicketMessage, ...] = ()
    custom_fields: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Deletion:
    """What ``customers.delete_many`` says about one id.

    Attributes:
        customer_id: the id; http_status: the batch's status for it (204 deleted,
            404 not found, ...); message: the batch's reason, if any.
    """

    customer_id: int
    http_status: int
    message: str | None = None

    @property
    def deleted(self) -> bool:
        """Whether the customer is gone (deleted now, or already)."""
        return self.http_status in (200, 204)
