"""FakeThulium's outbound campaigns and webhook subscriptions.

Each handler answers from the state (``_fake_state``), after the rule of
``_fake_answers`` chose the state over the sample; :data:`ROUTES` declares which
endpoints these are and what part of the state each reads. A campaign never holds a
number twice, as the API promises: that is what makes adding records safe to resend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from ._fake_answers import Stateful, error, json_object, page
from ._fake_state import RECORD_FIELDS, CampaignRecord, FakeState, wire


def _campaign(request: web.Request) -> str:
    return request.match_info["outbound_id"]


def _new_record(state: FakeState, fields: Mapping[str, Any]) -> CampaignRecord:
    given: dict[str, Any] = {name: fields.get(name) for name in RECORD_FIELDS}
    return CampaignRecord(
        record_id=state.campaigns.next_id(),
        create_date=state.clock.minutes(),
        **given,
    )


def add_record(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """Add one record, unless its number is in the campaign already (a 422)."""
    outbound_id = _campaign(request)
    if outbound_id not in state.campaigns.records:
        return error(404, "Outbound not found.")
    data = json_object(body)
    number = data.get("phone_number")
    if not isinstance(number, str) or not number:
        return error(422, "phone_number is required.")
    unknown = sorted(set(data) - RECORD_FIELDS)
    if unknown:
        return error(422, f"Unknown fields: {', '.join(unknown)}.")
    if number in state.campaigns.numbers(outbound_id):
        # The fake's own wording: no vendor page shows the real refusal's body.
        return error(422, "Phone number already exists in this outbound.")
    record = _new_record(state, data)
    state.campaigns.records[outbound_id].append(record)
    # The vendor's example answer: the new record's id, as text.
    return web.json_response({"record_id": str(record.record_id)})


def add_records(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """``POST batch/outbounds/:id/records``: each record added unless its number is in.

    Answers in the shape of the DELETE batch page: each number to a list of
    ``{http_status, record_id, status}`` (``ADDED``, ``ALREADY_EXISTS``,
    ``FAILED`` with a ``message``).
    """
    outbound_id = _campaign(request)
    if outbound_id not in state.campaigns.records:
        return error(404, "Outbound not found.")
    answer: dict[str, list[dict[str, Any]]] = {}
    for given in json_object(body).get("records") or []:
        fields = given if isinstance(given, dict) else {}
        number = fields.get("phone_number")
        unknown = sorted(set(fields) - RECORD_FIELDS)
        line: dict[str, Any]
        if not isinstance(number, str) or not number or unknown:
            why = (
                f"Unknown fields: {', '.join(unknown)}."
                if unknown
                else "phone_number is required."
            )
            line = {"http_status": 400, "status": "FAILED", "message": why}
        elif number in state.campaigns.numbers(outbound_id):
            held = next(
                r
                for r in state.campaigns.records[outbound_id]
                if r.phone_number == number
            )
            line = {"http_status": 409, "status": "ALREADY_EXISTS"}
            if held.record_id is not None:
                line["record_id"] = held.record_id
        else:
            record = _new_record(state, fields)
            state.campaigns.records[outbound_id].append(record)
            line = {
                "http_status": 201,
                "record_id": record.record_id,
                "status": "ADDED",
            }
        answer.setdefault(str(number), []).append(line)
    return web.json_response(answer)


def remove_records(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """``DELETE batch/outbounds/:id/records``: every record of each number goes.

    But those in a call (``numbers_in_call``); the DELETE page's answer.
    """
    outbound_id = _campaign(request)
    if outbound_id not in state.campaigns.records:
        return error(404, "Outbound not found.")
    answer: dict[str, list[dict[str, Any]]] = {}
    for number in request.query.getall("phone_number[]", []):
        if number in answer:
            continue
        held = [
            r for r in state.campaigns.records[outbound_id] if r.phone_number == number
        ]
        if not held:
            answer[number] = [{"http_status": 404, "status": "NOT_EXIST"}]
            continue
        lines = []
        for record in held:
            line: dict[str, Any] = {"http_status": 409, "status": "CALL_IN_PROGRESS"}
            if number not in state.campaigns.in_call:
                state.campaigns.take_out(outbound_id, record)
                line = {"http_status": 200, "status": "REMOVED"}
            if record.record_id is not None:
                line["record_id"] = record.record_id
            lines.append(line)
        answer[number] = lines
    return web.json_response(answer)


def records(state: FakeState, request: web.Request, body: bytes) -> web.StreamResponse:
    """``GET outbounds/:id/records``: the campaign's records, paged, by ``status_id``."""
    outbound_id = _campaign(request)
    if outbound_id not in state.campaigns.records:
        return error(404, "Outbound not found.")
    wanted = set(request.query.getall("status_id[]", []))
    held = [
        record.as_json()
        for record in state.campaigns.records[outbound_id]
        if not wanted or str(record.status_id) in wanted
    ]
    return web.json_response(page(held, request.query))


def _take_out(
    state: FakeState, request: web.Request, matches: Callable[[CampaignRecord], bool]
) -> web.StreamResponse:
    """Remove the campaign's records that *matches* accepts: 404 if there is none."""
    outbound_id = _campaign(request)
    held = [r for r in state.campaigns.records.get(outbound_id, ()) if matches(r)]
    if not held:
        return error(404, "Record not found.")
    if any(r.phone_number in state.campaigns.in_call for r in held):
        return error(409, "The record is in a call.")
    for record in held:
        state.campaigns.take_out(outbound_id, record)
    return web.Response(status=204)


