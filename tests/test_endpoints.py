"""Endpoint declarations themselves: paths render, bad path values are refused, and a
declaration that contradicts itself fails when it is made (at import)."""

from __future__ import annotations

import pytest

from thulium_async import InvalidInputError
from thulium_async._api.endpoints import Endpoint, Paging, PathKind, check_path_value
from thulium_async._areas import ENDPOINTS

GOOD = {
    PathKind.ID: 2,
    PathKind.LOGIN: "jkowalski",
    PathKind.CAMPAIGN: "00001",
    PathKind.CONNECTION: "1416225570.341",
    PathKind.CONVERSATION: "7f9c24e5-2b1d-4c8a-9e0f-3a6b5d4c2e1f",
    PathKind.PHONE: "+48500333222",
    PathKind.IDENTIFIER: "crm-1234.a",
    PathKind.PARTICIPANT: "customer",
}
BAD: dict[PathKind, list[object]] = {
    PathKind.ID: [0, -1, True, "2", 2.0, None, 2**63],
    PathKind.LOGIN: ["", "..", "a/b", "a b", "../x", "x?y", 5],
    PathKind.CAMPAIGN: ["0001", "000001", "00/01", "", 1],
    PathKind.CONNECTION: ["", "a.b", "1/2", "1..2", 1416225570.341],
    PathKind.CONVERSATION: ["", "a/b", "..", "a b", "x" * 65, 77],
    PathKind.PHONE: ["", "12", "+48 500", "1" * 16, "4+8", 500333222],
    PathKind.IDENTIFIER: ["", "..", "a/b", "a b", "a%2Fb", "x" * 65, 7],
    PathKind.PARTICIPANT: ["", "agent", "User", "both/..", "userx", None],
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_the_path_renders_from_good_values(endpoint):
    values = {name: GOOD[kind] for name, kind in endpoint.params.items()}
    path = endpoint.render(*values.values())
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
                endpoint.render(*values.values())


# POSTs whose repeat is harmless, declared so on purpose (each says why beside it).
DECLARED_SAFE = {
    "chats.stop",  # ending an ended conversation leaves it ended
    "outbounds.add_agents",
    "outbounds.add_crm_records",  # the API never adds a customer to a campaign twice
    "outbounds.remove_agents",  # one removed stays removed
    "outbounds.add_records",  # the API never adds a duplicate number
    "outbounds.status_by_phone_number",
    "tags.create",  # the server skips tags that exist
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_idempotency_follows_the_method_unless_declared(endpoint):
    if endpoint.method in ("POST", "PATCH") and endpoint.name not in DECLARED_SAFE:
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
        endpoint.render(2, 3)


def test_names_are_unique():
    names = [endpoint.name for endpoint in ENDPOINTS]
    assert len(names) == len(set(names))


def test_a_write_must_say_what_a_repeat_would_do():
    with pytest.raises(TypeError, match="side_effect"):
        Endpoint("x.create", "POST", "x")


def test_only_a_get_is_a_paged_list():
    with pytest.raises(TypeError, match="paged"):
        Endpoint("x.create", "POST", "x", side_effect="s", paging=Paging())


def test_query_and_body_must_be_attrs_classes():
    with pytest.raises(TypeError, match="attrs"):
        Endpoint("x.list", "GET", "x", query=dict)


@pytest.mark.parametrize(("kind", "value"), GOOD.items())
def test_good_values_pass_as_they_are(kind, value):
    assert check_path_value(kind, "x", value) == str(value)
