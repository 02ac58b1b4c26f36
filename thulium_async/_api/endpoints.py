"""Endpoint declarations: what one of Thulium's endpoints is, written once.

A declaration says the method, the path template, the kind of each path parameter, the
model the answer is structured into, the attrs classes its query and body are encoded
from, how its list is paged, whether a repeat is harmless, and what a repeat would do if
it is not (the words of ``DeliveryUnknownError``). Templates and parameters are checked
against each other when a declaration is made (at import), so a typo fails at once, not
on the first call. Path parameters are validated from their kind before anything is
sent. The declarations themselves live beside their methods, one module per API area
(``_areas``); this module is only the machinery. No I/O here.

A declaration also carries the vendor's examples (:func:`described` on the fields of its
query and body classes, ``path_examples`` and ``example`` on the endpoint), written
once: the OpenAPI document (``_api/openapi.py``) reads them from here.

Query and body classes are ``attrs.define(kw_only=True)``, not frozen like the models
users receive: one is built for every call and dropped when it is encoded, never kept
or shared, and a frozen class's ``__init__`` costs half as much again (0.40 against
0.25 us for ``schedule_call``'s body, a tenth of all the SDK adds to that call).
``schedule_call``'s body alone is built positionally (a dialer's every call): a call
with keywords costs some 1,400 instructions more (callgrind).
"""

from __future__ import annotations

import enum
import re
import string
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, cast

import attrs

from .._core.errors import InvalidInputError

_MAX_ID = 2**63 - 1  # as _validation.queue_id: the server says whether it exists
_LOGIN = re.compile(r"[A-Za-z0-9_.@+-]{1,64}")
_CAMPAIGN = re.compile(r"[0-9A-Za-z]{5}")
_CONNECTION = re.compile(r"[0-9]{1,20}(\.[0-9]{1,10})?")
# A chat conversation's id: the vendor's chat pages show UUIDs, its webhooks numbers.
_CONVERSATION = re.compile(r"[0-9A-Za-z-]{1,64}")
# A number in a path: compact, as ``_validation.phone_number`` leaves it.
_PHONE = re.compile(r"\+?[0-9]{3,15}")
# A campaign record's own identifier (the vendor's example: "1234567890"): nothing that
# could end or leave a path segment.
_IDENTIFIER = re.compile(r"[0-9A-Za-z_.:@+-]{1,64}")
# Whose messages of a chat conversation: the three values the vendor's page names.
_PARTICIPANT = re.compile(r"user|customer|both")
JSON = "application/json"
"""The media type of every body and answer but files."""
# Methods HTTP defines as idempotent (RFC 9110 9.2.2): a repeat does what one request did.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

if TYPE_CHECKING:
    # A default (PEP 696) so that a bare ``Endpoint`` in an annotation means "any
    # answer", and a declaration without ``returns`` needs no annotation. Only the
    # type checker reads it: the runtime TypeVar of Python < 3.13 takes no default.
    from typing_extensions import TypeVar

    R = TypeVar("R", default=Any)
else:
    from typing import TypeVar

    R = TypeVar("R")


class PathKind(enum.Enum):
    """What a path parameter holds, and so how it is checked."""

    ID = "a positive int"
    LOGIN = "an agent login (letters, digits, _ . @ + -)"
    CAMPAIGN = "a campaign id of 5 characters, like '00001'"
    CONNECTION = "a connection id, like '1416225570.341'"
    CONVERSATION = "a chat conversation id (letters, digits and '-', like a UUID)"
    PHONE = "a phone number (3 to 15 digits, an optional leading '+')"
    IDENTIFIER = "a record identifier (letters, digits and _ . : @ + -)"
    PARTICIPANT = "a chat participant: 'user', 'customer' or 'both'"


PATTERNS: Mapping[PathKind, re.Pattern[str]] = {
    PathKind.LOGIN: _LOGIN,
    PathKind.CAMPAIGN: _CAMPAIGN,
    PathKind.CONNECTION: _CONNECTION,
    PathKind.CONVERSATION: _CONVERSATION,
    PathKind.PHONE: _PHONE,
    PathKind.IDENTIFIER: _IDENTIFIER,
    PathKind.PARTICIPANT: _PARTICIPANT,
}
"""The text a path value of each kind must match in full (``ID`` is an int instead)."""
MAX_ID = _MAX_ID
"""The largest id a path value of kind ``ID`` may be."""

