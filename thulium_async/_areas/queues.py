"""The ``client.queues`` namespace: its endpoints declared, one method each.

Every endpoint is a declared method (``@operation``): the signature is the endpoint.
The dialer's ``waiting_list`` and ``schedule_call`` are no exception; their speed,
measured by instruction count, comes from what the layer builds once from the
declaration (the request per queue, the body's encoder, the answer's reader), not
from a path of their own. ``schedule_calls``, ``watch_waiting_list`` and
``reconcile`` are features over them.
"""

from __future__ import annotations

import asyncio
import logging
import typing
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Annotated

from .._api.endpoints import PathKind
from .._api.namespace import Namespace
from .._api.operations import Body, PathValue, endpoint_of, operation
from .._core import validation as _validation
from .._core.errors import InvalidInputError
from .._features.dial_models import CallOutcome, DialProgress, NumberSource
from .._features.dialer import PathLike, bulk_run
from .._features.reconcile import (
    Matcher,
    ReconcileResult,
    unknowns,
    windows,
)
from .._features.watch import WaitingListChange, watch
from .._models.queues import QueueTopics, WaitingCaller, WaitingStats
from . import connections as _connections

_QUEUE_ID = "the queue's id, a positive int"
_QUEUE_PATH = PathValue(_QUEUE_ID, PathKind.ID, example=2)

logger = logging.getLogger("thulium_async")


