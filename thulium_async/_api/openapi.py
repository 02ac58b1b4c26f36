"""The OpenAPI 3.1 document of Thulium's API, emitted from the SDK's own declarations.

Nothing here is a second description of the API: every operation is read from an
:class:`~thulium_async._api.endpoints.Endpoint` (method, path and its kinds, the query
and body attrs classes and their fields' types, formats and vendor examples, the answer
model, paging, idempotency, the vendor page) or from the table of endpoints the vendor
lists without documenting (``_api/undocumented.py``). Types become JSON Schema the way
the SDK reads and writes them: wall-clock times are strings of the shape their field
declares, fields the vendor sends as a number or as its digits accept both, and the
CRM's ``""`` for none is accepted where the SDK reads it as ``None``. Each operation's
``operationId`` is the dotted path of the client method that sends it
(``agents.status``). ``python -m thulium_async openapi`` prints it. No I/O here.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast

import attrs

from .._core import validation as _validation
from .._core.wallclock import CLOCK, Clock
from .._http.session import sdk_version
from .._models.fields import EITHER, RAW, WIRE, OpenEnum
from .endpoints import (
    CHOICES,
    EMPTY,
    EXAMPLE,
    FORMAT,
    IDEMPOTENT_METHODS,
    KIND,
    MAX_ID,
    NO_EXAMPLE,
    PATTERNS,
    Endpoint,
    PathKind,
)
from .namespace import Namespace
from .undocumented import UNDOCUMENTED, Undocumented

DOCS = "https://api.thulium.com/docs/api/"
"""Where the vendor's pages live; an endpoint's ``doc`` is relative to it."""
_JSON = "application/json"
# A body or an answer that is a file: a media type without a schema, as OpenAPI 3.1
# describes binary content (a schema would describe text, which a file is not).
_FILE: dict[str, Any] = {}
# A month 01-12, a day 01-31, an hour 00-23 (a day of the month that month lacks, or a
# time a DST change skips, still fits: the server refuses those).
_DAY = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_HOUR_MINUTE = r"([01][0-9]|2[0-3]):[0-5][0-9]"
_CLOCKS = {
    Clock.SECONDS: rf"^{_DAY} {_HOUR_MINUTE}:[0-5][0-9]$",
    Clock.MINUTES: rf"^{_DAY} {_HOUR_MINUTE}$",
    Clock.DATE: rf"^{_DAY}$",
    Clock.SECONDS_OR_MINUTES: rf"^{_DAY} {_HOUR_MINUTE}(:[0-5][0-9])?$",
}
_DURATION = r"^[0-9]+:[0-5][0-9]:[0-5][0-9]$"
# The error body every failure carries (vendor page error_handling), and its example.
_ERROR_EXAMPLE = {
    "request_id": "53678450401cf",
    "errors": [{"message": "Wrong format of phone number.", "code": 111111}],
}
_ERROR_SCHEMA = {
    "type": "object",
    "description": "Thulium's error body: what to quote to its support, and why.",
    "properties": {
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "message": {"type": "string"},
                    "code": {"type": "integer"},
                },
            },
        },
    },
}


def kind_schema(kind: PathKind) -> dict[str, Any]:
    """Return the JSON Schema of a value of *kind*, as the SDK checks it."""
    if kind is PathKind.ID:
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return {
        "type": "string",
        "pattern": f"^{PATTERNS[kind].pattern}$",
        "description": kind.value,
    }


def _nullable(schema: dict[str, Any], *, empty: bool) -> dict[str, Any]:
    """*schema* or null (or ``""``, which the CRM writes for none, if *empty*)."""
    options: list[dict[str, Any]] = [schema, {"type": "null"}]
    if empty:
        options.append({"const": ""})
    return {"anyOf": options}


def _is_union(type_: Any) -> bool:
    return typing.get_origin(type_) in (typing.Union, types.UnionType)


class _Builder:
    """Turns declared types into JSON Schema, collecting the models it names."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}
        self.answered: set[str] = set()  # the components that describe an answer

    # -- types -----------------------------------------------------------------

    def schema(self, type_: Any, meta: Mapping[str, Any], *, answer: bool) -> Any:
        """Return the JSON Schema of a field of *type_* with *meta*data."""
        if _is_union(type_):
            args = [arg for arg in typing.get_args(type_) if arg is not type(None)]
            inner = (
                self.schema(args[0], meta, answer=answer)
                if len(args) == 1
                else {"anyOf": [self.schema(arg, meta, answer=answer) for arg in args]}
            )
            if answer and len(args) < len(typing.get_args(type_)):
                # The SDK reads "" as none where it reads a number-or-text or a time.
                empty = bool(meta.get(EITHER)) or datetime in args
                return _nullable(inner, empty=empty)
            return inner
        if type_ is Any or type_ is object:
            return {}
        origin = typing.get_origin(type_)
        if origin in (tuple, list, Sequence):
            (item, *_) = typing.get_args(type_) or (Any,)
            return {"type": "array", "items": self.schema(item, meta, answer=answer)}
        if origin in (dict, Mapping) or type_ in (dict, Mapping):
            key_value = typing.get_args(type_)
            values = self.schema(key_value[1], {}, answer=answer) if key_value else {}
            schema: dict[str, Any] = {"type": "object"}
            if values:
                schema["additionalProperties"] = values
            return schema
        if isinstance(type_, type) and attrs.has(type_):
            return self.model(type_, answer=answer)
        return self.scalar(type_, meta, answer=answer)

    def scalar(self, type_: Any, meta: Mapping[str, Any], *, answer: bool) -> Any:
        """Return the JSON Schema of one value (not a list, a mapping or a model)."""
        kind = meta.get(KIND)
        schema: dict[str, Any]
        if type_ is bool:
            schema = {"type": "boolean"}
        elif type_ is int:
            schema = kind_schema(kind) if kind is PathKind.ID else {"type": "integer"}
            if answer and meta.get(EITHER):
                schema = {"anyOf": [schema, {"type": "string", "pattern": "^[0-9]+$"}]}
        elif type_ is float:
            schema = {"type": "number"}
        elif type_ is str:
            schema = {"type": "string"}
            if kind is not None and kind is not PathKind.ID:
                schema = kind_schema(kind)
            if answer and meta.get(EITHER):
                schema = {"type": ["string", "integer"]}
        elif type_ is datetime:
            shape = meta.get(CLOCK, Clock.SECONDS)
            schema = {
                "type": "string",
                "pattern": _CLOCKS[shape],
                "description": f"the Thulium system's wall clock, {shape.value}",
            }
        elif type_ is date:
            schema = {"type": "string", "format": "date"}
        elif type_ is timedelta:
            schema = {
                "type": "string",
                "pattern": _DURATION,
                "description": "a duration, HHH:MM:SS",
            }
        elif isinstance(type_, type) and issubclass(type_, enum.Enum):
            schema = {"type": "string", "enum": [str(m.value) for m in type_]}
            if issubclass(type_, OpenEnum):
                schema["x-thulium-open-enum"] = True
                schema["description"] = "more values may come; the SDK keeps them"
        else:
            raise TypeError(f"no JSON Schema for {type_!r}")
        if schema.get("type") == "string":
            schema.update(_format(meta))
        return schema

    # -- models ----------------------------------------------------------------

    def model(self, cls: type, *, answer: bool) -> dict[str, Any]:
        """Return a ``$ref`` to *cls*'s schema, adding it to the components once.

        A model both answered and sent (an ``Address``) has a schema for each: an
        answer may carry more than is declared, a request names only what is. The
        answer's keeps the class's name and the request's is ``<Name>Input``; the
        answers are described first (:func:`openapi_document`), so which is which
        does not depend on the endpoints' order.
        """
        name = cls.__name__
        if answer:
            self.answered.add(name)
        elif name in self.answered:
            name = f"{name}Input"
        if name not in self.components:
            self.components[name] = {}  # a placeholder: a model may refer to itself
            self.components[name] = self.object(cls, answer=answer)
        return {"$ref": f"#/components/schemas/{name}"}

    def object(self, cls: type, *, answer: bool) -> dict[str, Any]:
        """Return the JSON Schema of the attrs class *cls*, field by field."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field, wire in fields_of(cls):
            if field.metadata.get(RAW):  # the whole answer object: not a member
                continue
            schema = self.schema(field.type, field.metadata, answer=answer)
            if EXAMPLE in field.metadata:
                schema = {**schema, "examples": [field.metadata[EXAMPLE]]}
            if field.default is attrs.NOTHING:
                required.append(wire)
                if not answer:
                    schema = not_empty(schema)
            properties[wire] = schema
        schema = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        if not answer:  # a request names only what is declared; answers may grow
            schema["additionalProperties"] = False
        doc = inspect.getdoc(cls)
        if doc:
            schema["description"] = doc.split("\n\n")[0].replace("\n", " ")
        return schema


def not_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """*schema* of a required request value, which the SDK never sends empty.

    Required text is at least one character (unless a pattern, a format or choices
    say more) and a required list holds at least one item, as the SDK's checks refuse
    both before sending.
    """
    if schema.get("type") == "array":
        return {**schema, "minItems": 1}
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & set(
        schema
    ):
        return {**schema, "minLength": 1}
    return schema


def fields_of(cls: type) -> list[tuple[attrs.Attribute[Any], str]]:
    """Return each field of the attrs class *cls* with its name on the wire."""
    model = attrs.resolve_types(cast("type[attrs.AttrsInstance]", cls))
    return [
        (field, field.metadata.get(WIRE, field.name)) for field in attrs.fields(model)
    ]


def _format(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The format and choices a text field declares."""
    extra: dict[str, Any] = {}
    kind = meta.get(FORMAT)
    if kind == "phone":
        number = _validation._PHONE.pattern
        pattern = f"^({number})?$" if meta.get(EMPTY) else f"^{number}$"
        extra = {"format": "phone", "pattern": pattern}
    elif kind is not None:
        extra = {"format": kind}
    if CHOICES in meta:
        extra["enum"] = list(meta[CHOICES])
    return extra


