"""The thin methods of the endpoints the vendor lists without documenting them.

Each is generated from its row of ``_api/undocumented.py``: these tests run every row
against FakeThulium on 127.0.0.1 and check what reached the server.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import operator
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from thulium_async import (
    DeliveryUnknownError,
    InvalidInputError,
    ThuliumClient,
    UnprocessableEntityError,
)
from thulium_async._api.endpoints import PathKind
from thulium_async._api.thin import ROWS
from thulium_async._api.undocumented import UNDOCUMENTED, Undocumented
from thulium_async._areas import _thin
from thulium_async.testing import FakeThulium, Fault

ROOT = Path(__file__).resolve().parent.parent
PINNED_ACTIONS = (
    "pause",
    "free",
    "login",
    "logout",
    "answer",
    "hangup",
    "hold",
    "unhold",
    "mute",
    "unmute",
    "transfer",
    "call_preview",
    "stop_recording",
)
# A good value of each kind, and values each kind refuses (an id is an int).
GOOD = {
    PathKind.LOGIN: "jkowalski",
    PathKind.ID: 7,
    PathKind.CAMPAIGN: "00001",
    PathKind.CONVERSATION: "7f9c24e5-2b1d-4c8a-9e0f-3a6b5d4c2e1f",
}
BAD: dict[PathKind, tuple[object, ...]] = {
    PathKind.LOGIN: ("", "..", "a/b", "x y", "j%2Fk", None, 3),
    PathKind.ID: (0, -1, True, "7", 7.0, 2**63, None),
    PathKind.CAMPAIGN: ("0001", "000001", "../..", "00/01", 1, None),
    PathKind.CONVERSATION: ("", "..", "a/b", "a b", "x" * 65, 77, None),
}
WRITES = [row for row in ROWS.values() if not row.is_idempotent]
READS = [row for row in ROWS.values() if row.method == "GET"]
IDEMPOTENT_WRITES = [
    row for row in ROWS.values() if row.is_idempotent and row.method != "GET"
]


def ids(row: Undocumented) -> str:
    return row.operation


def method_of(
    client: ThuliumClient, row: Undocumented
) -> Callable[..., Awaitable[Any]]:
    found: Callable[..., Awaitable[Any]] = operator.attrgetter(row.operation)(client)
    return found


def values(row: Undocumented) -> tuple[object, ...]:
    return tuple(GOOD[kind] for kind in row.params.values())


def path(row: Undocumented) -> str:
    return "/api/" + row.path.format(**dict(zip(row.params, values(row), strict=True)))


def test_the_generated_module_is_the_table_as_it_is() -> None:
    """``_areas/_thin.py`` is what ``tools/generate_thin.py`` writes from the table now."""
    spec = importlib.util.spec_from_file_location(
        "generate_thin", ROOT / "tools/generate_thin.py"
    )
    assert spec is not None
    assert spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    expected = generator.render()
    assert Path(_thin.__file__).read_text() == expected, (
        "the thin methods and the table differ: run python tools/generate_thin.py"
    )


def test_every_row_but_the_binary_ones_gets_a_thin_method() -> None:
    """29 of the 31: the two screenshot rows answer an image, and are written by hand."""
    left_out = {row.operation for row in UNDOCUMENTED if not row.thin}
    assert left_out <= {"agents.last_screenshot", "agents.screenshot"}
    assert len(ROWS) == len(UNDOCUMENTED) - len(left_out)


def test_the_pinned_names_are_there() -> None:
    """The agent actions and ``agents.statuses`` are named as the issue pins them."""
    for action in PINNED_ACTIONS:
        row = ROWS[f"agents.{action}"]
        assert (row.method, row.path) == ("POST", f"agents/{{login}}/{action}")
    assert (ROWS["agents.statuses"].method, ROWS["agents.statuses"].path) == (
        "GET",
        "agents_statuses",
    )


@pytest.mark.parametrize("row", ROWS.values(), ids=ids)
def test_each_method_takes_its_path_values_then_params_and_json(
    row: Undocumented,
) -> None:
    """Path values positionally, then keyword-only ``params=None, json=None``."""
    client = ThuliumClient("https://acme.thulium.com/api", "u", "p")
    signature = inspect.signature(method_of(client, row))
    parameters = list(signature.parameters.values())
    assert [p.name for p in parameters] == [*row.params, "params", "json"]
    for parameter in parameters[: len(row.params)]:
        assert parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        assert parameter.default is inspect.Parameter.empty
    for parameter in parameters[len(row.params) :]:
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert parameter.default is None
    doc = inspect.getdoc(method_of(client, row)) or ""
    assert doc.startswith(row.summary)
    assert "documents nothing more" in " ".join(doc.split())
    if not row.is_idempotent:
        assert row.side_effect in " ".join(doc.split())


@pytest.mark.parametrize("row", ROWS.values(), ids=ids)
async def test_each_method_sends_its_method_path_params_and_json(
    fake: FakeThulium, client: ThuliumClient, row: Undocumented
) -> None:
    """The request reaches the fake as given; the answer comes back decoded."""
    fake.respond(row.operation, {"done": [1, "two"]})
    params = {"a": "1", "tags[]": ["x", "y"], "flag": True, "left_out": None}
    body = None if row.method == "GET" else {"free": ["form", 1], "ok": False}
    answer = await method_of(client, row)(*values(row), params=params, json=body)
    assert answer == {"done": [1, "two"]}
    (received,) = fake.requests_to(row.operation)
    assert (received.method, received.path) == (row.method, path(row))
    assert received.query == {"a": ["1"], "tags[]": ["x", "y"], "flag": ["true"]}
    assert (json.loads(received.body) if received.body else None) == body


@pytest.mark.parametrize("row", ROWS.values(), ids=ids)
async def test_nothing_extra_is_sent_without_params_or_json(
    fake: FakeThulium, client: ThuliumClient, row: Undocumented
) -> None:
    """Called with its path values only: no query, no body; an empty answer is None."""
    fake.respond(row.operation, None)
    assert await method_of(client, row)(*values(row)) is None
    (received,) = fake.requests_to(row.operation)
    assert (received.query, received.body) == ({}, b"")


@pytest.mark.parametrize(
    ("row", "index", "bad"),
    [
        (row, index, bad)
        for row in ROWS.values()
        for index, kind in enumerate(row.params.values())
        for bad in BAD[kind]
    ],
    ids=lambda value: value.operation if isinstance(value, Undocumented) else None,
)
async def test_bad_path_values_are_refused_before_sending(
    fake: FakeThulium,
    client: ThuliumClient,
    row: Undocumented,
    index: int,
    bad: object,
) -> None:
    """A path value of the wrong kind raises InvalidInputError; nothing is sent."""
    given = list(values(row))
    given[index] = bad
    with pytest.raises(InvalidInputError, match=list(row.params)[index]):
        await method_of(client, row)(*given)
    assert fake.requests == []


async def test_bad_params_and_json_are_refused_before_sending(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    """*params* and *json* are checked as ``client.request`` checks them."""
    with pytest.raises(InvalidInputError):
        await client.agents.pause("jkowalski", params=[("a", "b")])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        await client.agents.pause("jkowalski", json={"nan": float("nan")})
    with pytest.raises(InvalidInputError):
        await client.agents.pause("jkowalski", json={1, 2})
    assert fake.requests == []


@pytest.mark.parametrize("row", WRITES, ids=ids)
async def test_a_write_processed_then_dropped_is_delivery_unknown_and_sent_once(
    fake: FakeThulium, client: ThuliumClient, row: Undocumented
) -> None:
    """POSTs are never resent after an ambiguous failure; the error says the effect."""
    fake.fail_next(row.operation, Fault.processed_then_drop())
    with pytest.raises(DeliveryUnknownError) as caught:
        await method_of(client, row)(*values(row), json={"x": 1})
    assert row.side_effect in str(caught.value)
    assert len(fake.requests_to(row.operation)) == 1


@pytest.mark.parametrize("row", READS + IDEMPOTENT_WRITES, ids=ids)
async def test_a_read_or_idempotent_write_is_retried(
    fake: FakeThulium, client: ThuliumClient, row: Undocumented
) -> None:
    """GET, PUT and DELETE are resent after a dropped answer, and then succeed."""
    fake.respond(row.operation, {"ok": True})
    fake.fail_next(row.operation, Fault.processed_then_drop())
    assert await method_of(client, row)(*values(row)) == {"ok": True}
    assert len(fake.requests_to(row.operation)) == 2


async def test_a_refused_write_is_a_typed_error_and_not_resent(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    """A 422 on an agent action is raised as the vendor's refusal, sent once."""
    fake.respond("agents.pause", {"errors": [{"code": 1, "message": "no"}]}, status=422)
    with pytest.raises(UnprocessableEntityError, match="no"):
        await client.agents.pause("jkowalski")
    assert len(fake.requests_to("agents.pause")) == 1


