"""The contract every declared endpoint keeps, one parametrised row per endpoint.

Adding an endpoint adds a row to CALLS (how its public method is called) and a sample
body under ``tests/samples/<name>/``; everything else here runs over the declarations.
Each row is checked against FakeThulium, which serves the same declarations:

- bad path values are refused before anything is sent;
- the vendor's example body structures into the declared model;
- a documented field given the wrong type is named in the ResponseDecodeError;
- an endpoint that is not idempotent, processed and then cut off, raises
  DeliveryUnknownError and was received exactly once;
- a paged list reads every item across pages and stops.
"""

from __future__ import annotations

import copy
import json
import typing
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
import pytest_asyncio
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from thulium_async import (
    DeliveryUnknownError,
    InvalidInputError,
    Page,
    ResponseDecodeError,
    ThuliumClient,
)
from thulium_async._api.converter import answer_reader, read_page
from thulium_async._api.endpoints import Endpoint, PathKind
from thulium_async._api.operations import declared_methods, example_call
from thulium_async._areas import ENDPOINTS, NAMESPACES
from thulium_async._http.transport import Request, Response
from thulium_async._models.fields import RAW
from thulium_async.testing import FakeThulium, Fault

from .conftest import FAST_RETRY

SAMPLES = Path(__file__).parent / "samples"
ZONE = FakeThulium().zone
# The recording the fake of every contract test holds, for the two file downloads.
RECORDED_AT = datetime(2026, 1, 5, 12, 30)
RECORDING = FakeThulium().add_recording(at=RECORDED_AT)["filename"]
DOWNLOADS: list[Path] = []  # the contract test's own folder, set by ``served``
GOOD = {
    PathKind.ID: 2,
    PathKind.LOGIN: "jkowalski",
    PathKind.CAMPAIGN: "00001",
    PathKind.CONNECTION: "1416225570.341",
    PathKind.CONVERSATION: "7f9c24e5-2b1d-4c8a-9e0f-3a6b5d4c2e1f",
    PathKind.PHONE: "500333222",
    PathKind.IDENTIFIER: "1234567890",
    PathKind.PARTICIPANT: "both",
}
BAD = {
    PathKind.ID: 0,
    PathKind.LOGIN: "../x",
    PathKind.CAMPAIGN: "1",
    PathKind.CONNECTION: "a/b",
    PathKind.CONVERSATION: "../x",
    PathKind.PHONE: "12",
    PathKind.IDENTIFIER: "a/b",
    PathKind.PARTICIPANT: "agent",
}

Call = Callable[..., Any]


async def _all(outcomes: Any) -> list[Any]:
    """Run a bulk run to its end (``outbounds.add_records``): its outcomes."""
    return [outcome async for outcome in outcomes]


# How each endpoint's public method is called, given its path values.
CALLS: dict[str, Call] = {
    "customers.create_many": lambda c: c.customers.create_many([{"surname": "K"}]),
    "customers.update_many": lambda c: c.customers.update_many(
        [{"customer_id": 13, "vip": True}]
    ),
    "outbounds.add_records": lambda c, outbound: _all(
        c.outbounds.add_records(outbound, ["500333222"])
    ),
    "outbounds.remove_records": lambda c, outbound: c.outbounds.remove_records(
        outbound, ["500333222"]
    ),
    # -- campaign records (campaign_records.py) --
    "outbounds.update_records": lambda c, outbound: c.outbounds.update_records(
        outbound, [{"phone_number": "111222333", "status_id": 3}]
    ),
    # -- end campaign records --
    # -- CRM campaigns (crm_campaigns.py) --
    "outbounds.add_crm_records": lambda c, outbound: c.outbounds.add_crm_records(
        outbound, [441, 445, 448]
    ),
    "outbounds.remove_crm_records": lambda c, outbound: c.outbounds.remove_crm_records(
        outbound, [441, 442]
    ),
    # -- end CRM campaigns --
    # -- chats, files and recordings --
    "temporary_files.upload": lambda c: c.temporary_files.upload(
        b"hello, world", filename="file.txt"
    ),
    "recordings.download": lambda c: c.recordings.download(RECORDING, DOWNLOADS[0]),
    "recordings.stream": lambda c: _all(c.recordings.stream(RECORDING)),
    # -- end chats, files and recordings --
}


