"""Every endpoint declaration: its path renders, bad path values are refused, and a
template that does not match its parameters fails when the declaration is made."""

from __future__ import annotations

import pytest

from thulium_async import InvalidInputError
from thulium_async._api.endpoints import ENDPOINTS, Endpoint, PathKind, check_path_value

GOOD = {
    PathKind.ID: 2,
    PathKind.LOGIN: "jkowalski",
    PathKind.CAMPAIGN: "00001",
    PathKind.CONNECTION: "1416225570.341",
}
BAD = {
    PathKind.ID: [0, -1, True, "2", 2.0, None, 2**63],
    PathKind.LOGIN: ["", "..", "a/b", "a b", "../x", "x?y", 5],
    PathKind.CAMPAIGN: ["0001", "000001", "00/01", "", 1],
    PathKind.CONNECTION: ["", "a.b", "1/2", "1..2", 1416225570.341],
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_the_path_renders_from_good_values(endpoint):
    values = {name: GOOD[kind] for name, kind in endpoint.params.items()}
    path = endpoint.render(**values)
    assert "{" not in path
    assert not path.startswith("/")
    for value in values.values():
        assert str(value) in path


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_bad_path_values_are_refused(endpoint):
    for name, kind in endpoint.params.items():
        for bad in BAD[kind]:
            values = {n: GOOD[k] for n, k in endpoint.params.items()}
            values[name] = bad
            with pytest.raises(InvalidInputError, match=name):
                endpoint.render(**values)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_idempotency_follows_the_method_unless_declared(endpoint):
    if endpoint.method in ("POST", "PATCH"):
        assert not endpoint.is_idempotent
        assert endpoint.side_effect != "act twice", "say what a repeat would do"
    else:
        assert endpoint.is_idempotent


def test_a_template_that_does_not_match_its_params_fails_at_declaration():
    with pytest.raises(TypeError, match="queue_id"):
        Endpoint("broken", "GET", "queues/{queue_id}/x", {"queue": PathKind.ID})


def test_missing_or_extra_values_are_refused():
    endpoint = ENDPOINTS[0]
    with pytest.raises(InvalidInputError):
        endpoint.render()
    with pytest.raises(InvalidInputError):
        endpoint.render(queue_id=2, other=3)


@pytest.mark.parametrize(("kind", "value"), GOOD.items())
def test_good_values_pass_as_they_are(kind, value):
    assert check_path_value(kind, "x", value) == str(value)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
async def test_the_fake_serves_every_declared_endpoint(client, endpoint):
    """FakeThulium's routes come from the declarations: none is missing."""
    from thulium_async import APIStatusError

    values = {name: GOOD[kind] for name, kind in endpoint.params.items()}
    body = {"phone_number": "500333222"} if endpoint.method == "POST" else None
    status, request_id = 200, None
    try:
        await client.request(endpoint.method, endpoint.render(**values), json=body)
    except APIStatusError as error:  # a refusal of the values is fine; no route is not
        status, request_id = error.status, error.request_id
    assert (
        status != 404 or request_id is not None
    )  # the fake's own 404s are the vendor's
