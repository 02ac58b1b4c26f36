"""Declared methods: an endpoint written once, as the signature of the method that sends it.

The way FastAPI reads a route from its handler's signature, :func:`operation` reads an
endpoint from a namespace method's: the method, path and vendor facts go in the
decorator, each parameter is written once, in the signature, with its type, its
description and the vendor's example (``Annotated[str, Body("the number to call",
example="333444555", format="phone")]``), and the return annotation is the answer's
model. From that one description the decorator derives everything else:

- the :class:`~thulium_async._api.endpoints.Endpoint` declaration, whose query and body
  classes are made from the parameters (so the encoders, the OpenAPI document and
  FakeThulium's request checks read them as they read any declaration);
- the argument checks, one implementation per type and format (``_core.validation``):
  a bad argument raises ``InvalidInputError`` naming it, and nothing is sent;
- the method itself, generated with the declared signature (Python binds the
  arguments; no ``inspect`` per call), which checks, encodes and sends through
  ``Namespace._send`` (or ``_list`` for a paged list) like every endpoint;
- the docstring's ``Args:`` and ``Raises:`` sections, from the descriptions and from
  what the declaration says (a path value can be unknown, a write may be unknown).

The decorated function's own body is never run: write ``...``. Methods that do more
than send one request (the bulk runs, a removal in chunks) keep a hand-written body
over an :class:`Endpoint`; a batch whose items are another method's arguments checks
them with :func:`checked_arguments` and sends them in classes made from that method's
body (:func:`made_class`, :func:`batch_of`), so an item's fields are not written
again. No I/O here.
"""

from __future__ import annotations

import functools
import inspect
import json
import string
import textwrap
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import attrs

from .._core import validation as _validation
from .._core.errors import InvalidInputError, NotFoundError
from .._core.wallclock import Clock, clock
from .._models.fields import WIRE
from .endpoints import (
    NO_ANSWER,
    NO_EXAMPLE,
    Endpoint,
    Paging,
    PathKind,
    check_path_value,
    described,
)
from .paging import Pages

F = TypeVar("F", bound=Callable[..., Any])
_PAGING_CONTROLS = ("limit", "offset", "concurrency")
_ENDPOINT = "__thulium_endpoint__"
_DECLARED = "__thulium_declared__"


