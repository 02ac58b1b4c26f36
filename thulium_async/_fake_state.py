"""FakeThulium's state: what its workflows remember between requests, as typed records.

Only the workflows that need a memory have one: the queues (callers waiting, calls
scheduled), the agents and the call history they make, the recordings, the CRM's
customers, the ticket desk, the outbound campaigns, the webhook subscriptions. Every
other endpoint answers its sample, by the rule ``_fake_answers`` states.

Each record answers as the JSON the API gives for it (``as_json``). The fake's public
attributes held plain dicts before these classes, and tests written against them keep
working: a record also reads as its JSON, a mapping by the vendor's field names
(``record["phone_number"]``); a field set by that name (``record["updated_at"] = ...``)
sets the typed field; and a plain mapping a test puts into a store (:class:`Records`,
:class:`RecordList`) is made a record as it goes in, what it leaves out taking the
field's default, or ``None``. Times are kept as the wall-clock text the API answers
(``2026-11-23 09:30``), not as datetimes, so a test may put in any text the vendor
might send and see the client read exactly that.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any, Generic, SupportsIndex, TypeVar, cast

import attrs

from ._core.wallclock import parse_wall_clock, wall_clock_text

_WIRE = "thulium_fake_wire"
"""Field metadata key: the field's name in the JSON (``None``: not in the JSON)."""
_OPTIONAL = "thulium_fake_optional"
"""Field metadata key: left out of the JSON while ``None`` (set by an update only)."""

_ITEMS = "thulium_fake_items"
"""Field metadata key: the record class of the list's items."""

_HIDDEN = {_WIRE: None}
_UNLESS_NONE = {_OPTIONAL: True}


class Wire(Mapping[str, Any]):
    """A record of the fake's state that answers, and reads, as its JSON.

    Subclasses are attrs classes with ``eq=False``, so that a record equals the
    mapping that has its JSON (``==`` on :class:`~collections.abc.Mapping`).
    """

    __slots__ = ()

    def as_json(self) -> dict[str, Any]:
        """Return the record as the API answers it."""
        found: dict[str, Any] = {}
        for name, key, optional in _fields(type(self)):
            value = getattr(self, name)
            if not (optional and value is None):
                found[key] = wire(value)
        return found

    def __getitem__(self, key: str) -> Any:
        return self.as_json()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_json())

    def __len__(self) -> int:
        return len(self.as_json())

    def __setitem__(self, key: str, value: Any) -> None:
        """Set the field the JSON calls *key* (a test's change, or an update's)."""
        for name, wire_key, _ in _fields(type(self)):
            if wire_key == key:
                setattr(self, name, value)
                return
        raise KeyError(key)

    @classmethod
    def from_json(cls: type[W], data: Mapping[str, Any]) -> W:
        """Return the record a test gave as a plain mapping of its JSON.

        A field the mapping leaves out takes its default, or ``None``.
        """
        if isinstance(data, cls):
            return data
        values = {}
        for field in attrs.fields(cast(Any, cls)):
            key = field.metadata.get(_WIRE, field.name)
            if key is not None and key in data:
                values[field.name] = data[key]
                kind = field.metadata.get(_ITEMS)
                if kind is not None:
                    values[field.name] = [kind.from_json(x) for x in data[key]]
            elif field.default is attrs.NOTHING:
                values[field.name] = None
        return cls(**values)


W = TypeVar("W", bound=Wire)
K = TypeVar("K")


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, str, bool], ...]:
    """Each field of record class *cls* in the JSON: its name, key, and if optional."""
    return tuple(
        (field.name, field.metadata.get(_WIRE, field.name), _OPTIONAL in field.metadata)
        for field in attrs.fields(cast(Any, cls))
        if field.metadata.get(_WIRE, field.name) is not None
    )


class Records(dict[K, W], Generic[K, W]):
    """A store of records by key; a plain mapping put in by ``[key] =`` becomes one."""

    def __init__(self, kind: type[W]) -> None:
        super().__init__()
        self.kind = kind

    def __setitem__(self, key: K, value: W | Mapping[str, Any]) -> None:
        super().__setitem__(key, self.kind.from_json(value))