def _summary(operation: str) -> str:
    """The first line of the client method's docstring (``agents.status``)."""
    area, _, method = operation.partition(".")
    for cls in _namespaces():
        if cls.__name__.lower() == area:
            doc = inspect.getdoc(getattr(cls, method, None))
            if doc:
                return doc.split("\n")[0]
    return ""


def _namespaces() -> list[type[Namespace]]:
    found: list[type[Namespace]] = []
    todo = [Namespace]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def _path_parameters(
    params: Mapping[str, PathKind], examples: Mapping[str, object]
) -> list[dict[str, Any]]:
    out = []
    for name, kind in params.items():
        parameter: dict[str, Any] = {
            "name": name,
            "in": "path",
            "required": True,
            "schema": kind_schema(kind),
        }
        if name in examples:
            parameter["example"] = examples[name]
        out.append(parameter)
    return out


def _external(doc: str) -> dict[str, str] | None:
    """The vendor's page a declaration's *doc* names (``page (how it names it)``)."""
    page, _, note = doc.partition(" ")
    if not page or "/" not in page:  # not a page: where else the shape comes from
        return None
    described = "the vendor's page (Polish)"
    if note:
        described += f", where the endpoint is {note.strip('()')}"
    return {"url": DOCS + page, "description": described}


def _operation(endpoint: Endpoint, build: _Builder) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": endpoint.operation,
        "tags": [endpoint.operation.partition(".")[0]],
    }
    summary = _summary(endpoint.operation)
    if summary:
        operation["summary"] = summary
    external = _external(endpoint.doc)
    if external is None:
        operation["description"] = (
            f"No vendor page: {endpoint.doc.removeprefix('no vendor page: ')}."
        )
    else:
        operation["externalDocs"] = external
    parameters = _path_parameters(endpoint.params, endpoint.path_examples)
    if endpoint.query is not None:
        for field, wire in fields_of(endpoint.query):
            required = field.default is attrs.NOTHING
            schema = build.schema(field.type, field.metadata, answer=False)
            parameter: dict[str, Any] = {
                "name": wire,
                "in": "query",
                "required": required,
                "schema": not_empty(schema) if required else schema,
            }
            if schema.get("type") == "object":  # name[key]=value, name[key][0]=value
                parameter.update(style="deepObject", explode=True)
            if EXAMPLE in field.metadata:
                parameter["example"] = field.metadata[EXAMPLE]
            parameters.append(parameter)
    if endpoint.paging is not None:
        paging = endpoint.paging
        parameters += [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": paging.max_limit,
                },
                "example": paging.example_limit,
            },
            {
                "name": "offset",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 0},
                "example": paging.example_offset,
            },
        ]
        operation["x-thulium-paging"] = {
            "max_limit": paging.max_limit,
            "shape": "[items]" if paging.bare else "{count, result}",
        }
    if parameters:
        operation["parameters"] = parameters
    if endpoint.body_type != _JSON:
        operation["requestBody"] = {
            "required": True,
            "content": {endpoint.body_type: _FILE},
        }
    if endpoint.body is not None:
        media: dict[str, Any] = {"schema": build.model(endpoint.body, answer=False)}
        example = body_example(endpoint.body)
        if example is not None:
            media["example"] = example
        operation["requestBody"] = {"required": True, "content": {_JSON: media}}
    operation["responses"] = _responses(endpoint, build)
    operation["x-thulium-idempotent"] = endpoint.is_idempotent
    if endpoint.method != "GET" and endpoint.side_effect != "act twice":
        operation["x-thulium-side-effect"] = endpoint.side_effect
    operation["x-thulium-documented"] = True
    return operation