def _choices(values: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


@attrs.frozen
class Param:
    """What one parameter of a declared method is, beyond its type.

    Attributes:
        description: what it is, for the docstring (``the number to call``).
        where: ``"path"``, ``"query"`` or ``"body"``; see :func:`operation` for the
            default.
        example: the vendor's example value, as JSON (``None``: the page shows none).
        format: what the text holds: ``"phone"``, ``"email"``, ``"uri"``; ``"json"``:
            JSON text, or a list or mapping sent as its JSON text.
        choices: the values the vendor allows.
        kind: the :class:`PathKind` the value (or each item) is.
        wire: the name on the wire, where it is not the parameter's own.
        clock: the wall-clock shape of a ``datetime`` (default: to the second).
    """

    description: str
    where: str | None = None
    example: object = None
    format: str | None = None
    choices: tuple[str, ...] | None = attrs.field(default=None, converter=_choices)
    kind: PathKind | None = None
    wire: str | None = None
    clock: Clock | None = None
    empty: bool = False
    """Whether ``""`` (text) or ``[]`` (a list) is a value of its own, sent as such
    (``phone_number=""``: the records without one), not refused."""
    secret: bool = False
    """A password: never in a ``repr()``, and a refusal names it without its value."""
    unique: bool = False
    """A list sent with each item once, in the order first given (ids to delete)."""


def PathValue(
    description: str,
    kind: PathKind,
    *,
    example: object = None,
    format: str | None = None,
) -> Param:
    """A path parameter: its kind says how it is checked (``PathKind.LOGIN``).

    ``format="phone"``: a number, compacted before it is checked and sent.
    """
    return Param(description, "path", example, format, kind=kind)


Query = functools.partial(Param, where="query")
"""A query parameter: ``Query(description, example=..., format=..., ...)``."""

Body = functools.partial(Param, where="body")
"""A field of the JSON body: ``Body(description, example=..., format=..., ...)``."""


def operation(
    name: str,
    method: str,
    path: str,
    *,
    paging: Paging | None = None,
    idempotent: bool | None = None,
    side_effect: str = "act twice",
    doc: str = "",
    example: Any = NO_EXAMPLE,
    check: Callable[..., None] | None = None,
    answer: tuple[Any, str | Callable[..., Any]] | None = None,
    gone_is_done: bool = False,
) -> Callable[[F], F]:
    """Declare the decorated namespace method as the one that sends an endpoint.

    *name* is the endpoint's dotted name (``users.get``: the client method, the
    fake's route, the samples' folder); the other arguments are an
    :class:`Endpoint`'s. Parameters named in *path* are path values; the others go
    in the query of a GET or DELETE and in the body of a POST or PUT unless their
    :class:`Param` says otherwise. A paged list (*paging*) takes ``limit``,
    ``offset`` and ``concurrency`` as ``Namespace._list`` does, and returns
    ``Pages[Model]``. *check* is called with the checked arguments (by name) before
    anything is sent, for what their types cannot say (a range that ends before it
    starts); it raises ``InvalidInputError``. *answer* is ``(Model, "field")`` for a
    method that returns one field of the answer (the id a create answers): the answer
    is read as ``Model``, and the method returns its ``field``; ``(Model, shape)``
    returns ``shape(answer, **arguments)`` instead, for a batch whose answer is read
    into one result per item given (the checked arguments, by name). *gone_is_done*, for a
    removal: a 404 after an attempt that may have been processed means that attempt
    removed it, and the call returns normally (a 404 on the first attempt raises).
    """

    def declare(func: F) -> F:
        declared = _Declared(func, name, method, path, check, answer, gone_is_done)
        endpoint = Endpoint(
            name,
            method,
            path,
            {p.name: _kind(p) for p in declared.path},
            returns=declared.returns,
            query=declared.model("query", f"{_camel(name)}Query"),
            body=declared.model("body", f"{_camel(name)}Body"),
            paging=paging,
            idempotent=idempotent,
            side_effect=side_effect,
            doc=doc,
            example=example,
            path_examples={
                p.name: p.param.example
                for p in declared.path
                if p.param.example is not None
            },
        )
        made = declared.method(endpoint)
        made.__doc__ = _docstring(func.__doc__ or "", declared, endpoint)
        setattr(made, _ENDPOINT, endpoint)
        setattr(made, _DECLARED, declared)
        return typing.cast("F", made)

    return declare


def endpoint_of(method: Callable[..., Any]) -> Endpoint:
    """Return the endpoint a declared method sends."""
    found: Endpoint = getattr(method, _ENDPOINT)
    return found


def declared_methods(cls: type) -> dict[str, Endpoint]:
    """The declared methods of *cls* and its bases, by name, with their endpoints."""
    found: dict[str, Endpoint] = {}
    for name in dir(cls):
        endpoint = getattr(getattr(cls, name, None), _ENDPOINT, None)
        if isinstance(endpoint, Endpoint):
            found[name] = endpoint
    return found


def endpoints_of(*classes: type) -> tuple[Endpoint, ...]:
    """Return the endpoints the declared methods of *classes* send, in their order."""
    found: list[Endpoint] = []
    for cls in classes:
        for value in vars(cls).values():
            endpoint = getattr(value, _ENDPOINT, None)
            if isinstance(endpoint, Endpoint):
                found.append(endpoint)
    return tuple(found)


def example_call(method: Callable[..., Any]) -> dict[str, Any]:
    """Keyword arguments for a call of declared *method*, beyond its path values.

    Each parameter that is not a path value, given the vendor's example (a required
    one always; a write's optional one where its example passes its check; a read's
    optional ones, all of them, only where the method's ``check=`` refuses the call
    without them, as "agent_logins or agent_group_ids" does): how the contract tests
    call every declared method without a row of their own.
    """
    declared: _Declared = getattr(method, _DECLARED)
    required: dict[str, Any] = {}
    optional: dict[str, Any] = {}
    for parameter in declared.parameters:
        if parameter.where == "path":
            continue
        example = _argument(parameter.type, parameter.param.example)
        if parameter.default is inspect.Parameter.empty:
            # The page shows no example of a required one (a customer's surname):
            # a value of its type, for the call only (the document shows none).
            required[parameter.name] = (
                _STAND_INS.get(parameter.type) if example is None else example
            )
        elif example is not None:
            try:
                parameter.check(example)
            except InvalidInputError:
                continue
            optional[parameter.name] = example
    if declared.http_method != "GET" or not _passes(method, required):
        # A write's optional parameters where their examples fit (an update must
        # change something); a read's optional filters only where they are needed.
        return {**required, **optional}
    return required


def checked_arguments(
    method: Callable[..., Any],
    values: object,
    *,
    where: str,
    required: bool = True,
) -> dict[str, Any]:
    """Check the mapping *values* as declared *method* checks its arguments.

    For a batch whose items are another method's arguments: ``customers.create_many``
    takes mappings of what ``customers.create`` takes, checked by the same
    declaration, not by a second list of fields. Returns the checked values by name
    (a ``None`` left out). An unknown name, a missing required one (with
    *required*; a change names only what it changes), a bad value or what the
    method's ``check=`` refuses (given ``None`` for what the item leaves out) is
    refused, the refusal naming *where* (``customers[3]``). Path values are not
    items' fields.
    """
    declared: _Declared = getattr(method, _DECLARED)
    fields = {p.name: p for p in declared.parameters if p.where != "path"}
    if not isinstance(values, Mapping):
        raise InvalidInputError(f"{where} must be a mapping, got {values!r}")
    unknown = sorted(str(name) for name in values if name not in fields)
    if unknown:
        raise InvalidInputError(f"{where} has unknown fields {unknown}")
    checked: dict[str, Any] = {}
    for name, parameter in fields.items():
        value = values.get(name)
        if value is None:
            if required and parameter.default is inspect.Parameter.empty:
                raise InvalidInputError(f"{where} needs its {name}")
            continue
        try:
            checked[name] = parameter.check(value)
        except InvalidInputError as exc:
            raise _located(where, exc, fields) from None
    if declared.check is not None:  # what the types cannot say holds for items too
        try:
            declared.check(**{p.name: checked.get(p.name) for p in declared.parameters})
        except InvalidInputError as exc:
            raise _located(where, exc, fields) from None
    return checked


def _located(
    where: str, refusal: InvalidInputError, fields: Mapping[str, object]
) -> InvalidInputError:
    """*refusal*, naming its item: ``customers[1].email ...`` or ``records[0]: ...``.

    A field's refusal starts with the field's name, joined by a dot; the item's own
    (its ``check=``: "the update changes nothing") after a colon.
    """
    said = str(refusal)
    joined = "." if said.split(" ", 1)[0] in fields else ": "
    return InvalidInputError(f"{where}{joined}{said}")


def keyed_item(item: object, key: str, *, where: str) -> tuple[object, dict[str, Any]]:
    """Split a batch item into its key and the rest: ``(customer_id, changes)``.

    For a batch of changes, each naming what it changes (``update_many``'s customer
    id, ``update_records``' number) beside another method's arguments, which
    :func:`checked_arguments` then checks. Refuses an item that is not a mapping or
    lacks its *key*, naming *where*.
    """
    if not isinstance(item, Mapping):
        raise InvalidInputError(f"{where} must be a mapping, got {item!r}")
    rest = dict(item)
    value = rest.pop(key, None)
    if value is None:
        raise InvalidInputError(f"{where} needs its {key}")
    return value, rest


def made_class(
    name: str, doc: str, fields: Mapping[str, Any], *, module: str, base: Any = None
) -> Any:
    """A body class made at import from declared ones (a batch's, its item's).

    *fields* maps names to ``attrs.field(...)``; *base*, a declared body class the
    new one extends (a batch item: a method's body and the item's key); *module*,
    the declaring module's ``__name__``. Made, not
    written, so that the fields a method's signature declares are not written again.
    """
    bases = () if base is None else (base,)
    made = attrs.make_class(name, dict(fields), bases=bases, kw_only=True, slots=True)
    made.__doc__ = doc
    made.__module__ = module  # the area's, where the reference and repr() name it
    return made


def batch_of(item: Any) -> Any:
    """``tuple[item, ...]``: the type of a batch body's list of *item* classes."""
    return tuple.__class_getitem__((item, ...))


def _passes(method: Callable[..., Any], call: Mapping[str, Any]) -> bool:
    """Whether declared *method* takes *call*, its own ``check=`` included."""
    try:
        checked_arguments(method, call, where="the call")
    except InvalidInputError:
        return False
    return True


_STAND_INS: dict[Any, object] = {str: "Kowalski", int: 1, bool: True}


def _argument(type_: Any, example: object) -> object:
    """The vendor's example as an argument: a wall-clock text as a date or datetime."""
    inner, _ = _optional(type_)
    members = set(typing.get_args(inner)) if _is_union(inner) else {inner}
    if isinstance(example, str) and members & {date, datetime}:
        moment = datetime.fromisoformat(example)
        return moment if datetime in members else moment.date()
    return example


@attrs.frozen
class _Parameter:
    """One parameter of a declared method, resolved."""

    name: str
    type: Any
    param: Param
    where: str
    default: Any
    keyword_only: bool
    check: Callable[[object], object]

    @property
    def optional(self) -> bool:
        """Whether ``None`` is a value of its own: the check passes it as it is."""
        return _optional(self.type)[1]


class _Declared:
    """A declared method's signature, read once: its parameters, roles and answer."""

    def __init__(
        self,
        func: Callable[..., Any],
        name: str,
        method: str,
        path: str,
        check: Callable[..., None] | None = None,
        answer: tuple[Any, str | Callable[..., Any]] | None = None,
        gone_is_done: bool = False,
    ):
        self.func, self.name, self.http_method = func, name, method
        self.check = check
        self.gone_is_done = gone_is_done
        hints = typing.get_type_hints(func, include_extras=True)
        signature = inspect.signature(func)
        in_path = {field for _, field, _, _ in string.Formatter().parse(path) if field}
        returned = hints.get("return")
        self.paged = typing.get_origin(returned) is Pages
        if self.paged:
            (returned,) = typing.get_args(returned)
        self.pick: str | Callable[..., Any] | None = None
        if answer is not None:  # the method gives a field of the answer, or its shape
            returned, self.pick = answer
        self.returns = NO_ANSWER if returned in (None, type(None)) else returned
        self.parameters: list[_Parameter] = []
        self.controls: list[inspect.Parameter] = []
        for parameter in list(signature.parameters.values())[1:]:  # after self
            if self.paged and parameter.name in _PAGING_CONTROLS:
                self.controls.append(parameter)  # Namespace._list's own
                continue
            type_, param = _split(name, parameter.name, hints[parameter.name])
            if parameter.name in in_path:
                where = "path"
            elif param.where is not None:
                where = param.where
            else:
                where = "query" if method in ("GET", "DELETE") else "body"
            self.parameters.append(
                _Parameter(
                    parameter.name,
                    type_,
                    param,
                    where,
                    parameter.default,
                    parameter.kind is inspect.Parameter.KEYWORD_ONLY,
                    _checker(parameter.name, type_, param, where, parameter.default),
                )
            )
        named_in_path = {p.name for p in self.parameters if p.where == "path"}
        if named_in_path != in_path:
            raise TypeError(
                f"{name}: path {path!r} names {sorted(in_path)}, the signature "
                f"{sorted(named_in_path)}"
            )
        self.path = [p for p in self.parameters if p.where == "path"]

    def model(self, where: str, class_name: str) -> type | None:
        """Make the attrs class of the query or body fields, or ``None`` if none."""
        fields: dict[str, Any] = {}
        for parameter in self.parameters:
            if parameter.where != where:
                continue
            param = parameter.param
            base: dict[str, Any] = {}
            if param.wire is not None:
                base[WIRE] = param.wire
            if param.clock is not None:
                base.update(clock(param.clock))
            metadata = described(
                example=param.example,
                # JSON text is text on the wire: what it holds is the check's business.
                format=None if param.format == "json" else param.format,
                choices=param.choices,
                kind=param.kind,
                base=base,
                empty=param.empty,
            )
            required = parameter.default is inspect.Parameter.empty
            wire_type = _wire_type(parameter.type, param)
            shown = not param.secret
            if required:
                made = attrs.field(type=wire_type, metadata=metadata, repr=shown)
            else:
                made = attrs.field(
                    type=wire_type, metadata=metadata, default=None, repr=shown
                )
            fields[parameter.name] = made
        if not fields:
            return None
        # Slotted, as a hand-written body class is: one is built for every call.
        made = attrs.make_class(class_name, fields, kw_only=True, slots=True)
        made.__doc__ = (
            f"The {where} of ``{self.name}``, made from its method's signature."
        )
        made.__module__ = self.func.__module__
        return made

    def plain_signature(self) -> inspect.Signature:
        """The declared signature with the bare types: what ``help()`` and docs show."""
        hints = typing.get_type_hints(self.func)  # without the Annotated extras
        signature = inspect.signature(self.func)
        return signature.replace(
            parameters=[
                p.replace(annotation=hints.get(p.name, p.annotation))
                for p in signature.parameters.values()
            ],
            return_annotation=hints.get("return", signature.return_annotation),
        )

    def method(self, endpoint: Endpoint) -> Callable[..., Any]:
        """Generate the method: the declared signature, its checks, one send."""
        names: dict[str, Any] = {"_endpoint": endpoint}
        signature: list[str] = ["self"]
        star = False
        for index, parameter in enumerate(self.parameters):
            if parameter.keyword_only and not star:
                signature.append("*")
                star = True
            text = parameter.name
            if parameter.default is not inspect.Parameter.empty:
                names[f"_default{index}"] = parameter.default
                text += f"=_default{index}"
            signature.append(text)
            names[f"_check{index}"] = parameter.check
        for control in self.controls:
            if not star:
                signature.append("*")
                star = True
            names[f"_{control.name}"] = control.default
            signature.append(f"{control.name}=_{control.name}")
        body: list[str] = []
        for index, parameter in enumerate(self.parameters):
            if parameter.where == "path" and parameter.param.format is None:
                # Checked by the route, by kind and name, when it renders the path:
                # once per value, not once per call.
                continue
            call = f"{parameter.name} = _check{index}({parameter.name})"
            if parameter.optional:  # None needs no check: one call fewer
                call = f"if {parameter.name} is not None: {call}"
            body.append(f"    {call}")
        if self.check is not None:  # what the types cannot say: a range, a pair
            names["_extra"] = self.check
            given = ", ".join(f"{p.name}={p.name}" for p in self.parameters)
            body.append(f"    _extra({given})")
        arguments = ["_endpoint", *(p.name for p in self.path)]
        for where in ("query", "body"):
            model = getattr(endpoint, where)
            if model is None:
                continue
            names[f"_{where}"] = model
            values = ", ".join(
                f"{p.name}={p.name}" for p in self.parameters if p.where == where
            )
            arguments.append(f"{where}=_{where}({values})")
        function = self.func.__name__
        if self.paged:
            arguments += [f"{c.name}={c.name}" for c in self.controls]
            head, send = "def", "self._list"
        else:
            head, send = "async def", "await self._send"
        result = f"{send}({', '.join(arguments)})"
        if isinstance(self.pick, str):
            result = f"({result}).{self.pick}"
        elif self.pick is not None:  # one result per item given, from the answer
            names["_shape"] = self.pick
            given = ", ".join(f"{p.name}={p.name}" for p in self.parameters)
            result = f"_shape({result}, {given})"
        last = [f"    return {result}"]
        if self.gone_is_done:  # a removal whose first attempt may have removed it
            names["_NotFound"] = NotFoundError
            last = [
                "    try:",
                f"        return {result}",
                "    except _NotFound as gone:",
                "        if gone.attempts <= 1:",
                "            raise",
                "        return None",
            ]
        source = "\n".join(
            [f"{head} {function}({', '.join(signature)}):", *body, *last, ""]
        )
        exec(compile(source, f"<declared {self.name}>", "exec"), names)  # noqa: S102 -- our own declaration
        made: Callable[..., Any] = names[function]
        made.__module__ = self.func.__module__
        made.__qualname__ = self.func.__qualname__
        plain = self.plain_signature()
        made.__signature__ = plain  # type: ignore[attr-defined]
        # The bare types, as help() and Sphinx should show them (the Annotated
        # extras are the declaration's, read once, above).
        made.__annotations__ = {
            **{p.name: p.annotation for p in list(plain.parameters.values())[1:]},
            "return": plain.return_annotation,
        }
        made.__wrapped__ = self.func  # type: ignore[attr-defined]  # for inspect
        return made


def _split(operation: str, name: str, annotation: Any) -> tuple[Any, Param]:
    """Return the type and the :class:`Param` of ``Annotated[type, Param]``."""
    if typing.get_origin(annotation) is typing.Annotated:
        type_, *extras = typing.get_args(annotation)
        for extra in extras:
            if isinstance(extra, Param):
                return type_, extra
    raise TypeError(
        f"{operation}: parameter {name} needs Annotated[type, Query/Body/PathValue(...)]"
    )


def _kind(parameter: _Parameter) -> PathKind:
    kind = parameter.param.kind
    assert kind is not None  # noqa: S101 -- its check refused a path value without one
    return kind


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace(".", "_").split("_"))


