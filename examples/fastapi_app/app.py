"""A FastAPI backend that shares one ThuliumClient across all requests.

Run it against the fake server (in two terminals)::

    python -m thulium_async serve-fake            # prints THULIUM_* settings
    THULIUM_BASE_URL=... THULIUM_USERNAME=... THULIUM_PASSWORD=... \\
        uvicorn examples.fastapi_app.app:app

The client is created once in the lifespan and closed at shutdown; handlers get it
through ``Depends``. SDK errors become HTTP answers that make sense to *our* callers:
Thulium's 429 is our 503 with ``Retry-After``, a rejected API password is our 502 (our
configuration is broken, not the caller's request), and a call that may or may not have
been scheduled is a 202 with a warning, never a blind retry.

It also receives Thulium's webhooks at ``POST /thulium/events`` (subscribe that URL with
``client.webhooks.create``; set THULIUM_WEBHOOK_USER and THULIUM_WEBHOOK_PASSWORD to the
subscription's Basic auth) and shows each event live on the supervisor page.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import attrs
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel

from thulium_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    DeliveryUnknownError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    RetryPolicy,
    ThuliumClient,
    ThuliumError,
    WaitingCaller,
    WaitingListChange,
)
from thulium_async.webhooks import fastapi_router

from .events import EventHub


class Settings(BaseModel):
    base_url: str
    username: str
    password: str
    timezone: str = "Europe/Warsaw"
    # A person is waiting on these answers: fail fast rather than hang.
    interactive_timeout: float = 5.0
    # How often the live endpoints poll Thulium's waiting list.
    watch_interval: float = 2.0
    # The agents the supervisor page shows (THULIUM_AGENTS, comma-separated).
    agents: list[str] = []
    # The Basic auth Thulium's webhook deliveries must carry (the subscription's
    # http_auth_user / http_auth_password); without them any POST is accepted.
    webhook_user: str | None = None
    webhook_password: str | None = None
    # This app's own receiver as Thulium reaches it (THULIUM_WEBHOOK_URL, ending in
    # /thulium/events): when set, the app subscribes it at startup, once.
    webhook_url: str | None = None

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            base_url=os.environ["THULIUM_BASE_URL"],
            username=os.environ["THULIUM_USERNAME"],
            password=os.environ["THULIUM_PASSWORD"],
            agents=[
                login.strip()
                for login in os.environ.get("THULIUM_AGENTS", "").split(",")
                if login.strip()
            ],
            webhook_user=os.environ.get("THULIUM_WEBHOOK_USER"),
            webhook_password=os.environ.get("THULIUM_WEBHOOK_PASSWORD"),
            webhook_url=os.environ.get("THULIUM_WEBHOOK_URL"),
        )


class CallbackIn(BaseModel):
    phone_number: str
    call_at: datetime | None = None


class WaitingOut(BaseModel):
    phone_number: str
    started_at: datetime
    waiting_seconds: float
    customer_id: int | None
    customer_label: str | None


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; *settings* default to the THULIUM_* environment variables."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        config = settings or Settings.from_env()
        async with ThuliumClient(
            config.base_url,
            config.username,
            config.password,
            timezone=config.timezone,
            max_connections=50,
        ) as client:
            app.state.thulium = client
            app.state.watch_interval = config.watch_interval
            app.state.agents = config.agents
            # One view for request handlers, built once: same connections, a short
            # timeout and a single quick retry.
            app.state.interactive = client.with_options(
                timeout=config.interactive_timeout,
                retry=RetryPolicy(max_attempts=2, initial_delay=0.2, deadline=8.0),
            )
            if config.webhook_url:
                await _subscribe(client, config, config.webhook_url)
            yield

    app = FastAPI(title="Callbacks", lifespan=lifespan)
    app.add_exception_handler(ThuliumError, thulium_error_handler)  # type: ignore[arg-type]
    app.include_router(router)
    # Webhooks: answered at once, then fanned out to the open supervisor pages.
    hub = EventHub()
    app.state.events = hub
    # Read now, not in the lifespan: the route exists before the app starts. The
    # API settings stay in the lifespan, so importing this module needs none of them.
    if settings is not None:
        user, password = settings.webhook_user, settings.webhook_password
        zone = settings.timezone
    else:
        user = os.environ.get("THULIUM_WEBHOOK_USER")
        password = os.environ.get("THULIUM_WEBHOOK_PASSWORD")
        zone = "Europe/Warsaw"
    receiver = fastapi_router(
        hub.publish,
        path="/thulium/events",
        username=user,
        password=password,
        timezone=zone,
    )
    app.include_router(receiver)
    return app


WEBHOOK_ACTIONS = [
    "CUSTOMER_CREATED",
    "TICKET_CREATED",
    "TICKET_MESSAGE_RECEIVED",
    "CHAT_CONVERSATION_CREATED",
    "CHAT_AGENT_ASSIGNED",
    "CHAT_CONVERSATION_CLOSED",
]


async def _subscribe(client: ThuliumClient, config: Settings, url: str) -> None:
    """Subscribe this app's receiver, unless a restart finds it subscribed already."""
    try:
        await client.webhooks.ensure(
            WEBHOOK_ACTIONS,
            url,
            http_auth_user=config.webhook_user,
            http_auth_password=config.webhook_password,
        )
    except ThuliumError as exc:  # the app still serves; the page shows no events
        logging.getLogger(__name__).warning("could not subscribe to webhooks: %s", exc)


