"""Checks on user arguments, run before anything is sent.

Every function here raises :class:`~thulium_async.InvalidInputError` with a message that says what was
wrong and what would be right, and returns the value in the form the wire needs.
"""

from __future__ import annotations

import math
import re
from datetime import date

from .errors import InvalidInputError

_MAX_QUEUE_ID = 2**63 - 1
# Separators people type inside numbers; they carry no meaning for the dialer.
_SEPARATORS = re.compile(r"[\s\-./()]")
# E.164 caps a number at 15 digits; 3 admits short service numbers.
_PHONE = re.compile(r"\+?[0-9]{3,15}")


def queue_id(value: object) -> int:
    """Return *value* if it is a positive int queue id (bools and strings refused)."""
    if type(value) is not int:
        raise InvalidInputError(
            f"queue_id must be a positive int, got {type(value).__name__} {value!r}"
        )
    if not 0 < value <= _MAX_QUEUE_ID:
        raise InvalidInputError(f"queue_id must be a positive int, got {value!r}")
    return value


def phone_number(value: object) -> str:
    """Return *value* as digits with an optional leading ``+``, separators removed.

    ``"+48 500-333-222"`` becomes ``"+48500333222"``; letters, an inner ``+`` or fewer
    than 3 or more than 15 digits are refused.
    """
    if not isinstance(value, str):
        raise InvalidInputError(
            f"phone_number must be a string of digits, got {type(value).__name__}"
        )
    if 3 <= len(value) <= 15 and value.isascii() and value.isdigit():
        return value  # already compact: the common case, without the regexes
    compact = _SEPARATORS.sub("", value)
    if not _PHONE.fullmatch(compact):
        raise InvalidInputError(
            f"phone_number {value!r} is not a phone number: expected 3 to 15 digits "
            "with an optional leading '+' (spaces, dashes, dots and brackets allowed)"
        )
    return compact


def positive(name: str, value: object, unit: str = "seconds") -> float:
    """Return *value* as a positive, finite float (of *unit*), or refuse it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError(f"{name} must be a number ({unit}), got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise InvalidInputError(f"{name} must be > 0 and finite, got {value!r}")
    return float(value)


def positive_int(name: str, value: object) -> int:
    """Return *value* if it is an int >= 1 (bools refused), or refuse it."""
    if type(value) is not int or value < 1:
        raise InvalidInputError(f"{name} must be an int >= 1, got {value!r}")
    return value


def fraction(name: str, value: object) -> float:
    """Return *value* as a float in [0, 1), or refuse it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError(f"{name} must be a number in [0, 1), got {value!r}")
    if not 0 <= value < 1:
        raise InvalidInputError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def text(name: str, value: object, *, optional: bool = False) -> str | None:
    """Return *value* if it is a non-empty string (or ``None`` when *optional*)."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{name} must be a non-empty string, got {value!r}")
    return value


def choice(name: str, value: object, choices: tuple[str, ...]) -> str | None:
    """Return *value* if it is ``None`` or one of *choices*."""
    if value is None:
        return None
    if value not in choices:
        raise InvalidInputError(
            f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}"
        )
    return str(value)


def optional_bool(name: str, value: object) -> bool | None:
    """Return *value* if it is ``True``, ``False`` or ``None``."""
    if value is not None and not isinstance(value, bool):
        raise InvalidInputError(f"{name} must be True, False or None, got {value!r}")
    return value


def optional_id(name: str, value: object) -> int | None:
    """Return *value* if it is ``None`` or a positive int (bools refused)."""
    if value is not None and (type(value) is not int or value < 1):
        raise InvalidInputError(f"{name} must be a positive int, got {value!r}")
    return value


def optional_date(name: str, value: object) -> date | None:
    """Return *value* if it is ``None``, a ``date`` or a ``datetime``."""
    if value is not None and not isinstance(value, date):
        raise InvalidInputError(
            f"{name} must be a date or a datetime, got {type(value).__name__}"
        )
    return value


def email(name: str, value: object) -> str | None:
    """Return *value* stripped if it is ``None`` or looks like an e-mail address."""
    if value is None:
        return None
    if not isinstance(value, str) or not _EMAIL.fullmatch(value.strip()):
        raise InvalidInputError(f"{name} must be an e-mail address, got {value!r}")
    return value.strip()