def _declared_call(attribute: str, method: str) -> Call:
    """How a declared method is called: path values, then its examples by keyword."""

    def call(client: ThuliumClient, *values: object) -> Any:
        bound = getattr(getattr(client, attribute), method)
        return bound(*values, **example_call(bound))

    return call


# A method declared with @operation needs no row: it is called from its signature.
for _attribute, _namespace in NAMESPACES:
    for _method, _endpoint in declared_methods(_namespace).items():
        assert _endpoint.name not in CALLS, f"{_endpoint.name}: declared, drop its row"
        CALLS[_endpoint.name] = _declared_call(_attribute, _method)
BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}
ids = [endpoint.name for endpoint in ENDPOINTS]
# Endpoints with a typed answer (Any: the vendor shows no shape, the JSON is passed on).
with_answers = [e for e in ENDPOINTS if e.returns is not None and e.returns is not Any]
writes = [e for e in ENDPOINTS if not e.is_idempotent]
lists = [e for e in ENDPOINTS if e.paging is not None]


def path_values(endpoint: Endpoint) -> list[object]:
    return [GOOD[kind] for kind in endpoint.params.values()]


def sample(endpoint: Endpoint) -> Any:
    files = sorted((SAMPLES / endpoint.name).glob("*.json"))
    assert files, (
        f"add the vendor's example answer under tests/samples/{endpoint.name}/"
    )
    return json.loads(files[0].read_bytes())


@pytest_asyncio.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[FakeThulium, ThuliumClient]]:
    DOWNLOADS[:] = [tmp_path]
    async with (
        FakeThulium(samples=SAMPLES) as fake,
        ThuliumClient(
            fake.base_url, fake.username, fake.password, retry=FAST_RETRY
        ) as client,
    ):
        assert fake.add_recording(at=RECORDED_AT)["filename"] == RECORDING
        yield fake, client


async def call(client: ThuliumClient, endpoint: Endpoint, *values: object) -> Any:
    return await CALLS[endpoint.name](client, *values)  # a coroutine, or Pages


def test_every_declared_endpoint_has_a_row() -> None:
    assert set(CALLS) == set(BY_NAME)


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.params], ids=lambda e: e.name
)
async def test_bad_path_values_are_refused_before_sending(served, endpoint) -> None:
    fake, client = served
    for position, kind in enumerate(endpoint.params.values()):
        values = path_values(endpoint)
        values[position] = BAD[kind]
        with pytest.raises(InvalidInputError):
            await call(client, endpoint, *values)
    assert fake.requests == []


def _answer(endpoint: Endpoint, data: Any) -> Any:
    """Decode *data* as *endpoint*'s answer: its model, or a paged list's items."""
    body = json.dumps(data).encode()
    response = Response(200, CIMultiDictProxy(CIMultiDict()), body)
    url = "https://acme.thulium.com/api/x"
    if endpoint.paging is not None:
        page = read_page(endpoint, response, ZONE, url, limit=100, offset=0)
        return list(page.items)
    request = Request(endpoint.method, URL(url), "x", {})
    return answer_reader(endpoint, ZONE)(response, request)


def _is_mapping(endpoint: Endpoint) -> bool:
    return typing.get_origin(endpoint.returns) is dict


def _model(endpoint: Endpoint) -> Any:
    """The attrs class of one record: the item, the list's item, or a mapping's value."""
    returns = endpoint.returns
    if endpoint.paging:
        return returns
    args = getattr(returns, "__args__", (returns,))
    return args[-1]


@pytest.mark.parametrize("endpoint", with_answers, ids=lambda e: e.name)
def test_the_vendor_sample_structures(endpoint) -> None:
    result = _answer(endpoint, sample(endpoint))
    values = list(result.values()) if isinstance(result, dict) else result
    values = values if isinstance(values, list) else [values]
    assert values
    assert all(isinstance(value, _model(endpoint)) for value in values)


def _items(endpoint: Endpoint, data: Any) -> Any:
    """A paged list's items in its sample: ``result``'s, or a bare array's own."""
    assert endpoint.paging is not None
    return data if endpoint.paging.bare else data["result"]


def _first_object(endpoint: Endpoint, data: Any) -> dict[str, Any]:
    if endpoint.paging is not None:
        data = _items(endpoint, data)
    if _is_mapping(endpoint):
        data = next(iter(data.values()))
    found: dict[str, Any] = data[0] if isinstance(data, list) else data
    return found


