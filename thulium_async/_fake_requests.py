"""What FakeThulium accepts: each request to a documented endpoint, checked.

The rules are read from the OpenAPI document the SDK emits from its endpoint
declarations (``openapi_document``), not from the declarations a second time. The
document already turns each declared type, format, pattern, bound and "required" into
JSON Schema, in one place (``_api/openapi.py``); checking requests against that same
schema here means the fake refuses exactly what the document tells a client it may not
send, and a tool that judges the fake by the document (schemathesis) judges the one
implementation. This module is a small interpreter of the JSON Schema keywords the
document uses; a keyword it does not know fails when the rules are built, so a new one
cannot be skipped silently.

What is refused, each problem one entry of Thulium's error body (the vendor documents no
codes for these; the codes are the fake's own):

- a query parameter the operation does not declare (:data:`UNKNOWN`);
- a required query parameter or body field that is missing, or no JSON body where one
  is required (:data:`MISSING`);
- a value of the wrong type, shape, pattern, format or range, in the path, the query or
  the body; a body that is not JSON, or one sent to an operation that takes none
  (:data:`INVALID`; a phone number in the vendor's words, "Wrong format of phone
  number", with its code :data:`WRONG_PHONE`).

Endpoints the vendor lists without documenting (``x-thulium-documented: false``) accept
whatever query and body they are given; only their path values, whose kinds are known,
are checked. Query text is read the way the SDK writes it: integers as
digits, ``true``/``false``, a list as its repeated key (``tags[]=a&tags[]=b``). No I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

import attrs
from multidict import MultiMapping

UNKNOWN = 40001
"""Error code: a parameter or body field the operation does not declare."""
MISSING = 40002
"""Error code: a required parameter or body field is not there."""
INVALID = 40003
"""Error code: a value of the wrong type, shape or range."""

WRONG_PHONE = 111111
"""Error code: a phone number of the wrong shape (the vendor's example error's code)."""

Problem = tuple[int, str]
"""One refusal: its code and its message."""

# Keywords that only describe; everything else must be checked below.
_ANNOTATIONS = frozenset(
    {"description", "examples", "example", "title", "x-thulium-open-enum"}
)
_CHECKED = frozenset(
    {
        "$ref",
        "anyOf",
        "const",
        "enum",
        "type",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "minLength",
        "minItems",
        "items",
        "properties",
        "required",
        "additionalProperties",
    }
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# RFC 5321's dot-atom address (no quoted local part, no address literal): what JSON
# Schema's "email" format means, and what schemathesis holds the fake to.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(
    rf"[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~-]+)*"
    rf"@{_LABEL}(?:\.{_LABEL})*"
)
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


@attrs.frozen
class Parameter:
    """A declared path or query parameter: its schema, and whether it must be there."""

    schema: Mapping[str, Any]
    required: bool


@attrs.frozen
class Rules:
    """What one documented operation accepts."""

    path: Mapping[str, Parameter]
    query: Mapping[str, Parameter]
    body: Mapping[str, Any] | None
    """The JSON body's schema; ``None``: the operation takes no body."""
    body_required: bool
    free: bool = False
    """Undocumented: any query and body are taken (the path values are still checked)."""
    raw: bool = False
    """The body is a file (an upload), taken as it comes: any bytes, even none, but
    sent as a file (with a ``Content-Type``)."""


def rules_of(document: Mapping[str, Any]) -> dict[tuple[str, str], Rules]:
    """Return the rules of each documented operation, by (method, path template).

    The path template is the document's (``/queues/{queue_id}/waiting_list``).
    Operations marked ``x-thulium-documented: false`` check only their path values,
    whose kinds are known; their query and body are free.
    """
    components = document.get("components", {}).get("schemas", {})
    for schema in components.values():
        _known(schema)
    found: dict[tuple[str, str], Rules] = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            parameters: dict[str, dict[str, Parameter]] = {"path": {}, "query": {}}
            for parameter in operation.get("parameters", []):
                _known(parameter["schema"])
                parameters[parameter["in"]][parameter["name"]] = Parameter(
                    parameter["schema"], bool(parameter.get("required"))
                )
            body = operation.get("requestBody")
            schema = None
            raw = False
            if body is not None and "application/json" in body["content"]:
                schema = body["content"]["application/json"]["schema"]
                _known(schema)
            elif body is not None:  # a file, taken as it comes
                raw = True
            found[method.upper(), path] = Rules(
                path=parameters["path"],
                query=parameters["query"],
                body=schema,
                body_required=bool(body and body.get("required")),
                free=not operation.get("x-thulium-documented", True),
                raw=raw,
            )
    return found