def interactive_client(request: Request) -> ThuliumClient:
    """The shared client, as seen by request handlers (see the lifespan)."""
    client: ThuliumClient = request.app.state.interactive
    return client


Client = Annotated[ThuliumClient, Depends(interactive_client)]


def thulium_error_handler(request: Request, exc: ThuliumError) -> JSONResponse:
    """Map SDK errors to answers for our own API's callers."""
    if isinstance(exc, InvalidInputError):
        return JSONResponse({"detail": str(exc)}, status_code=422)
    if isinstance(exc, NotFoundError):
        return JSONResponse({"detail": "no such queue"}, status_code=404)
    if isinstance(exc, RateLimitError):
        wait = math.ceil(exc.retry_after) if exc.retry_after else 1
        return JSONResponse(
            {"detail": "the contact center is busy; try again shortly"},
            status_code=503,
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, (AuthenticationError, PermissionDeniedError)):
        # Our API credentials are wrong: our problem, not the caller's.
        return JSONResponse({"detail": "contact center unavailable"}, status_code=502)
    if isinstance(exc, APITimeoutError):
        return JSONResponse({"detail": "contact center timed out"}, status_code=504)
    if isinstance(exc, (APIConnectionError, APIStatusError)):
        return JSONResponse({"detail": "contact center unavailable"}, status_code=502)
    return JSONResponse({"detail": "contact center error"}, status_code=502)


router = APIRouter()


@router.get("/queues/{queue_id}/waiting")
async def waiting(queue_id: int, client: Client) -> list[WaitingOut]:
    callers = await client.queues.waiting_list(queue_id)
    now = datetime.now().astimezone()
    return [
        WaitingOut(
            phone_number=c.phone_number,
            started_at=c.started_at,
            waiting_seconds=max(0.0, (now - c.started_at).total_seconds()),
            customer_id=c.customer_id,
            customer_label=c.customer_label,
        )
        for c in callers
    ]


class CallerOut(BaseModel):
    customer_id: int
    name: str | None
    surname: str | None
    email: str | None
    company_id: int | None


@router.get("/callers/{phone_number}")
async def find_caller(phone_number: str, client: Client) -> CallerOut:
    """The screen pop: the CRM customer behind a number, or 404."""
    page = await client.customers.list(phone_number=phone_number, limit=1)
    if not page.items:
        raise HTTPException(status_code=404, detail="no customer with that number")
    found = page.items[0]
    return CallerOut(
        customer_id=found.customer_id,
        name=found.name,
        surname=found.surname,
        email=found.email,
        company_id=found.company_id,
    )