def _typed_fields(endpoint: Endpoint, row: dict[str, Any]) -> list[str]:
    """The model's fields the sample shows, but those that take any JSON at all."""
    return [
        field.name
        for field in attrs.fields(attrs.resolve_types(_model(endpoint)))
        if field.name in row
        and field.type is not Any
        and typing.get_origin(field.type) not in (Mapping, dict)
        and typing.get_args(field.type) != (Any, ...)
        and RAW not in field.metadata
    ]


@pytest.mark.parametrize("endpoint", with_answers, ids=lambda e: e.name)
def test_a_mistyped_documented_field_is_named(endpoint) -> None:
    data = sample(endpoint)
    names = _typed_fields(endpoint, _first_object(endpoint, data))
    assert names, "the sample shows none of the model's fields"
    for name in names:
        broken = copy.deepcopy(data)
        # Wrong for every type a field has: not text, not a number, not an object,
        # and a list whose item is not one of anything's.
        _first_object(endpoint, broken)[name] = [{"not": "this"}]
        with pytest.raises(ResponseDecodeError, match=rf"\.{name}\b"):
            _answer(endpoint, broken)


@pytest.mark.parametrize(
    "endpoint", [e for e in with_answers if not _is_mapping(e)], ids=lambda e: e.name
)
def test_unknown_fields_are_ignored(endpoint) -> None:
    data = sample(endpoint)
    before = _answer(endpoint, data)
    _first_object(endpoint, data)["added_by_the_vendor_later"] = [1, {"x": None}]
    after = _answer(endpoint, data)
    raw = [f.name for f in attrs.fields(_model(endpoint)) if RAW in f.metadata]
    if raw:  # a model that keeps the whole answer keeps the new field too, and only it

        def typed(result: Any) -> Any:
            if isinstance(result, list):  # a list's items
                return [typed(item) for item in result]
            return attrs.evolve(result, **{name: {} for name in raw})

        assert typed(after) == typed(before)
    else:
        assert before == after


@pytest.mark.parametrize(
    "endpoint",
    [e for e in with_answers if e.name != "queues.waiting_list"],
    ids=lambda e: e.name,
)
async def test_the_fake_serves_the_sample_end_to_end(served, endpoint) -> None:
    fake, client = served
    result = await call(client, endpoint, *path_values(endpoint))
    if isinstance(result, Page):
        assert result.items
    else:
        assert result
    (received,) = fake.requests_to(endpoint.name)
    assert received.method == endpoint.method


@pytest.mark.parametrize("endpoint", writes, ids=lambda e: e.name)
async def test_a_write_cut_off_after_processing_is_unknown_and_sent_once(
    served, endpoint
) -> None:
    fake, client = served
    fake.fail_next(endpoint.name, Fault.processed_then_drop())
    with pytest.raises(DeliveryUnknownError) as caught:
        await call(client, endpoint, *path_values(endpoint))
    assert endpoint.side_effect in str(caught.value)
    assert len(fake.requests_to(endpoint.name)) == 1


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ids)
async def test_faults_work_on_every_route(served, endpoint) -> None:
    """A 503 is retried on every route (nothing was processed), then it succeeds."""
    fake, client = served
    fake.fail_next(endpoint.name, Fault.status_response(503))
    await call(client, endpoint, *path_values(endpoint))
    assert len(fake.requests_to(endpoint.name)) == 2


@pytest.mark.parametrize("endpoint", lists, ids=lambda e: e.name)
async def test_a_paged_list_reads_every_item_and_stops(served, endpoint) -> None:
    fake, client = served
    item = _items(endpoint, sample(endpoint))[0]
    fake.respond(endpoint.name, [item] * 250)
    pages = CALLS[endpoint.name](client, *path_values(endpoint))
    first = await pages
    size = min(250, endpoint.paging.max_limit)
    count = size if endpoint.paging.bare else 250  # a bare array tells no total
    assert (first.count, len(first.items)) == (count, size)
    fake.requests.clear()
    items = [x async for x in CALLS[endpoint.name](client, *path_values(endpoint))]
    assert len(items) == 250
    expected_pages = -(-250 // endpoint.paging.max_limit)
    if endpoint.paging.bare and 250 % endpoint.paging.max_limit == 0:
        expected_pages += 1  # only an empty page ends a bare list of full pages
    assert len(fake.requests_to(endpoint.name)) == expected_pages