def _optional(type_: Any) -> tuple[Any, bool]:
    """Return *type_* without ``None``, and whether ``None`` was allowed."""
    if _is_union(type_):
        members = [t for t in typing.get_args(type_) if t is not type(None)]
        allowed = len(members) < len(typing.get_args(type_))
        if len(members) == 1:
            return members[0], allowed
        return typing.Union[tuple(members)], allowed  # noqa: UP007 -- built at run time
    return type_, False


# The origins of a list parameter's type, and of a mapping's (``Sequence`` here is the
# one in ``collections.abc``: ``typing.get_origin`` gives that one for both spellings).
_LISTS = frozenset({Sequence, Iterable, list, tuple})
_MAPPINGS = frozenset({Mapping, dict})


def _wire_type(type_: Any, param: Param) -> Any:
    """The body or query field's type: a sequence parameter is kept as a tuple."""
    inner, optional = _optional(type_)
    if param.format == "json":  # sent as its JSON text
        inner = str
    elif typing.get_origin(inner) in _LISTS:
        (item, *_) = typing.get_args(inner)
        inner = tuple[item, ...]  # type: ignore[valid-type]
    return inner | None if optional else inner


def _checker(
    name: str, type_: Any, param: Param, where: str, default: object = None
) -> Callable[[object], object]:
    """Return the check of one argument: it gives the value to send, or refuses it.

    A flag whose default is ``False`` is not sent when ``False``, as if not given. A
    secret's refusal names it, never its value.
    """
    check = _value_checker(name, type_, param, where)
    if param.secret:
        check = _quiet(name, check)
    if default is not False:
        return check

    def flag(value: object) -> object:
        return None if check(value) is False else value

    return flag