class RecordList(list[W], Generic[W]):
    """A list of records; a plain mapping appended, extended or inserted becomes one."""

    def __init__(self, kind: type[W], items: Iterable[W] = ()) -> None:
        super().__init__(items)
        self.kind = kind

    def append(self, item: W | Mapping[str, Any], /) -> None:
        """Append *item*, made a record."""
        super().append(self.kind.from_json(item))

    def extend(self, items: Iterable[W | Mapping[str, Any]], /) -> None:
        """Append each of *items*, made a record."""
        super().extend(self.kind.from_json(item) for item in items)

    def insert(self, index: SupportsIndex, item: W | Mapping[str, Any], /) -> None:
        """Insert *item* at *index*, made a record."""
        super().insert(index, self.kind.from_json(item))


def wire(value: Any) -> Any:
    """Return *value* as JSON: records by their ``as_json``, containers item by item.

    Anything else is passed on as it is, so a test that puts its own JSON into the
    state (a malformed waiting list, say) gets exactly that answered.
    """
    if isinstance(value, Wire):
        return value.as_json()
    if isinstance(value, (list, tuple)):
        return [wire(item) for item in value]
    if isinstance(value, dict):
        return {key: wire(item) for key, item in value.items()}
    return value


@attrs.define
class WallClock:
    """The fake system's wall clock: the real time in *zone*, plus what was advanced."""

    zone: tzinfo
    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        """Return the time now on this clock, aware, in its zone."""
        return datetime.now(self.zone) + self.offset

    def local(self, at: datetime | None = None) -> datetime:
        """Return *at* (default: now) in the zone; a naive one is read as its wall clock."""
        when = at if at is not None else self.now()
        return when.astimezone(self.zone) if when.tzinfo is not None else when

    def minutes(self, at: datetime | None = None) -> str:
        """Return *at* (default: now) as the API's ``YYYY-MM-DD HH:MM``."""
        return wall_clock_text(self.local(at))[:16]


# -- the queues ------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ScheduledCall:
    """A call the fake accepted: queue, number and ``call_at`` exactly as sent."""

    queue_id: int
    phone_number: str
    call_at: str | None


@attrs.define(eq=False, kw_only=True)
class Caller(Wire):
    """A caller waiting in a queue, as ``waiting_list`` answers one."""

    phone_number: str
    started_at: str
    customer_id: int | None = None
    customer_label: str | None = None


@attrs.define
class Queues:
    """The queues: who waits in each, newest first, and every call scheduled."""

    waiting: dict[int, list[Caller]]
    scheduled: list[ScheduledCall] = attrs.field(factory=list)
    _placed: int = attrs.field(default=0, init=False)
    """How many of ``scheduled`` were looked at for the history so far."""
    _pending: list[ScheduledCall] = attrs.field(factory=list, init=False)
    """Calls scheduled whose time has not come yet."""

    def has(self, queue_id: str) -> bool:
        """Whether queue *queue_id* (a path value) exists."""
        try:
            return int(queue_id) in self.waiting
        except ValueError:
            return False

    def due(self, now: datetime, zone: tzinfo) -> list[tuple[ScheduledCall, datetime]]:
        """Return the scheduled calls whose time has come by *now*, each once.

        Each with when it was due (``now`` for a call without ``call_at``).
        """
        self._pending.extend(self.scheduled[self._placed :])
        self._placed = len(self.scheduled)
        came, later = [], []
        for call in self._pending:
            due = (
                parse_wall_clock(call.call_at, zone)
                if call.call_at is not None
                else None
            )
            if due is None or due <= now:
                came.append((call, due or now))
            else:
                later.append(call)
        self._pending = later
        return came


# -- agents, their calls and recordings ------------------------------------------


@attrs.define(eq=False, kw_only=True)
class AgentStatus(Wire):
    """What an agent is doing, as ``agents.status`` answers it."""

    login: str
    status: str
    pause_id: int | None
    last_change: str


@attrs.define(eq=False, kw_only=True)
class Agent(Wire):
    """An agent's account, as ``agents.get`` answers it, and its status."""

    agent_id: int
    login: str
    name: str
    surname: str
    email: str | None = None
    active: bool = True
    number: str
    outbound_mode: str = "manual"
    group_id: int | None = None
    status: AgentStatus = attrs.field(metadata=_HIDDEN)


@attrs.define(eq=False, kw_only=True)
class Connection(Wire):
    """A call in the history, as ``connections.list`` answers one."""

    connection_id: str
    date: str
    src: str
    dst: str
    disposition: str
    type: str
    duration: int
    billsec: int
    queue_id: int | None
    user_login: str | None


