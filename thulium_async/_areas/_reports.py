"""What the two reports share: a range and the period of a row, declared once.

``agents.work_report`` and ``chats.summary`` take them the same way, and their vendor
pages give the same examples; each method's signature names these aliases.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from .._api.operations import Query

ReportStart = Annotated[
    date | datetime,
    Query(
        "the start: a ``date``, or a ``datetime`` (sent to the second; naive means "
        "the system's wall clock, aware is converted into it)",
        example="2019-11-01 11:12:00",
    ),
]
ReportEnd = Annotated[
    date | datetime, Query("the end, likewise", example="2019-11-02 11:12:00")
]
AggregateBy = Annotated[
    str | None,
    Query(
        "the period of a row: ``hour_of_day``, ``minute``, ``hour``, ``day``, "
        "``week``, ``month`` (the server's default) or ``year``",
        example="month",
        choices=("hour_of_day", "minute", "hour", "day", "week", "month", "year"),
    ),
]