EXAMPLE = "thulium_example"
"""Field metadata key: the vendor's example value, as JSON (the page's, made valid)."""
FORMAT = "thulium_format"
"""Field metadata key: what the text holds (``"email"``, ``"phone"``)."""
CHOICES = "thulium_choices"
"""Field metadata key: the values the vendor allows, when it names them."""
KIND = "thulium_kind"
"""Field metadata key: the :class:`PathKind` a field's value (or each item) is."""
EMPTY = "thulium_empty"
"""Field metadata key: ``""`` is a value of its own (a filter for "without one")."""


def described(
    *,
    example: object = None,
    format: str | None = None,
    choices: Sequence[str] | None = None,
    kind: PathKind | None = None,
    base: Mapping[str, Any] | None = None,
    empty: bool = False,
) -> dict[str, Any]:
    """Return field metadata saying what a query or body field is, for the document.

    *example* is the vendor's example value as JSON (``None``: the page shows none);
    *base* is the field's other metadata (a wire name, a clock), kept.
    """
    metadata = dict(base or {})
    for key, value in (
        (EXAMPLE, example),
        (FORMAT, format),
        (CHOICES, None if choices is None else tuple(choices)),
        (KIND, kind),
        (EMPTY, True if empty else None),
    ):
        if value is not None:
            metadata[key] = value
    return metadata


def check_path_value(kind: PathKind, name: str, value: object) -> str:
    """Return *value* as its path segment if it is of *kind*, or refuse it.

    Nothing a user passes is spliced into a URL unchecked: no ``/``, no ``..``, no
    empty segment, no string where an id is due.
    """
    if kind is PathKind.ID:
        if type(value) is not int:
            raise InvalidInputError(
                f"{name} must be {kind.value}, got {type(value).__name__} {value!r}"
            )
        if not 0 < value <= _MAX_ID:
            raise InvalidInputError(f"{name} must be {kind.value}, got {value!r}")
        return str(value)
    pattern = PATTERNS[kind]
    if (
        not isinstance(value, str)
        or not pattern.fullmatch(value)
        or value in (".", "..")
    ):
        raise InvalidInputError(f"{name} must be {kind.value}, got {value!r}")
    return value


def check_optional_path_value(kind: PathKind, name: str, value: object) -> str | None:
    """:func:`check_path_value` for an optional argument (a filter, a body field)."""
    return None if value is None else check_path_value(kind, name, value)


@attrs.frozen
class Paging:
    """How a list endpoint pages: ``limit``/``offset`` in, ``{"count", "result"}`` out.

    Attributes:
        max_limit: the largest page the vendor allows (100 or 1000).
        example_limit, example_offset: the vendor's example values of ``limit`` and
            ``offset`` (every list page shows 100 and 10).
        bare: the answer is a bare JSON array of the page's items, with no total
            (``agents_work_report``, ``chats/reports/summary``).
    """

    max_limit: int = 100
    example_limit: int = 100
    example_offset: int = 10
    bare: bool = False


NO_ANSWER: type[None] = cast("type[None]", None)
"""``returns`` of an endpoint whose answer carries nothing (a write's empty body).

``None`` at run time; typed as the type of ``None`` so that ``returns=NO_ANSWER`` makes
the declaration an ``Endpoint[None]``, whose call the type checker knows gives nothing.
"""


class _NoExample:
    """The type of :data:`NO_EXAMPLE`."""

    def __repr__(self) -> str:
        return "NO_EXAMPLE"


NO_EXAMPLE: Any = _NoExample()
"""``example`` of an endpoint whose vendor page shows no example answer (or a cut one)."""