@router.post("/queues/{queue_id}/callbacks", status_code=201)
async def schedule_callback(
    queue_id: int, callback: CallbackIn, client: Client
) -> JSONResponse:
    try:
        await client.queues.schedule_call(
            queue_id, callback.phone_number, callback.call_at
        )
    except DeliveryUnknownError:
        # Maybe scheduled: tell the caller, and do not let them blindly retry.
        return JSONResponse(
            {
                "status": "unknown",
                "warning": "the callback may or may not have been scheduled; "
                "check before asking again",
            },
            status_code=202,
        )
    return JSONResponse({"status": "scheduled"}, status_code=201)


@router.get("/queues/{queue_id}/waiting/stream")
async def waiting_stream(queue_id: int, request: Request) -> StreamingResponse:
    """Server-sent events: one event per change of the queue's waiting list."""
    client: ThuliumClient = request.app.state.thulium  # long-lived: the full client
    changes = client.queues.watch_waiting_list(
        queue_id, request.app.state.watch_interval
    )

    async def events() -> AsyncIterator[str]:
        async with aclosing(changes) as stream:
            try:
                async for change in stream:
                    yield f"data: {json.dumps(_change_json(change))}\n\n"
            except ThuliumError as exc:  # definitive (401, 404): tell the page, stop
                yield f"event: end\ndata: {exc}\n\n"

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/queues/{queue_id}/agents/stream")
async def agents_stream(queue_id: int, request: Request) -> StreamingResponse:
    """Server-sent events: the named agents' statuses and the queue's wait, polled.

    Agents are polled together (one request each, concurrently, under the client's
    rate limit); ``waiting_stats`` is shown when the system answers it, and left out
    (``null``) when it does not.
    """
    client: ThuliumClient = request.app.state.thulium
    logins: list[str] = request.app.state.agents
    interval: float = request.app.state.watch_interval

    async def stats() -> dict[str, object] | None:
        try:
            found = await client.queues.waiting_stats(queue_id)
        except (NotFoundError, ResponseDecodeError):
            return None  # not every system has it: the page does without
        wait = found.approx_wait_time
        return {
            "in_queue": found.in_queue,
            "approx_wait_seconds": wait.total_seconds() if wait else None,
        }

    async def snapshot() -> dict[str, object]:
        try:
            statuses = await asyncio.gather(*(client.agents.status(x) for x in logins))
        except ThuliumError as exc:
            return {"agents": None, "stats": None, "error": str(exc)}
        return {
            "agents": [
                {
                    "login": s.login,
                    "status": str(s.status),
                    "on_call": s.status.on_call,
                    "since": s.last_change.isoformat() if s.last_change else None,
                }
                for s in statuses
            ],
            "stats": await stats(),
            "error": None,
        }

    async def events() -> AsyncIterator[str]:
        while True:
            yield f"data: {json.dumps(await snapshot())}\n\n"
            await asyncio.sleep(interval)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/events/stream")
async def events_stream(request: Request) -> StreamingResponse:
    """Server-sent events: Thulium's webhook events as they arrive (recent ones first)."""
    hub: EventHub = request.app.state.events

    async def events() -> AsyncIterator[str]:
        async with aclosing(hub.follow()) as stream:
            async for item in stream:
                yield f"data: {json.dumps(item)}\n\n"

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/supervisor/{queue_id}", response_class=HTMLResponse)
async def supervisor(queue_id: int) -> HTMLResponse:
    """The supervisor's live page for one queue."""
    return HTMLResponse(_PAGE.replace("{{QUEUE}}", str(queue_id)))


def _change_json(change: WaitingListChange) -> dict[str, object]:
    def caller(c: WaitingCaller) -> dict[str, object]:
        return {**attrs.asdict(c), "started_at": c.started_at.isoformat()}

    return {
        "joined": [caller(c) for c in change.joined],
        "left": [caller(c) for c in change.left],
        "waiting": [caller(c) for c in change.waiting],
        "error": str(change.error) if change.error else None,
    }


_PAGE = (Path(__file__).parent / "supervisor.html").read_text(encoding="utf-8")

app = create_app()
