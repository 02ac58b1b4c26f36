"""The cattrs converters that turn decoded JSON into models, strictly.

One converter per time zone, built once and cached (building hooks per call is a known
CPU sink, python-attrs/cattrs#445). Hooks are strict: a JSON ``null`` never becomes the
string ``"None"``, a string or a bool never becomes an int. Unknown keys are ignored,
because vendors add fields. Every failure becomes one :class:`~thulium_async.ResponseDecodeError` that
lists each bad field by its path.

Hot models also get a lean, hand-shaped hook that applies the same rules without
cattrs' detailed validation (about 25 % faster per caller, see ``benchmarks/``). It
only answers "valid or not": when it refuses a body, the detailed converter structures
the same data again to say exactly what is wrong, so errors lose nothing.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any, TypeVar, cast

import attrs
import cattrs
from cattrs.errors import BaseValidationError
from cattrs.gen import make_dict_structure_fn
from cattrs.v import format_exception

from .._core.errors import ResponseDecodeError, snippet
from .._core.wallclock import parse_wall_clock
from .._models.queues import WaitingCaller

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
def timestamp_reader(zone: tzinfo) -> Callable[[str], datetime]:
    """Return a cached parser of Thulium timestamps in *zone*.

    Pollers see the same callers, so the same timestamps, again and again; a cache hit
    costs a tenth of a parse.
    """

    @lru_cache(maxsize=8192)
    def read(text: str) -> datetime:
        return parse_wall_clock(text, zone)

    return read


@lru_cache(maxsize=16)
def converter_for(zone: tzinfo) -> cattrs.Converter:
    """Return the detailed converter that reads Thulium timestamps in *zone*."""
    converter = cattrs.Converter(detailed_validation=True)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(int, _strict_int)
    read_timestamp = timestamp_reader(zone)

    def _timestamp(value: Any, _: type) -> datetime:
        if not isinstance(value, str):
            raise TypeError(
                f"expected a 'YYYY-MM-DD HH:MM:SS' string, got {_describe(value)}"
            )
        return read_timestamp(value)

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


_loads = _json_loader()


def decode_json(raw: bytes, *, method: str, url: str, truncated: bool = False) -> Any:
    """Parse a 2xx body as JSON, or raise ResponseDecodeError showing its start.

    A body *truncated* at the size cap is refused here, the one place that checks it.
    Uses orjson when it is installed (about twice as fast), else the standard library.
    """
    if truncated:
        raise ResponseDecodeError(
            f"{method} {url} answered with a body larger than the size cap",
            method=method,
            url=url,
            body=snippet(raw),
        )
    try:
        return _loads(raw)
    except ValueError as exc:
        raise ResponseDecodeError(
            f"{method} {url} answered with a body that is not JSON ({exc}): "
            f"{snippet(raw)!r}",
            method=method,
            url=url,
            body=snippet(raw),
        ) from None


def plain_constructor(cls: type[T]) -> Callable[..., T]:
    """Return a keyword constructor for *cls* that sets its slots directly.

    A frozen attrs ``__init__`` goes through ``object.__setattr__`` for each field;
    setting the slot descriptors is twice as fast, and safe only when ``__init__``
    would do nothing more. So this falls back to the class itself as soon as a field
    has a validator, a converter or a default factory, or the class is not slotted.
    """
    fields = attrs.fields(cast("type[attrs.AttrsInstance]", cls))
    slots = getattr(cls, "__slots__", ())
    if any(
        f.validator is not None
        or f.converter is not None
        or isinstance(f.default, attrs.Factory)  # type: ignore[arg-type]  # Factory is a class at run time
        or f.name not in slots
        for f in fields
    ) or hasattr(cls, "__attrs_post_init__"):
        return cls
    setters = [(f.name, cls.__dict__[f.name].__set__) for f in fields]
    new = object.__new__

    def construct(**values: Any) -> T:
        instance = new(cls)
        for name, set_slot in setters:
            set_slot(instance, values[name])
        return instance

    return construct


_CALLER_FIELDS = ("phone_number", "started_at", "customer_id", "customer_label")
# Built once: writing list[WaitingCaller] makes a new alias object on every use.
_CALLER_LIST = list[WaitingCaller]


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[..., None], ...]:
    return tuple(cls.__dict__[name].__set__ for name in names)


@lru_cache(maxsize=16)
def fast_converter_for(zone: tzinfo) -> cattrs.Converter:
    """Return the lean converter for the hot path: valid bodies only, no diagnosis."""
    converter = cattrs.Converter(detailed_validation=False)
    read_timestamp = timestamp_reader(zone)
    # Models are built by setting their slots directly, unless the model's __init__
    # does more (a validator, say): then through the class, like everything else.
    plain = plain_constructor(WaitingCaller) is not WaitingCaller
    new = object.__new__
    if plain:
        set_phone, set_started, set_id, set_label = _slot_setters(
            WaitingCaller, _CALLER_FIELDS
        )

    def _waiting_callers(data: Any, _: type) -> list[WaitingCaller]:
        # The same rules as the detailed hooks, written out for speed, in one loop with
        # no call per row but the timestamp's. Any refusal (TypeError, KeyError,
        # ValueError) sends the body to the detailed converter, which explains it.
        callers: list[WaitingCaller] = []
        append = callers.append
        for value in data:
            if type(value) is not dict:
                raise TypeError
            phone = value["phone_number"]
            started = value["started_at"]
            customer_id = value.get("customer_id")
            label = value.get("customer_label")
            if (
                type(phone) is not str
                or type(started) is not str
                or (customer_id is not None and type(customer_id) is not int)
                or (label is not None and type(label) is not str)
            ):
                raise TypeError
            started_at = read_timestamp(started)
            if plain:
                caller = new(WaitingCaller)
                set_phone(caller, phone)
                set_started(caller, started_at)
                set_id(caller, customer_id)
                set_label(caller, label)
            else:
                caller = WaitingCaller(
                    phone_number=phone,
                    started_at=started_at,
                    customer_id=customer_id,
                    customer_label=label,
                )
            append(caller)
        return callers

    def _waiting_caller(value: Any, _: type) -> WaitingCaller:
        return _waiting_callers((value,), list)[0]

    converter.register_structure_hook(WaitingCaller, _waiting_caller)
    converter.register_structure_hook_func(
        lambda type_: type_ == list[WaitingCaller], _waiting_callers
    )
    return converter


@lru_cache(maxsize=16)
def _waiting_list_hook(zone: tzinfo) -> Callable[[Any, Any], list[WaitingCaller]]:
    return fast_converter_for(zone).get_structure_hook(list[WaitingCaller])


def structure_waiting_list(raw: bytes, zone: tzinfo) -> list[WaitingCaller] | None:
    """Decode and structure a waiting_list body on the hot path; None if refused.

    No error message is built here: a refused body goes to :func:`structure` (the
    detailed converter), which explains exactly what is wrong.
    """
    try:
        data = _loads(raw)
        if type(data) is not list:
            return None
        return _waiting_list_hook(zone)(data, _CALLER_LIST)
    except Exception:
        return None


def structure(
    data: Any, cls: type[T], zone: tzinfo, *, method: str, url: str, raw: bytes
) -> T:
    """Structure decoded JSON into *cls*, or raise ResponseDecodeError naming fields."""
    if getattr(cls, "__origin__", None) is list and type(data) is not list:
        # cattrs would iterate any iterable (a dict's keys, a string's letters).
        raise ResponseDecodeError(
            f"{method} {url} should answer with a JSON array, got "
            f"{type(data).__name__}: {snippet(raw)!r}",
            method=method,
            url=url,
            body=snippet(raw),
        )
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
