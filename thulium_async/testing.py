"""A fake Thulium server for your tests and for the demo: real HTTP on 127.0.0.1.

``FakeThulium`` speaks ``GET queues/:id/waiting_list`` and ``POST queues/:id/schedule_call``
as the vendor documents them, records what it receives, and fails on request in every way
the real network can, including the ambiguous ways (processed, then the answer is lost).

Example::

    async with FakeThulium() as fake:
        fake.add_caller(2, "500333222", customer_label="Jan Kowalski")
        async with ThuliumClient(fake.base_url, fake.username, fake.password) as client:
            callers = await client.queues.waiting_list(2)
        fake.fail_next("schedule_call", Fault.processed_then_status(500))
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from collections import deque
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any, Literal

import attrs
from aiohttp import web

from ._api.endpoints import SCHEDULE_CALL, WAITING_LIST
from ._core.wallclock import parse_wall_clock, resolve_timezone, wall_clock_text
from ._http.wire import basic_auth_header

__all__ = [
    "FakeThulium",
    "Fault",
    "ReceivedRequest",
    "ScheduledCall",
]

Endpoint = Literal["waiting_list", "schedule_call"]
_ENDPOINTS: tuple[Endpoint, ...] = ("waiting_list", "schedule_call")


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

    @classmethod
    def status_response(
        cls, status: int, *, headers: dict[str, str] | None = None, body: str = ""
    ) -> Fault:
        """Answer *status* without processing (a 429 with ``Retry-After``, a 503)."""
        return cls(kind="status", status=status, headers=headers or {}, body=body)

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
    def processed_then_drop(cls) -> Fault:
        """Process the request, then close the connection unanswered (ambiguous)."""
        return cls(kind="drop", processed=True)

    @classmethod
    def processed_then_stall(cls, seconds: float = 3600.0) -> Fault:
        """Process the request, then stall past the client's timeout (ambiguous)."""
        return cls(kind="delay", delay=seconds, processed=True)


def _random_faults() -> tuple[Fault, ...]:
    return (
        Fault.status_response(429, headers={"Retry-After": "0"}),
        Fault.status_response(503),
        Fault.html_error_page(502),
        Fault.drop_before_processing(),
        Fault.processed_then_status(500),
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
    """``time.monotonic()`` on arrival."""
    headers: dict[str, str] = attrs.field(factory=dict)
    """The request's headers, ``Authorization`` left out."""


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

    Attributes:
        scheduled: every call it accepted, in order (a list of ScheduledCall): the
            truth to check "nobody called twice" against.
        requests: the requests it received, faults included (ReceivedRequest).
        waiting: the callers of each queue, newest first, as ``waiting_list`` answers.
        in_flight: requests being handled right now; peak_in_flight: the most at once.
        throttled: 429s sent by ``limit_rate``.
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
    ) -> None:
        self.username = username
        self.password = password if password is not None else secrets.token_urlsafe(12)
        self.zone = resolve_timezone(timezone)
        self.waiting: dict[int, list[dict[str, Any]]] = {q: [] for q in queues}
        self.scheduled: list[ScheduledCall] = []
        self.requests: list[ReceivedRequest] = []
        self._max_recorded = max_recorded_requests
        self.in_flight = 0
        self.peak_in_flight = 0
        self._expected_auth = basic_auth_header(username, self.password)
        self._scripted: dict[Endpoint, deque[Fault]] = {e: deque() for e in _ENDPOINTS}
        self._fault_rate = 0.0
        self._fault_choices: tuple[Fault, ...] = ()
        self._rate_limit: tuple[int, float] | None = None
        self._recent: deque[float] = deque()
        self.throttled = 0
        self._rng = random.Random()  # noqa: S311 -- fault injection, not security
        self._port = port
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        """Start listening on 127.0.0.1."""
        app = web.Application()
        # The routes come from the SDK's own endpoint declarations (their path
        # templates are aiohttp's route syntax too), so the fake cannot drift from them.
        handlers = {
            WAITING_LIST.name: self._waiting_list,
            SCHEDULE_CALL.name: self._schedule,
        }
        for declared in (WAITING_LIST, SCHEDULE_CALL):
            app.router.add_route(
                declared.method, f"/api/{declared.path}", handlers[declared.name]
            )
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening and drop open connections."""
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

    def calls_to(self, phone_number: str) -> list[ScheduledCall]:
        """Return every call scheduled to *phone_number* (more than one is a bug)."""
        return [c for c in self.scheduled if c.phone_number == phone_number]

    def requests_to(self, endpoint: Endpoint) -> list[ReceivedRequest]:
        """Return the requests received by *endpoint*, faults included."""
        return [r for r in self.requests if r.path.endswith("/" + endpoint)]

    # -- faults ------------------------------------------------------------------

    def fail_next(self, endpoint: Endpoint, *faults: Fault) -> None:
        """Apply *faults* to the next requests to *endpoint*, one per request."""
        if endpoint not in self._scripted:
            raise ValueError(f"endpoint must be one of {_ENDPOINTS}, got {endpoint!r}")
        self._scripted[endpoint].extend(faults)

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

    def _next_fault(self, endpoint: Endpoint) -> Fault | None:
        if self._scripted[endpoint]:
            return self._scripted[endpoint].popleft()
        if self._fault_rate and self._rng.random() < self._fault_rate:
            return self._rng.choice(self._fault_choices)
        return None

    # -- handlers ----------------------------------------------------------------

    async def _waiting_list(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, "waiting_list")

    async def _schedule(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, "schedule_call")

    async def _handle(
        self, request: web.Request, endpoint: Endpoint
    ) -> web.StreamResponse:
        body = await request.read()
        now = time.monotonic()
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
            if fault is not None and not fault.processed:
                if fault.kind == "delay":
                    await asyncio.sleep(fault.delay)
                else:
                    return _apply(request, fault)
            answer = self._process(request, endpoint, body)
            if fault is not None and fault.processed:
                if fault.kind == "delay":
                    await asyncio.sleep(fault.delay)
                return _apply(request, fault)
            return answer
        finally:
            self.in_flight -= 1

    def _process(
        self, request: web.Request, endpoint: Endpoint, body: bytes
    ) -> web.Response:
        try:
            queue_id = int(request.match_info["queue_id"])
        except ValueError:
            return _error(404, "no such queue")
        if queue_id not in self.waiting:
            return _error(404, "no such queue")
        if endpoint == "waiting_list":
            return web.json_response(self.waiting[queue_id])
        problem, call = _parse_schedule(queue_id, body, self.zone)
        if call is None:
            return _error(400, problem)
        self.scheduled.append(call)
        return web.Response(status=200, body=b"")


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


def _error(status: int, message: str) -> web.Response:
    """Answer with the error body Thulium documents for the whole API."""
    body = {"request_id": secrets.token_hex(7), "errors": [{"message": message}]}
    return web.json_response(body, status=status)


def _apply(request: web.Request, fault: Fault) -> web.StreamResponse:
    if fault.kind == "drop":
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError  # aiohttp ends the handler quietly on a lost peer
    return web.Response(
        status=fault.status,
        headers=fault.headers,
        body=fault.body.encode(),
        content_type=None if "Content-Type" in fault.headers else "text/plain",
    )
