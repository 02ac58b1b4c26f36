"""Receive Thulium's webhook deliveries: typed events, Basic auth, a ready receiver.

Thulium POSTs one JSON object per event to a subscription URL (``client.webhooks.create``),
with Basic auth when the subscription has a user. :func:`parse_event` turns the body into
a typed event for each documented action and into an :class:`UnknownEvent` (never an
error) for any action it does not know, since the vendor adds them. :func:`check_basic_auth`
compares credentials in constant time. :func:`aiohttp_handler` and :func:`fastapi_router`
are whole receivers: they check auth, cap the body, answer at once and hand the event to
your coroutine in the background, so a slow or failing handler never makes a delivery
time out.

Example::

    async def on_event(event: Event) -> None:
        if isinstance(event, CustomerCreated):
            ...

    app.router.add_post("/thulium/events", aiohttp_handler(on_event, username="u", password="p"))
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

import attrs
from aiohttp import web

from ._core.errors import ThuliumError
from ._core.wallclock import Clock, parse_clock, resolve_timezone

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = [
    "ChatEvent",
    "CustomerCreated",
    "Event",
    "TicketEvent",
    "UnknownEvent",
    "WebhookPayloadError",
    "aiohttp_handler",
    "check_basic_auth",
    "fastapi_router",
    "parse_event",
]

logger = logging.getLogger("thulium_async")
_MAX_BODY = 1024 * 1024
_BODY_TIMEOUT = 10.0


class WebhookPayloadError(ThuliumError, ValueError):
    """A delivery's body is not a JSON object with an ``action``."""


@attrs.frozen(kw_only=True)
class ChatEvent:
    """``CHAT_CONVERSATION_CREATED``, ``CHAT_AGENT_ASSIGNED`` or ``CHAT_CONVERSATION_CLOSED``.

    Attributes:
        action: which of the three.
        conversation_id: the conversation; chat_queue_id: its chat queue.
        agent_login: the agent, once assigned.
        date: when it happened (aware, in the system's zone), if the body says.
        client_name, client_email: who is chatting.
        data: the whole body, as sent.
    """

    action: str
    conversation_id: str | None = None
    agent_login: str | None = None
    date: datetime | None = None
    chat_queue_id: int | None = None
    client_name: str | None = None
    client_email: str | None = None
    data: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class CustomerCreated:
    """``CUSTOMER_CREATED``: a customer was added to the CRM.

    Attributes:
        action: ``CUSTOMER_CREATED``; customer_id, company_id: the new record.
        date: when it happened (aware, in the system's zone), if the body says.
        data: the whole body, as sent.
    """

    action: str
    customer_id: int | None = None
    company_id: int | None = None
    date: datetime | None = None
    data: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class TicketEvent:
    """``TICKET_CREATED`` or ``TICKET_MESSAGE_RECEIVED``.

    Attributes:
        action: which; ticket_id: the ticket; customer_id: its customer.
        message_id: the message, for ``TICKET_MESSAGE_RECEIVED``, if the body says.
        date: when it happened (aware, in the system's zone), if the body says.
        data: the whole body, as sent.
    """

    action: str
    ticket_id: int | None = None
    customer_id: int | None = None
    message_id: int | None = None
    date: datetime | None = None
    data: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class UnknownEvent:
    """An action this version does not know: ``.action`` and the raw ``.data``."""

    action: str
    data: Mapping[str, Any] = attrs.field(factory=dict)


Event = ChatEvent | CustomerCreated | TicketEvent | UnknownEvent
_CHAT = frozenset(
    {"CHAT_CONVERSATION_CREATED", "CHAT_AGENT_ASSIGNED", "CHAT_CONVERSATION_CLOSED"}
)
_TICKET = frozenset({"TICKET_CREATED", "TICKET_MESSAGE_RECEIVED"})


def _int(data: Mapping[str, Any], name: str) -> int | None:
    """An id Thulium may send as a number or as its digits: read either way."""
    value = data.get(name)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            return int(text)
    return None


def _str(data: Mapping[str, Any], name: str) -> str | None:
    """Text, or an id Thulium sent as a number (``"conversation_id": 77``) as text.

    An id typed as text is still an id when it arrives as a number: dropping it would
    lose the event's subject without a word.
    """
    value = data.get(name)
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _date(text: object, zone: tzinfo) -> datetime | None:
    """The event's time in either shape Thulium writes (no page pins the event's)."""
    if not isinstance(text, str):
        return None
    try:
        return parse_clock(text, zone, Clock.SECONDS_OR_MINUTES)
    except ValueError:
        return None


