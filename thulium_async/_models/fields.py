"""Field markers the models use, read by the converter: data, no behaviour.

A model says *what* a field is (``metadata=either()``); the converter in ``_api`` knows
*how* to read it. Kept here so that models import nothing from the layers above them.
"""

from __future__ import annotations

import enum
from typing import Any

EITHER = "thulium_either"
"""Metadata key: the vendor sends this field as a number or as its digits in text."""
RAW = "thulium_raw"
"""Metadata key: this field receives the whole JSON object, as sent."""
WIRE = "thulium_wire"
"""Metadata key: the field's name on the wire, when it is not the field's own
(``from`` is a Python keyword; ``tags`` goes out as ``tags[]``)."""


def either() -> dict[str, Any]:
    """Metadata for a field the vendor sends as a number or as text, inconsistently."""
    return {EITHER: True}


def raw() -> dict[str, Any]:
    """Metadata for a field that keeps the whole answer object (what is not typed)."""
    return {RAW: True}


def wire(name: str) -> dict[str, Any]:
    """Metadata for a field called *name* in the vendor's JSON."""
    return {WIRE: name}


class OpenEnum(str, enum.Enum):
    """A vendor's set of values that may grow: a value added later still reads.

    Members compare equal to the vendor's strings. An unknown non-empty string becomes
    a member that is not one of the declared ones (``.is_known`` false), so code
    written today keeps running, and can show it, when the vendor adds a value.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str) or not value:
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """Whether this is one of the values the vendor documents."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self.value)
