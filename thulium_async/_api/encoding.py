"""Models and mappings into what Thulium reads: query parameters and JSON bodies.

One set of rules for every endpoint and for ``client.request``: ``None`` is left out;
``True``/``False`` are ``true``/``false`` (as the vendor's pages write them); a list
repeats its key (``tags[]=a&tags[]=b``); an enum is its value; a ``datetime`` is the
system's wall clock in the shape its field declares (``Clock``: to the second by
default), naive meaning that clock and aware converted into it; a ``date`` is
``YYYY-MM-DD``; a ``timedelta`` is ``HH:MM:SS``. Every refusal is an
:class:`~thulium_async.InvalidInputError` naming the field, raised before anything is sent.

A body class's encoder is built once per class and zone (:func:`body_encoder`): its
fields' wire names and clocks are read from the declaration then, not per request, and
a wall-clock time already formatted is remembered (a dialer sends thousands of calls
for the same few times, and finding a daylight-saving gap costs more than the rest of
the body).
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache, partial
from json.encoder import encode_basestring
from typing import Any, cast

import attrs
import cattrs

from .._core.errors import InvalidInputError
from .._core.wallclock import (
    CLOCK,
    Clock,
    format_clock,
    format_duration,
    format_wall_clock,
)
from .._models.fields import WIRE

Params = Mapping[str, object]


def _scalar(name: str, value: object, zone: tzinfo, shape: Clock) -> str:
    """Return one query value as text, or refuse it naming *name*."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(f"{name} must be finite, got {value!r}")
        return repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, date):  # a datetime too
        return format_clock(value, zone, shape, field=name)
    raise InvalidInputError(
        f"{name} must be a str, int, float, bool, date, datetime or a list of them, "
        f"got {type(value).__name__}"
    )


def _pairs(
    name: str, wire: str, value: object, zone: tzinfo, shape: Clock
) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [(wire, _scalar(name, item, zone, shape)) for item in items]
    if isinstance(value, Mapping):  # PHP's nested keys: the CRM's custom_fields filter
        pairs: list[tuple[str, str]] = []
        for key, item in value.items():
            if isinstance(
                item, (list, tuple)
            ):  # alternatives, indexed as the page does
                pairs += [
                    (f"{wire}[{key}][{index}]", _scalar(name, one, zone, shape))
                    for index, one in enumerate(item)
                ]
            else:
                pairs.append((f"{wire}[{key}]", _scalar(name, item, zone, shape)))
        return pairs
    return [(wire, _scalar(name, value, zone, shape))]


def encode_params(params: Params | None, zone: tzinfo) -> list[tuple[str, str]]:
    """Return a mapping of query parameters as pairs (``client.request``'s *params*).

    The key is sent as written: pass ``"tags[]"`` for the vendor's list syntax.
    """
    if params is None:
        return []
    if not isinstance(params, Mapping):
        raise InvalidInputError(
            f"params must be a mapping of names to values, got {type(params).__name__}"
        )
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        key: object = name  # a caller's mapping may hold anything, whatever its type
        if not isinstance(key, str) or not key:
            raise InvalidInputError(
                f"params keys must be non-empty strings, got {name!r}"
            )
        pairs.extend(_pairs(f"params[{name!r}]", name, value, zone, Clock.SECONDS))
    return pairs


@lru_cache(maxsize=128)
def _query_plan(cls: type) -> tuple[tuple[str, str, Clock], ...]:
    """Return (field, wire name, clock) for each field of the query model *cls*."""
    plan = []
    for field in attrs.fields(cast("type[attrs.AttrsInstance]", cls)):
        wire = field.metadata.get(WIRE, field.name)
        plan.append((field.name, wire, field.metadata.get(CLOCK, Clock.SECONDS)))
    return tuple(plan)


def encode_query(query: object, zone: tzinfo) -> list[tuple[str, str]]:
    """Return the query parameters of an endpoint's attrs *query* model, in field order."""
    pairs: list[tuple[str, str]] = []
    model: Any = type(query)
    for name, wire, shape in _query_plan(model):
        pairs.extend(_pairs(name, wire, getattr(query, name), zone, shape))
    return pairs


@lru_cache(maxsize=16)
def encoder_for(zone: tzinfo) -> cattrs.Converter:
    """Return the converter that unstructures request bodies in *zone*."""
    converter = cattrs.Converter()
    converter.register_unstructure_hook(timedelta, format_duration)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook_func(
        lambda type_: isinstance(type_, type) and issubclass(type_, enum.Enum),
        lambda value: value.value,
    )

    def _model(cls: type) -> Callable[[Any], dict[str, Any]]:
        fields = [
            (
                field.name,
                field.metadata.get(WIRE, field.name),
                field.metadata.get(CLOCK, Clock.SECONDS),
            )
            for field in attrs.fields(cast("type[attrs.AttrsInstance]", cls))
        ]

        def unstructure(instance: Any) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for name, wire, shape in fields:
                value = getattr(instance, name)
                if value is None:
                    continue
                if isinstance(value, date):  # a datetime too: the field's own clock
                    out[wire] = format_clock(value, zone, shape, field=name)
                elif isinstance(value, float) and not math.isfinite(value):
                    raise InvalidInputError(f"{name} must be finite, got {value!r}")
                else:
                    out[wire] = converter.unstructure(value)
            return out

        return unstructure

    converter.register_unstructure_hook_factory(attrs.has, _model)
    return converter


