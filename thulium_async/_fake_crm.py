"""FakeThulium's CRM and ticket desk: customers and tickets, and the events they send.

Each handler answers from the state (``_fake_state``), after the rule of
``_fake_answers`` chose the state over the sample; :data:`ROUTES` declares which
endpoints these are and what part of the state each reads. Creating a customer or a
ticket and replying to one announce the webhook event Thulium documents for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from ._core.wallclock import wall_clock_text
from ._fake_answers import Stateful, error, json_object, page, path_id
from ._fake_requests import WRONG_PHONE
from ._fake_state import FakeState, Ticket, wire


def customers(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """The customers the query's phone number, e-mail and company pick; one page."""
    query = request.query
    rows = [
        c
        for c in state.customers.values()
        if (
            "phone_number" not in query
            or query["phone_number"] in c.phone_numbers
            or (query["phone_number"] == "" and not c.phone_numbers)
        )
        and ("email" not in query or query["email"] == c.email)
        and (
            "company_id" not in query
            or query["company_id"]
            == ("" if c.company_id is None else str(c.company_id))
        )
    ]
    return web.json_response(wire(page(rows, query)))


def customer(state: FakeState, request: web.Request, body: bytes) -> web.StreamResponse:
    """One customer."""
    found = state.customers.get(path_id(request.match_info["customer_id"]))
    if found is None:
        return error(404, "Customer not found.")
    return web.json_response(found.as_json())


def new_customer(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """Add a customer and announce ``CUSTOMER_CREATED``."""
    data = json_object(body)
    surname = data.get("surname")
    if not isinstance(surname, str) or not surname:
        return error(422, "Surname is required.")
    number = data.get("phone_number")
    if number is not None and not (
        isinstance(number, str) and number.lstrip("+").isdigit()
    ):
        return error(422, "Wrong format of phone number.", code=WRONG_PHONE)
    added = state.add_customer(
        surname,
        name=data.get("name"),
        phone_number=number,
        email=data.get("email"),
        company_id=data.get("company_id"),
        custom_fields=data.get("custom_fields"),
    )
    state.announce(
        "CUSTOMER_CREATED",
        {
            "date": wall_clock_text(state.clock.now()),
            "customer_id": added.customer_id,
            "company_id": added.company_id,
            "name": added.name,
            "surname": surname,
        },
    )
    return web.json_response({"customer_id": added.customer_id}, status=201)


def delete_customer(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """Remove one customer."""
    if state.customers.pop(path_id(request.match_info["customer_id"]), None) is None:
        return error(404, "Customer not found.")
    return web.Response(status=204)


def delete_customers(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """Remove each customer asked for; answer each id's outcome."""
    answer: dict[str, Any] = {}
    for text in request.query.getall("customer_id[]", []):
        if state.customers.pop(path_id(text), None) is not None:
            answer[text] = {"http_status": 204}
        else:
            answer[text] = {"http_status": 404, "message": "Customer not found."}
    return web.json_response(answer)


def tickets(state: FakeState, request: web.Request, body: bytes) -> web.StreamResponse:
    """The tickets the query's filters pick, last updated first; one page."""
    query = request.query
    rows = sorted(
        (t for t in state.tickets.values() if _ticket_matches(t, query)),
        key=lambda t: t.updated_at or "",
        reverse=True,
    )
    return web.json_response(wire(page(rows, query)))


def ticket(state: FakeState, request: web.Request, body: bytes) -> web.StreamResponse:
    """One ticket, with its messages."""
    found = state.tickets.get(path_id(request.match_info["ticket_id"]))
    if found is None:
        return error(404, "Ticket not found.")
    return web.json_response(found.as_json())


def new_ticket(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """Open a ticket with its first message and announce ``TICKET_CREATED``."""
    data = json_object(body)
    missing = [k for k in ("to", "subject", "body") if not data.get(k)]
    if missing:
        return error(422, f"Missing: {', '.join(missing)}.")
    added = state.add_ticket(
        subject=data["subject"],
        body=data["body"],
        queue=data["to"],
        sender=data.get("from") or "",
        customer_id=data.get("customer_id"),
        user_login=data.get("user_login"),
    )
    state.announce(
        "TICKET_CREATED",
        {
            "ticket_id": added.ticket_id,
            "customer_id": added.customer_id,
            "date": f"{added.created_at}:00",
        },
    )
    return web.json_response({"ticket_id": added.ticket_id})


def reply(state: FakeState, request: web.Request, body: bytes) -> web.StreamResponse:
    """Add an agent's reply and announce ``TICKET_MESSAGE_RECEIVED``."""
    found = state.tickets.get(path_id(request.match_info["ticket_id"]))
    if found is None:
        return error(404, "Ticket not found.")
    data = json_object(body)
    if not data.get("body") or not data.get("user_login"):
        return error(422, "body and user_login are required.")
    message = found.reply(data["body"], data["user_login"], state.clock.minutes())
    state.announce(
        "TICKET_MESSAGE_RECEIVED",
        {
            "ticket_id": found.ticket_id,
            "customer_id": found.customer_id,
            "message_id": message.message_id,
            "date": f"{message.created_at}:00",
        },
    )
    return web.json_response([])


def update_ticket(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """``PUT tickets/:id``: the fields sent (not null) replace the ticket's."""
    found = state.tickets.get(path_id(request.match_info["ticket_id"]))
    if found is None:
        return error(404, "Ticket not found.")
    for name, value in json_object(body).items():
        if value is not None:
            found[name] = value  # the request check let through only Ticket's fields
    found.updated_at = state.clock.minutes()
    return web.Response(status=200, body=b"")


ROUTES: Mapping[str, Stateful] = {
    "customers.list": Stateful(customers, reads=lambda state: state.customers),
    "customers.get": Stateful(customer, reads=lambda state: state.customers),
    "customers.create": Stateful(new_customer),
    "customers.delete": Stateful(delete_customer),
    "customers.delete_many": Stateful(delete_customers),
    "tickets.list": Stateful(tickets, reads=lambda state: state.tickets),
    "tickets.get": Stateful(ticket, reads=lambda state: state.tickets),
    "tickets.create": Stateful(new_ticket),
    # A reply or an update needs a ticket: without any, the vendor's example answers.
    "tickets.reply": Stateful(reply, reads=lambda state: state.tickets),
    "tickets.update": Stateful(update_ticket, reads=lambda state: state.tickets),
}
"""The endpoints of this module's workflows, and the part of the state each reads."""


def _ticket_matches(found: Ticket, query: MultiMapping[str]) -> bool:
    """Whether ticket *found* passes the list's filters, as Thulium applies them.

    Times compare as the wall-clock text they are (``2026-12-01`` is the start of
    that day for ``date_from``, its whole for ``date_to``); ``status_id[]`` is any of.
    A ticket of the fake has no company: a ``company_id`` filter picks none.
    """
    for name, stamp in (
        ("date_from", found.updated_at),
        ("create_date_from", found.created_at),
    ):
        since = query.get(name)
        if since and (stamp or "") < since:
            return False
    for name, stamp in (
        ("date_to", found.updated_at),
        ("create_date_to", found.created_at),
    ):
        until = query.get(name)
        if until and (stamp or "")[: len(until)] > until:
            return False
    statuses = query.getall("status_id[]", [])
    if statuses and str(found.status_id) not in statuses:
        return False
    for name, value in (
        ("ticket_queue_id", found.ticket_queue_id),
        ("customer_id", found.customer_id),
        ("company_id", None),
        ("user_login", found.user_login),
    ):
        wanted = query.get(name)
        if wanted is not None and str(value) != wanted:
            return False
    return True