def remove_record(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """``DELETE outbounds/:id/records/:phone_number``: every record of the number."""
    number = request.match_info["phone_number"]
    return _take_out(state, request, lambda record: record.phone_number == number)


def remove_by_identifier(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """``DELETE outbounds/:id/records_by_identifier/:identifier``."""
    identifier = request.match_info["identifier"]
    return _take_out(state, request, lambda record: record.identifier == identifier)


def update_by_identifier(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """``PUT outbounds/:id/records_by_identifier/:identifier``: the fields given."""
    identifier = request.match_info["identifier"]
    held = [
        record
        for record in state.campaigns.records.get(_campaign(request), ())
        if record.identifier == identifier
    ]
    if not held:
        return error(404, "Record not found.")
    changes = {k: v for k, v in json_object(body).items() if k in RECORD_FIELDS}
    for record in held:
        for name, value in changes.items():
            setattr(record, name, value)
    return web.Response(status=200)


def stats(state: FakeState, request: web.Request, body: bytes) -> web.StreamResponse:
    """Each campaign's record count (and no progress: the fake calls nobody)."""
    return web.json_response(
        [
            {"id": oid, "records_count": len(records), "completion_percent": 0}
            for oid, records in sorted(state.campaigns.records.items())
        ]
    )


def agents(state: FakeState, request: web.Request, body: bytes) -> web.StreamResponse:
    """The campaign's agents, with the ids and numbers of the fake's own."""
    logins = state.campaigns.agents.get(_campaign(request))
    if logins is None:
        return error(404, "Outbound not found.")
    answer = []
    for login in logins:
        known = state.agents.get(login)
        answer.append(
            {
                "login": login,
                "agent_id": known.agent_id if known else None,
                "number": known.number if known else None,
                "active": True,
                "active_in_outbound": True,
            }
        )
    return web.json_response(answer)


def add_agents(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """Add agents to the campaign, each once (of the fake's own, when it has any)."""
    logins = state.campaigns.agents.get(_campaign(request))
    if logins is None:
        return error(404, "Outbound not found.")
    given = json_object(body).get("logins")
    if not isinstance(given, list) or not given:
        return error(422, "logins are required.")
    unknown = [x for x in given if state.agents and x not in state.agents]
    if unknown:
        return error(422, f"Agent not found: {', '.join(map(str, unknown))}.")
    logins.extend(str(x) for x in given if x not in logins)  # once each
    return web.Response(status=200, body=b"")


def status_by_phone(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """Set ``status_id`` on every record of the number; answer the campaigns touched."""
    data = json_object(body)
    number, status = data.get("phone_number"), data.get("status_id")
    if not isinstance(number, str) or not number or status is None:
        return error(422, "status_id and phone_number are required.")
    touched = []
    for outbound_id in sorted(state.campaigns.records):
        hit = [
            r for r in state.campaigns.records[outbound_id] if r.phone_number == number
        ]
        for record in hit:
            record.status_id = status
        if hit:
            touched.append(outbound_id)
    return web.json_response({"outbound_id": touched})


def subscribe(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """Record a webhook subscription: its actions' events are delivered from now on."""
    data = json_object(body)
    actions, url = data.get("actions"), data.get("subscription_url")
    if not isinstance(actions, list) or not actions or not isinstance(url, str):
        return error(422, "actions and subscription_url are required.")
    subscription = state.subscribe(
        [str(a) for a in actions],
        url,
        data.get("http_auth_user"),
        data.get("http_auth_password"),
    )
    return web.json_response(subscription.as_json(), status=201)


def subscriptions(
    state: FakeState, request: web.Request, body: bytes
) -> web.StreamResponse:
    """The webhook subscriptions made."""
    return web.json_response(wire(state.webhooks))


def _has_records(state: FakeState) -> bool:
    return any(state.campaigns.records.values())


ROUTES: Mapping[str, Stateful] = {
    "outbounds.add_record": Stateful(add_record),
    "outbounds.add_records": Stateful(add_records),
    "outbounds.remove_records": Stateful(remove_records),
    "outbounds.stats": Stateful(stats, reads=_has_records),
    "outbounds.agents": Stateful(
        agents, reads=lambda state: any(state.campaigns.agents.values())
    ),
    "outbounds.add_agents": Stateful(add_agents),
    # While the fake holds no record at all, the vendor's examples answer these.
    "outbounds.records": Stateful(records, reads=_has_records),
    "outbounds.remove_record": Stateful(remove_record, reads=_has_records),
    "outbounds.remove_record_by_identifier": Stateful(
        remove_by_identifier, reads=_has_records
    ),
    "outbounds.update_record_by_identifier": Stateful(
        update_by_identifier, reads=_has_records
    ),
    # Without a record to set, the vendor's example answers.
    "outbounds.status_by_phone_number": Stateful(status_by_phone, reads=_has_records),
    "webhooks.create": Stateful(subscribe),
    "webhooks.list": Stateful(subscriptions, reads=lambda state: state.webhooks),
}
"""The endpoints of this module's workflows, and the part of the state each reads."""
