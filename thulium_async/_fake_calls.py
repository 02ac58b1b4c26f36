"""FakeThulium's calls: the queues, the agents, the call history, recordings and files.

Each handler answers from the state (``_fake_state``), after the rule of
``_fake_answers`` chose the state over the sample; :data:`ROUTES` declares which
endpoints these are and what part of the state each reads.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import timedelta, tzinfo

from aiohttp import web

from ._core.wallclock import format_duration, parse_wall_clock
from ._fake_answers import Stateful, error, json_object, page
from ._fake_state import Caller, FakeState, ScheduledCall, Upload, wire

SCREENSHOT_JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
)
"""What ``agents.last_screenshot`` answers: a JPEG's start and end markers around a
few bytes (not an image a viewer would open, but one by its signature)."""


def _queue(request: web.Request) -> int:
    return int(request.match_info["queue_id"])


def waiting_list(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """The callers of the queue, newest first (or whatever JSON a test put there)."""
    return web.json_response(wire(state.queues.waiting[_queue(request)]))


def schedule_call(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """Record the call; a ``call_at`` the document allows but no clock has is a 422."""
    problem, call = _parse_schedule(_queue(request), body, state.clock.zone)
    if call is None:  # the document allows it (a 30 February): the server does not
        return error(422, problem)
    state.queues.scheduled.append(call)
    return web.Response(status=200, body=b"")


def waiting_stats(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """How many wait, and their average wait so far as the expected wait."""
    callers = state.queues.waiting[_queue(request)]
    now, zone = state.clock.now(), state.clock.zone
    waited = [  # from_json: a test may have put its own rows in
        (now - parse_wall_clock(Caller.from_json(c).started_at, zone)).total_seconds()
        for c in callers
    ]
    average = timedelta(seconds=sum(waited) / len(waited)) if waited else timedelta()
    wait = format_duration(max(average, timedelta()))
    return web.json_response({"in_queue": len(callers), "approx_wait_time": wait})


def agent(state: FakeState, request: web.Request, body: bytes) -> web.StreamResponse:
    """The agent's account."""
    found = state.agents.get(request.match_info["login"])
    if found is None:
        return error(404, "Agent not found.")
    return web.json_response(found.as_json())


def agent_status(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """What the agent is doing."""
    found = state.agents.get(request.match_info["login"])
    if found is None:
        return error(404, "Agent not found.")
    return web.json_response(found.status.as_json())


def agent_call(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """The agent calls a number (or a customer): a call in the history at once.

    Any login is an agent until the fake has agents of its own.
    """
    login = request.match_info["login"]
    if state.agents and login not in state.agents:
        return error(404, "Agent not found.")
    data = json_object(body)
    number = data.get("phone_number")
    customer = data.get("customer_id")
    if not (isinstance(number, str) and number) and customer is None:
        return error(422, "phone_number is required without customer_id")
    dst = number if isinstance(number, str) and number else f"customer-{customer}"
    state.add_connection(dst, src=login, user_login=login)
    return web.Response(status=200, body=b"")


def last_screenshot(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """A JPEG, for any agent until the fake has agents of its own."""
    if state.agents and request.match_info["login"] not in state.agents:
        return error(404, "no such agent")
    return web.Response(body=SCREENSHOT_JPEG, content_type="image/jpeg")


def connections_call(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """A SIP extension calls a number: a call in the history at once."""
    data = json_object(body)
    if not data.get("sip") or not data.get("phone_number"):
        return error(422, "sip and phone_number are required")
    state.add_connection(str(data["phone_number"]), src=str(data["sip"]))
    return web.Response(status=200, body=b"")


def history(state: FakeState, request: web.Request, body: bytes) -> web.StreamResponse:
    """The calls made so far, filtered as the query asks, one page of them."""
    query = request.query
    rows = [
        row
        for row in state.history_now()
        if _matches(
            query,
            row.date,
            src=row.src,
            dst=row.dst,
            user_login=row.user_login,
            connection_id=row.connection_id,
            type=row.type,
            queue_id=row.queue_id,
        )
    ]
    return web.json_response(wire(page(rows, query)))


def recordings(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """The recordings, filtered by the query as the history is (``created_at``)."""
    query = request.query
    rows = [
        row
        for row in state.recordings
        if _matches(
            query,
            row.created_at,
            src=row.src,
            dst=row.dst,
            user_login=None,
            connection_id=row.connection_id,
            type=row.type,
            queue_id=None,
        )
    ]
    return web.json_response(wire(page(rows, query)))


def recording_file(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """The recording's audio, by its ``filename`` (downloaded or streamed alike)."""
    filename = request.query.get("filename", "")
    found = state.recording_files.get(filename)
    if found is None:
        return error(404, f"no recording {filename!r}")
    return web.Response(body=found.content(), content_type="audio/mpeg")


def upload(state: FakeState, request: web.Request, body: bytes) -> web.StreamResponse:
    """Keep the file's bytes under a new token; answer the token."""
    filename = request.query.get("filename", "")
    if not filename.strip():
        return error(400, "Missing query parameter: filename.", code=1)
    token = secrets.token_hex(12)
    state.uploads[token] = Upload(filename=filename, data=body)
    return web.json_response({"filename": filename, "token": token, "size": len(body)})


ROUTES: Mapping[str, Stateful] = {
    "queues.waiting_list": Stateful(waiting_list),
    "queues.schedule_call": Stateful(schedule_call),
    "queues.waiting_stats": Stateful(waiting_stats),
    "agents.get": Stateful(agent, reads=lambda state: state.agents),
    "agents.status": Stateful(agent_status, reads=lambda state: state.agents),
    "agents.call": Stateful(agent_call),
    "agents.last_screenshot": Stateful(last_screenshot),
    "connections.call": Stateful(connections_call),
    "connections.list": Stateful(history, reads=FakeState.history_now),
    "recordings.list": Stateful(recordings, reads=lambda state: state.recordings),
    "recordings.download": Stateful(recording_file),
    "recordings.stream": Stateful(recording_file),
    "temporary_files.upload": Stateful(upload),
}
"""The endpoints of this module's workflows, and the part of the state each reads."""


def _matches(query: Mapping[str, str], date: str, **fields: object) -> bool:
    """Whether a call of *date* with *fields* passes the filters in *query*."""
    for name, value in fields.items():
        if name in query and str(value) != query[name]:
            return False
    if "date_from" in query and date < _bound(query["date_from"], "00:00"):
        return False
    return not ("date_to" in query and date > _bound(query["date_to"], "23:59"))


def _bound(text: str, day_end: str) -> str:
    """A date filter as ``YYYY-MM-DD HH:MM`` text; a date alone covers its whole day."""
    return f"{text} {day_end}" if len(text) == 10 else text[:16]


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
