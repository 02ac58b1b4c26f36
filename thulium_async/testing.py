"""A fake Thulium server for your tests and for the demo: real HTTP on 127.0.0.1.

``FakeThulium`` serves every endpoint the SDK declares, at the SDK's own path templates,
and the endpoints the vendor lists without documenting (which accept what they are
given). A request to a documented endpoint is checked against the OpenAPI document the
SDK emits (``python -m thulium_async openapi``): an unknown query parameter or body
field, a missing required one, or a value of the wrong type or shape is answered 400 in
Thulium's error body, one entry per problem, so a test catches a misspelt parameter
(``_fake_requests`` says why the document, not the declarations, is read).
What a read answers follows one rule (``_from_sample``): what ``respond`` set; else
the sample (the *samples* folder's, or the vendor's example) while that area's state
is empty; else the state, where an unknown record is a 404. Writes act on the state.
The queue endpoints keep state (callers waiting, calls scheduled); every other endpoint
answers what a test sets with :meth:`FakeThulium.respond`, or the vendor's example body
from a *samples* folder. It records what it receives, and fails on request on every
route in every way the real network can, including the ambiguous ways (processed, then
the answer is lost).

Example::

    async with FakeThulium() as fake:
        fake.add_caller(2, "500333222", customer_label="Jan Kowalski")
        async with ThuliumClient(fake.base_url, fake.username, fake.password) as client:
            callers = await client.queues.waiting_list(2)
        fake.fail_next("schedule_call", Fault.processed_then_status(500))
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import random
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta, tzinfo
from http import HTTPStatus
from os import PathLike
from pathlib import Path
from typing import Any

import attrs
from aiohttp import web

from ._api.endpoints import IDEMPOTENT_METHODS, NO_EXAMPLE, Endpoint
from ._api.openapi import openapi_document
from ._api.undocumented import UNDOCUMENTED, Undocumented
from ._areas import ENDPOINTS
from ._core.clock import VirtualClock
from ._core.wallclock import (
    format_duration,
    parse_wall_clock,
    resolve_timezone,
    wall_clock_text,
)
from ._fake_requests import Problem, Rules, check, rules_of
from ._fake_webhooks import Deliveries, WebhookDelivery
from ._http.wire import basic_auth_header

# What ``agents.last_screenshot`` answers: a JPEG's start and end markers around a
# few bytes (not an image a viewer would open, but one by its signature).
SCREENSHOT_JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
)

__all__ = [
    "FakeThulium",
    "Fault",
    "ReceivedRequest",
    "ScheduledCall",
    "VirtualClock",
    "WebhookDelivery",
]


def _served(row: Undocumented) -> Endpoint:
    """An endpoint the vendor lists without documenting, as the fake serves it."""
    return Endpoint(
        name=row.operation,
        method=row.method,
        path=row.path,
        params=row.params,
        returns=Any,
        idempotent=row.method in IDEMPOTENT_METHODS,
        side_effect="whatever it does, again (the vendor does not document it)",
    )


# Every route the fake serves: the SDK's declarations, then the vendor's undocumented
# endpoints (which accept what they are given, and answer what ``respond`` sets).
_UNDOCUMENTED = frozenset(row.operation for row in UNDOCUMENTED)
_ROUTES: tuple[Endpoint, ...] = (*ENDPOINTS, *map(_served, UNDOCUMENTED))
_BY_NAME: dict[str, Endpoint] = {e.name: e for e in _ROUTES}
Handler = Callable[[web.Request, bytes], Awaitable[web.StreamResponse]]


@functools.cache
def _rules() -> tuple[dict[tuple[str, str], Rules], dict[str, Any]]:
    """What each documented endpoint accepts, read once from the SDK's OpenAPI document."""
    document = openapi_document(ENDPOINTS)
    return rules_of(document), document["components"]["schemas"]


def _endpoint(name: str) -> Endpoint:
    """Return the endpoint called *name*, like ``queues.topics`` or ``schedule_call``."""
    found = _BY_NAME.get(name) or _BY_NAME.get(f"queues.{name}")
    if found is None:
        raise ValueError(
            f"endpoint must be one of {', '.join(sorted(_BY_NAME))}, got {name!r}"
        )
    return found


@attrs.frozen(kw_only=True)
class Fault:
    """One scripted failure; build it with the class methods, not directly.

    Faults that happen *before* processing leave no trace in the fake's state; the
    ``processed_then_*`` ones record the scheduled call first and then lose the answer,
    which is what makes a retry dangerous.
    """

    kind: str
    status: int = 500
    headers: dict[str, str] = attrs.field(factory=dict)
    body: str = ""
    delay: float = 0.0
    processed: bool = False
    thulium_error: bool = False
    """Answer with Thulium's own error body (a fresh ``request_id`` each time)."""
    after: int = 0
    """``cut_body``: the bytes of the answer sent before the connection is closed."""

    @classmethod
    def status_response(
        cls,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        body: str | None = None,
    ) -> Fault:
        """Answer *status* without processing (a 429 with ``Retry-After``, a 503).

        The body is Thulium's error body, as Thulium itself refuses, unless *body*
        gives another (``""`` for a bare answer, as a proxy may give).
        """
        return cls(
            kind="status",
            status=status,
            headers=headers or {},
            body=body or "",
            thulium_error=body is None,
        )

    @classmethod
    def html_error_page(cls, status: int = 502) -> Fault:
        """Answer *status* with a proxy's HTML page, without processing."""
        page = f"<html><body><h1>{status} Bad Gateway</h1>nginx</body></html>"
        return cls(
            kind="status",
            status=status,
            headers={"Content-Type": "text/html"},
            body=page,
        )

    @classmethod
    def delay_then_process(cls, seconds: float) -> Fault:
        """Wait *seconds*, then process and answer normally."""
        return cls(kind="delay", delay=seconds)

    @classmethod
    def drop_before_processing(cls) -> Fault:
        """Close the connection without processing or answering."""
        return cls(kind="drop")

    @classmethod
    def processed_then_status(cls, status: int = 500) -> Fault:
        """Process the request, then answer *status* anyway (ambiguous)."""
        return cls(kind="status", status=status, processed=True)

    @classmethod
    def processed_then_bare_503(cls) -> Fault:
        """Process the request, then answer a bare 503 (ambiguous).

        No ``Retry-After``, no body: what Envoy answers when the upstream connection
        resets after the request was sent. Only a write's caller can tell it from a
        proxy's refusal, and only by checking in Thulium.
        """
        return cls(kind="status", status=503, processed=True)

    @classmethod
    def processed_then_drop(cls) -> Fault:
        """Process the request, then close the connection unanswered (ambiguous)."""
        return cls(kind="drop", processed=True)

    @classmethod
    def processed_then_stall(cls, seconds: float = 3600.0) -> Fault:
        """Process the request, then stall past the client's timeout (ambiguous)."""
        return cls(kind="delay", delay=seconds, processed=True)

    @classmethod
    def cut_body(cls, after: int = 1024) -> Fault:
        """Process the request, send the first *after* bytes of its answer, then close.

        The answer announces its whole length, so the client sees a body cut short
        (a download dropped mid-file).
        """
        return cls(kind="cut", after=after, processed=True)