def _quiet(name: str, check: Callable[[object], object]) -> Callable[[object], object]:
    """*check*, whose refusal says what was wrong without showing the value."""

    def secret(value: object) -> object:
        try:
            return check(value)
        except InvalidInputError:
            raise InvalidInputError(
                f"{name} must be a non-empty string (its value is not shown)"
            ) from None

    return secret


def _value_checker(
    name: str, type_: Any, param: Param, where: str
) -> Callable[[object], object]:
    """The check of one argument's value, by its type, format or kind."""
    inner, optional = _optional(type_)
    if where == "path":
        kind = param.kind
        if kind is None:
            raise TypeError(f"path parameter {name} needs a PathKind")
        if param.format == "phone":

            def path_phone(value: object) -> object:
                return check_path_value(kind, name, _phone(name, value))

            return path_phone

        def path_value(value: object) -> object:
            check_path_value(kind, name, value)
            return value  # as given: the route renders (and caches) it by its value

        return path_value
    origin = typing.get_origin(inner)
    if param.format == "json":
        check: Callable[[object], object] = _json_text(name)
    elif origin in _LISTS:
        (item_type, *_) = typing.get_args(inner)
        item = _value_checker(name, item_type, param, where)

        def sequence(value: object) -> object:
            if value is None and optional:
                return None
            if isinstance(value, (str, bytes, Mapping)) or not isinstance(
                value, Iterable
            ):
                raise InvalidInputError(f"{name} must be a list, got {value!r}")
            given = tuple(value)  # once: a generator is read once
            if any(x is None for x in given):
                raise InvalidInputError(
                    f"{name} must not hold None, got {list(given)!r}"
                )
            items = tuple(item(x) for x in given)
            if not items and not param.empty:
                raise InvalidInputError(f"{name} must name at least one")
            return tuple(dict.fromkeys(items)) if param.unique else items

        return sequence
    elif _is_union(inner):  # a value of any of its types: text or a mapping, ...
        members = [
            _value_checker(name, member, param, where)
            for member in typing.get_args(inner)
        ]

        wanted = " or ".join(_words(member) for member in typing.get_args(inner))

        def either(value: object) -> object:
            for member in members:
                try:
                    return member(value)
                except InvalidInputError:
                    continue
            raise InvalidInputError(f"{name} must be {wanted}, got {value!r}")

        check = either
    else:
        check = _scalar_check(name, inner, param)
    if optional:
        return lambda value: None if value is None else check(value)

    def required(value: object) -> object:
        if value is None:
            raise InvalidInputError(f"{name} must be given, got None")
        return check(value)

    return required


