"""The OpenAPI document: valid, complete, named after the client, its examples true."""

from __future__ import annotations

import json
import operator
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from thulium_async import ThuliumClient
from thulium_async._api.endpoints import EXAMPLE, NO_EXAMPLE, Endpoint
from thulium_async._api.openapi import DOCS, fields_of, openapi_document
from thulium_async._api.undocumented import UNDOCUMENTED
from thulium_async._areas import ENDPOINTS

from .conftest import run_cli

SAMPLES = Path(__file__).parent / "samples"
# Samples that are the vendor page's example answer, as the samples' README says
# (the others complete a cut example or follow a field list).
VENDOR_SAMPLES = (
    "agents.create",
    "agents.get",
    "agents.status",
    "connections.topic",
    "customers.delete_many",
    "customers.get",
    "outbounds.agents",
    "queues.topics",
    "queues.waiting_list",
)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document(ENDPOINTS)


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            found[operation["operationId"]] = {
                **operation,
                "_method": method.upper(),
                "_path": path,
            }
    return found


def checker(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator of *schema* whose ``$ref``s reach the document's components."""
    root = {**schema, "components": document["components"]}
    return Draft202012Validator(
        root, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def assert_valid(
    document: dict[str, Any], schema: dict[str, Any], value: Any, where: object = ""
) -> None:
    errors = [e.message for e in checker(document, schema).iter_errors(value)]
    assert not errors, (where, errors)


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_typed_endpoint_is_in_it_once(document: dict[str, Any]) -> None:
    found = operations(document)
    for endpoint in ENDPOINTS:
        operation = found[endpoint.operation]
        assert operation["_method"] == endpoint.method
        assert operation["_path"] == f"/{endpoint.path}"
        assert operation["x-thulium-documented"] is True
        assert operation["x-thulium-idempotent"] is endpoint.is_idempotent
    assert len(found) == len(ENDPOINTS) + len(UNDOCUMENTED)


async def test_every_operation_id_is_a_client_method(
    document: dict[str, Any],
) -> None:
    """Typed and thin alike; the two screenshot rows (binary answers, written by hand,
    ``thin=False``) only once their method exists."""
    by_hand = {row.operation for row in UNDOCUMENTED if not row.thin}
    async with ThuliumClient("http://127.0.0.1:1/api", "user", "secret") as client:
        for operation_id in operations(document):
            if operation_id in by_hand and not hasattr(
                getattr(client, operation_id.split(".")[0]), operation_id.split(".")[1]
            ):
                continue
            assert callable(operator.attrgetter(operation_id)(client)), operation_id


def test_operation_ids_name_the_method_that_sends_the_endpoint() -> None:
    # Endpoint.name is the fake's route and the samples' folder; the operation is the
    # client method. Where they differ, the declaration says so, and only there.
    for endpoint in ENDPOINTS:
        assert endpoint.operation, endpoint.name
    renamed = Endpoint("x.route", "GET", "x", operation="x.method")
    assert (renamed.name, renamed.operation) == ("x.route", "x.method")
    assert Endpoint("x.same", "GET", "x").operation == "x.same"


def test_the_undocumented_endpoints_are_marked_and_free_form(
    document: dict[str, Any],
) -> None:
    found = operations(document)
    assert len(UNDOCUMENTED) == 31
    for row in UNDOCUMENTED:
        operation = found[row.operation]
        assert operation["x-thulium-documented"] is False
        assert (operation["_method"], operation["_path"]) == (
            row.method,
            f"/{row.path}",
        )
        free = [p for p in operation["parameters"] if p["in"] == "query"]
        assert free == [
            {
                "name": "params",
                "in": "query",
                "required": False,
                "schema": {"type": "object", "additionalProperties": True},
                "style": "form",
                "explode": True,
                "description": "free-form: whatever the endpoint takes",
            }
        ]
        assert "x-thulium-side-effect" not in operation
    assert {r.operation for r in UNDOCUMENTED} >= {"agents.pause", "agents.login"}
    typed = {e.operation for e in ENDPOINTS}
    assert not typed & {r.operation for r in UNDOCUMENTED}


def test_files_are_declared_as_files(document: dict[str, Any]) -> None:
    found = operations(document)
    upload = found["temporary_files.upload"]["requestBody"]["content"]
    assert upload == {"application/octet-stream": {}}  # a file: no schema
    for name in ("recordings.download", "recordings.stream"):
        operation = found[name]
        assert list(operation["responses"]["200"]["content"]) == ["audio/*"]
        assert operation["parameters"][0]["name"] == "filename"
        docs = operation["externalDocs"]
        assert docs["url"].endswith("recordings/get_recordings")
        assert "named there" in docs["description"]


def test_operations_link_the_vendor_page_and_say_what_a_repeat_does(
    document: dict[str, Any],
) -> None:
    found = operations(document)
    for endpoint in ENDPOINTS:
        operation = found[endpoint.operation]
        if endpoint.name == "queues.waiting_stats":
            assert "externalDocs" not in operation  # no vendor page
            assert "widget" in operation["description"]
        else:
            page = endpoint.doc.partition(" ")[0]
            assert operation["externalDocs"]["url"] == DOCS + page
        if not endpoint.is_idempotent:
            assert operation["x-thulium-side-effect"] == endpoint.side_effect
        if endpoint.paging is not None:
            assert operation["x-thulium-paging"]["max_limit"] == (
                endpoint.paging.max_limit
            )
            limit = next(p for p in operation["parameters"] if p["name"] == "limit")
            assert limit["schema"]["maximum"] == endpoint.paging.max_limit
    schedule = found["queues.schedule_call"]
    assert schedule["x-thulium-side-effect"] == "call the customer twice"
    assert document["servers"][0]["url"] == "https://{system}.thulium.com/api"
    assert document["components"]["securitySchemes"]["basicAuth"]["scheme"] == "basic"


def test_parameters_carry_their_kind_format_and_example(
    document: dict[str, Any],
) -> None:
    found = operations(document)
    queue = found["queues.waiting_list"]["parameters"][0]
    assert queue["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    assert queue["example"] == 2
    body = document["components"]["schemas"]["QueuesScheduleCallBody"]
    assert body["required"] == ["phone_number"]
    assert body["properties"]["phone_number"]["format"] == "phone"
    assert body["properties"]["call_at"]["examples"] == ["2020-11-06 14:42:11"]
    call_at = body["properties"]["call_at"]["pattern"]
    assert re.search(call_at, "2020-11-06 14:42:11")  # to the second: a month 01-12,
    assert not re.search(call_at, "2020-11-06 14:42")  # an hour 00-23 (#28)
    assert not re.search(call_at, "2722-23-35 07:38:58")
    agent = document["components"]["schemas"]["AgentsCreateBody"]["properties"]
    assert agent["email"]["format"] == "email"
    assert agent["language"]["enum"] == ["pl", "en"]
    listing = {p["name"]: p for p in found["connections.list"]["parameters"]}
    assert listing["tags[]"]["example"] == ["tag1", "tag2", "tag3"]
    assert listing["date_to"]["schema"]["anyOf"][0] == {
        "type": "string",
        "format": "date",
    }


def test_paged_lists_answer_count_and_result(document: dict[str, Any]) -> None:
    answer = operations(document)["customers.list"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    assert schema["required"] == ["count", "result"]
    assert schema["properties"]["result"]["items"] == {
        "$ref": "#/components/schemas/Customer"
    }


def test_every_example_validates_against_its_own_schema(
    document: dict[str, Any],
) -> None:
    answers = bodies = parameters = 0
    for operation in operations(document).values():
        for parameter in operation.get("parameters", []):
            if "example" in parameter:
                assert_valid(
                    document, parameter["schema"], parameter["example"], parameter
                )
                parameters += 1
        media = operation.get("requestBody", {}).get("content", {})
        for content in media.values():
            if "example" in content:
                assert_valid(document, content["schema"], content["example"])
                bodies += 1
        for response in operation["responses"].values():
            for content in response.get("content", {}).values():
                if "example" in content:
                    where = operation["operationId"]
                    assert_valid(document, content["schema"], content["example"], where)
                    answers += 1
    for name, schema in document["components"]["schemas"].items():
        for field, member in schema.get("properties", {}).items():
            for example in member.get("examples", []):
                assert_valid(document, member, example, (name, field))
        for example in schema.get("examples", []):
            assert_valid(document, schema, example)
    # What the stored vendor pages show (none where a page is cut or absent).
    assert (answers, bodies) == (30, 20)
    assert parameters > 60


def test_examples_are_where_the_vendor_shows_them() -> None:
    with_answer = {e.name for e in ENDPOINTS if e.example is not NO_EXAMPLE}
    # Cut in the stored pages, or no page: no example is made up for them.
    for name in (
        "connections.list",
        "recordings.list",
        "tickets.list",
        "tickets.get",
        "customers.list",
        "customers.create",
        "companies.list",
        "queues.waiting_stats",
    ):
        assert name not in with_answer
    for endpoint in ENDPOINTS:
        if endpoint.name != "queues.waiting_stats":  # the only one without a page
            assert set(endpoint.path_examples) == set(endpoint.params), endpoint.name


@pytest.mark.parametrize("name", VENDOR_SAMPLES)
def test_the_fakes_vendor_samples_are_the_declared_examples(name: str) -> None:
    # The fake answers from tests/samples; where a sample is the vendor page's
    # example, it must be the very answer the declaration carries.
    (endpoint,) = (e for e in ENDPOINTS if e.name == name)
    (sample,) = sorted((SAMPLES / name).glob("*.json"))
    assert json.loads(sample.read_bytes()) == endpoint.example


def test_query_and_body_examples_are_declared_on_the_fields() -> None:
    # One place per fact: the document reads the attrs metadata, nothing else.
    declared = 0
    for endpoint in ENDPOINTS:
        for cls in (endpoint.query, endpoint.body):
            if cls is not None:
                assert attrs.has(cls)
                declared += sum(EXAMPLE in f.metadata for f, _ in fields_of(cls))
    assert declared > 60


async def test_the_cli_prints_the_document_as_json(tmp_path: Path) -> None:
    code, out = await run_cli("openapi")
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps(openapi_document(ENDPOINTS)))
    target = tmp_path / "thulium.json"
    code, out = await run_cli("openapi", "--output", str(target))
    assert (code, out) == (0, "")
    validate(json.loads(target.read_text(encoding="utf-8")))


def test_python_m_thulium_async_openapi_needs_no_credentials() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "thulium_async", "openapi"],
        capture_output=True,
        check=False,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("THULIUM_")},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["openapi"] == "3.1.0"


# The vendor's complete list: 58 endpoints with a page, 31 in its index only.
WITH_A_PAGE = """
GET agents/{login}; GET agents/{login}/status; POST agents; POST agents/{login}/call;
GET agents_work_report; GET users/{login}; GET queues/{queue_id}/waiting_list;
POST queues/{queue_id}/schedule_call; GET queues/{queue_id}/topics; GET connections;
GET connections/{connection_id}/topic; POST connections/call; GET recordings;
GET chats; GET chats/reports/summary; POST chat_conversations/start;
POST chat_conversations/{conversation_id}/stop;
DELETE chat_conversations/content/{conversation_id}/{participant};
GET tickets; GET tickets/{ticket_id}; POST tickets; PUT tickets/{ticket_id};
POST tickets/{ticket_id}/agent_response; POST temporary_files; POST tags;
GET customers; GET customers/{customer_id}; POST customers; DELETE customers/{customer_id};
POST customers/{customer_id}/feed_records; GET companies; GET companies/{company_id};
POST batch/customers; PUT batch/customers; DELETE batch/customers;
GET outbounds/stats; GET outbounds/{outbound_id}/agents;
POST outbounds/{outbound_id}/add_agents; POST outbounds/{outbound_id}/remove_agents;
GET outbounds/{outbound_id}/statuses; DELETE batch/outbounds;
GET outbounds/{outbound_id}/records; POST outbounds/{outbound_id}/records;
DELETE outbounds/{outbound_id}/records/{phone_number};
PUT outbounds/{outbound_id}/records_by_identifier/{identifier};
DELETE outbounds/{outbound_id}/records_by_identifier/{identifier};
POST outbound_status_by_phone_number; POST batch/outbounds/{outbound_id}/records;
PUT batch/outbounds/{outbound_id}/records; DELETE batch/outbounds/{outbound_id}/records;
GET crm_outbounds/{outbound_id}/records; POST crm_outbounds/{outbound_id}/records;
GET crm_outbounds/{outbound_id}/records/{customer_id};
PUT crm_outbounds/{outbound_id}/records/{customer_id};
POST batch/crm_outbounds/{outbound_id}/records;
DELETE batch/crm_outbounds/{outbound_id}/records; GET webhooks; POST webhooks
"""
INDEX_ONLY = """
GET agents; GET agents_groups; GET agents_statuses; GET agents/{login}/last_queue_call;
GET agents/{login}/screenshot/last; POST agents/{login}/answer;
POST agents/{login}/call_preview; POST agents/{login}/free; POST agents/{login}/hangup;
POST agents/{login}/hold; POST agents/{login}/login; POST agents/{login}/logout;
POST agents/{login}/mute; POST agents/{login}/pause; POST agents/{login}/stop_recording;
POST agents/{login}/transfer; POST agents/{login}/unhold; POST agents/{login}/unmute;
POST agents/{login}/screenshot; DELETE chat_conversations/{conversation_id};
GET chats/queues; POST chat_conversations/{conversation_id}/message; POST companies;
PUT companies/{company_id}; DELETE companies/{company_id}; PUT customers/{customer_id};
GET customer_id_by_outbound_status; GET outbounds; DELETE outbounds/{outbound_id};
POST outbounds; POST outbounds/{outbound_id}/clone
"""


def _listed(text: str) -> set[tuple[str, str]]:
    pairs = (item.split() for item in text.replace("\n", " ").split(";"))
    return {(method, f"/{path}") for method, path in pairs}


def test_all_89_vendor_endpoints_are_in_it(document: dict[str, Any]) -> None:
    with_a_page, index_only = _listed(WITH_A_PAGE), _listed(INDEX_ONLY)
    assert (len(with_a_page), len(index_only)) == (58, 31)
    found = {(op["_method"], op["_path"]): op for op in operations(document).values()}
    for pair in with_a_page:
        assert found[pair]["x-thulium-documented"] is True, pair
        assert "externalDocs" in found[pair], pair
    for pair in index_only:
        assert found[pair]["x-thulium-documented"] is False, pair
    # Beyond the 89: the queue widget's waiting_stats and the recordings page's files.
    assert set(found) - with_a_page - index_only == {
        ("GET", "/queues/{queue_id}/waiting_stats"),
        ("GET", "/recordings/download"),
        ("GET", "/recordings/stream"),
    }
