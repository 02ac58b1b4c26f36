"""The CLI's CRM and ticket commands: ``customers find`` and ``tickets list``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TextIO

from .. import Customer, ThuliumClient, Ticket
from .dial import EXIT_OK, CLIError
from .output import JsonList, table

ClientFactory = Callable[..., ThuliumClient]


def _customer_json(customer: Customer) -> dict[str, object]:
    return {
        "customer_id": customer.customer_id,
        "name": customer.name,
        "surname": customer.surname,
        "phone_numbers": list(customer.phone_numbers),
        "email": customer.email,
        "company_id": customer.company_id,
    }


async def cmd_customers_find(
    args: argparse.Namespace, out: TextIO, connect: ClientFactory
) -> int:
    """Find customers by phone number or e-mail address: the screen-pop lookup."""
    if bool(args.phone) == bool(args.email):
        raise CLIError("customers find takes one of --phone NUMBER or --email ADDRESS")
    async with connect(args) as client:
        page = await client.customers.list(
            phone_number=args.phone, email=args.email, limit=args.limit
        )
    if args.json or args.jsonl:
        with JsonList(out, lines=args.jsonl) as document:
            for customer in page.items:
                document.add(_customer_json(customer))
        return EXIT_OK
    if not page.items:
        out.write("No customer found.\n")
        return EXIT_OK
    rows = [
        [
            str(c.customer_id),
            " ".join(part for part in (c.name, c.surname) if part),
            ", ".join(c.phone_numbers) or (c.phone_number or ""),
            c.email or "",
        ]
        for c in page.items
    ]
    out.write(table(["id", "name", "phone numbers", "e-mail"], rows) + "\n")
    if page.count > len(page.items):
        out.write(f"({page.count} match; the first {len(page.items)} shown)\n")
    return EXIT_OK


def _ticket_row(ticket: Ticket) -> list[str]:
    updated = ticket.updated_at.strftime("%Y-%m-%d %H:%M") if ticket.updated_at else ""
    return [
        str(ticket.ticket_id),
        updated,
        ticket.full_status_name
        or ("" if ticket.status_id is None else str(ticket.status_id)),
        ticket.user_login or "",
        (ticket.subject or "")[:60],
    ]


async def cmd_tickets_list(
    args: argparse.Namespace, out: TextIO, connect: ClientFactory
) -> int:
    """List tickets modified since a day, every page, newest first."""
    rows = []
    scripted = args.json or args.jsonl
    document = JsonList(out, lines=args.jsonl)
    async with connect(args) as client:
        async for ticket in client.tickets.list(
            date_from=args.since,
            ticket_queue_id=args.queue,
            status_id=args.status or None,
        ):
            if scripted:
                document.add(
                    {
                        "ticket_id": ticket.ticket_id,
                        "subject": ticket.subject,
                        "status_id": ticket.status_id,
                        "user_login": ticket.user_login,
                        "updated_at": ticket.updated_at.isoformat()
                        if ticket.updated_at
                        else None,
                    }
                )
            else:
                rows.append(_ticket_row(ticket))
    if scripted:
        document.close()
    else:
        if rows:
            headers = ["ticket", "updated", "status", "agent", "subject"]
            out.write(table(headers, rows) + "\n")
        else:
            out.write("No tickets.\n")
    return EXIT_OK