def parse_event(
    body: bytes | str, *, timezone: str | tzinfo = "Europe/Warsaw"
) -> Event:
    """Return the typed event in a delivery's *body*.

    An id is read whether Thulium sends it as a number or as text (``77`` or
    ``"77"``); a field of any other unexpected type is left ``None`` (the whole body
    is in ``.data``); an action this version does not know is an
    :class:`UnknownEvent`.

    Raises:
        WebhookPayloadError: the body is not a JSON object with a string ``action``,
            including JSON nested too deeply to parse (a hostile body must be a
            refusal, never a ``RecursionError`` and a 500).
    """
    zone = resolve_timezone(timezone)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookPayloadError("the webhook body is not JSON") from None
    except RecursionError:
        raise WebhookPayloadError(
            "the webhook body is JSON nested too deeply to read"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        raise WebhookPayloadError("the webhook body is not an object with an 'action'")
    action = data["action"]
    if action in _CHAT:
        return ChatEvent(
            action=action,
            conversation_id=_str(data, "conversation_id"),
            agent_login=_str(data, "agent_login"),
            date=_date(data.get("date"), zone),
            chat_queue_id=_int(data, "chat_queue_id"),
            client_name=_str(data, "client_name"),
            client_email=_str(data, "client_email"),
            data=data,
        )
    if action == "CUSTOMER_CREATED":
        return CustomerCreated(
            action=action,
            customer_id=_int(data, "customer_id"),
            company_id=_int(data, "company_id"),
            date=_date(data.get("date"), zone),
            data=data,
        )
    if action in _TICKET:
        return TicketEvent(
            action=action,
            ticket_id=_int(data, "ticket_id"),
            customer_id=_int(data, "customer_id"),
            message_id=_int(data, "message_id"),
            date=_date(data.get("date"), zone),
            data=data,
        )
    return UnknownEvent(action=action, data=data)


def check_basic_auth(
    authorization_header: str | None, username: str, password: str
) -> bool:
    """Whether an ``Authorization`` header carries *username* and *password*.

    Compared in constant time, so the time taken says nothing about how much of a
    guess was right. A missing or malformed header is ``False``.
    """
    if not authorization_header or not authorization_header.startswith("Basic "):
        return False
    try:
        decoded = base64.b64decode(authorization_header[6:], validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = f"{username}:{password}".encode()
    return hmac.compare_digest(decoded, expected)


Handler = Callable[[Event], Awaitable[None]]


class _Receiver:
    """What every ready-made receiver does, whatever the web framework.

    Checks Basic auth and the body's size, parses the event, answers at once and runs
    the handler in a task of its own, kept referenced until it ends.
    """

    def __init__(
        self,
        handle: Handler,
        username: str | None,
        password: str | None,
        timezone: str | tzinfo,
        max_body: int,
        body_timeout: float,
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("username and password go together")
        if max_body < 1:
            raise ValueError(
                f"max_body must be a positive number of bytes, got {max_body!r}"
            )
        if not body_timeout > 0:  # also refuses NaN
            raise ValueError(
                f"body_timeout must be a positive number of seconds, got "
                f"{body_timeout!r}"
            )
        self.handle = handle
        self.username = username
        self.password = password or ""
        self.zone = resolve_timezone(timezone)
        self.max_body = max_body
        self.body_timeout = body_timeout
        self.running: set[asyncio.Task[None]] = set()

    def refusal(
        self, authorization: str | None, content_length: int | None
    ) -> int | None:
        """The status to refuse a delivery with before its body is read, if any."""
        if self.username is not None and not check_basic_auth(
            authorization, self.username, self.password
        ):
            return 401
        if content_length is not None and content_length > self.max_body:
            return 413
        return None

    async def read_body(self, chunks: AsyncIterator[bytes]) -> bytes | int:
        """Return the whole body from *chunks*, or the status to refuse it with.

        A delivery may arrive in any number of reads (TCP segments, chunked
        encoding), so the body is read to its end, never taken from one read of
        what happens to be buffered. Past *max_body* bytes it is 413 at once, so a
        chunked body without a length cannot fill memory; a body not complete within
        *body_timeout* seconds is 408, so a client that sends half a body cannot
        hold the connection (and its buffer) for ever.
        """

        async def collect() -> bytes | int:
            body = bytearray()
            async for chunk in chunks:
                body += chunk
                if len(body) > self.max_body:
                    return 413
            return bytes(body)

        try:
            return await asyncio.wait_for(collect(), self.body_timeout)
        except asyncio.TimeoutError:
            return 408

    def accept(self, body: bytes) -> tuple[int, str]:
        """Parse *body* and start its handler; return the status and text to answer."""
        if len(body) > self.max_body:
            return 413, "body too large"
        try:
            event = parse_event(body, timezone=self.zone)
        except WebhookPayloadError as exc:
            return 400, str(exc)
        task = asyncio.ensure_future(self._run(event))
        self.running.add(task)
        task.add_done_callback(self.running.discard)
        return 200, ""

    async def _run(self, event: Event) -> None:
        try:
            await self.handle(event)
        except Exception:
            logger.exception("the webhook handler failed on %s", event.action)

    async def drain(self, timeout: float) -> None:
        """Let the handlers still running finish, for *timeout* seconds at most.

        What is still running then is cancelled and logged: Thulium was answered
        200 for those events, so the log is the only trace that they were cut short.
        """
        if not self.running:
            return
        running = list(self.running)
        _, late = await asyncio.wait(running, timeout=timeout)
        for task in late:
            task.cancel()
        if late:
            await asyncio.gather(*late, return_exceptions=True)
            logger.warning(
                "stopped %d webhook handlers still running after %g s; their events "
                "were answered 200 and are not handled",
                len(late),
                timeout,
            )


_CHALLENGE = {"WWW-Authenticate": 'Basic realm="thulium"'}


def aiohttp_handler(
    handle: Handler,
    *,
    username: str | None = None,
    password: str | None = None,
    timezone: str | tzinfo = "Europe/Warsaw",
    max_body: int = _MAX_BODY,
    app: web.Application | None = None,
    drain_timeout: float = 10.0,
    body_timeout: float = _BODY_TIMEOUT,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Return an aiohttp request handler that receives Thulium's deliveries.

    It answers 401 without the right Basic auth (when *username* is set), 413 for a
    body over *max_body* bytes (declared or as sent, chunked included), 408 for a
    body not complete within *body_timeout* seconds, 400 for a malformed one, and 200
    at once otherwise, running ``handle(event)`` in the background; an exception
    there is logged, never returned to Thulium. A 408 or 413 closes the connection.
    Given the *app*, its shutdown waits up to *drain_timeout* seconds for the
    handlers still running, then cancels them (logged).

    Raises:
        ValueError: *username* without *password* (or the reverse), a *max_body*
            below 1, or a *body_timeout* that is not a positive number of seconds.
    """
    receiver = _Receiver(handle, username, password, timezone, max_body, body_timeout)
    if app is not None:

        async def drain(_: web.Application) -> None:
            await receiver.drain(drain_timeout)

        app.on_shutdown.append(drain)

    async def receive(request: web.Request) -> web.Response:
        refused = receiver.refusal(
            request.headers.get("Authorization"), request.content_length
        )
        if refused is not None:
            return web.Response(
                status=refused, headers=_CHALLENGE if refused == 401 else None
            )
        body = await receiver.read_body(request.content.iter_any())
        if isinstance(body, int):
            # The rest of the body is not read: close rather than keep the
            # connection, whose next bytes would be this body's tail.
            refusal = web.Response(status=body)
            refusal.force_close()
            return refusal
        status, text = receiver.accept(body)
        return web.Response(status=status, text=text)

    return receive


def fastapi_router(
    handle: Handler,
    *,
    path: str = "/thulium/events",
    username: str | None = None,
    password: str | None = None,
    timezone: str | tzinfo = "Europe/Warsaw",
    max_body: int = _MAX_BODY,
    drain_timeout: float = 10.0,
    body_timeout: float = _BODY_TIMEOUT,
) -> APIRouter:
    """Return a FastAPI router that receives Thulium's deliveries at ``POST`` *path*.

    The same receiver as :func:`aiohttp_handler` (401, 413, 408 after *body_timeout*
    seconds without the whole body, 400, else 200 at once and ``handle(event)`` in
    the background), for ``app.include_router(...)``. The app's
    shutdown waits up to *drain_timeout* seconds for the handlers still running, then
    cancels them (logged): the router's lifespan, which FastAPI runs with the app's.
    Needs FastAPI: ``pip install "thulium-async[fastapi]"``.

    Raises:
        ImportError: FastAPI is not installed.
        ValueError: *username* without *password* (or the reverse), a *max_body*
            below 1, or a *body_timeout* that is not a positive number of seconds.
    """
    try:
        from fastapi import APIRouter, Request, Response
    except ImportError:
        raise ImportError(
            'fastapi_router needs FastAPI: pip install "thulium-async[fastapi]"'
        ) from None
    receiver = _Receiver(handle, username, password, timezone, max_body, body_timeout)

    async def receive(request: Request) -> Response:
        length = request.headers.get("content-length")
        refused = receiver.refusal(
            request.headers.get("authorization"),
            int(length) if length and length.isdigit() else None,
        )
        if refused is not None:
            return Response(
                status_code=refused, headers=_CHALLENGE if refused == 401 else None
            )
        body = await receiver.read_body(request.stream())
        if isinstance(body, int):
            return Response(status_code=body, headers={"Connection": "close"})
        status, text = receiver.accept(body)
        return Response(content=text, status_code=status, media_type="text/plain")

    # FastAPI reads the annotations at run time; with postponed evaluation they are
    # strings naming this function's locals, so they are given as the classes.
    receive.__annotations__ = {"request": Request, "return": Response}

    @contextlib.asynccontextmanager
    async def lifespan(_: object) -> AsyncIterator[None]:
        yield
        await receiver.drain(drain_timeout)

    router = APIRouter(lifespan=lifespan)
    router.add_api_route(path, receive, methods=["POST"], include_in_schema=False)
    return router
