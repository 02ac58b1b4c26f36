"""Endpoint declarations: what each of Thulium's endpoints is, written once.

A declaration says the method, the path template, the kind of each path parameter,
whether a repeat is harmless, and what a repeat would do if it is not (the words of
``DeliveryUnknownError``). Templates and parameters are checked against each other when
this module is imported, so a typo fails at once, not on the first call. Path
parameters are validated from their kind before anything is sent. No I/O here.
"""

from __future__ import annotations

import enum
import re
import string
from collections.abc import Mapping

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
        if type(value) is not int or not 0 < value <= _MAX_ID:
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


@attrs.frozen(eq=False)
class Endpoint:
    """One endpoint of the API, declared.

    Attributes:
        name: how the SDK calls it (``queues.schedule_call``).
        method: the HTTP method.
        path: the path template relative to the API root (``queues/{queue_id}/...``).
        params: the kind of each ``{name}`` in *path*.
        idempotent: whether a repeat is harmless; ``None`` takes it from the method
            (GET, PUT, DELETE, HEAD, OPTIONS yes; POST, PATCH no).
        side_effect: what a repeat would do, for ``DeliveryUnknownError``.
    """

    name: str
    method: str
    path: str
    params: Mapping[str, PathKind] = attrs.field(factory=dict)
    idempotent: bool | None = None
    side_effect: str = "act twice"

    def __attrs_post_init__(self) -> None:
        fields = {
            field for _, field, _, _ in string.Formatter().parse(self.path) if field
        }
        if fields != set(self.params):
            raise TypeError(
                f"endpoint {self.name}: path {self.path!r} names {sorted(fields)}, "
                f"params declare {sorted(self.params)}"
            )
        if self.idempotent is None:
            object.__setattr__(self, "idempotent", self.method in IDEMPOTENT_METHODS)

    @property
    def is_idempotent(self) -> bool:
        """Whether a repeat of this endpoint is harmless."""
        return bool(self.idempotent)

    def render(self, **values: object) -> str:
        """Return the path for *values*, each checked against its declared kind."""
        if set(values) != set(self.params):
            raise InvalidInputError(
                f"{self.name} takes {', '.join(sorted(self.params))}, "
                f"got {', '.join(sorted(values)) or 'nothing'}"
            )
        segments = {
            name: check_path_value(kind, name, values[name])
            for name, kind in self.params.items()
        }
        return self.path.format(**segments)


WAITING_LIST = Endpoint(
    "queues.waiting_list",
    "GET",
    "queues/{queue_id}/waiting_list",
    {"queue_id": PathKind.ID},
)
SCHEDULE_CALL = Endpoint(
    "queues.schedule_call",
    "POST",
    "queues/{queue_id}/schedule_call",
    {"queue_id": PathKind.ID},
    side_effect="call the customer twice",
)

ENDPOINTS: tuple[Endpoint, ...] = (WAITING_LIST, SCHEDULE_CALL)
"""Every declared endpoint: what the contract tests run over."""
