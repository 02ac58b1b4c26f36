"""Fast paths for answers, generated once per model from its declaration.

A supervisor page polls every queue's waiting list every couple of seconds, and a list
reads thousands of records: structuring those through cattrs costs more than the rest
of the request. So a model whose fields are all plain (text, integers, booleans,
timestamps to the second; optional or not) gets straight-line code generated from its
attrs fields, the way attrs writes ``__init__`` and cattrs its hooks: one ``type()``
check per field, timestamps through the cached reader, the instance built by setting
its slots when its ``__init__`` would do nothing more.

The code only answers "valid or not": it applies the converter's rules, accepts the
canonical JSON type of each field only, and returns ``None`` for anything else, which
the converter then structures to say exactly what is wrong (or, for an id sent as
digits, to read it). No hand-written reader per model; a model with a field outside
the plain kinds simply has no fast path.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any, TypeVar, cast

import attrs

from .._core.wallclock import CLOCK, Clock, parse_clock
from .._models.fields import EITHER, RAW, WIRE

T = TypeVar("T")
Structure = Callable[[Any], Any]
"""Decoded JSON to the model (or a list of them); ``None`` means "refused"."""

_PLAIN = (str, int, bool, datetime)


@lru_cache(maxsize=16)
def timestamp_reader(zone: tzinfo) -> Callable[[str], datetime]:
    """Return a cached parser of ``YYYY-MM-DD HH:MM:SS`` timestamps in *zone*.

    Pollers see the same callers, so the same timestamps, again and again; a cache hit
    costs a tenth of a parse.
    """

    @lru_cache(maxsize=8192)
    def read(text: str) -> datetime:
        return parse_clock(text, zone, Clock.SECONDS)

    return read


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


def _plain_kind(field: attrs.Attribute[Any]) -> tuple[type, bool] | None:
    """Return (kind, optional) of a field the fast path can read, or ``None``."""
    type_ = field.type
    optional = False
    if typing.get_origin(type_) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(type_) if arg is not type(None)]
        if len(args) != 1 or len(typing.get_args(type_)) != 2:
            return None
        type_, optional = args[0], True
    if type_ not in _PLAIN or field.metadata.get(RAW):
        return None
    if (
        type_ is datetime
        and field.metadata.get(CLOCK, Clock.SECONDS) is not Clock.SECONDS
    ):
        return None
    if field.metadata.get(EITHER) and type_ not in (str, int):
        return None
    if field.default is attrs.NOTHING:
        return type_, optional
    # An absent key reads as the default: the fast path's .get() gives None.
    return (type_, optional) if optional and field.default is None else None


def _field_lines(
    index: int, field: attrs.Attribute[Any], kind: type, optional: bool
) -> list[str]:
    """Lines reading *field* from the dict ``value`` into ``v{index}``, or refusing."""
    key = repr(field.metadata.get(WIRE, field.name))
    var = f"v{index}"
    name = "datetime" if kind is datetime else kind.__name__
    lines = []
    if optional and field.default is attrs.NOTHING:  # present, perhaps null
        lines.append(f"if {key} not in value: return None")
    lines.append(f"{var} = value.get({key})")
    wrong = f"type({var}) is not {'str' if kind is datetime else name}"
    if field.metadata.get(EITHER) and optional and kind is str:
        wrong = f"({wrong} or not {var})"  # the converter reads "" as none
    check = f"{var} is not None and {wrong}" if optional else wrong
    lines.append(f"if {check}: return None")
    if kind is datetime:
        read = [
            "try:",
            f"    {var} = read_timestamp({var})",
            "except ValueError:",
            "    return None",
        ]
        if optional:
            lines.append(f"if {var} is not None:")
            lines.extend("    " + line for line in read)
        else:
            lines.extend(read)
    return lines


def _item_lines(cls: type, zone: tzinfo, names: dict[str, Any]) -> list[str] | None:
    """Lines turning the decoded object ``value`` into ``item``, or ``None`` if unsupported."""
    fields = attrs.fields(attrs.resolve_types(cast("type[attrs.AttrsInstance]", cls)))
    lines = ["if type(value) is not dict: return None"]
    for index, field in enumerate(fields):
        found = _plain_kind(field)
        if found is None:
            return None
        lines.extend(_field_lines(index, field, *found))
    names["cls"] = cls
    names["read_timestamp"] = timestamp_reader(zone)
    if plain_constructor(cls) is cls:  # __init__ does more: go through it
        arguments = ", ".join(f"{f.alias}=v{i}" for i, f in enumerate(fields))
        lines.append(f"item = cls({arguments})")
    else:
        names["new"] = object.__new__
        lines.append("item = new(cls)")
        for index, field in enumerate(fields):
            names[f"set{index}"] = cls.__dict__[field.name].__set__
            lines.append(f"set{index}(item, v{index})")
    return lines


@lru_cache(maxsize=256)
def fast_structure(type_: Any, zone: tzinfo) -> Structure | None:
    """Return generated code structuring decoded JSON into *type_*, or ``None``.

    *type_* is an attrs model or ``list[Model]``; anything else, or a model with a
    field that is not plain, has no fast path. The code returns ``None`` for any
    value the converter might read differently, never a different model.
    """
    is_list = typing.get_origin(type_) is list
    model = typing.get_args(type_)[0] if is_list else type_
    if not (isinstance(model, type) and attrs.has(model)):
        return None
    names: dict[str, Any] = {}
    item = _item_lines(model, zone, names)
    if item is None:
        return None
    if is_list:
        body = [
            "if type(data) is not list: return None",
            "items = []",
            "append = items.append",
            "for value in data:",
            *("    " + line for line in item),
            "    append(item)",
            "return items",
        ]
    else:
        body = ["value = data", *item, "return item"]
    source = "def structure(data):\n" + "".join(f"    {line}\n" for line in body)
    exec(compile(source, f"<fast path of {model.__qualname__}>", "exec"), names)  # noqa: S102 -- our own code, from the declaration
    return cast("Structure", names["structure"])
