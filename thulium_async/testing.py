"""A fake Thulium server for your tests and for the demo: real HTTP on 127.0.0.1.

``FakeThulium`` serves every endpoint the SDK declares, at the SDK's own path templates,
and the endpoints the vendor lists without documenting (which accept what they are
given). A request to a documented endpoint is checked against the OpenAPI document the
SDK emits (``python -m thulium_async openapi``): an unknown query parameter or body
field, a missing required one, or a value of the wrong type or shape is answered 400 in
Thulium's error body, one entry per problem, so a test catches a misspelt parameter
(``_fake_requests`` says why the document, not the declarations, is read).

The workflows that need a memory keep state (``_fake_state``): the queues (callers
waiting, calls scheduled), agents and their calls, recordings, customers, tickets,
outbound campaigns, webhook subscriptions. Whether an endpoint answers from that state
or from its sample follows one rule (``_fake_answers``): what a test set with
:meth:`FakeThulium.respond` wins; an endpoint without state answers its sample (the
*samples* folder's, or the vendor's example); one that reads a part of the state
answers the sample while that part is empty, and the state once it is not (an unknown
record is then a 404); one that acts on the state always acts on it. The fake records
what it receives, and fails on request on every route in every way the real network
can, including the ambiguous ways (processed, then the answer is lost).

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
import random
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta, tzinfo
from http import HTTPStatus
from os import PathLike
from typing import Any

import attrs
from aiohttp import web

from . import _fake_calls, _fake_campaigns, _fake_chats, _fake_crm
from ._api.endpoints import IDEMPOTENT_METHODS, Endpoint
from ._api.openapi import openapi_document
from ._api.undocumented import UNDOCUMENTED, Undocumented
from ._areas import ENDPOINTS
from ._core.clock import VirtualClock
from ._core.wallclock import resolve_timezone, wall_clock_text
from ._fake_answers import Samples, Stateful, error, from_state
from ._fake_calls import SCREENSHOT_JPEG as SCREENSHOT_JPEG
from ._fake_requests import Problem, Rules, check, rules_of
from ._fake_state import (
    Agent,
    Caller,
    CampaignRecord,
    Connection,
    Conversation,
    Customer,
    FakeState,
    Queues,
    Recording,
    RecordList,
    Records,
    RemovedRecord,
    ScheduledCall,
    Subscription,
    Ticket,
    Upload,
    WallClock,
)
from ._fake_webhooks import Deliveries, WebhookDelivery
from ._http.wire import basic_auth_header

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


# The endpoints with state, by name: each one's handler, and the part of the state it
# reads. Every other endpoint answers its sample (``_fake_answers``).
_STATEFUL: Mapping[str, Stateful] = {
    **_fake_calls.ROUTES,
    **_fake_crm.ROUTES,
    **_fake_campaigns.ROUTES,
    **_fake_chats.ROUTES,
}


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
        requests: the requests it received, faults included (ReceivedRequest).
        in_flight: requests being handled right now; peak_in_flight: the most at once.
        throttled: 429s sent by ``limit_rate``.

    Its state (``scheduled``, ``waiting``, ``agents``, ``history``, ``customers``,
    ``tickets``, ``campaigns`` and the others below) holds typed records, each of
    which also reads as the JSON the API answers for it
    (``fake.customers[273]["surname"]``).

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
        self.requests: list[ReceivedRequest] = []
        self._max_recorded = max_recorded_requests
        self.in_flight = 0
        self.peak_in_flight = 0
        self._expected_auth = basic_auth_header(username, self.password)
        self._scripted: dict[str, deque[Fault]] = {e: deque() for e in _BY_NAME}
        self._samples = Samples(samples, _BY_NAME)
        self._fault_rate = 0.0
        self._fault_choices: tuple[Fault, ...] = ()
        self._rate_limit: tuple[int, float] | None = None
        self._recent: deque[float] = deque()
        self.throttled = 0
        self._state = FakeState(
            clock=WallClock(self.zone), queues=Queues({q: [] for q in queues})
        )
        for outbound_id in campaigns:
            self._state.campaigns.add(outbound_id)
        self._webhooks = Deliveries(self._state.webhooks)
        self._state.announce = self._webhooks.emit
        self._rng = random.Random()  # noqa: S311 -- fault injection, not security
        self._port = port
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        """Start listening on 127.0.0.1."""
        app = web.Application()
        # The routes come from the SDK's own endpoint declarations (their path
        # templates are aiohttp's route syntax too), so the fake cannot drift from them.
        rules, _ = _rules()
        for declared in _ROUTES:
            route = self._route(
                declared,
                self._answering(declared),
                rules.get((declared.method, f"/{declared.path}")),
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

    @property
    def scheduled(self) -> list[ScheduledCall]:
        """Every call it accepted, in order (the truth for "nobody called twice")."""
        return self._state.queues.scheduled

    @property
    def waiting(self) -> dict[int, list[Caller]]:
        """The callers of each queue, newest first, as ``waiting_list`` answers them.

        ``queues.waiting_stats`` answers from it: how many, and their average wait
        so far as the expected wait. A test may put any JSON here instead, to see
        the client meet it.
        """
        return self._state.queues.waiting

    @property
    def agents(self) -> Records[str, Agent]:
        """Each agent's account and ``status``, by login (``add_agent``)."""
        return self._state.agents

    @property
    def history(self) -> RecordList[Connection]:
        """The call history ``connections.list`` answers, oldest first.

        Calls it was asked to make (``agents.call``, ``connections.call``) at once,
        and each scheduled call once its time has come on the fake's clock (see
        ``advance``). Add your own with ``add_connection``.
        """
        return self._state.history

    @property
    def recordings(self) -> RecordList[Recording]:
        """The recorded calls ``recordings.list`` answers (``add_recording``)."""
        return self._state.recordings

    @property
    def temporary_files(self) -> Records[str, Upload]:
        """The files uploaded, by token, each with its ``filename`` and ``data``."""
        return self._state.uploads

    @property
    def customers(self) -> Records[int, Customer]:
        """The CRM's customers by id (``add_customer``, ``customers.create``).

        ``customers.delete`` and ``delete_many`` remove them.
        """
        return self._state.customers

    @property
    def tickets(self) -> Records[int, Ticket]:
        """The desk's tickets by id, each with its ``messages``.

        ``tickets.create`` and ``add_ticket`` add them; ``tickets.reply`` appends a
        ``REPLY``; ``tickets.update`` changes the fields it is sent.
        """
        return self._state.tickets

    @property
    def campaigns(self) -> dict[str, RecordList[CampaignRecord]]:
        """Each outbound campaign's records, in the order added.

        ``outbounds.add_record`` refuses a number already in the campaign with a 422,
        ``outbounds.add_records`` answers it ``ALREADY_EXISTS``: the truth for "nobody
        added twice". A test may append a record as a plain mapping. ``outbounds.stats``
        answers from it (or from a sample, until a record is in);
        ``status_by_phone_number`` sets ``status_id`` on its records.
        """
        return self._state.campaigns.records

    @property
    def campaign_agents(self) -> dict[str, list[str]]:
        """Each campaign's agents' logins, as ``outbounds.agents`` answers them.

        ``outbounds.add_agents`` adds them (of the fake's own agents, when it has any).
        """
        return self._state.campaigns.agents

    @property
    def removed_records(self) -> list[RemovedRecord]:
        """Every record ``outbounds.remove_records`` took out, with its ``outbound_id``.

        In order: the truth for "nothing removed twice".
        """
        return self._state.campaigns.removed

    @property
    def numbers_in_call(self) -> set[str]:
        """Numbers whose campaign records are in a call, which a removal leaves.

        ``outbounds.remove_records`` answers them ``CALL_IN_PROGRESS``.
        """
        return self._state.campaigns.in_call

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
        caller = Caller(
            phone_number=phone_number,
            started_at=started_at,
            customer_id=customer_id,
            customer_label=customer_label,
        )
        self._state.add_caller(queue_id, caller)

    def remove_caller(self, queue_id: int, phone_number: str) -> None:
        """Take every caller with *phone_number* out of queue *queue_id*."""
        self.waiting[queue_id] = [
            c for c in self.waiting[queue_id] if c["phone_number"] != phone_number
        ]

    # -- agents and the call history ---------------------------------------------

    def now(self) -> datetime:
        """The fake system's clock: the real time plus whatever ``advance`` added."""
        return self._state.clock.now()

    def advance(self, by: timedelta | float) -> None:
        """Move the fake's clock on by *by* (seconds, or a timedelta).

        Scheduled calls whose ``call_at`` has then come appear in ``history``, as the
        real system's calls appear once made.
        """
        self._state.clock.offset += (
            by if isinstance(by, timedelta) else timedelta(seconds=by)
        )

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
        self._state.add_agent(login, name=name, surname=surname, number=number)
        self.set_agent_status(login, status, pause_id=pause_id)

    def set_agent_status(
        self, login: str, status: str, *, pause_id: int | None = None
    ) -> None:
        """Set what agent *login* is doing, from now on the fake's clock."""
        self._state.set_status(login, status, pause_id)

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
    ) -> Connection:
        """Add a call to the history (default: an outbound call now); return it."""
        return self._state.add_connection(
            dst,
            src=src,
            type=type,
            queue_id=queue_id,
            at=at,
            disposition=disposition,
            user_login=user_login,
        )

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
        return self._state.add_customer(
            surname,
            name=name,
            phone_number=phone_number,
            email=email,
            company_id=company_id,
            custom_fields=custom_fields,
            customer_id=customer_id,
        ).customer_id

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
        return self._state.add_ticket(
            subject=subject,
            body=body,
            queue=queue,
            sender=sender,
            customer_id=customer_id,
            user_login=user_login,
            at=at,
        ).ticket_id

    def add_campaign(self, outbound_id: str) -> None:
        """Create outbound campaign *outbound_id* (empty) if it does not exist."""
        self._state.campaigns.add(outbound_id)

    @property
    def chats(self) -> Records[str, Conversation]:
        """The chat conversations ``chats.start`` began, by id.

        Each ``status`` is ``OPEN``, or ``CLOSED`` once ``chats.stop`` ended it.
        """
        return self._state.chats

    # -- webhooks ----------------------------------------------------------------

    @property
    def webhooks(self) -> RecordList[Subscription]:
        """The webhook subscriptions made, as ``webhooks.list`` answers them."""
        return self._state.webhooks

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

        It wins over the fake's state, which the endpoint then leaves alone. A paged
        list's body is ``{"count": N, "result": [...]}``, or just the list: the fake
        pages it by the request's ``limit`` and ``offset``.

        .. versionchanged:: 0.2.0
           The queue, call and file endpoints answer it too: one rule for all.
        """
        self._samples.respond(_endpoint(endpoint).name, status, body)

    def cap_limit(self, endpoint: str, largest: int | None) -> None:
        """Give at most *largest* items a page of list *endpoint*, whatever is asked.

        Like a server that allows a smaller page than its documentation says: the
        client must still read every item. ``None`` lifts the cap. For the lists
        answered from what ``respond`` set or from a sample.
        """
        self._samples.cap(_endpoint(endpoint).name, largest)

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

    def _answering(self, endpoint: Endpoint) -> Handler:
        """Return *endpoint*'s handler: its state's answer or its sample's, by the rule.

        A path naming a queue the fake does not have is a 404 first.
        """
        stateful = _STATEFUL.get(endpoint.name)
        state = self._state

        async def answer(request: web.Request, body: bytes) -> web.StreamResponse:
            queue_id = request.match_info.get("queue_id")
            if queue_id is not None and not state.queues.has(queue_id):
                return error(404, "no such queue")
            responded = endpoint.name in self._samples.responded
            handler = from_state(stateful, responded=responded, state=state)
            if handler is None:
                return self._samples.answer(endpoint, request.query)
            return handler(state, request, body)

        return answer

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
                return error(401, "invalid credentials")
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

    # -- files -------------------------------------------------------------------

    def add_recording(
        self,
        *,
        at: datetime | None = None,
        src: str = "500333222",
        dst: str = "100",
        size: int = 4096,
        type: str = "INBOUND",
    ) -> Recording:
        """Add a recorded call (default: now) of *size* bytes; return its record.

        ``recordings.list`` answers these (filtered by ``date_from``/``date_to`` on
        ``created_at``, and ``src``, ``dst``, ``connection_id``), and
        ``recordings/download`` and ``recordings/stream`` answer each one's bytes
        (``recording_bytes``), given its ``filename`` as the query parameter.
        """
        return self._state.add_recording(at=at, src=src, dst=dst, size=size, type=type)

    def recording_bytes(self, filename: str) -> bytes:
        """Return the bytes the fake serves for recording *filename*: the same each time."""
        return self._state.recording_files[filename].content()


def _checked(rules: Rules, handler: Handler) -> Handler:
    """*handler*, behind the check of each request against the document's *rules*."""
    _, components = _rules()

    async def checked(request: web.Request, body: bytes) -> web.StreamResponse:
        problems = check(
            rules,
            request.match_info,
            request.query,
            body,
            components,
            request.headers.get("Content-Type"),
        )
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
        answer = error(fault.status, HTTPStatus(fault.status).phrase)
        answer.headers.update(fault.headers)
        return answer
    return web.Response(
        status=fault.status,
        headers=fault.headers,
        body=fault.body.encode(),
        content_type=None if "Content-Type" in fault.headers else "text/plain",
    )
