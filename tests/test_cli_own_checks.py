"""The CLI's own copies of checks the SDK keeps private agree with the SDK's.

The CLI uses only the public API (``tests/test_layers.py``), so a check it makes before
anything is sent (a campaign id, whether a cell is a phone number, a region, a time in
the spring gap) is its own; these tests keep each one in step with the rule the client
applies when it sends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from thulium_async import InvalidInputError
from thulium_async._api.endpoints import PathKind, check_path_value
from thulium_async._cli.campaign import campaign_id
from thulium_async._cli.csv_input import _is_phone
from thulium_async._cli.main import _is_in_gap, _region, _sdk_version
from thulium_async._core.phone import check_region
from thulium_async._core.validation import phone_number
from thulium_async._core.wallclock import is_in_gap

CAMPAIGN_IDS = ["00001", "AbC12", "0001", "000001", "00 01", "0000/", "..", "", "ąęćźż"]
CELLS = [
    "500333222",
    "+48 500-333-222",
    "(22) 123.45.67",
    "12",
    "1234567890123456",
    "+",
    "48+500",
    "phone",
    " 500333222 ",
    "\uff15\uff10\uff10333222",  # full-width digits
    "500\u00a0333\u00a0222",
]


@pytest.mark.parametrize("value", CAMPAIGN_IDS)
def test_campaign_id_is_checked_as_the_client_checks_it(value: str) -> None:
    def outcome(check: Callable[[], str]) -> str:
        try:
            return f"accepted {check()}"
        except InvalidInputError as error:
            return f"refused: {error}"

    assert outcome(lambda: campaign_id(value)) == outcome(
        lambda: check_path_value(PathKind.CAMPAIGN, "OUTBOUND_ID", value)
    )


@pytest.mark.parametrize("cell", CELLS)
def test_a_cell_is_a_phone_number_as_the_client_reads_one(cell: str) -> None:
    try:
        phone_number(cell.strip())
    except InvalidInputError:
        assert not _is_phone(cell)
    else:
        assert _is_phone(cell)


@pytest.mark.parametrize("text", ["PL", "de", " gb ", "XX", "001", "POL", "", "p1"])
def test_a_region_is_one_the_client_accepts(text: str) -> None:
    import argparse

    try:
        expected = check_region(text)
    except InvalidInputError:
        with pytest.raises(argparse.ArgumentTypeError):
            _region(text)
    else:
        assert _region(text) == expected


def test_the_spring_gap_is_the_clients() -> None:
    zone = ZoneInfo("Europe/Warsaw")
    start = datetime(2026, 3, 29, 0, 0)
    for minutes in range(0, 6 * 60, 15):  # the spring gap, and around it
        naive = start + timedelta(minutes=minutes)
        assert _is_in_gap(naive, zone) == is_in_gap(naive, zone), naive
    autumn = datetime(2026, 10, 25, 2, 30)  # repeated, not skipped
    assert not _is_in_gap(autumn, zone)


def test_the_version_is_the_packages() -> None:
    import thulium_async

    assert _sdk_version() == thulium_async.__version__