def _words(type_: Any) -> str:
    """How a refusal names a member of a union: ``a string``, ``a mapping``."""
    origin = typing.get_origin(type_) or type_
    names = {
        str: "a string",
        int: "an int",
        bool: "True or False",
        date: "a date",
        datetime: "a datetime",
    }
    if origin in _MAPPINGS:
        return "a mapping"
    return names.get(origin, "a list" if origin in _LISTS else str(type_))


def _is_union(type_: Any) -> bool:
    return (
        isinstance(type_, types.UnionType) or typing.get_origin(type_) is typing.Union
    )


def _json_text(name: str) -> Callable[[object], object]:
    """The check of JSON text given as text, or as a list or mapping to write as such."""

    def json_text(value: object) -> object:
        if isinstance(value, str):
            return _validation.text(name, value)
        if isinstance(value, (list, tuple, Mapping)):
            try:
                return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            except (TypeError, ValueError) as exc:  # a datetime, a set, a NaN...
                raise InvalidInputError(f"{name} is not JSON: {exc}") from None
        raise InvalidInputError(
            f"{name} must be JSON text, a list or a mapping, got {type(value).__name__}"
        )

    return json_text


def _phone(name: str, value: object) -> str:
    try:
        return _validation.phone_number(value)
    except InvalidInputError as exc:
        raise InvalidInputError(str(exc).replace("phone_number", name, 1)) from None