@attrs.frozen(eq=False)
class Endpoint(Generic[R]):
    """One endpoint of the API, declared; ``R`` is what a call of it returns.

    Attributes:
        name: how the SDK calls it (``queues.schedule_call``); the fake's route name.
        method: the HTTP method.
        path: the path template relative to the API root (``queues/{queue_id}/...``).
        params: the kind of each ``{name}`` in *path*, in the order a method passes
            them.
        returns: the type the answer is structured into (a model, ``list[Model]``);
            for a paged list, the type of one item; ``None`` (:data:`NO_ANSWER`)
            ignores the body. The type checker reads ``R`` from it, so that
            ``Namespace._send`` returns what the declaration says.
        query: the attrs class its query parameters are encoded from, if any.
        body: the attrs class its JSON body is encoded from, if any.
        paging: how the list pages; ``None`` for an endpoint that is not a list.
        idempotent: whether a repeat is harmless; ``None`` takes it from the method
            (GET, PUT, DELETE, HEAD, OPTIONS yes; POST, PATCH no).
        side_effect: what a repeat would do, for ``DeliveryUnknownError``.
        doc: the vendor's page, relative to ``https://api.thulium.com/docs/api/``, or
            where else the shape comes from.
        example: the answer the vendor's page shows, as valid JSON; ``NO_EXAMPLE``
            where the page shows none or its stored copy is cut.
        path_examples: the vendor's example value of each path parameter.
        operation: the dotted path of the client method that sends it, where it is
            not *name* (``client.<operation>``).
        body_type: the media type of a raw body (a file uploaded as it is), where the
            body is not a JSON object encoded from *body*.
        answer_type: the media type of the answer, where it is a file, not JSON.
    """

    name: str
    method: str
    path: str
    params: Mapping[str, PathKind] = attrs.field(factory=dict)
    returns: type[R] | None = None
    query: type | None = None
    body: type | None = None
    paging: Paging | None = None
    idempotent: bool | None = None
    side_effect: str = "act twice"
    doc: str = ""
    example: Any = NO_EXAMPLE
    path_examples: Mapping[str, object] = attrs.field(factory=dict)
    operation: str = ""
    body_type: str = JSON
    answer_type: str = JSON

    def __attrs_post_init__(self) -> None:
        fields = {
            field for _, field, _, _ in string.Formatter().parse(self.path) if field
        }
        if fields != set(self.params):
            raise TypeError(
                f"endpoint {self.name}: path {self.path!r} names {sorted(fields)}, "
                f"params declare {sorted(self.params)}"
            )
        for part, kind in (("query", self.query), ("body", self.body)):
            if kind is not None and not attrs.has(kind):
                raise TypeError(f"endpoint {self.name}: {part} must be an attrs class")
        if not set(self.path_examples) <= set(self.params):
            raise TypeError(
                f"endpoint {self.name}: path_examples name "
                f"{sorted(set(self.path_examples) - set(self.params))}, not in the path"
            )
        if not self.operation:
            object.__setattr__(self, "operation", self.name)
        if self.body_type != JSON and self.body is not None:
            raise TypeError(f"endpoint {self.name}: a raw body has no body class")
        if self.answer_type != JSON and self.returns is not None:
            raise TypeError(f"endpoint {self.name}: a file answer has no model")
        if self.paging is not None and self.method != "GET":
            raise TypeError(f"endpoint {self.name}: only a GET can be a paged list")
        if self.idempotent is None:
            object.__setattr__(self, "idempotent", self.method in IDEMPOTENT_METHODS)
        if not self.idempotent and self.side_effect == "act twice":
            raise TypeError(
                f"endpoint {self.name}: say what a repeat would do (side_effect=)"
            )

    @property
    def is_idempotent(self) -> bool:
        """Whether a repeat of this endpoint is harmless."""
        return bool(self.idempotent)

    def render(self, *values: object) -> str:
        """Return the path for *values* (in ``params`` order), each checked by kind."""
        if len(values) != len(self.params):
            raise InvalidInputError(
                f"{self.name} takes {', '.join(self.params) or 'no path values'}, "
                f"got {len(values)} value(s)"
            )
        segments = {
            name: check_path_value(kind, name, value)
            for (name, kind), value in zip(self.params.items(), values, strict=True)
        }
        return self.path.format(**segments)
