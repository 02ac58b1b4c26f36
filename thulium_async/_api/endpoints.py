"""Endpoint declarations: what one of Thulium's endpoints is, written once.

A declaration says the method, the path template, the kind of each path parameter, the
model the answer is structured into, the attrs classes its query and body are encoded
from, how its list is paged, whether a repeat is harmless, and what a repeat would do if
it is not (the words of ``DeliveryUnknownError``). Templates and parameters are checked
against each other when a declaration is made (at import), so a typo fails at once, not
on the first call. Path parameters are validated from their kind before anything is
sent. The declarations themselves live beside their methods, one module per API area
(``_areas``); this module is only the machinery. No I/O here.
"""

from __future__ import annotations

import enum
import re
import string
from collections.abc import Mapping
from typing import Any

import attrs

from .._core.errors import InvalidInputError

_MAX_ID = 2**63 - 1  # as _validation.queue_id: the server says whether it exists
_LOGIN = re.compile(r"[A-Za-z0-9_.@+-]{1,64}")
_CAMPAIGN = re.compile(r"[0-9A-Za-z]{5}")
_CONNECTION = re.compile(r"[0-9]{1,20}(\.[0-9]{1,10})?")
# Methods HTTP defines as idempotent (RFC 9110 9.2.2): a repeat does what one request did.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class PathKind(enum.Enum):
    """What a path parameter holds, and so how it is checked."""

    ID = "a positive int"
    LOGIN = "an agent login (letters, digits, _ . @ + -)"
    CAMPAIGN = "a campaign id of 5 characters, like '00001'"
    CONNECTION = "a connection id, like '1416225570.341'"


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
    pattern = {
        PathKind.LOGIN: _LOGIN,
        PathKind.CAMPAIGN: _CAMPAIGN,
        PathKind.CONNECTION: _CONNECTION,
    }[kind]
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
    """

    max_limit: int = 100


NO_ANSWER: Any = None
"""``returns`` of an endpoint whose answer carries nothing (a write's empty body)."""


@attrs.frozen(eq=False)
class Endpoint:
    """One endpoint of the API, declared.

    Attributes:
        name: how the SDK calls it (``queues.schedule_call``); the fake's route name.
        method: the HTTP method.
        path: the path template relative to the API root (``queues/{queue_id}/...``).
        params: the kind of each ``{name}`` in *path*, in the order a method passes
            them.
        returns: the type the answer is structured into (a model, ``list[Model]``);
            for a paged list, the type of one item; ``None`` ignores the body.
        query: the attrs class its query parameters are encoded from, if any.
        body: the attrs class its JSON body is encoded from, if any.
        paging: how the list pages; ``None`` for an endpoint that is not a list.
        idempotent: whether a repeat is harmless; ``None`` takes it from the method
            (GET, PUT, DELETE, HEAD, OPTIONS yes; POST, PATCH no).
        side_effect: what a repeat would do, for ``DeliveryUnknownError``.
        doc: the vendor's page, relative to ``https://api.thulium.com/docs/api/``, or
            where else the shape comes from.
    """

    name: str
    method: str
    path: str
    params: Mapping[str, PathKind] = attrs.field(factory=dict)
    returns: Any = NO_ANSWER
    query: type | None = None
    body: type | None = None
    paging: Paging | None = None
    idempotent: bool | None = None
    side_effect: str = "act twice"
    doc: str = ""

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