def _scalar_check(name: str, type_: Any, param: Param) -> Callable[[object], object]:
    """The check of one value of *type_* (not ``None``), by its format or kind."""
    if param.kind is not None:
        kind = param.kind
        if kind is PathKind.ID:
            return lambda value: int(check_path_value(kind, name, value))
        return lambda value: check_path_value(kind, name, value)
    if param.choices is not None:
        choices = param.choices
        return lambda value: _validation.choice(name, value, choices)
    if param.format == "phone":
        if param.empty:  # "" is a value of its own: the records without a number
            return lambda value: "" if value == "" else _phone(name, value)
        if name == "phone_number":  # its refusal already names it: one call fewer
            return _validation.phone_number
        return lambda value: _phone(name, value)
    if param.format == "email":
        return lambda value: _validation.email(name, value)
    if type_ is str and param.empty:

        def any_text(value: object) -> object:
            if not isinstance(value, str):
                raise InvalidInputError(f"{name} must be a string, got {value!r}")
            return value

        return any_text
    if type_ is str:
        return lambda value: _validation.text(name, value)
    if type_ is bool:

        def flag(value: object) -> object:
            if not isinstance(value, bool):
                raise InvalidInputError(f"{name} must be True or False, got {value!r}")
            return value

        return flag
    if type_ is int:

        def whole(value: object) -> object:
            if type(value) is not int:
                raise InvalidInputError(f"{name} must be an int, got {value!r}")
            return value

        return whole
    if type_ is datetime:

        def moment(value: object) -> object:
            if not isinstance(value, datetime):
                raise InvalidInputError(
                    f"{name} must be a datetime, got {type(value).__name__}"
                )
            return value

        return moment
    if type_ is date or set(typing.get_args(type_)) == {date, datetime}:
        # A datetime is a date too: a day filter counts it by its day.
        return lambda value: _validation.optional_date(name, value)
    if typing.get_origin(type_) in _MAPPINGS:
        by_name = typing.get_args(type_)[:1] == (str,)  # Mapping[str, ...]: names

        def mapping(value: object) -> object:
            if not isinstance(value, Mapping) or (
                by_name and not all(isinstance(key, str) for key in value)
            ):
                what = "a mapping of names" if by_name else "a mapping"
                raise InvalidInputError(f"{name} must be {what}, got {value!r}")
            return dict(value)

        return mapping
    if type_ is Any or type_ is object:
        return lambda value: value
    if isinstance(type_, type) and attrs.has(type_):  # a model the user builds
        article = "an" if type_.__name__[0] in "AEIOU" else "a"
        wanted = f"{article} {type_.__name__}"

        def model(value: object) -> object:
            if not isinstance(value, type_):
                raise InvalidInputError(
                    f"{name} must be {wanted}, got {type(value).__name__}"
                )
            return value

        return model
    raise TypeError(f"parameter {name}: no check for type {type_!r}")


