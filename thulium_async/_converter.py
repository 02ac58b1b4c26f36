"""The cattrs converters that turn decoded JSON into models, strictly.

One converter per time zone, built once and cached (building hooks per call is a known
CPU sink, python-attrs/cattrs#445). Hooks are strict: a JSON ``null`` never becomes the
string ``"None"``, a string or a bool never becomes an int. Unknown keys are ignored,
because vendors add fields. Every failure becomes one :class:`ResponseDecodeError` that
lists each bad field by its path.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import BaseValidationError
from cattrs.gen import make_dict_structure_fn
from cattrs.v import format_exception

from ._errors import ResponseDecodeError, snippet
from ._time import parse_wall_clock

T = TypeVar("T")


def _strict_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {_describe(value)}")
    return value


def _strict_int(value: Any, _: type) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {_describe(value)}")
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    return f"{type(value).__name__} {value!r}"[:80]


@lru_cache(maxsize=16)
def converter_for(zone: tzinfo) -> cattrs.Converter:
    """Return the converter that reads Thulium timestamps in *zone*."""
    converter = cattrs.Converter(detailed_validation=True)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(int, _strict_int)

    def _timestamp(value: Any, _: type) -> datetime:
        if not isinstance(value, str):
            raise TypeError(
                f"expected a 'YYYY-MM-DD HH:MM:SS' string, got {_describe(value)}"
            )
        return parse_wall_clock(value, zone)

    converter.register_structure_hook(datetime, _timestamp)

    def _objects_only(cls: type) -> Any:
        fields: Any = make_dict_structure_fn(cls, converter)

        def _structure(value: Any, type_: type) -> Any:
            if not isinstance(value, dict):
                raise TypeError(f"expected a JSON object, got {_describe(value)}")
            return fields(value, type_)

        return _structure

    converter.register_structure_hook_factory(attrs.has, _objects_only)
    return converter


def decode_json(raw: bytes, *, method: str, url: str) -> Any:
    """Parse a 2xx body as JSON, or raise ResponseDecodeError showing its start."""
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ResponseDecodeError(
            f"{method} {url} answered with a body that is not JSON ({exc}): "
            f"{snippet(raw)!r}",
            method=method,
            url=url,
            body=snippet(raw),
        ) from None


def structure(
    data: Any, cls: type[T], zone: tzinfo, *, method: str, url: str, raw: bytes
) -> T:
    """Structure decoded JSON into *cls*, or raise ResponseDecodeError naming fields."""
    try:
        return converter_for(zone).structure(data, cls)
    except (BaseValidationError, TypeError, ValueError, KeyError) as exc:
        problems = _describe_problems(exc)
        raise ResponseDecodeError(
            f"{method} {url} answered with an unexpected body: {problems}; "
            f"body starts {snippet(raw)!r}",
            method=method,
            url=url,
            body=snippet(raw),
        ) from None


def _describe_problems(exc: Exception) -> str:
    if isinstance(exc, BaseValidationError):
        messages = cattrs.transform_error(exc, path="$", format_exception=_explain)
        return "; ".join(messages)
    return str(exc)


def _explain(exc: BaseException, type_: type | None) -> str:
    """Prefer our hooks' own words ("expected a string, got null") to cattrs' default."""
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, (TypeError, ValueError)) and str(exc):
        return str(exc)
    return format_exception(exc, type_)
