"""Models and mappings into what Thulium reads: query parameters and JSON bodies.

One set of rules for every endpoint and for ``client.request``: ``None`` is left out;
``True``/``False`` are ``true``/``false`` (as the vendor's pages write them); a list
repeats its key (``tags[]=a&tags[]=b``); an enum is its value; a ``datetime`` is the
system's wall clock in the shape its field declares (``Clock``: to the second by
default), naive meaning that clock and aware converted into it; a ``date`` is
``YYYY-MM-DD``; a ``timedelta`` is ``HH:MM:SS``. Every refusal is an
:class:`~thulium_async.InvalidInputError` naming the field, raised before anything is sent.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Callable, Mapping
from datetime import date, timedelta, tzinfo
from functools import lru_cache
from typing import Any, cast

import attrs
import cattrs

from .._core.errors import InvalidInputError
from .._core.wallclock import CLOCK, Clock, format_clock, format_duration
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


def encode_body(body: object, zone: tzinfo) -> bytes:
    """Return an endpoint's attrs *body* model as UTF-8 JSON (``None`` fields left out)."""
    return encode_json(encoder_for(zone).unstructure(body))


def encode_json(body: object) -> bytes:
    """Return *body* as UTF-8 JSON, or refuse what JSON cannot carry."""
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"json= cannot be sent as JSON: {exc}") from None