def _docstring(written: str, declared: _Declared, endpoint: Endpoint) -> str:
    """The method's docstring: what was written, then Args and Raises derived."""
    text = inspect.cleandoc(written)
    raises = ""
    if "Raises:" in text and "Args:" not in text:  # Args go before a written Raises
        text, raises = text.split("Raises:", 1)
        text, raises = text.rstrip(), "Raises:" + raises
    sections = [text]
    if "Args:" not in text and declared.parameters:
        lines = ["Args:"]
        for parameter in declared.parameters:
            lines.append(
                textwrap.fill(
                    f"{parameter.name}: {parameter.param.description}.",
                    width=84,
                    initial_indent="    ",
                    subsequent_indent="        ",
                )
            )
        sections.append("\n".join(lines))
    if raises:
        sections.append(raises)
    elif "Raises:" not in text:
        lines = ["Raises:"]
        if declared.parameters:
            lines.append("    InvalidInputError: a bad argument (nothing is sent).")
        if declared.path and endpoint.method == "GET":
            lines.append("    NotFoundError: Thulium has no such record.")
        if not endpoint.is_idempotent:
            lines.append(
                f"    DeliveryUnknownError: it may or may not have been done (a repeat "
                f"could {endpoint.side_effect}); never sent twice."
            )
        if len(lines) > 1:
            sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"
