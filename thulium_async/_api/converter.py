"""Answers into models: decoding JSON and structuring it with cattrs, strictly.

One converter per time zone, built once and cached (building hooks per call is a known
CPU sink, python-attrs/cattrs#445). Hooks are strict: a JSON ``null`` never becomes the
string ``"None"``, a string or a bool never becomes an int, ``"false"`` never becomes
``True``, a string is never read as a list of its letters. Timestamps become aware
datetimes in the client's zone, in the shape each field declares (``_core.wallclock``'s
``Clock``); ``HHH:MM:SS`` durations become ``timedelta``. Unknown keys are ignored,
because vendors add fields. Every failure becomes one
:class:`~thulium_async.ResponseDecodeError` that lists each bad field by its path
(``$[0].started_at``).

Each answer model whose fields are all plain (text, integers, booleans, timestamps to
the second, optional or not) also gets a fast path, generated once from its declaration
(:func:`fast_items`): the same rules written out as straight-line code, which only
answers "valid or not". When it refuses a body, the converter structures the same data
to say exactly what is wrong, so errors lose nothing (``benchmarks/bench_decode.py``).
"""

from __future__ import annotations

import importlib
import json
import logging
import types
import typing
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache, partial
from typing import Any, TypeVar, cast

import attrs
import cattrs
from cattrs.errors import (
    BaseValidationError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, override
from cattrs.v import format_exception

from .._core.errors import ResponseDecodeError, is_secret_name, snippet
from .._core.wallclock import CLOCK, Clock, parse_clock, parse_duration
from .._http.transport import Request, Response
from .._models.fields import EITHER, RAW, WIRE
from .endpoints import Endpoint
from .fastpath import fast_structure, timestamp_reader
from .paging import Page, page_from_json

T = TypeVar("T")
logger = logging.getLogger("thulium_async")


def _strict_str(value: Any, type_: type) -> str:
    if type_ is not str:  # a str-valued enum: singledispatch finds str first
        return _enum_member(value, type_)  # type: ignore[no-any-return]
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {_describe(value)}")
    return value


def _strict_int(value: Any, type_: type) -> int:
    if type_ is not int and type_ is not bool:  # an int-valued enum
        return _enum_member(value, type_)  # type: ignore[no-any-return]
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {_describe(value)}")
    return value


def _strict_bool(value: Any, _: type) -> bool:
    if type(value) is not bool:
        raise TypeError(f"expected true or false, got {_describe(value)}")
    return value


def _strict_float(value: Any, _: type) -> float:
    if type(value) not in (int, float):
        raise TypeError(f"expected a number, got {_describe(value)}")
    return float(value)


def _enum_member(value: Any, type_: Any) -> Any:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise TypeError(
            f"expected one of {type_.__name__}'s values, got {_describe(value)}"
        )
    try:
        return type_(value)
    except ValueError:
        raise ValueError(
            f"expected one of {', '.join(str(m.value) for m in type_)}, got {value!r}"
        ) from None


def _duration(value: Any, _: type) -> timedelta:
    if not isinstance(value, str):
        raise TypeError(f"expected an 'HH:MM:SS' duration, got {_describe(value)}")
    return parse_duration(value)


def _either_hook(type_: Any) -> Callable[[Any, Any], Any]:
    """Read a field the vendor sends as a number on one page and text on another.

    ``agents/:login`` writes an agent's ``number`` as ``559933``, the campaign pages as
    ``"3113"``; ``POST agents`` answers its ``agent_id`` as ``"11"``. The field's own
    type decides what the user gets: text from a number, or a number from digits.
    """
    optional = type(None) in typing.get_args(type_)
    want_int = type_ is int or (optional and int in typing.get_args(type_))

    def _either(value: Any, _: Any) -> Any:
        if optional and (value is None or value == ""):  # the CRM writes "" for none
            return None
        if type(value) is int:
            return value if want_int else str(value)
        if isinstance(value, str):
            if not want_int:
                return value
            if value.isascii() and value.isdigit():
                return int(value)
        expected = "an integer" if want_int else "a string"
        raise TypeError(f"expected {expected} (or its digits), got {_describe(value)}")

    return _either


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    return f"{type(value).__name__} {value!r}"[:80]


def _clock_hook(
    zone: tzinfo, shape: Clock, optional: bool
) -> Callable[[Any, Any], Any]:
    read = timestamp_reader(zone) if shape is Clock.SECONDS else None

    def _timestamp(value: Any, _: Any) -> datetime | None:
        if optional and (value is None or value == ""):  # the CRM writes "" for none
            return None
        if not isinstance(value, str):
            raise TypeError(
                f"expected a '{shape.value}' string, got {_describe(value)}"
            )
        return read(value) if read is not None else parse_clock(value, zone, shape)

    return _timestamp


def _is_datetime(type_: Any) -> tuple[bool, bool]:
    """Return whether *type_* is ``datetime`` (or ``datetime | None``), and if optional."""
    if type_ is datetime:
        return True, False
    args = typing.get_args(type_)
    if typing.get_origin(type_) in (typing.Union, types.UnionType) and set(args) == {
        datetime,
        type(None),
    }:
        return True, True
    return False, False


@lru_cache(maxsize=16)
def converter_for(zone: tzinfo) -> cattrs.Converter:
    """Return the converter that reads Thulium's answers in *zone*, naming bad fields."""
    converter = cattrs.Converter(detailed_validation=True)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(bool, _strict_bool)
    converter.register_structure_hook(float, _strict_float)
    converter.register_structure_hook(timedelta, _duration)
    converter.register_structure_hook(datetime, _clock_hook(zone, Clock.SECONDS, False))

    def _objects_only(cls: type) -> Any:
        overrides: dict[str, Any] = {}
        model = attrs.resolve_types(cast("type[attrs.AttrsInstance]", cls))
        for field in attrs.fields(model):
            is_datetime, optional = _is_datetime(field.type)
            shape = field.metadata.get(CLOCK, Clock.SECONDS)
            options: dict[str, Any] = {}
            if is_datetime and (shape is not Clock.SECONDS or optional):
                options["struct_hook"] = _clock_hook(zone, shape, optional)
            elif field.metadata.get(EITHER):
                options["struct_hook"] = _either_hook(field.type)
            elif field.metadata.get(RAW):
                options["omit"] = True
            if WIRE in field.metadata:
                options["rename"] = field.metadata[WIRE]
            if options:
                overrides[field.name] = override(**options)
        fields: Any = make_dict_structure_fn(cls, converter, **overrides)
        keep = [f.name for f in attrs.fields(model) if f.metadata.get(RAW)]

        def _structure(value: Any, type_: type) -> Any:
            if not isinstance(value, dict):
                raise TypeError(f"expected a JSON object, got {_describe(value)}")
            instance = fields(value, type_)
            for name in keep:  # the whole object, as sent: what is not typed yet
                object.__setattr__(instance, name, dict(value))
            return instance

        return _structure

    def _arrays_only(type_: Any) -> Any:
        # cattrs would iterate any iterable (a dict's keys, a string's letters).
        (item, *_) = typing.get_args(type_) or (Any,)
        is_tuple = typing.get_origin(type_) is tuple

        def _structure(value: Any, _: Any) -> Any:
            if type(value) is not list:
                raise TypeError(f"expected a JSON array, got {_describe(value)}")
            hook = converter.get_structure_hook(item)
            items, errors = [], []
            for index, element in enumerate(value):
                try:
                    items.append(hook(element, item))
                except Exception as exc:
                    exc.__notes__ = [
                        *getattr(exc, "__notes__", []),
                        IterableValidationNote(
                            f"Structuring {type_} @ index {index}", index, item
                        ),
                    ]
                    errors.append(exc)
            if errors:
                raise IterableValidationError(
                    f"While structuring {type_!r}", errors, type_
                )
            return tuple(items) if is_tuple else items

        return _structure

    converter.register_structure_hook_factory(attrs.has, _objects_only)
    converter.register_structure_hook_factory(
        lambda type_: getattr(type_, "__origin__", None) in (list, tuple), _arrays_only
    )
    return converter


_raw_decode = json.JSONDecoder().raw_decode


def _std_loads(raw: bytes) -> Any:
    """``json.loads(raw)``, with a shortcut for the usual body: UTF-8, no padding.

    ``json.loads`` on bytes first sniffs the encoding in Python code and then scans for
    whitespace twice; Thulium answers in UTF-8 (RFC 8259 requires it between systems),
    so the shortcut decodes and parses directly. Anything else (a BOM, whitespace
    around the value, invalid JSON) takes ``json.loads`` itself, errors included.
    """
    try:
        text = raw.decode()
        value, end = _raw_decode(text)
    except ValueError:
        return json.loads(raw)
    return value if end == len(text) else json.loads(raw)


def _json_loader() -> Callable[[bytes], Any]:
    """Return orjson's loads when installed (``thulium-async[speedups]``), else json's."""
    try:
        return importlib.import_module("orjson").loads  # type: ignore[no-any-return]
    except ImportError:
        return _std_loads


loads = _json_loader()
"""JSON bytes to Python: orjson's when installed, else the standard library's."""


def decode_json(raw: bytes, *, method: str, url: str, truncated: bool = False) -> Any:
    """Parse a 2xx body as JSON, or raise ResponseDecodeError showing its start.

    A body *truncated* at the size cap is refused here, the one place that checks it;
    so is JSON nested too deeply to parse, which the standard library reports as a
    ``RecursionError`` rather than a ``ValueError``. Uses orjson when it is installed
    (about twice as fast), else the standard library.
    """
    if truncated:
        raise ResponseDecodeError(
            f"{method} {url} answered with a body larger than the size cap",
            method=method,
            url=url,
            body=snippet(raw),
        )
    try:
        return loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ResponseDecodeError(
            f"{method} {url} answered with a body that is not JSON ({exc}): "
            f"{snippet(raw)!r}",
            method=method,
            url=url,
            body=snippet(raw),
        ) from None


def structure(
    data: Any,
    cls: Any,
    zone: tzinfo,
    *,
    method: str,
    url: str,
    raw: bytes,
    path: str = "$",
) -> Any:
    """Structure decoded JSON into *cls*, or raise ResponseDecodeError naming fields.

    *path* is where *data* sits in the body (``$.result`` for a page's items), so
    that a bad field is named where the user will find it.
    """
    if getattr(cls, "__origin__", None) in (list, tuple) and type(data) is not list:
        raise ResponseDecodeError(
            f"{method} {url} should answer with a JSON array at {path}, got "
            f"{type(data).__name__}: {snippet(raw)!r}",
            method=method,
            url=url,
            body=snippet(raw),
        )
    try:
        return converter_for(zone).structure(data, cls)
    except (BaseValidationError, TypeError, ValueError, KeyError) as exc:
        problems = _describe_problems(exc, path)
        raise ResponseDecodeError(
            f"{method} {url} answered with an unexpected body: {problems}; "
            f"body starts {snippet(raw)!r}",
            method=method,
            url=url,
            body=snippet(raw),
        ) from None


Reader = Callable[[Response, Request], Any]
"""Turn one endpoint's answer (and the request, for errors) into its model."""


def answer_reader(
    endpoint: Endpoint[T], zone: tzinfo
) -> Callable[[Response, Request], T]:
    """Return the reader of *endpoint*'s answers in *zone*, built once per client.

    An endpoint that returns nothing ignores its body (a write's answer); every other
    answer goes through the fast path its model's declaration allows, if any, and
    else (or when the fast path refuses it) through the converter, which also
    explains whatever is wrong.
    """
    returns: Any = endpoint.returns
    if returns is None:  # R is None: the reader gives None
        return cast("Reader", _body_ignorer(endpoint.name))
    if returns is Any:  # an answer whose shape the vendor does not show
        return read_json
    fast = fast_structure(returns, zone)
    if fast is None:
        return partial(read_answer, endpoint, zone=zone)

    def read(response: Response, request: Request) -> Any:
        if not response.truncated:
            try:  # free in CPython 3.11+ unless raised
                value = fast(
                    loads(response.body)
                )  # loads looked up per body: swappable
            except (ValueError, RecursionError):  # the converter says what is wrong
                value = None
            if value is not None:
                return value
        return read_answer(endpoint, response, request, zone=zone)

    return read


def read_json(response: Response, request: Request) -> Any:
    """Return an answer's JSON as decoded, ``None`` for an empty body.

    For answers whose shape is not declared: ``client.request`` and the endpoints
    whose vendor page shows none.
    """
    if not response.truncated and not response.body.strip():
        return None
    return decode_json(
        response.body,
        method=request.method,
        url=str(request.url),
        truncated=response.truncated,
    )


def _body_ignorer(name: str) -> Callable[[Response, Request], None]:
    def ignore(response: Response, request: Request) -> None:
        if response.body and logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s answered with a non-empty body; ignored", name)

    return ignore


def read_answer(
    endpoint: Endpoint, response: Response, request: Request, *, zone: tzinfo
) -> Any:
    """Return the model *endpoint* declares, structured by the detailed converter."""
    method, url = endpoint.method, str(request.url)
    data = decode_json(
        response.body, method=method, url=url, truncated=response.truncated
    )
    return structure(
        data, endpoint.returns, zone, method=method, url=url, raw=response.body
    )


def read_page(
    endpoint: Endpoint,
    response: Response,
    zone: tzinfo,
    url: str,
    *,
    limit: int,
    offset: int,
) -> Page[Any]:
    """Return one page of *endpoint*'s list, its items structured into ``returns``."""
    data = decode_json(
        response.body, method="GET", url=url, truncated=response.truncated
    )
    bare = endpoint.paging is not None and endpoint.paging.bare
    page = page_from_json(
        data, limit=limit, offset=offset, method="GET", url=url, bare=bare
    )
    returns: Any = endpoint.returns
    if returns is None:
        return page
    fast = fast_structure(list[returns], zone)
    found = None if fast is None else fast(list(page.items))
    if found is not None:
        return attrs.evolve(page, items=tuple(found))
    items = structure(
        list(page.items),
        tuple[returns, ...],
        zone,
        method="GET",
        url=url,
        raw=response.body,
        path="$" if bare else "$.result",
    )
    return attrs.evolve(page, items=items)


def _describe_problems(exc: Exception, path: str) -> str:
    if isinstance(exc, BaseValidationError):
        messages = cattrs.transform_error(exc, path=path, format_exception=_explain)
        return "; ".join(_without_secret(message) for message in messages)
    return str(exc)


def _without_secret(message: str) -> str:
    """A problem with a secret field, told without the value it was given."""
    where = message.rpartition(" @ ")[2]
    if is_secret_name(where.rpartition(".")[2]):
        return f"not of the declared type (the value is a secret, not shown) @ {where}"
    return message


def _explain(exc: BaseException, type_: type | None) -> str:
    """Prefer our hooks' own words ("expected a string, got null") to cattrs' default."""
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, (TypeError, ValueError)) and str(exc):
        return str(exc)
    return format_exception(exc, type_)