def body_example(cls: type) -> dict[str, Any] | None:
    """Return the body the vendor's example values make, if they fill every required field."""
    example: dict[str, Any] = {}
    for field, wire in fields_of(cls):
        if EXAMPLE in field.metadata:
            example[wire] = field.metadata[EXAMPLE]
        elif field.default is attrs.NOTHING:
            return None
    return example or None


def _responses(endpoint: Endpoint, build: _Builder) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": "done"}
    returns = endpoint.returns
    if returns is not None:
        schema = build.schema(returns, {}, answer=True)
        if endpoint.paging is not None and endpoint.paging.bare:
            ok["description"] = "one page: its items, without a total"
            schema = {"type": "array", "items": schema}
        elif endpoint.paging is not None:
            ok["description"] = "one page, and the total for these filters"
            schema = {
                "type": "object",
                "required": ["count", "result"],
                "properties": {
                    "count": {"type": "integer", "minimum": 0},
                    "result": {"type": "array", "items": schema},
                },
            }
        media: dict[str, Any] = {"schema": schema}
        if endpoint.example is not NO_EXAMPLE:
            media["example"] = endpoint.example
        ok["content"] = {_JSON: media}
    elif endpoint.answer_type != _JSON:
        ok["description"] = "the file"
        ok["content"] = {endpoint.answer_type: _FILE}
    else:
        ok["description"] = "done; the body carries nothing"
        if endpoint.example is not NO_EXAMPLE:
            ok["content"] = {_JSON: {"schema": {}, "example": endpoint.example}}
    answers: dict[str, Any] = {"200": ok}
    if returns is None and endpoint.example is NO_EXAMPLE and "content" not in ok:
        # An answer without a body may come as 204 as well (Thulium's batch delete
        # reports a customer deleted as 204; the page of the single one says "empty").
        answers["204"] = {"description": "done; no body"}
    return {
        **answers,
        "default": {
            "description": "refused: Thulium's error body",
            "content": {_JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
    }


def _undocumented(row: Undocumented) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": row.operation,
        "tags": [row.operation.partition(".")[0]],
        "summary": row.summary,
        "description": "The vendor lists this endpoint without documenting it: "
        "what it takes and answers is not known.",
        "externalDocs": {"url": DOCS + "printer", "description": "the vendor's index"},
        "parameters": [
            *_path_parameters(row.params, {}),
            {
                "name": "params",
                "in": "query",
                "required": False,
                "schema": {"type": "object", "additionalProperties": True},
                "style": "form",
                "explode": True,
                "description": "free-form: whatever the endpoint takes",
            },
        ],
    }
    if row.method in ("POST", "PUT", "PATCH"):
        operation["requestBody"] = {
            "required": False,
            "content": {_JSON: {"schema": {}}},
        }
    answer: dict[str, Any] = {"schema": {}}
    if row.answer_type != _JSON:
        answer = _FILE
    operation["responses"] = {
        "200": {
            "description": "done",
            "content": {row.answer_type: answer},
        },
        "default": {
            "description": "refused: Thulium's error body",
            "content": {_JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
    }
    operation["x-thulium-idempotent"] = row.method in IDEMPOTENT_METHODS
    operation["x-thulium-documented"] = False
    return operation


def openapi_document(
    endpoints: tuple[Endpoint, ...],
    undocumented: tuple[Undocumented, ...] = UNDOCUMENTED,
) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of *endpoints* and *undocumented*, as JSON data.

    Pass ``_areas.ENDPOINTS``, every typed endpoint of the client (the areas sit above
    this layer, so the caller brings them).
    """
    build = _Builder()
    for endpoint in endpoints:  # the answers' models first: they keep their names
        if endpoint.returns is not None:
            build.schema(endpoint.returns, {}, answer=True)
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        paths.setdefault(f"/{endpoint.path}", {})[endpoint.method.lower()] = _operation(
            endpoint, build
        )
    for row in undocumented:
        slot = paths.setdefault(f"/{row.path}", {})
        if row.method.lower() in slot:
            raise TypeError(
                f"{row.operation}: {row.method} {row.path} is typed already"
            )
        slot[row.method.lower()] = _undocumented(row)
    tags = sorted({op["tags"][0] for path in paths.values() for op in path.values()})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Thulium REST API",
            "version": sdk_version(),
            "summary": "Thulium's contact-center API, as the thulium_async SDK knows it.",
            "description": (
                "Emitted from the endpoint declarations of the thulium_async Python "
                "SDK (`python -m thulium_async openapi`); the vendor publishes no "
                "machine-readable description. `x-thulium-idempotent`: whether a "
                "repeat is harmless; `x-thulium-side-effect`: what a repeat of a write "
                "would do; `x-thulium-paging`: how a list pages; "
                "`x-thulium-documented: false`: the vendor lists the endpoint without "
                "documenting it. Times are the Thulium system's wall clock, without "
                "an offset."
            ),
        },
        "externalDocs": {"url": DOCS, "description": "the vendor's reference (Polish)"},
        "servers": [
            {
                "url": "https://{system}.thulium.com/api",
                "description": "your Thulium system",
                "variables": {
                    "system": {
                        "default": "your-system-name",
                        "description": "your system's name, as in its address",
                    }
                },
            }
        ],
        "security": [{"basicAuth": []}],
        "tags": [{"name": tag} for tag in tags],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {
                **dict(sorted(build.components.items())),
                "Error": {**_ERROR_SCHEMA, "examples": [_ERROR_EXAMPLE]},
            },
            "securitySchemes": {
                "basicAuth": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "an API user of your system (panel: API users)",
                }
            },
        },
    }
