"""``connections.list`` as declared: what its ``check`` keeps of the old refusals."""

from __future__ import annotations

from datetime import date

import pytest

from thulium_async import InvalidInputError


async def test_no_tags_filters_nothing(fake, client):
    """``tags=[]`` is a filter of its own that sends no ``tags[]``, as before."""
    await client.connections.list(tags=[])
    (sent,) = fake.requests_to("connections.list")
    assert "tags[]" not in sent.query


@pytest.mark.parametrize(
    "bad",
    [
        {"tags": [""]},
        {"tags": ["vip", ""]},
        {"include_tags": None},
        {"date_from": date(2026, 11, 2), "date_to": date(2026, 11, 1)},
    ],
)
def test_an_empty_tag_a_none_flag_or_a_backward_range_is_refused(fake, client, bad):
    """Each is refused by name when the list is asked for, before anything is sent."""
    with pytest.raises(InvalidInputError, match=next(iter(bad))):
        client.connections.list(**bad)
    assert fake.requests == []