class Queues(Namespace):
    """Queue endpoints: ``client.queues.waiting_list(...)``, ``schedule_call(...)``, ..."""

    __slots__ = ()

    def watch_waiting_list(
        self,
        queue_id: int,
        interval: float = 2.0,
        *,
        jitter: float = 0.1,
        max_backoff: float = 60.0,
    ) -> AsyncGenerator[WaitingListChange, None]:
        """Watch queue *queue_id*: yield a :class:`~thulium_async.WaitingListChange` as callers come and go.

        Polls ``waiting_list`` every *interval* seconds (give or take *jitter*, a
        fraction, so that many watchers do not poll in lockstep), one poll at a time,
        without drifting. The first change lists everyone waiting as joined; later
        ones come only when someone joined or left. A caller is identified by phone
        number and ``started_at``, so a number that leaves and comes back is seen
        both times.

        If a poll fails after the client's own retries with a failure that may pass
        (the network, 5xx, 429, a garbled body), a change with ``error`` set is
        yielded and polling goes on with exponential backoff up to *max_backoff*
        seconds. A definitive failure (401, 403, 404, ...) ends the iteration by
        raising it. Break out of the loop or cancel the task to stop at once.

        Raises:
            InvalidInputError: a bad *queue_id*, *interval*, *jitter* or *max_backoff*.
        """
        queue = _validation.queue_id(queue_id)
        period = _validation.positive("interval", interval)
        spread = _validation.fraction("jitter", jitter)

        async def fetch() -> list[WaitingCaller]:
            return await self.waiting_list(queue)

        return watch(
            fetch,
            interval=period,
            jitter=spread,
            max_backoff=_validation.positive("max_backoff", max_backoff),
        )

    @operation(
        "queues.waiting_list",
        "GET",
        "queues/{queue_id}/waiting_list",
        doc="queues/get_queues_id_waiting_list",
        # The page writes its keys unquoted: here as the JSON the API sends.
        example=[
            {
                "phone_number": "613459851",
                "started_at": "2014-08-06 14:30:37",
                "customer_id": None,
                "customer_label": None,
            },
            {
                "phone_number": "840526437",
                "started_at": "2014-08-06 14:30:36",
                "customer_id": None,
                "customer_label": None,
            },
            {
                "phone_number": "746842523",
                "started_at": "2014-08-06 14:30:35",
                "customer_id": 123,
                "customer_label": "Jan Kowalski",
            },
        ],
    )
    async def waiting_list(
        self, queue_id: Annotated[int, _QUEUE_PATH]
    ) -> list[WaitingCaller]:
        """Return the callers waiting in queue *queue_id* right now.

        A GET, so it is safe to repeat: timeouts, disconnects and 5xx are retried as
        the client's RetryPolicy allows. ``started_at`` is timezone-aware, in the
        client's timezone. The dialer's supervisors poll it, so its cost per call is
        measured (``benchmarks/bench_instructions.py``).

        Raises:
            InvalidInputError: *queue_id* is not a positive int (nothing is sent).
            NotFoundError: no such queue.
            ResponseDecodeError: the answer is not the documented list of callers.
            APIStatusError: any other refusal; APIConnectionError: the network failed.
        """

    def reconcile(
        self,
        outcomes: Iterable[object],
        *,
        queue_id: int,
        since: datetime | None = None,
        until: datetime | None = None,
        window: timedelta = timedelta(days=1),
    ) -> AsyncIterator[ReconcileResult]:
        """Look up each ``unknown`` outcome in the call history: was the call made?

        For each ``unknown`` item of *outcomes* (:class:`~thulium_async.CallOutcome`
        objects, or the rows of a ``schedule-calls`` report read with
        ``csv.DictReader``; other statuses are passed over), yields one
        :class:`~thulium_async.ReconcileResult`, in input order: ``called`` with the
        first outbound call to that number from queue *queue_id* found in the
        history between *since* and *until*, or ``not_found``.

        ``called`` is proof: the request was processed, do not send it again.
        ``not_found`` is not proof of the opposite: a call scheduled for later
        (``call_at``), or still waiting for a free agent, is not in the history yet.
        Reconcile again after its time; only a number still not found well after
        it was due is safe to schedule again.

        The history is read once per *window* of the range (one paged query for
        all the numbers, under the client's rate limit), and no further once every
        number is found.

        Args:
            outcomes: the outcomes or report rows.
            queue_id: the queue the calls were scheduled from.
            since: the earliest the calls can have been made: when the run started
                (naive means the system's wall clock). Default: 24 hours ago.
            until: the end of the range. Default: now.
            window: the span of one history query.

        Raises:
            InvalidInputError: a bad argument or item, at once (nothing is sent).
        """
        queue = _validation.queue_id(queue_id)
        sought = unknowns(list(outcomes))
        now = datetime.now(timezone.utc).astimezone(self._zone)
        end = _moment("until", until, self._zone) if until is not None else now
        start = (
            _moment("since", since, self._zone)
            if since is not None
            else end - timedelta(days=1)
        )
        if start >= end:
            raise InvalidInputError(f"since {start} is not before until {end}")
        span: object = window
        if not isinstance(span, timedelta) or span < timedelta(minutes=1):
            raise InvalidInputError(
                f"window must be a timedelta of a minute or more, got {window!r}"
            )

        async def results() -> AsyncIterator[ReconcileResult]:
            matcher = Matcher(sought, self._wiring.phone_region)
            for first, last in windows(start, end, window):
                if matcher.done or not sought:
                    break
                # The history is written to the minute: take in the last one whole.
                query = _connections.ConnectionFilter(
                    date_from=first, date_to=last + timedelta(minutes=1), queue_id=queue
                )
                pages = self._list(_connections.LIST, query=query)
                async for connection in pages:
                    matcher.offer(connection)
            for result in matcher.results():
                yield result

        return results()

    @operation(
        "queues.topics",
        "GET",
        "queues/{queue_id}/topics",
        doc="queues/get_queues_id_topics",
        # The page writes an object in list brackets, some keys unquoted: here as JSON.
        example={
            "topic_groups": [
                {
                    "group_name": "First group",
                    "topics": [
                        {"id": 1, "name": "only one", "show_custom_fields": True}
                    ],
                },
                {"group_name": "Empty group", "topics": []},
                {
                    "group_name": "Group with multiple",
                    "topics": [
                        {"id": 2, "name": "first", "show_custom_fields": True},
                        {"id": 3, "name": "second", "show_custom_fields": True},
                        {"id": 4, "name": "third", "show_custom_fields": False},
                    ],
                },
            ],
            "custom_fields": [
                {"id": 1, "name": "Field 1", "type": "LONG_TEXT", "require": False},
                {"id": 2, "name": "Field 2", "type": "TEXT", "require": False},
            ],
        },
    )
    async def topics(self, queue_id: Annotated[int, _QUEUE_PATH]) -> QueueTopics:
        """Return the call topics agents can pick in queue *queue_id*.

        Only active topic groups, and in them only active topics, are listed; an
        empty group is listed too. A GET, retried like ``waiting_list``; an answer
        not of the documented shape raises ``ResponseDecodeError``.
        """

    @operation(
        "queues.waiting_stats",
        "GET",
        "queues/{queue_id}/waiting_stats",
        doc="no vendor page: the shape the vendor's own queue widget reads",
    )
    async def waiting_stats(
        self,
        # No vendor page, so no example of the vendor's (the contract tests bring
        # their own path values).
        queue_id: Annotated[int, PathValue(_QUEUE_ID, PathKind.ID)],
    ) -> WaitingStats:
        """Return how many callers wait in queue *queue_id* and the expected wait.

        The vendor publishes no page for this endpoint: the shape comes from the
        vendor's own queue widget, which reads ``in_queue`` and ``approx_wait_time``
        (``HH:MM:SS``). Those two are typed (``in_queue`` missing or not an integer
        raises ``ResponseDecodeError``); the whole answer is in ``.fields``. A GET,
        retried like ``waiting_list``. ``NotFoundError`` means no such queue, or a
        system without this endpoint.
        """

    @operation(
        "queues.schedule_call",
        "POST",
        "queues/{queue_id}/schedule_call",
        # No answer: the vendor documents 200 with an empty body, and whatever else
        # a 2xx carries, the call is scheduled, so the body is ignored.
        side_effect="call the customer twice",
        doc="queues/post_queues_id_schedule_call",
    )
    async def schedule_call(
        self,
        queue_id: Annotated[int, _QUEUE_PATH],
        phone_number: Annotated[
            str,
            Body(
                "digits with an optional leading ``+``; spaces, dashes, dots and "
                "brackets are removed before sending",
                example="500333222",
                format="phone",
            ),
        ],
        call_at: Annotated[
            datetime | None,
            Body(
                "when to call. Naive means the Thulium system's wall clock; aware is "
                "converted into it. Omitted means now. Sent to the second",
                example="2020-11-06 14:42:11",
            ),
        ] = None,
    ) -> None:
        """Ask Thulium to call *phone_number* from queue *queue_id*.

        This request is **not idempotent**: sending it twice schedules two calls to
        the same person. So after it was sent, a timeout, a dropped connection or a
        500/502/504 raises :class:`~thulium_async.DeliveryUnknownError` instead of
        retrying, and you decide; so does a 503 without ``Retry-After`` or Thulium's
        own error body (a proxy can answer so after Thulium acted). Failures where
        nothing was processed (connection refused, 429, a 503 that says it refused)
        are retried. The dialer sends it for every number, so its cost per call is
        measured (``benchmarks/bench_instructions.py``).

        Raises:
            InvalidInputError: a bad argument (nothing is sent).
            DeliveryUnknownError: the call may or may not have been scheduled.
            RateLimitError: still throttled after the allowed retries.
            APIStatusError: any other refusal; APIConnectionError: nothing got through.
        """

    def schedule_calls(
        self,
        queue_id: int,
        numbers: NumberSource,
        *,
        concurrency: int = 10,
        progress: DialProgress | None = None,
        deduplicate: bool = True,
        journal: PathLike | None = None,
        resume_from: PathLike | None = None,
        stop: asyncio.Event | None = None,
    ) -> AsyncGenerator[CallOutcome, None]:
        """Schedule a call to each of *numbers* from queue *queue_id*; yield outcomes.

        *numbers* (phone-number strings or :class:`~thulium_async.CallRequest` items, from any
        iterable or async iterable) is read lazily, so memory stays proportional to
        *concurrency*, not to the input. Each item yields exactly one
        :class:`~thulium_async.CallOutcome`, in completion order: ``scheduled``, ``failed``
        (definitely not scheduled), ``unknown`` (may have been scheduled; never
        retried automatically) or ``skipped`` (not sent; ``reason`` says why). A bad
        item fails alone; the run goes on. The client's ``rate_limit``, retries and
        never-call-twice rules apply to every call.

        A 401, 403 or 404 (no such queue) says no other number can succeed either:
        nothing more is sent, and every item left is ``failed`` with
        :class:`~thulium_async.RunStoppedError` (``progress.stopped_by`` holds the cause).

        To stop gracefully (on SIGTERM, say), set the *stop* event: nothing more is
        read or sent, numbers still waiting to be sent (on the rate limit, for a
        connection) end ``failed`` at once ("not sent", safe to send again), and the
        loop ends when the requests already written have their answers. Breaking
        out of the loop, an exception in its body, or cancelling the task stops the
        workers at once; requests then written are listed in
        ``progress.interrupted`` (they may have been scheduled), those still
        waiting in ``progress.not_sent``. For prompt cleanup, use it inside
        ``contextlib.aclosing(...)``.

        To survive a crash, give a *journal* path: each number's intent is written
        to it (and flushed to the disk) before its request can be sent, and its
        outcome after. To finish a run that stopped or crashed, start again with the
        same numbers and ``resume_from=`` that journal (and a new *journal*): numbers
        it shows as scheduled are ``skipped``; those it shows as unknown or in
        flight at a crash are ``unknown`` again (``reason`` says which), never sent
        again, for ``reconcile`` to settle; failed ones are sent again. A
        journal can only be resumed by a client with the same ``phone_region``.

        Args:
            queue_id: the queue's id, a positive int.
            numbers: the numbers to call.
            concurrency: calls in flight at once for this run (1 to 10,000).
            progress: a :class:`~thulium_async.DialProgress` to update live, for a UI to poll.
            deduplicate: send a number once per run: a later item that names the
                same line (its E.164 form in the client's ``phone_region``:
                ``500-111-222``, ``+48 500 111 222`` and ``0048500111222`` are one in
                ``"PL"``) is ``skipped`` with ``duplicate_of`` set. A string that
                parses to no possible number (an extension, a short code) is
                compared by its digits. Numbers are remembered in a temporary SQLite
                file, not in memory.
            journal: a file to record the run in, for ``resume_from`` (appended to).
            resume_from: the journal of an earlier run of these numbers.
            stop: an event that stops the run gracefully when set.

        Raises:
            InvalidInputError: a bad *queue_id*, *concurrency*, *journal* or
                *resume_from*, at once; a journal that cannot be read or written, when
                iteration starts.
        """
        queue = _validation.queue_id(queue_id)
        send, new_body = self._send_counted, _CALL_BODY

        async def schedule_one(
            number: str, call_at: datetime | None, _item: object
        ) -> int:
            body = new_body(
                phone_number=_validation.phone_number(number), call_at=call_at
            )
            return await send(SCHEDULE_CALL, queue, body=body)

        return bulk_run(
            schedule_one,
            numbers,
            concurrency=concurrency,
            progress=progress,
            deduplicate=deduplicate,
            journal=journal,
            resume_from=resume_from,
            stop=stop,
            phone_region=self._wiring.phone_region,
            name="schedule_calls",
        )


SCHEDULE_CALL = endpoint_of(Queues.schedule_call)
"""What the dialer sends for every number (``schedule_calls``)."""
_CALL_BODY = typing.cast("type", SCHEDULE_CALL.body)


def _moment(name: str, value: object, zone: tzinfo) -> datetime:
    """Return *value* as an aware datetime in *zone* (naive: the system's clock)."""
    if not isinstance(value, datetime):
        raise InvalidInputError(
            f"{name} must be a datetime, got {type(value).__name__}"
        )
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)