_TIMES_CACHED = 1024


@lru_cache(maxsize=32)
def _wall_clock_writer(
    zone: tzinfo, shape: Clock, strict: bool
) -> Callable[[object, str], str]:
    """Return a function writing a date or datetime as a JSON string in *shape*.

    *strict* (a field declared a ``datetime``) refuses anything else, a ``date``
    included. Remembers the text of plain ``datetime`` values with ``fold=0``: two
    such values that compare equal are the same wall time (naive) or the same instant
    (aware), so they are written alike; ``fold=1`` values are not remembered, as
    ``==`` ignores the fold between values of one zone. A refused value raises every
    time.
    """
    known: dict[datetime, str] = {}

    def text(value: object, name: str) -> str:
        if strict and not isinstance(value, datetime):
            format_wall_clock(value, zone, field=name)  # raises, naming the field
        return f'"{format_clock(value, zone, shape, name)}"'

    def write(value: object, name: str) -> str:
        if type(value) is datetime and not value.fold:
            found = known.get(value)
            if found is None:
                if len(known) >= _TIMES_CACHED:
                    known.clear()
                found = known[value] = text(value, name)
            return found
        return text(value, name)

    return write


_dumps = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":")
).encode


@lru_cache(maxsize=256)
def body_encoder(cls: type, zone: tzinfo) -> Callable[[object], bytes]:
    """Return the encoder of the attrs body class *cls* into compact UTF-8 JSON.

    Fields are written in declaration order under their wire names, ``None`` left
    out. Text goes through the JSON encoder's own C string escaper; a field declared
    a ``datetime``, and any date, through the field's clock; anything else is
    unstructured and dumped. The code is generated from the declaration, once per
    class and zone, as attrs writes ``__init__``: a dialer encodes thousands of
    bodies a second, and a loop over the fields costs more than the fields.
    """
    unstructure = encoder_for(zone).unstructure
    model = attrs.resolve_types(cast("type[attrs.AttrsInstance]", cls))
    names: dict[str, Any] = {
        "escape": encode_basestring,
        "InvalidInputError": InvalidInputError,
    }
    # A required first member opens the object itself (no test, no comma to take
    # back); each later member present is appended after a comma, and a body whose
    # first member may be absent starts from a comma the brace then replaces. One
    # string concatenation per member, no list, no join: this runs for every call.
    fields = attrs.fields(model)
    opened = bool(fields) and fields[0].default is attrs.NOTHING
    lines = ["def encode(body):", '    text = ""']
    for index, field in enumerate(fields):
        is_time = _is_datetime(field)
        shape = field.metadata.get(CLOCK, Clock.SECONDS)
        names[f"key{index}"] = (
            encode_basestring(field.metadata.get(WIRE, field.name)) + ":"
        )
        names[f"time{index}"] = write_time = _wall_clock_writer(zone, shape, is_time)
        names[f"other{index}"] = partial(_other, write_time, unstructure)
        value = f"time{index}(v, {field.name!r})"
        if not is_time:
            value = f"escape(v) if type(v) is str else other{index}(v, {field.name!r})"
        if index == 0 and opened:
            names["key0"] = "{" + names["key0"]
            lines += [f"    v = body.{field.name}", f"    text = key0 + ({value})"]
            continue
        names[f"key{index}"] = "," + names[f"key{index}"]
        lines += [
            f"    v = body.{field.name}",
            "    if v is not None:",
            f"        text += key{index} + ({value})",
        ]
    close = '(text + "}")' if opened else '("{" + text[1:] + "}")'
    lines += [
        "    try:",
        f"        return {close}.encode()",
        "    except UnicodeEncodeError as exc:  # a lone surrogate: no UTF-8 for it",
        '        raise InvalidInputError(f"json= cannot be sent as JSON: {exc}") from None',
    ]
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<body encoder of {cls.__qualname__}>", "exec"), names)  # noqa: S102 -- our own code, from the declaration
    return cast("Callable[[object], bytes]", names["encode"])


def _other(
    write_time: Callable[[object, str], str],
    unstructure: Callable[[object], object],
    value: object,
    name: str,
) -> str:
    """Write a field's value that is not text as JSON (a date, a number, a list...)."""
    if isinstance(value, date):  # a datetime too: the field's own clock
        return write_time(value, name)
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInputError(f"{name} must be finite, got {value!r}")
    return _dumped(unstructure(value))


def _is_datetime(field: attrs.Attribute[Any]) -> bool:
    """Whether *field* is declared a ``datetime`` (or ``datetime | None``)."""
    return field.type in (datetime, datetime | None)  # == typing.Optional[datetime]


def _dumped(value: object) -> str:
    try:
        return _dumps(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"json= cannot be sent as JSON: {exc}") from None


def encode_body(body: object, zone: tzinfo) -> bytes:
    """Return an endpoint's attrs *body* model as UTF-8 JSON (``None`` fields left out)."""
    cls: Any = type(body)
    return body_encoder(cls, zone)(body)


def encode_json(body: object) -> bytes:
    """Return *body* as UTF-8 JSON, or refuse what JSON cannot carry."""
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"json= cannot be sent as JSON: {exc}") from None
