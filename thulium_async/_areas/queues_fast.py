"""The waiting list's fast path: the one answer polled often enough to earn one.

A supervisor page polls every queue every couple of seconds, so this body is decoded
far more than any other (``benchmarks/bench_decode.py``: about a quarter faster per
caller than the detailed converter). It applies the converter's rules, written out in
one loop, and only answers "valid or not": anything it refuses goes to the detailed
converter, which says exactly what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from .._api import converter
from .._api.converter import plain_constructor, timestamp_reader
from .._models.queues import WaitingCaller

_CALLER_FIELDS = ("phone_number", "started_at", "customer_id", "customer_label")


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[..., None], ...]:
    return tuple(cls.__dict__[name].__set__ for name in names)


def waiting_list_reader(zone: tzinfo) -> Callable[[bytes], list[WaitingCaller] | None]:
    """Return the fast reader of waiting-list bodies in *zone*; ``None`` means refused."""
    read_timestamp = timestamp_reader(zone)
    # Models are built by setting their slots directly, unless the model's __init__
    # does more (a validator, say): then through the class.
    plain = plain_constructor(WaitingCaller) is not WaitingCaller
    new = object.__new__
    if plain:
        set_phone, set_started, set_id, set_label = _slot_setters(
            WaitingCaller, _CALLER_FIELDS
        )

    def read(raw: bytes) -> list[WaitingCaller] | None:
        try:
            data: Any = converter.loads(raw)  # looked up per body: swappable
        except ValueError:
            return None
        if type(data) is not list:
            return None
        callers: list[WaitingCaller] = []
        append = callers.append
        for value in data:
            if type(value) is not dict:
                return None
            phone = value.get("phone_number")
            started = value.get("started_at")
            customer_id = value.get("customer_id")
            label = value.get("customer_label")
            if (
                type(phone) is not str
                or type(started) is not str
                or (customer_id is not None and type(customer_id) is not int)
                or (label is not None and type(label) is not str)
            ):
                return None
            try:
                started_at = read_timestamp(started)
            except ValueError:
                return None
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

    return read