def _known(schema: Any) -> None:
    """Refuse a schema that uses a keyword this module does not check."""
    if not isinstance(schema, Mapping):
        return
    unknown = set(schema) - _CHECKED - _ANNOTATIONS
    if unknown:
        raise TypeError(f"the fake cannot check JSON Schema keywords {sorted(unknown)}")
    for key in ("items", "additionalProperties"):
        _known(schema.get(key))
    for sub in (*schema.get("anyOf", ()), *schema.get("properties", {}).values()):
        _known(sub)


def check(
    rules: Rules,
    path_values: Mapping[str, str],
    query: MultiMapping[str],
    body: bytes,
    components: Mapping[str, Any],
    media_type: str | None = None,
) -> list[Problem]:
    """Return what is wrong with a request to the operation of *rules* (nothing: []).

    *media_type* is the request's ``Content-Type``, if it has one: a file's body may
    be empty (a file of no bytes), but a request without one sent no file at all.
    """
    problems: list[Problem] = []
    for name, parameter in rules.path.items():
        if name in path_values:
            problems += _text(parameter.schema, path_values[name], name, components)
    if rules.free:
        return problems
    for name in dict.fromkeys(query):
        base = name.partition("[")[0]
        nested = base != name and rules.query.get(base) is not None
        if nested and rules.query[base].schema.get("type") == "object":
            continue  # a deepObject parameter's key (custom_fields[Kraj][0])
        if name not in rules.query:
            problems.append((UNKNOWN, f"Unknown query parameter: {name}."))
    for name, parameter in rules.query.items():
        texts = query.getall(name, [])
        if not texts:
            if parameter.required:
                problems.append((MISSING, f"Missing query parameter: {name}."))
            continue
        if parameter.schema.get("type") == "array":
            for text in texts:
                problems += _text(parameter.schema["items"], text, name, components)
        elif len(texts) > 1:
            problems.append((INVALID, f"{name} must be given once."))
        else:
            problems += _text(parameter.schema, texts[0], name, components)
    return problems + _body(rules, body, components, media_type)


def _body(
    rules: Rules,
    body: bytes,
    components: Mapping[str, Any],
    media_type: str | None = None,
) -> list[Problem]:
    if rules.raw:  # a file: any bytes, but sent as one (the document requires it)
        if rules.body_required and not body and media_type is None:
            return [(MISSING, "A file is required in the body.")]
        return []
    if not body.strip():
        if rules.body_required:
            return [(MISSING, "A JSON body is required.")]
        return []
    if rules.body is None:
        return [(INVALID, "This endpoint takes no body.")]
    try:
        data = json.loads(body)
    except ValueError:
        return [(INVALID, "The body is not JSON.")]
    return problems_of(rules.body, data, "body", components)


def _text(
    schema: Mapping[str, Any], text: str, where: str, components: Mapping[str, Any]
) -> list[Problem]:
    """Check one path or query value, read from its *text* as the schema's type."""
    options = schema.get("anyOf")
    if options is not None:
        if any(not _text(option, text, where, components) for option in options):
            return []
        return [(INVALID, f"{where} must be {_describe(schema)}, got {text!r}.")]
    value: object = text
    kind = schema.get("type")
    if kind == "integer" and _INTEGER.fullmatch(text):
        value = int(text)
    elif kind == "integer" and _NUMBER.fullmatch(text):
        number = Decimal(text)  # "7.0" is the integer 7 to JSON Schema
        value = int(number) if number == number.to_integral_value() else float(text)
    elif kind == "number" and _NUMBER.fullmatch(text):
        value = float(text)
    elif kind == "boolean" and text in ("true", "false"):
        value = text == "true"
    return problems_of(schema, value, where, components)