@attrs.define(eq=False, kw_only=True)
class Recording(Wire):
    """A recorded call, as ``recordings.list`` answers one, and its file's size."""

    date: str
    created_at: str
    src: str
    dst: str
    disposition: str = "ANSWERED"
    duration: int = 30
    billsec: int = 25
    filename: str
    user: str = "Jan Kowalski"
    connection_id: str
    type: str
    size: int = attrs.field(metadata=_HIDDEN)

    def content(self) -> bytes:
        """Return the file's bytes: *size* of them, the same for its name each time."""
        seed = hashlib.sha256(self.filename.encode()).digest()
        return (seed * (self.size // len(seed) + 1))[: self.size]


@attrs.define(eq=False, kw_only=True)
class Upload(Wire):
    """A file ``temporary_files.upload`` received: its name, and its bytes as sent."""

    filename: str
    data: bytes


# -- the CRM and the ticket desk -------------------------------------------------


@attrs.define(eq=False, kw_only=True)
class Customer(Wire):
    """A customer of the CRM, as ``customers.get`` answers one."""

    customer_id: int
    name: str = ""
    surname: str
    phone_number: str = ""
    phone_numbers: list[str] = attrs.field(factory=list)
    email: str = ""
    company_id: int | None = None
    """Answered as ``""`` when there is none, as the vendor does."""
    identifier: str = ""
    type: str = ""
    group: str = ""
    company_flag: str = ""
    account_manager: str = ""
    updated_at: str
    custom_fields: dict[str, Any] = attrs.field(factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Return the customer as the API answers it (no company: ``""``)."""
        found = super().as_json()
        if self.company_id is None:
            found["company_id"] = ""
        return found


@attrs.define(eq=False, kw_only=True)
class Message(Wire):
    """A ticket's message: its e-mail (``MAIL``) or an agent's ``REPLY``."""

    message_id: int
    type: str
    user_login: str | None = attrs.field(default=None, metadata=_UNLESS_NONE)
    body: str
    created_at: str
    attachments: list[Any] = attrs.field(factory=list)


@attrs.define(eq=False, kw_only=True)
class Ticket(Wire):
    """A ticket of the desk, as ``tickets.get`` answers it.

    The fields from ``status_id`` on are answered only once an update set them.
    """

    ticket_id: int
    sender: str = attrs.field(default="", metadata={_WIRE: "from"})
    ticket_queue_name: str
    subject: str
    customer_id: int | None = None
    user_login: str | None = None
    created_at: str
    updated_at: str
    messages: list[Message] = attrs.field(factory=list, metadata={_ITEMS: Message})
    status_id: int | None = attrs.field(default=None, metadata=_UNLESS_NONE)
    substatus_id: int | None = attrs.field(default=None, metadata=_UNLESS_NONE)
    category_id: int | None = attrs.field(default=None, metadata=_UNLESS_NONE)
    tags: list[str] | None = attrs.field(default=None, metadata=_UNLESS_NONE)
    ticket_queue_id: int | None = attrs.field(default=None, metadata=_UNLESS_NONE)
    custom_fields: dict[str, Any] | None = attrs.field(
        default=None, metadata=_UNLESS_NONE
    )

    def reply(self, body: str, user_login: str, at: str) -> Message:
        """Add an agent's reply sent *at*; return it."""
        message = Message(
            message_id=self.ticket_id * 10 + len(self.messages),
            type="REPLY",
            user_login=user_login,
            body=body,
            created_at=at,
        )
        self.messages.append(message)
        self.updated_at = at
        return message


# -- outbound campaigns ----------------------------------------------------------


@attrs.define(eq=False, kw_only=True)
class CampaignRecord(Wire):
    """A record of an outbound campaign: the fields it was added with, as sent."""

    record_id: int | None = None
    agent_login: Any = None
    dictionary_status_id: Any = None
    identifier: Any = None
    next_call_date: Any = None
    order: Any = None
    phone_number: str
    record_fields: Any = None
    status_id: Any = None
    create_date: str | None = None


RECORD_FIELDS = frozenset(
    name
    for name, _, _ in _fields(CampaignRecord)
    if name not in ("record_id", "create_date")
)
"""The fields a campaign record is added with (``outbounds/:id/records``' body)."""


@attrs.define(eq=False, kw_only=True)
class RemovedRecord(Wire):
    """A record ``outbounds.remove_records`` took out, with the campaign it left."""

    outbound_id: str
    record: CampaignRecord = attrs.field(metadata=_HIDDEN)

    def as_json(self) -> dict[str, Any]:
        """Return the record's JSON with its ``outbound_id``."""
        return {"outbound_id": self.outbound_id, **self.record.as_json()}


@attrs.define
class Campaigns:
    """The outbound campaigns: each one's records and agents, and what left them."""

    records: dict[str, RecordList[CampaignRecord]] = attrs.field(factory=dict)
    """Each campaign's records, in the order added."""
    agents: dict[str, list[str]] = attrs.field(factory=dict)
    """Each campaign's agents' logins."""
    removed: list[RemovedRecord] = attrs.field(factory=list)
    in_call: set[str] = attrs.field(factory=set)
    """Numbers whose records are in a call: a removal leaves them."""
    _numbers: dict[str, tuple[set[str], int]] = attrs.field(factory=dict, init=False)
    """Each campaign's numbers, and how many records they were read from."""

    def add(self, outbound_id: str) -> None:
        """Create campaign *outbound_id*, empty, if it does not exist."""
        self.records.setdefault(outbound_id, RecordList(CampaignRecord))
        self.agents.setdefault(outbound_id, [])

    def numbers(self, outbound_id: str) -> set[str]:
        """Return the numbers campaign *outbound_id* holds.

        Caught up as the campaign grows (a test may append to it too): the duplicate
        check is O(1), not a scan per request.
        """
        records = self.records[outbound_id]
        numbers, counted = self._numbers.get(outbound_id, (set(), 0))
        if counted > len(records):  # records were taken out: count again
            numbers, counted = set(), 0
        numbers.update(record.phone_number for record in records[counted:])
        self._numbers[outbound_id] = (numbers, len(records))
        return numbers

    def next_id(self) -> int:
        """Return a new record's id: one past every record added, removed ones too."""
        return sum(map(len, self.records.values())) + len(self.removed) + 1

    def take_out(self, outbound_id: str, record: CampaignRecord) -> None:
        """Remove *record* from campaign *outbound_id*, remembering it was removed."""
        records = self.records[outbound_id]
        del records[next(i for i, held in enumerate(records) if held is record)]
        self.removed.append(RemovedRecord(outbound_id=outbound_id, record=record))
        self._numbers.pop(outbound_id, None)


# -- chats -----------------------------------------------------------------------


@attrs.define(eq=False, kw_only=True)
class Conversation(Wire):
    """A chat conversation started through ``chats.start``."""

    conversation_id: str
    chat_queue_id: int
    status: str = "OPEN"
    client_name: str | None = None
    client_surname: str | None = None
    client_email: str | None = None
    client_id: str | None = None
    customer_id: int | None = None
    started_at: str | None = None
    closed_at: str | None = None


# -- webhooks --------------------------------------------------------------------


@attrs.define(eq=False, kw_only=True)
class Subscription(Wire):
    """A webhook subscription, as ``webhooks.create`` answers it."""

    id: int
    actions: list[str]
    subscription_url: str
    http_auth_user: str | None = None
    http_auth_password: str | None = None


# -- all of it -------------------------------------------------------------------


def _ignore(action: str, fields: Mapping[str, Any]) -> None:
    """Announce nothing (the state before FakeThulium connects its deliveries)."""


@attrs.define
class FakeState:
    """Everything FakeThulium remembers, one workflow per field.

    The ``add_*`` methods seed it as a test does (no webhook event follows); the
    handlers that change it announce what changed through ``announce``.
    """

    clock: WallClock
    queues: Queues
    campaigns: Campaigns = attrs.field(factory=Campaigns)
    agents: Records[str, Agent] = attrs.field(factory=lambda: Records(Agent))
    history: RecordList[Connection] = attrs.field(
        factory=lambda: RecordList(Connection)
    )
    recordings: RecordList[Recording] = attrs.field(
        factory=lambda: RecordList(Recording)
    )
    recording_files: dict[str, Recording] = attrs.field(factory=dict)
    """The recordings by ``filename``, as the downloads ask for them."""
    uploads: Records[str, Upload] = attrs.field(factory=lambda: Records(Upload))
    """The files uploaded, by their token."""
    customers: Records[int, Customer] = attrs.field(factory=lambda: Records(Customer))
    tickets: Records[int, Ticket] = attrs.field(factory=lambda: Records(Ticket))
    webhooks: RecordList[Subscription] = attrs.field(
        factory=lambda: RecordList(Subscription)
    )
    chats: Records[str, Conversation] = attrs.field(
        factory=lambda: Records(Conversation)
    )
    """The chat conversations started, by id."""
    announce: Callable[[str, Mapping[str, Any]], None] = _ignore
    """Deliver webhook event (action, fields) to its subscribers."""

    # -- queues and calls

    def add_caller(self, queue_id: int, caller: Caller) -> None:
        """Put *caller* at the front of queue *queue_id* (newest first, as Thulium)."""
        self.queues.waiting.setdefault(queue_id, []).insert(0, caller)

    def history_now(self) -> list[Connection]:
        """Return the call history, with each scheduled call whose time has come."""
        now = self.clock.now()
        for call, due in self.queues.due(now, self.clock.zone):
            self.add_connection(
                call.phone_number,
                src=f"queue-{call.queue_id}",
                queue_id=call.queue_id,
                at=due,
            )
        return self.history

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
        when = self.clock.local(at)
        answered = disposition == "ANSWERED"
        record = Connection(
            connection_id=f"{int(when.timestamp())}.{len(self.history) + 1}",
            date=self.clock.minutes(when),
            src=src,
            dst=dst,
            disposition=disposition,
            type=type,
            duration=30 if answered else 0,
            billsec=25 if answered else 0,
            queue_id=queue_id,
            user_login=user_login,
        )
        self.history.append(record)
        return record

    def add_agent(self, login: str, **account: Any) -> Agent:
        """Create agent *login* (the next id), FREE until :meth:`set_status`."""
        agent = Agent(
            agent_id=len(self.agents) + 1,
            login=login,
            status=self._status(login, "FREE", None),
            **account,
        )
        self.agents[login] = agent
        return agent

    def set_status(self, login: str, status: str, pause_id: int | None) -> None:
        """Set what agent *login* is doing, from now on the fake's clock."""
        self.agents[login].status = self._status(login, status, pause_id)

    def _status(self, login: str, status: str, pause_id: int | None) -> AgentStatus:
        return AgentStatus(
            login=login,
            status=status,
            pause_id=pause_id,
            last_change=wall_clock_text(self.clock.now()),
        )

    def add_recording(
        self, *, at: datetime | None, src: str, dst: str, size: int, type: str
    ) -> Recording:
        """Add a recorded call of *size* bytes (default: now); return it."""
        when = self.clock.local(at)
        connection_id = f"{int(when.timestamp())}.{len(self.recordings) + 1}"
        recording = Recording(
            date=self.clock.minutes(when),
            created_at=self.clock.minutes(when),
            src=src,
            dst=dst,
            filename=f"{when:%Y/%m/%d}/{connection_id}.mp3",
            connection_id=connection_id,
            type=type,
            size=size,
        )
        self.recordings.append(recording)
        self.recording_files[recording.filename] = recording
        return recording

    # -- the CRM and the desk

    def add_customer(
        self,
        surname: str,
        *,
        name: str | None = None,
        phone_number: str | None = None,
        email: str | None = None,
        company_id: int | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        customer_id: int | None = None,
    ) -> Customer:
        """Add a customer (the next free id unless given); return it."""
        if customer_id is None:
            customer_id = max(self.customers, default=272) + 1
        customer = Customer(
            customer_id=customer_id,
            name=name or "",
            surname=surname,
            phone_number=phone_number or "",
            phone_numbers=[phone_number] if phone_number else [],
            email=email or "",
            company_id=company_id,
            updated_at=wall_clock_text(self.clock.now()),
            custom_fields=dict(custom_fields or {}),
        )
        self.customers[customer_id] = customer
        return customer

    def add_ticket(
        self,
        *,
        subject: str,
        body: str,
        queue: str,
        sender: str,
        customer_id: int | None,
        user_login: str | None,
        at: datetime | None = None,
    ) -> Ticket:
        """Add a ticket with one e-mail message, created *at* (default: now)."""
        ticket_id = max(self.tickets, default=1233) + 1
        stamp = self.clock.minutes(at)
        ticket = Ticket(
            ticket_id=ticket_id,
            sender=sender,
            ticket_queue_name=queue,
            subject=subject,
            customer_id=customer_id,
            user_login=user_login,
            created_at=stamp,
            updated_at=stamp,
            messages=[
                Message(
                    message_id=ticket_id * 10, type="MAIL", body=body, created_at=stamp
                )
            ],
        )
        self.tickets[ticket_id] = ticket
        return ticket

    # -- webhooks

    def subscribe(
        self, actions: list[str], url: str, user: Any, password: Any
    ) -> Subscription:
        """Record a webhook subscription; return it."""
        subscription = Subscription(
            id=len(self.webhooks) + 1,
            actions=list(actions),
            subscription_url=url,
            http_auth_user=user,
            http_auth_password=password,
        )
        self.webhooks.append(subscription)
        return subscription
