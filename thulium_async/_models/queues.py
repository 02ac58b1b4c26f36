"""The frozen attrs classes users receive: data only, no I/O, no cattrs.

Field names are the vendor's own (already snake_case), so a user can read Thulium's pages
and these classes side by side. Renames, if the vendor ever needs them, belong in
``_converter.py``, never here.
"""

from __future__ import annotations

from datetime import datetime

import attrs


@attrs.frozen(kw_only=True)
class WaitingCaller:
    """One caller waiting in a queue, as ``waiting_list`` reports them.

    Attributes:
        phone_number: the caller's number, as Thulium reports it.
        started_at: when they started waiting; timezone-aware, in the client's timezone.
        customer_id: the CRM customer id when the number matched exactly one record.
        customer_label: that customer's name, or the company name.
    """

    phone_number: str
    started_at: datetime
    customer_id: int | None = None
    customer_label: str | None = None