def _random_faults() -> tuple[Fault, ...]:
    return (
        Fault.status_response(429, headers={"Retry-After": "0"}),
        Fault.status_response(503),
        Fault.html_error_page(502),
        Fault.drop_before_processing(),
        Fault.processed_then_status(500),
        Fault.processed_then_bare_503(),
        Fault.processed_then_drop(),
    )


@attrs.frozen(kw_only=True)
class ScheduledCall:
    """A call the fake accepted: queue, number and ``call_at`` exactly as sent."""

    queue_id: int
    phone_number: str
    call_at: str | None


@attrs.frozen(kw_only=True)
class ReceivedRequest:
    """A request the fake received, before any fault was applied."""

    method: str
    path: str
    body: bytes
    authorized: bool
    peer_port: int | None
    received_at: float
    """The fake's *clock* on arrival (``time.monotonic()`` unless given another)."""
    headers: dict[str, str] = attrs.field(factory=dict)
    """The request's headers, ``Authorization`` left out."""
    endpoint: str = ""
    """The name of the endpoint it was routed to (``queues.schedule_call``)."""
    query: dict[str, list[str]] = attrs.field(factory=dict)
    """Its query parameters, each with every value it was given."""


class FakeThulium:
    """An in-memory Thulium on 127.0.0.1, started and stopped with ``async with``.

    Args:
        username: the API user it accepts.
        password: the password it accepts (random when omitted).
        queues: queue ids that exist from the start.
        timezone: the fake system's wall clock, for ``started_at`` defaults.
        port: the port to listen on; 0 picks a free one.
        max_recorded_requests: keep only the latest this many requests in
            ``requests`` (``None``: all), so a long soak or a fake left running does
            not grow without bound. Scheduled calls are always all kept.
        samples: a folder with one subfolder per endpoint name
            (``queues.topics/``) holding example answers (``*.json``, the first by
            name is served): what an endpoint answers until a test calls
            :meth:`respond`. Without one, a list answers empty, a write answers
            ``200`` with an empty body, and anything else ``404``.
        clock: what ``received_at`` and ``limit_rate`` read the time from, in
            seconds: ``time.monotonic`` unless a test passes a
            :class:`VirtualClock`'s ``time``, the one its client sleeps on.

    Attributes:
        scheduled: every call it accepted, in order (a list of ScheduledCall): the
            truth to check "nobody called twice" against.
        requests: the requests it received, faults included (ReceivedRequest).
        waiting: the callers of each queue, newest first, as ``waiting_list`` answers.
        in_flight: requests being handled right now; peak_in_flight: the most at once.
        throttled: 429s sent by ``limit_rate``.
        agents: each agent's account and status, by login (``add_agent``).
        (``queues.waiting_stats`` answers from ``waiting``: how many, and their
        average wait so far, as the expected wait.)
        history: the call history ``connections.list`` answers, oldest first: calls
            it was asked to make (``agents.call``, ``connections.call``) at once, and
            each scheduled call once its time has come on the fake's clock (see
            ``advance``). Add your own with ``add_connection``.
        customers: the CRM's customers by id (``add_customer``, ``customers.create``;
            ``customers.delete`` and ``delete_many`` remove them).
        tickets: the desk's tickets by id, each with its ``messages``
            (``tickets.create``; ``tickets.reply`` appends a ``REPLY``).
        campaigns: each outbound campaign's records, in the order added
            (``outbounds.add_record``; a number already in the campaign is refused
            with a 422; ``outbounds.add_records`` answers it ``ALREADY_EXISTS``):
            the truth to check "nobody added twice" against.
        removed_records: every record ``outbounds.remove_records`` took out of a
            campaign, in order, with its ``outbound_id``: the truth to check
            "nothing removed twice" against.
        numbers_in_call: numbers whose campaign records are in a call: a removal
            leaves them and answers ``CALL_IN_PROGRESS``.
            ``outbounds.stats`` answers from it (or from a sample, until a record
            is in); ``status_by_phone_number`` sets ``status_id`` on its records.
        campaign_agents: each campaign's agents' logins (``outbounds.add_agents``,
            of the fake's own agents when it has any), as ``outbounds.agents``
            answers them.

    Webhooks: each subscription made (``webhooks.create``, listed in ``webhooks``)
    receives the events the fake's state changes produce: ``CUSTOMER_CREATED``
    (``customers.create``), ``TICKET_CREATED`` (``tickets.create``) and
    ``TICKET_MESSAGE_RECEIVED`` (``tickets.reply``), POSTed to its URL with its Basic
    auth, on 127.0.0.1 only; ``send_event`` sends any other. ``deliveries`` records
    each, and ``await settle_deliveries()`` waits for those under way.
    """

    def __init__(
        self,
        *,
        username: str = "fake_api_user",
        password: str | None = None,
        queues: Iterable[int] = (2,),
        timezone: str | tzinfo = "Europe/Warsaw",
        port: int = 0,
        max_recorded_requests: int | None = None,
        samples: str | PathLike[str] | None = None,
        campaigns: Iterable[str] = ("00001",),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.username = username
        self._monotonic = clock
        self.password = password if password is not None else secrets.token_urlsafe(12)
        self.zone = resolve_timezone(timezone)
        self.waiting: dict[int, list[dict[str, Any]]] = {q: [] for q in queues}
        self.scheduled: list[ScheduledCall] = []
        self.requests: list[ReceivedRequest] = []
        self._max_recorded = max_recorded_requests
        self.in_flight = 0
        self.peak_in_flight = 0
        self._expected_auth = basic_auth_header(username, self.password)
        self._scripted: dict[str, deque[Fault]] = {e: deque() for e in _BY_NAME}
        self._answers: dict[str, tuple[int, Any]] = _load_samples(samples)
        self._responded: set[str] = set()  # set by respond(): wins over state
        self._page_caps: dict[str, int] = {}  # cap_limit(): a smaller largest page
        self._generic: dict[str, Handler] = {}
        self._fault_rate = 0.0
        self._fault_choices: tuple[Fault, ...] = ()
        self._rate_limit: tuple[int, float] | None = None
        self._recent: deque[float] = deque()
        self.throttled = 0
        self.agents: dict[str, dict[str, Any]] = {}
        self.history: list[dict[str, Any]] = []
        self.customers: dict[int, dict[str, Any]] = {}
        self.tickets: dict[int, dict[str, Any]] = {}
        self.campaigns: dict[str, list[dict[str, Any]]] = {c: [] for c in campaigns}
        self._webhooks = Deliveries()
        # Each campaign's numbers, caught up from ``campaigns`` as it grows (a test
        # may append to it directly): the duplicate check in O(1), not a scan.
        self._campaign_numbers: dict[str, tuple[set[str], int]] = {}
        self.campaign_agents: dict[str, list[str]] = {c: [] for c in self.campaigns}
        self.recordings: list[dict[str, Any]] = []
        self.temporary_files: dict[str, dict[str, Any]] = {}
        self._recording_sizes: dict[str, int] = {}
        self.removed_records: list[dict[str, Any]] = []
        self.numbers_in_call: set[str] = set()
        self._clock_offset = timedelta(0)
        self._placed = 0  # scheduled calls checked for the history so far
        self._pending: list[ScheduledCall] = []  # scheduled, their time not yet come
        self._rng = random.Random()  # noqa: S311 -- fault injection, not security
        self._port = port
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        """Start listening on 127.0.0.1."""
        app = web.Application()
        # The routes come from the SDK's own endpoint declarations (their path
        # templates are aiohttp's route syntax too), so the fake cannot drift from them.
        stateful: dict[str, Handler] = {
            "queues.waiting_list": self._waiting_list,
            "queues.schedule_call": self._schedule,
            "queues.waiting_stats": self._waiting_stats,
            "agents.get": self._agent,
            "agents.status": self._agent_status,
            "agents.call": self._agent_call,
            "connections.call": self._connections_call,
            "connections.list": self._history,
            "customers.list": self._customers,
            "customers.get": self._customer,
            "customers.create": self._new_customer,
            "customers.delete": self._delete_customer,
            "customers.delete_many": self._delete_customers,
            "tickets.list": self._tickets,
            "tickets.get": self._ticket,
            "tickets.create": self._new_ticket,
            "tickets.reply": self._reply,
            "tickets.update": self._update_ticket,
            "outbounds.add_record": self._add_record,
            "outbounds.add_records": self._add_records,
            "outbounds.remove_records": self._remove_records,
            "outbounds.stats": self._campaign_stats,
            "outbounds.agents": self._campaign_agents,
            "outbounds.add_agents": self._add_campaign_agents,
            "outbounds.status_by_phone_number": self._status_by_phone,
            "webhooks.create": self._subscribe,
            "webhooks.list": self._subscriptions,
            "recordings.list": self._recordings,
            "agents.last_screenshot": self._last_screenshot,
            "recordings.download": self._recording_file,
            "recordings.stream": self._recording_file,
            "temporary_files.upload": self._upload,
        }
        rules, _ = _rules()
        for declared in _ROUTES:
            self._generic[declared.name] = self._answer_for(declared)
            handler = stateful.get(declared.name) or self._generic[declared.name]
            route = self._route(
                declared, handler, rules.get((declared.method, f"/{declared.path}"))
            )
            app.router.add_route(declared.method, f"/api/{declared.path}", route)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening and drop open connections (and deliveries under way)."""
        await self._webhooks.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeThulium:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """The API root to pass to ``ThuliumClient``."""
        return f"http://127.0.0.1:{self._port}/api"

    @property
    def port(self) -> int:
        """The port the fake listens on."""
        return self._port

    # -- state -------------------------------------------------------------------

    def add_queue(self, queue_id: int) -> None:
        """Create queue *queue_id* (empty) if it does not exist."""
        self.waiting.setdefault(queue_id, [])

    def add_caller(
        self,
        queue_id: int,
        phone_number: str,
        *,
        started_at: datetime | str | None = None,
        customer_id: int | None = None,
        customer_label: str | None = None,
    ) -> None:
        """Put a caller at the front of queue *queue_id* (newest first, as Thulium)."""
        if started_at is None:
            started_at = datetime.now(self.zone)
        if isinstance(started_at, datetime):
            if started_at.tzinfo is not None:
                started_at = started_at.astimezone(self.zone)
            started_at = wall_clock_text(started_at)
        self.add_queue(queue_id)
        entry = {
            "phone_number": phone_number,
            "started_at": started_at,
            "customer_id": customer_id,
            "customer_label": customer_label,
        }
        self.waiting[queue_id].insert(0, entry)

    def remove_caller(self, queue_id: int, phone_number: str) -> None:
        """Take every caller with *phone_number* out of queue *queue_id*."""
        self.waiting[queue_id] = [
            c for c in self.waiting[queue_id] if c["phone_number"] != phone_number
        ]

    # -- agents and the call history ---------------------------------------------

    def now(self) -> datetime:
        """The fake system's clock: the real time plus whatever ``advance`` added."""
        return datetime.now(self.zone) + self._clock_offset

    def advance(self, by: timedelta | float) -> None:
        """Move the fake's clock on by *by* (seconds, or a timedelta).

        Scheduled calls whose ``call_at`` has then come appear in ``history``, as the
        real system's calls appear once made.
        """
        self._clock_offset += by if isinstance(by, timedelta) else timedelta(seconds=by)

    def add_agent(
        self,
        login: str,
        *,
        name: str = "Jan",
        surname: str = "Kowalski",
        number: str = "100",
        status: str = "FREE",
        pause_id: int | None = None,
    ) -> None:
        """Create agent *login* with *status* (``FREE``, ``PAUSED``, ...)."""
        self.agents[login] = {
            "agent_id": len(self.agents) + 1,
            "login": login,
            "name": name,
            "surname": surname,
            "email": None,
            "active": True,
            "number": number,
            "outbound_mode": "manual",
            "group_id": None,
        }
        self.set_agent_status(login, status, pause_id=pause_id)

    def set_agent_status(
        self, login: str, status: str, *, pause_id: int | None = None
    ) -> None:
        """Set what agent *login* is doing, from now on the fake's clock."""
        self.agents[login]["_status"] = {
            "login": login,
            "status": status,
            "pause_id": pause_id,
            "last_change": wall_clock_text(self.now()),
        }

    def add_connection(
        self,
        dst: str,
        *,
        src: str = "100",
        type: str = "OUTBOUND",
        queue_id: int | None = None,
        at: datetime | None = None,
        disposition: str = "ANSWERED",
        user_login: str | None = None,
    ) -> dict[str, Any]:
        """Add a call to the history (default: an outbound call now); return it."""
        when = at if at is not None else self.now()
        if when.tzinfo is not None:
            when = when.astimezone(self.zone)
        record = {
            "connection_id": f"{int(when.timestamp())}.{len(self.history) + 1}",
            "date": wall_clock_text(when)[:16],
            "src": src,
            "dst": dst,
            "disposition": disposition,
            "type": type,
            "duration": 30 if disposition == "ANSWERED" else 0,
            "billsec": 25 if disposition == "ANSWERED" else 0,
            "queue_id": queue_id,
            "user_login": user_login,
        }
        self.history.append(record)
        return record

    def _place_due_calls(self) -> None:
        """Move the scheduled calls whose time has come into the history."""
        self._pending.extend(self.scheduled[self._placed :])
        self._placed = len(self.scheduled)
        now = self.now()
        waiting = []
        for call in self._pending:
            due = (
                parse_wall_clock(call.call_at, self.zone)
                if call.call_at is not None
                else None
            )
            if due is None or due <= now:
                self.add_connection(
                    call.phone_number,
                    src=f"queue-{call.queue_id}",
                    queue_id=call.queue_id,
                    at=due,
                )
            else:
                waiting.append(call)
        self._pending = waiting

    # -- the CRM and the ticket desk --------------------------------------------

    def add_customer(
        self,
        surname: str,
        *,
        name: str | None = None,
        phone_number: str | None = None,
        email: str | None = None,
        company_id: int | None = None,
        custom_fields: dict[str, Any] | None = None,
        customer_id: int | None = None,
    ) -> int:
        """Add a customer to the fake CRM (the next free id unless given); return its id."""
        if customer_id is None:
            customer_id = max(self.customers, default=272) + 1
        self.customers[customer_id] = {
            "customer_id": customer_id,
            "name": name or "",
            "surname": surname,
            "phone_number": phone_number or "",
            "phone_numbers": [phone_number] if phone_number else [],
            "email": email or "",
            "company_id": "" if company_id is None else company_id,
            "identifier": "",
            "type": "",
            "group": "",
            "company_flag": "",
            "account_manager": "",
            "updated_at": wall_clock_text(self.now()),
            "custom_fields": dict(custom_fields or {}),
        }
        return customer_id

    def add_ticket(
        self,
        subject: str,
        body: str,
        *,
        queue: str = "Support",
        sender: str = "",
        customer_id: int | None = None,
        user_login: str | None = None,
        at: datetime | None = None,
    ) -> int:
        """Add a ticket with one e-mail message to the fake desk; return its id.

        *at* (default: now on the fake's clock) is when it was created and updated.
        No webhook event is sent: the ticket was there before anyone subscribed.
        """
        ticket_id = max(self.tickets, default=1233) + 1
        when = at if at is not None else self.now()
        if when.tzinfo is not None:
            when = when.astimezone(self.zone)
        stamp = wall_clock_text(when)[:16]
        self.tickets[ticket_id] = {
            "ticket_id": ticket_id,
            "from": sender,
            "ticket_queue_name": queue,
            "subject": subject,
            "customer_id": customer_id,
            "user_login": user_login,
            "created_at": stamp,
            "updated_at": stamp,
            "messages": [
                {
                    "message_id": ticket_id * 10,
                    "type": "MAIL",
                    "body": body,
                    "created_at": stamp,
                    "attachments": [],
                }
            ],
        }
        return ticket_id

    def add_campaign(self, outbound_id: str) -> None:
        """Create outbound campaign *outbound_id* (empty) if it does not exist."""
        self.campaigns.setdefault(outbound_id, [])
        self.campaign_agents.setdefault(outbound_id, [])

    # -- webhooks ----------------------------------------------------------------

    @property
    def webhooks(self) -> list[dict[str, Any]]:
        """The webhook subscriptions made, as ``webhooks.list`` answers them."""
        return self._webhooks.subscriptions

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        """Every webhook delivery made or declined so far, in the order they ended."""
        return self._webhooks.made

    def send_event(self, action: str, **fields: Any) -> None:
        """Deliver event *action* with *fields* to its subscribers, in the background.

        For the events the fake has no state for (the chat's), and for actions
        Thulium may add: ``send_event("CHAT_CONVERSATION_CREATED", conversation_id="1")``.
        """
        self._webhooks.emit(action, fields)

    async def settle_deliveries(self) -> None:
        """Wait until every webhook delivery under way has been answered or failed."""
        await self._webhooks.settle()

    def calls_to(self, phone_number: str) -> list[ScheduledCall]:
        """Return every call scheduled to *phone_number* (more than one is a bug)."""
        return [c for c in self.scheduled if c.phone_number == phone_number]

    def requests_to(self, endpoint: str) -> list[ReceivedRequest]:
        """Return the requests received by *endpoint* (a name), faults included."""
        name = _endpoint(endpoint).name
        return [r for r in self.requests if r.endpoint == name]

    def respond(self, endpoint: str, body: Any, *, status: int = 200) -> None:
        """Answer every request to *endpoint* with *body* (sent as JSON) and *status*.

        For the endpoints without state of their own (all but the waiting list and
        schedule_call). A paged list's body is ``{"count": N, "result": [...]}``, or
        just the list: the fake pages it by the request's ``limit`` and ``offset``.
        """
        name = _endpoint(endpoint).name
        self._answers[name] = (status, body)
        self._responded.add(name)

    def cap_limit(self, endpoint: str, largest: int | None) -> None:
        """Give at most *largest* items a page of list *endpoint*, whatever is asked.

        Like a server that allows a smaller page than its documentation says: the
        client must still read every item. ``None`` lifts the cap. For the lists
        answered from what ``respond`` set or from a sample.
        """
        name = _endpoint(endpoint).name
        if largest is None:
            self._page_caps.pop(name, None)
        else:
            self._page_caps[name] = largest

    # -- faults ------------------------------------------------------------------

    def fail_next(self, endpoint: str, *faults: Fault) -> None:
        """Apply *faults* to the next requests to *endpoint*, one per request.

        *endpoint* is a declared name (``queues.topics``); the queue endpoints may
        drop their ``queues.`` (``"schedule_call"``).
        """
        self._scripted[_endpoint(endpoint).name].extend(faults)

    def set_fault_rate(
        self, rate: float, *, seed: int = 0, faults: Iterable[Fault] | None = None
    ) -> None:
        """Fail a random *rate* of all requests with one of *faults* (default: every kind).

        Seeded, so a run's sequence of draws repeats; scripted faults come first.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {rate!r}")
        self._fault_rate = rate
        self._fault_choices = tuple(faults) if faults is not None else _random_faults()
        self._rng.seed(seed)

    def limit_rate(self, per_second: int | None, *, retry_after: float = 1.0) -> None:
        """Answer 429 with ``Retry-After`` past *per_second* requests in any second.

        Like a real API's throttle: a request over the limit is refused unprocessed.
        ``None`` lifts the limit. ``throttled`` counts the 429s sent.
        """
        self._rate_limit = None if per_second is None else (per_second, retry_after)
        self._recent.clear()

    def _over_rate_limit(self, now: float) -> Fault | None:
        if self._rate_limit is None:
            return None
        per_second, retry_after = self._rate_limit
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        if len(self._recent) >= per_second:
            self.throttled += 1
            return Fault.status_response(
                429, headers={"Retry-After": f"{retry_after:g}"}, body="slow down"
            )
        self._recent.append(now)
        return None

    def _next_fault(self, endpoint: str) -> Fault | None:
        if self._scripted[endpoint]:
            return self._scripted[endpoint].popleft()
        if self._fault_rate and self._rng.random() < self._fault_rate:
            return self._rng.choice(self._fault_choices)
        return None

    # -- handlers ----------------------------------------------------------------

    def _route(
        self, endpoint: Endpoint, handler: Handler, rules: Rules | None
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        if rules is None:
            raise TypeError(f"the document has no operation for {endpoint.name}")
        served = _checked(rules, handler)

        async def route(request: web.Request) -> web.StreamResponse:
            return await self._handle(request, endpoint.name, served)

        return route

    def _answer_for(self, endpoint: Endpoint) -> Handler:
        """Return the handler of an endpoint without state: the answer set, or a default.

        The default is the vendor's example answer where the declaration carries one
        (not for a paged list, which answers an empty page), else an empty write's
        answer, or a 404 for a read.
        """
        paged = endpoint.paging is not None
        example = None
        if not paged and endpoint.example is not NO_EXAMPLE:
            example = (200, endpoint.example)

        async def answer(request: web.Request, body: bytes) -> web.StreamResponse:
            if "queue_id" in request.match_info and not self._has_queue(request):
                return _error(404, "no such queue")
            found = self._answers.get(endpoint.name, example)
            bare = endpoint.paging is not None and endpoint.paging.bare
            if found is None:
                if paged:
                    return web.json_response([] if bare else {"count": 0, "result": []})
                if endpoint.method != "GET" and (
                    endpoint.name in _UNDOCUMENTED or endpoint.returns is Any
                ):  # JSON, as the document says (of an answer no page shows)
                    return web.json_response(None)
                if endpoint.returns is None or endpoint.method != "GET":
                    return web.Response(status=200, body=b"")  # a write's usual answer
                return _error(404, f"the fake has no answer for {endpoint.name}")
            status, data = found
            if paged and status == 200:
                cap = self._page_caps.get(endpoint.name)
                page = _page(data, request.query, cap=cap)
                return web.json_response(page["result"] if bare else page)
            return web.json_response(data, status=status)

        return answer

    def _has_queue(self, request: web.Request) -> bool:
        try:
            return int(request.match_info["queue_id"]) in self.waiting
        except ValueError:
            return False

    async def _handle(
        self, request: web.Request, endpoint: str, handler: Handler
    ) -> web.StreamResponse:
        body = await request.read()
        now = self._monotonic()
        authorized = request.headers.get("Authorization") == self._expected_auth
        peer = (
            request.transport.get_extra_info("peername") if request.transport else None
        )
        self.requests.append(
            ReceivedRequest(
                method=request.method,
                path=request.path,
                body=body,
                authorized=authorized,
                peer_port=peer[1] if peer else None,
                received_at=now,
                headers={
                    name: value
                    for name, value in request.headers.items()
                    if name.lower() != "authorization"
                },
                endpoint=endpoint,
                query={key: request.query.getall(key) for key in request.query},
            )
        )
        limit = self._max_recorded
        if limit is not None and len(self.requests) > 2 * limit:
            del self.requests[:-limit]  # trimmed in chunks: cheap, and a plain list
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            if not authorized:
                return _error(401, "invalid credentials")
            fault = self._over_rate_limit(now) or self._next_fault(endpoint)
            if fault is not None and fault.kind == "cut":
                return await _cut(request, await handler(request, body), fault.after)
            if fault is not None and not fault.processed:
                if fault.kind == "delay":
                    await asyncio.sleep(fault.delay)
                else:
                    return _apply(request, fault)
            answer = await handler(request, body)
            if fault is not None and fault.processed:
                if fault.kind == "delay":
                    await asyncio.sleep(fault.delay)
                return _apply(request, fault)
            return answer
        finally:
            self.in_flight -= 1

    async def _waiting_list(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        if not self._has_queue(request):
            return _error(404, "no such queue")
        return web.json_response(self.waiting[int(request.match_info["queue_id"])])

    async def _sample(
        self, name: str, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        """Answer as an endpoint without state: what ``respond`` set, a sample, a default."""
        return await self._generic[name](request, body)

    async def _waiting_stats(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        if "queues.waiting_stats" in self._responded:
            return await self._sample("queues.waiting_stats", request, body)
        if not self._has_queue(request):
            return _error(404, "no such queue")
        callers = self.waiting[int(request.match_info["queue_id"])]
        now = self.now()
        waited = [
            (now - parse_wall_clock(c["started_at"], self.zone)).total_seconds()
            for c in callers
        ]
        average = (
            timedelta(seconds=sum(waited) / len(waited)) if waited else timedelta()
        )
        wait = format_duration(max(average, timedelta()))
        return web.json_response({"in_queue": len(callers), "approx_wait_time": wait})

    async def _agent(self, request: web.Request, body: bytes) -> web.StreamResponse:
        agent = self.agents.get(request.match_info["login"])
        if self._from_sample("agents.get", bool(self.agents)):
            return await self._sample("agents.get", request, body)
        if agent is None:
            return _error(404, "Agent not found.")
        return web.json_response({k: v for k, v in agent.items() if k != "_status"})

    async def _agent_status(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        agent = self.agents.get(request.match_info["login"])
        if self._from_sample("agents.status", bool(self.agents)):
            return await self._sample("agents.status", request, body)
        if agent is None:
            return _error(404, "Agent not found.")
        return web.json_response(agent["_status"])

    async def _agent_call(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        login = request.match_info["login"]
        if self.agents and login not in self.agents:
            return _error(404, "Agent not found.")
        data = _json_object(body) or {}
        number = data.get("phone_number")
        customer = data.get("customer_id")
        if not (isinstance(number, str) and number) and customer is None:
            return _error(422, "phone_number is required without customer_id")
        dst = number if isinstance(number, str) and number else f"customer-{customer}"
        self.add_connection(dst, src=login, user_login=login)
        return web.Response(status=200, body=b"")

    async def _connections_call(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        data = _json_object(body)
        if not data or not data.get("sip") or not data.get("phone_number"):
            return _error(422, "sip and phone_number are required")
        self.add_connection(str(data["phone_number"]), src=str(data["sip"]))
        return web.Response(status=200, body=b"")

    async def _history(self, request: web.Request, body: bytes) -> web.StreamResponse:
        self._place_due_calls()
        if self._from_sample("connections.list", bool(self.history)):
            return await self._sample("connections.list", request, body)
        query = request.query
        rows = [row for row in self.history if _matches(row, query, self.zone)]
        return web.json_response(_page(rows, query))

    def _from_sample(self, name: str, has_state: bool) -> bool:
        """Whether *name* answers without its state: the one rule, for every handler.

        What ``respond`` set always wins. Otherwise a read answers from its sample
        (the *samples* folder's, else the vendor's example the declaration carries)
        while the state it reads holds nothing (*has_state* false); once it holds
        something, the state answers, and a record it does not hold is a 404.
        """
        has_sample = name in self._answers or _BY_NAME[name].example is not NO_EXAMPLE
        return name in self._responded or (not has_state and has_sample)

    def _stateless(self, name: str) -> bool:
        """Whether write *name* answers what ``respond`` set: a write acts on state."""
        return self._from_sample(name, has_state=True)

    async def _customers(self, request: web.Request, body: bytes) -> web.StreamResponse:
        if self._from_sample("customers.list", bool(self.customers)):
            return await self._sample("customers.list", request, body)
        query = request.query
        rows = [
            c
            for c in self.customers.values()
            if (
                "phone_number" not in query
                or query["phone_number"] in c["phone_numbers"]
                or (query["phone_number"] == "" and not c["phone_numbers"])
            )
            and ("email" not in query or query["email"] == c["email"])
            and (
                "company_id" not in query or query["company_id"] == str(c["company_id"])
            )
        ]
        return web.json_response(_page(rows, query))

    async def _customer(self, request: web.Request, body: bytes) -> web.StreamResponse:
        found = self.customers.get(_int(request.match_info["customer_id"]))
        if self._from_sample("customers.get", bool(self.customers)):
            return await self._sample("customers.get", request, body)
        if found is None:
            return _error(404, "Customer not found.")
        return web.json_response(found)

    async def _new_customer(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        if self._stateless("customers.create"):
            return await self._sample("customers.create", request, body)
        data = _json_object(body) or {}
        surname = data.get("surname")
        if not isinstance(surname, str) or not surname:
            return _error(422, "Surname is required.")
        number = data.get("phone_number")
        if number is not None and not (
            isinstance(number, str) and number.lstrip("+").isdigit()
        ):
            return _error(422, "Wrong format of phone number.", code=111111)
        customer_id = self.add_customer(
            surname,
            name=data.get("name"),
            phone_number=number,
            email=data.get("email"),
            company_id=data.get("company_id"),
            custom_fields=data.get("custom_fields"),
        )
        company = self.customers[customer_id]["company_id"]
        self.send_event(
            "CUSTOMER_CREATED",
            date=wall_clock_text(self.now()),
            customer_id=customer_id,
            company_id=company if company != "" else None,
            name=data.get("name") or "",
            surname=surname,
        )
        return web.json_response({"customer_id": customer_id}, status=201)

    async def _delete_customer(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        if self._stateless("customers.delete"):
            return await self._sample("customers.delete", request, body)
        if self.customers.pop(_int(request.match_info["customer_id"]), None) is None:
            return _error(404, "Customer not found.")
        return web.Response(status=204)

    async def _delete_customers(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        if self._stateless("customers.delete_many"):
            return await self._sample("customers.delete_many", request, body)
        answer: dict[str, Any] = {}
        for text in request.query.getall("customer_id[]", []):
            if self.customers.pop(_int(text), None) is not None:
                answer[text] = {"http_status": 204}
            else:
                answer[text] = {"http_status": 404, "message": "Customer not found."}
        return web.json_response(answer)

    async def _tickets(self, request: web.Request, body: bytes) -> web.StreamResponse:
        if self._from_sample("tickets.list", bool(self.tickets)):
            return await self._sample("tickets.list", request, body)
        query = request.query
        rows = sorted(
            (t for t in self.tickets.values() if _ticket_matches(t, query)),
            key=lambda t: t["updated_at"],
            reverse=True,
        )
        return web.json_response(_page(rows, query))

    async def _ticket(self, request: web.Request, body: bytes) -> web.StreamResponse:
        found = self.tickets.get(_int(request.match_info["ticket_id"]))
        if self._from_sample("tickets.get", bool(self.tickets)):
            return await self._sample("tickets.get", request, body)
        if found is None:
            return _error(404, "Ticket not found.")
        return web.json_response(found)

    async def _new_ticket(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        if self._stateless("tickets.create"):
            return await self._sample("tickets.create", request, body)
        data = _json_object(body) or {}
        missing = [k for k in ("to", "subject", "body") if not data.get(k)]
        if missing:
            return _error(422, f"Missing: {', '.join(missing)}.")
        ticket_id = max(self.tickets, default=1233) + 1
        now = wall_clock_text(self.now())[:16]
        self.tickets[ticket_id] = {
            "ticket_id": ticket_id,
            "from": data.get("from") or "",
            "ticket_queue_name": data["to"],
            "subject": data["subject"],
            "customer_id": data.get("customer_id"),
            "user_login": data.get("user_login"),
            "created_at": now,
            "updated_at": now,
            "messages": [
                {
                    "message_id": ticket_id * 10,
                    "type": "MAIL",
                    "body": data["body"],
                    "created_at": now,
                    "attachments": [],
                }
            ],
        }
        self.send_event(
            "TICKET_CREATED",
            ticket_id=ticket_id,
            customer_id=data.get("customer_id"),
            date=f"{now}:00",
        )
        return web.json_response({"ticket_id": ticket_id})

    async def _reply(self, request: web.Request, body: bytes) -> web.StreamResponse:
        if self._from_sample("tickets.reply", bool(self.tickets)):
            return await self._sample("tickets.reply", request, body)
        ticket = self.tickets.get(_int(request.match_info["ticket_id"]))
        if ticket is None:
            return _error(404, "Ticket not found.")
        data = _json_object(body) or {}
        if not data.get("body") or not data.get("user_login"):
            return _error(422, "body and user_login are required.")
        now = wall_clock_text(self.now())[:16]
        ticket["messages"].append(
            {
                "message_id": ticket["ticket_id"] * 10 + len(ticket["messages"]),
                "type": "REPLY",
                "user_login": data["user_login"],
                "body": data["body"],
                "created_at": now,
                "attachments": [],
            }
        )
        ticket["updated_at"] = now
        self.send_event(
            "TICKET_MESSAGE_RECEIVED",
            ticket_id=ticket["ticket_id"],
            customer_id=ticket["customer_id"],
            message_id=ticket["messages"][-1]["message_id"],
            date=f"{now}:00",
        )
        return web.json_response([])

    async def _update_ticket(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        """``PUT tickets/:id``: the fields sent (not null) replace the ticket's."""
        # No sample (the page's answer is empty): without tickets, the empty answer.
        if not self.tickets or "tickets.update" in self._responded:
            return await self._sample("tickets.update", request, body)
        ticket = self.tickets.get(_int(request.match_info["ticket_id"]))
        if ticket is None:
            return _error(404, "Ticket not found.")
        data = _json_object(body) or {}
        for name, value in data.items():
            if value is not None:
                ticket[name] = value
        ticket["updated_at"] = wall_clock_text(self.now())[:16]
        return web.Response(status=200, body=b"")

    async def _add_record(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        if self._stateless("outbounds.add_record"):
            return await self._sample("outbounds.add_record", request, body)
        records = self.campaigns.get(request.match_info["outbound_id"])
        if records is None:
            return _error(404, "Outbound not found.")
        data = _json_object(body) or {}
        number = data.get("phone_number")
        if not isinstance(number, str) or not number:
            return _error(422, "phone_number is required.")
        unknown = sorted(set(data) - _RECORD_FIELDS)
        if unknown:
            return _error(422, f"Unknown fields: {', '.join(unknown)}.")
        if number in self._numbers_in(request.match_info["outbound_id"]):
            # The fake's own wording: no vendor page shows the real refusal's body.
            return _error(422, "Phone number already exists in this outbound.")
        record = {
            "record_id": sum(map(len, self.campaigns.values())) + 1,
            **{name: data.get(name) for name in sorted(_RECORD_FIELDS)},
            "create_date": wall_clock_text(self.now())[:16],
        }
        records.append(record)
        # The vendor's example answer: the new record's id, as text.
        return web.json_response({"record_id": str(record["record_id"])})

    async def _add_records(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        """``POST batch/outbounds/:id/records``: each record added unless its number is in.

        Answers in the shape of the DELETE batch page: each number to a list of
        ``{http_status, record_id, status}`` (``ADDED``, ``ALREADY_EXISTS``,
        ``FAILED`` with a ``message``).
        """
        if self._stateless("outbounds.add_records"):
            return await self._sample("outbounds.add_records", request, body)
        outbound_id = request.match_info["outbound_id"]
        records = self.campaigns.get(outbound_id)
        if records is None:
            return _error(404, "Outbound not found.")
        data = _json_object(body) or {}
        answer: dict[str, list[dict[str, Any]]] = {}
        for given in data.get("records") or []:
            record = given if isinstance(given, dict) else {}
            number = record.get("phone_number")
            key = str(number)
            unknown = sorted(set(record) - _RECORD_FIELDS)
            if not isinstance(number, str) or not number or unknown:
                why = (
                    f"Unknown fields: {', '.join(unknown)}."
                    if unknown
                    else ("phone_number is required.")
                )
                line = {"http_status": 400, "status": "FAILED", "message": why}
            elif number in self._numbers_in(outbound_id):
                held = next(r for r in records if str(r.get("phone_number")) == number)
                line = {"http_status": 409, "status": "ALREADY_EXISTS"}
                if held.get("record_id") is not None:
                    line["record_id"] = held["record_id"]
            else:
                added = {
                    "record_id": sum(map(len, self.campaigns.values()))
                    + len(self.removed_records)
                    + 1,
                    **{name: record.get(name) for name in sorted(_RECORD_FIELDS)},
                    "create_date": wall_clock_text(self.now())[:16],
                }
                records.append(added)
                line = {
                    "http_status": 201,
                    "record_id": added["record_id"],
                    "status": "ADDED",
                }
            answer.setdefault(key, []).append(line)
        return web.json_response(answer)

    async def _remove_records(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        """``DELETE batch/outbounds/:id/records``: every record of each number goes.

        But those in a call (``numbers_in_call``); the DELETE page's answer.
        """
        if self._stateless("outbounds.remove_records"):
            return await self._sample("outbounds.remove_records", request, body)
        outbound_id = request.match_info["outbound_id"]
        records = self.campaigns.get(outbound_id)
        if records is None:
            return _error(404, "Outbound not found.")
        answer: dict[str, list[dict[str, Any]]] = {}
        for number in request.query.getall("phone_number[]", []):
            if number in answer:
                continue
            held = [r for r in records if str(r.get("phone_number")) == number]
            if not held:
                answer[number] = [{"http_status": 404, "status": "NOT_EXIST"}]
                continue
            lines = []
            for record in held:
                line = {"http_status": 409, "status": "CALL_IN_PROGRESS"}
                if number not in self.numbers_in_call:
                    records.remove(record)
                    self.removed_records.append({"outbound_id": outbound_id, **record})
                    line = {"http_status": 200, "status": "REMOVED"}
                if record.get("record_id") is not None:
                    line["record_id"] = record["record_id"]
                lines.append(line)
            answer[number] = lines
        self._campaign_numbers.pop(outbound_id, None)
        return web.json_response(answer)

    def _numbers_in(self, outbound_id: str) -> set[str]:
        """The numbers campaign *outbound_id* holds, caught up with ``campaigns``."""
        records = self.campaigns[outbound_id]
        numbers, counted = self._campaign_numbers.get(outbound_id, (set(), 0))
        if counted > len(records):  # records were taken out: count again
            numbers, counted = set(), 0
        numbers.update(str(r.get("phone_number")) for r in records[counted:])
        self._campaign_numbers[outbound_id] = (numbers, len(records))
        return numbers

    async def _campaign_stats(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        if self._from_sample("outbounds.stats", any(self.campaigns.values())):
            return await self._sample("outbounds.stats", request, body)
        stats = [
            {"id": oid, "records_count": len(records), "completion_percent": 0}
            for oid, records in sorted(self.campaigns.items())
        ]
        return web.json_response(stats)

    async def _campaign_agents(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        logins = self.campaign_agents.get(request.match_info["outbound_id"])
        if self._from_sample("outbounds.agents", any(self.campaign_agents.values())):
            return await self._sample("outbounds.agents", request, body)
        if logins is None:
            return _error(404, "Outbound not found.")
        return web.json_response(
            [
                {
                    "login": login,
                    "agent_id": self.agents.get(login, {}).get("agent_id"),
                    "number": self.agents.get(login, {}).get("number"),
                    "active": True,
                    "active_in_outbound": True,
                }
                for login in logins
            ]
        )

    async def _add_campaign_agents(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        if self._stateless("outbounds.add_agents"):
            return await self._sample("outbounds.add_agents", request, body)
        logins = self.campaign_agents.get(request.match_info["outbound_id"])
        if logins is None:
            return _error(404, "Outbound not found.")
        given = (_json_object(body) or {}).get("logins")
        if not isinstance(given, list) or not given:
            return _error(422, "logins are required.")
        unknown = [x for x in given if self.agents and x not in self.agents]
        if unknown:
            return _error(422, f"Agent not found: {', '.join(map(str, unknown))}.")
        logins.extend(str(x) for x in given if x not in logins)  # once each
        return web.Response(status=200, body=b"")

    async def _status_by_phone(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        name = "outbounds.status_by_phone_number"
        if self._from_sample(name, any(self.campaigns.values())):
            return await self._sample(name, request, body)
        data = _json_object(body) or {}
        number, status = data.get("phone_number"), data.get("status_id")
        if not isinstance(number, str) or not number or status is None:
            return _error(422, "status_id and phone_number are required.")
        touched = []
        for outbound_id, records in sorted(self.campaigns.items()):
            hit = [r for r in records if r.get("phone_number") == number]
            for record in hit:
                record["status_id"] = status
            if hit:
                touched.append(outbound_id)
        return web.json_response({"outbound_id": touched})

    async def _subscribe(self, request: web.Request, body: bytes) -> web.StreamResponse:
        if self._stateless("webhooks.create"):
            return await self._sample("webhooks.create", request, body)
        data = _json_object(body) or {}
        actions, url = data.get("actions"), data.get("subscription_url")
        if not isinstance(actions, list) or not actions or not isinstance(url, str):
            return _error(422, "actions and subscription_url are required.")
        subscription = self._webhooks.subscribe(
            [str(a) for a in actions],
            url,
            data.get("http_auth_user"),
            data.get("http_auth_password"),
        )
        return web.json_response(subscription, status=201)

    async def _subscriptions(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        if self._from_sample("webhooks.list", bool(self.webhooks)):
            return await self._sample("webhooks.list", request, body)
        return web.json_response(self.webhooks)

    # -- files -------------------------------------------------------------------

    def add_recording(
        self,
        *,
        at: datetime | None = None,
        src: str = "500333222",
        dst: str = "100",
        size: int = 4096,
        type: str = "INBOUND",
    ) -> dict[str, Any]:
        """Add a recorded call (default: now) of *size* bytes; return its record.

        ``recordings.list`` answers these (filtered by ``date_from``/``date_to`` on
        ``created_at``, and ``src``, ``dst``, ``connection_id``), and
        ``recordings/download`` and ``recordings/stream`` answer each one's bytes
        (``recording_bytes``), given its ``filename`` as the query parameter.
        """
        when = at if at is not None else self.now()
        if when.tzinfo is not None:
            when = when.astimezone(self.zone)
        number = len(self.recordings) + 1
        connection_id = f"{int(when.timestamp())}.{number}"
        filename = f"{when:%Y/%m/%d}/{connection_id}.mp3"
        record = {
            "date": wall_clock_text(when)[:16],
            "created_at": wall_clock_text(when)[:16],
            "src": src,
            "dst": dst,
            "disposition": "ANSWERED",
            "duration": 30,
            "billsec": 25,
            "filename": filename,
            "user": "Jan Kowalski",
            "connection_id": connection_id,
            "type": type,
        }
        self.recordings.append(record)
        self._recording_sizes[filename] = size
        return record

    def recording_bytes(self, filename: str) -> bytes:
        """Return the bytes the fake serves for recording *filename*: the same each time."""
        size = self._recording_sizes[filename]
        seed = hashlib.sha256(filename.encode()).digest()
        return (seed * (size // len(seed) + 1))[:size]

    async def _recordings(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        if self._from_sample("recordings.list", bool(self.recordings)):
            return await self._sample("recordings.list", request, body)
        query = request.query
        rows = [
            row
            for row in self.recordings
            if _matches({**row, "date": row["created_at"]}, query, self.zone)
        ]
        return web.json_response(_page(rows, query))

    async def _recording_file(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        filename = request.query.get("filename", "")
        if filename not in self._recording_sizes:
            return _error(404, f"no recording {filename!r}")
        return web.Response(
            body=self.recording_bytes(filename), content_type="audio/mpeg"
        )

    async def _upload(self, request: web.Request, body: bytes) -> web.StreamResponse:
        filename = request.query.get("filename", "")
        if not filename.strip():
            return _error(400, "Missing query parameter: filename.", code=1)
        token = secrets.token_hex(12)
        self.temporary_files[token] = {"filename": filename, "data": body}
        return web.json_response(
            {"filename": filename, "token": token, "size": len(body)}
        )

    async def _last_screenshot(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        if self.agents and request.match_info["login"] not in self.agents:
            return _error(404, "no such agent")
        return web.Response(body=SCREENSHOT_JPEG, content_type="image/jpeg")

    async def _schedule(self, request: web.Request, body: bytes) -> web.StreamResponse:
        if not self._has_queue(request):
            return _error(404, "no such queue")
        queue_id = int(request.match_info["queue_id"])
        problem, call = _parse_schedule(queue_id, body, self.zone)
        if call is None:  # the document allows it (a 30 February): the server does not
            return _error(422, problem)
        self.scheduled.append(call)
        return web.Response(status=200, body=b"")


_RECORD_FIELDS = frozenset(
    {
        "phone_number",
        "status_id",
        "dictionary_status_id",
        "identifier",
        "agent_login",
        "next_call_date",
        "record_fields",
        "order",
    }
)


def _int(text: str) -> int:
    """A path or query id as an int (0, which no record has, when it is not one)."""
    return int(text) if text.isdigit() else 0


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _matches(row: dict[str, Any], query: Any, zone: tzinfo) -> bool:
    """Whether history *row* passes the ``connections`` filters in *query*."""
    for name in ("src", "dst", "user_login", "connection_id", "type"):
        if name in query and str(row.get(name)) != query[name]:
            return False
    if "queue_id" in query and str(row.get("queue_id")) != query["queue_id"]:
        return False
    date = str(row["date"])
    if "date_from" in query and date < _bound(query["date_from"], "00:00"):
        return False
    return not ("date_to" in query and date > _bound(query["date_to"], "23:59"))


def _bound(text: str, day_end: str) -> str:
    """A date filter as ``YYYY-MM-DD HH:MM`` text; a date alone covers its whole day."""
    return f"{text} {day_end}" if len(text) == 10 else text[:16]


def _ticket_matches(ticket: dict[str, Any], query: Any) -> bool:
    """Whether *ticket* passes the list's filters, as Thulium applies them.

    Times compare as the wall-clock text they are (``2026-12-01`` is the start of
    that day for ``date_from``, its whole for ``date_to``); ``status_id[]`` is any of.
    """
    for name, field in (
        ("date_from", "updated_at"),
        ("create_date_from", "created_at"),
    ):
        since = query.get(name)
        if since and str(ticket.get(field) or "") < since:
            return False
    for name, field in (("date_to", "updated_at"), ("create_date_to", "created_at")):
        until = query.get(name)
        if until and str(ticket.get(field) or "")[: len(until)] > until:
            return False
    statuses = query.getall("status_id[]", [])
    if statuses and str(ticket.get("status_id")) not in statuses:
        return False
    for name in ("ticket_queue_id", "customer_id", "company_id", "user_login"):
        wanted = query.get(name)
        if wanted is not None and str(ticket.get(name)) != wanted:
            return False
    return True


def _load_samples(folder: str | PathLike[str] | None) -> dict[str, tuple[int, Any]]:
    """Read the first ``*.json`` of each ``<folder>/<endpoint name>/``."""
    if folder is None:
        return {}
    answers = {}
    for name in _BY_NAME:
        files = sorted((Path(folder) / name).glob("*.json"))
        if files:
            answers[name] = (200, json.loads(files[0].read_bytes()))
    return answers


def _page(data: Any, query: Any, *, cap: int | None = None) -> dict[str, Any]:
    """Return the page of *data* (a list, or a ``{"count", "result"}``) the query asks.

    *cap*: the largest page given, whatever ``limit`` asks (``cap_limit``).
    """
    items = data.get("result", []) if isinstance(data, dict) else list(data)
    try:
        limit = int(query.get("limit", 100))
        offset = int(query.get("offset", 0))
    except ValueError:
        limit, offset = 100, 0
    if cap is not None:
        limit = min(limit, cap)
    return {"count": len(items), "result": items[offset : offset + limit]}


def _parse_schedule(
    queue_id: int, body: bytes, zone: tzinfo
) -> tuple[str, ScheduledCall | None]:
    try:
        data = json.loads(body)
    except ValueError:
        return "body is not JSON", None
    if not isinstance(data, dict):
        return "body must be a JSON object", None
    number = data.get("phone_number")
    if not isinstance(number, str) or not number:
        return "phone_number is required", None
    call_at = data.get("call_at")
    if call_at is not None and not _is_wall_clock(call_at, zone):
        return "call_at must be 'YYYY-MM-DD HH:MM:SS'", None
    return "", ScheduledCall(queue_id=queue_id, phone_number=number, call_at=call_at)


def _is_wall_clock(value: object, zone: tzinfo) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_wall_clock(value, zone)
    except ValueError:
        return False
    return True


def _error(status: int, message: str, *, code: int | None = None) -> web.Response:
    """Answer with the error body Thulium documents for the whole API."""
    error: dict[str, Any] = {"message": message}
    if code is not None:
        error["code"] = code
    body = {"request_id": secrets.token_hex(7), "errors": [error]}
    return web.json_response(body, status=status)


def _checked(rules: Rules, handler: Handler) -> Handler:
    """*handler*, behind the check of each request against the document's *rules*."""
    _, components = _rules()

    async def checked(request: web.Request, body: bytes) -> web.StreamResponse:
        problems = check(rules, request.match_info, request.query, body, components)
        if problems:
            return _refusal(problems)
        return await handler(request, body)

    return checked


def _refusal(problems: list[Problem]) -> web.Response:
    """Answer 400 with one entry of Thulium's error body per problem with a request."""
    errors = [{"message": message, "code": code} for code, message in problems]
    body = {"request_id": secrets.token_hex(7), "errors": errors}
    return web.json_response(body, status=400)


async def _cut(
    request: web.Request, answer: web.StreamResponse, after: int
) -> web.StreamResponse:
    """Send the first *after* bytes of *answer* (announcing all of it), then close."""
    data = answer.body if isinstance(answer, web.Response) else b""
    whole = data if isinstance(data, bytes) else b""
    cut = web.StreamResponse(status=answer.status)
    cut.content_type = answer.content_type
    cut.content_length = len(whole)
    await cut.prepare(request)
    await cut.write(whole[:after])
    if request.transport is not None:
        request.transport.close()  # what was written is flushed first
    raise asyncio.CancelledError  # as for a drop: aiohttp ends the handler quietly


def _apply(request: web.Request, fault: Fault) -> web.StreamResponse:
    if fault.kind == "drop":
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError  # aiohttp ends the handler quietly on a lost peer
    if fault.thulium_error:
        answer = _error(fault.status, HTTPStatus(fault.status).phrase)
        answer.headers.update(fault.headers)
        return answer
    return web.Response(
        status=fault.status,
        headers=fault.headers,
        body=fault.body.encode(),
        content_type=None if "Content-Type" in fault.headers else "text/plain",
    )