def problems_of(
    schema: Mapping[str, Any], value: Any, where: str, components: Mapping[str, Any]
) -> list[Problem]:
    """Return what is wrong with JSON *value* under *schema* (``where`` names it)."""
    if "$ref" in schema:
        name = schema["$ref"].rpartition("/")[2]
        return problems_of(components[name], value, where, components)
    if "anyOf" in schema:
        if any(not problems_of(o, value, where, components) for o in schema["anyOf"]):
            return []
        return [(INVALID, f"{where} must be {_describe(schema)}, got {_shown(value)}.")]
    if "const" in schema and value != schema["const"]:
        return [(INVALID, f"{where} must be {schema['const']!r}.")]
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_is(kind, value) for kind in kinds):
            wanted = " or ".join(_ARTICLE[kind] for kind in kinds)
            return [(INVALID, f"{where} must be {wanted}, got {_shown(value)}.")]
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(map(str, schema["enum"]))
        return [(INVALID, f"{where} must be one of {allowed}, got {_shown(value)}.")]
    if isinstance(value, str):
        return _string(schema, value, where)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return [(INVALID, f"{where} must be at least {schema['minimum']}.")]
        if "maximum" in schema and value > schema["maximum"]:
            return [(INVALID, f"{where} must be at most {schema['maximum']}.")]
        return []
    if isinstance(value, list) and len(value) < schema.get("minItems", 0):
        return [(INVALID, f"{where} must hold at least {schema['minItems']} item(s).")]
    if isinstance(value, list) and "items" in schema:
        return [
            problem
            for index, item in enumerate(value)
            for problem in problems_of(
                schema["items"], item, f"{where}[{index}]", components
            )
        ]
    if isinstance(value, dict):
        return _object(schema, value, where, components)
    return []


def _object(
    schema: Mapping[str, Any],
    value: dict[str, Any],
    where: str,
    components: Mapping[str, Any],
) -> list[Problem]:
    problems: list[Problem] = []
    properties = schema.get("properties", {})
    prefix = "" if where == "body" else f"{where}."
    for name in schema.get("required", ()):
        if name not in value:
            problems.append((MISSING, f"Missing field: {prefix}{name}."))
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            problems += problems_of(
                properties[name], item, f"{prefix}{name}", components
            )
        elif extra is False:
            problems.append((UNKNOWN, f"Unknown field: {prefix}{name}."))
        elif isinstance(extra, Mapping):
            problems += problems_of(extra, item, f"{prefix}{name}", components)
    return problems


def _string(schema: Mapping[str, Any], value: str, where: str) -> list[Problem]:
    if len(value) < schema.get("minLength", 0):
        return [(INVALID, f"{where} must not be empty.")]
    pattern = schema.get("pattern")
    if schema.get("format") == "phone" and not _pattern(pattern or ".").search(value):
        # The vendor's own example error (its error_handling page), code included.
        return [(WRONG_PHONE, f"Wrong format of phone number: {where}.")]
    if pattern is not None and not _pattern(pattern).search(value):
        shape = schema.get("description") or f"text matching {pattern}"
        return [(INVALID, f"{where} must be {shape}, got {value!r}.")]
    form = schema.get("format")
    if form == "date" and not _is_date(value):
        return [(INVALID, f"{where} must be a date, YYYY-MM-DD, got {value!r}.")]
    if form == "email" and not _EMAIL.fullmatch(value):
        return [(INVALID, f"{where} must be an e-mail address, got {value!r}.")]
    if form == "uri" and not _is_uri(value):
        return [(INVALID, f"{where} must be an absolute URL, got {value!r}.")]
    return []


def _is_uri(text: str) -> bool:
    """Whether *text* is an absolute URI (a scheme, then something), as RFC 3986."""
    scheme, colon, rest = text.partition(":")
    return bool(colon and rest and _SCHEME.fullmatch(scheme)) and not any(
        c.isspace() for c in text
    )


@lru_cache(maxsize=256)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _is_date(text: str) -> bool:
    try:
        return bool(_DATE.fullmatch(text) and date.fromisoformat(text))
    except ValueError:
        return False


_ARTICLE = {
    "string": "text",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def _is(kind: str, value: object) -> bool:
    if kind == "integer":  # 2.0 is an integer to JSON Schema, as to JSON
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    types: dict[str, type | tuple[type, ...]] = {
        "string": str,
        "boolean": bool,
        "array": list,
        "object": dict,
        "null": type(None),
    }
    return isinstance(value, types[kind])


def _describe(schema: Mapping[str, Any]) -> str:
    """Name what an ``anyOf`` allows, for a message."""
    words = []
    for option in schema["anyOf"]:
        word = option.get("description") or option.get("format")
        if word is None and "const" in option:
            word = repr(option["const"])
        if word is None:
            kind = option.get("type", "anything")
            word = " or ".join(
                _ARTICLE.get(k, k) for k in ([kind] if isinstance(kind, str) else kind)
            )
        words.append(str(word))
    return " or ".join(dict.fromkeys(words))


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else f"{text[:37]}..."