async def test_the_pinned_methods_are_typed_calls(
    fake: FakeThulium, client: ThuliumClient
) -> None:
    """Called as users call them (``mypy tests`` checks these calls by name)."""
    agents = client.agents
    await agents.pause("jkowalski", json={"pause_id": 2})
    await agents.free("jkowalski")
    await agents.login("jkowalski")
    await agents.logout("jkowalski")
    await agents.answer("jkowalski")
    await agents.hangup("jkowalski")
    await agents.hold("jkowalski")
    await agents.unhold("jkowalski")
    await agents.mute("jkowalski")
    await agents.unmute("jkowalski")
    await agents.transfer("jkowalski", json={"number": "500"})
    await agents.call_preview("jkowalski", params={"outbound_id": "00001"})
    await agents.stop_recording("jkowalski")
    fake.respond("agents.statuses", [{"id": 1, "name": "Lunch"}])
    statuses: Any = await agents.statuses()
    assert statuses == [{"id": 1, "name": "Lunch"}]
    fake.respond("chats.queues", [])
    assert await client.chats.queues() == []
    await client.companies.update(3, json={"name": "Acme"})
    await client.customers.update(4, json={"name": "Jan"})
    await client.outbounds.clone("00001")
    await client.with_options(timeout=5).chats.message(
        "7f9c24e5-2b1d", json={"text": "hi"}
    )
    assert len(fake.requests) == 19
