"""Argument checks that run before anything is sent."""

from __future__ import annotations

import pytest

from thulium_async import InvalidInputError
from thulium_async._core.validation import phone_number, queue_id


@pytest.mark.parametrize(
    ("raw", "sent"),
    [
        ("500333222", "500333222"),
        ("+48 500 333 222", "+48500333222"),
        ("48-500-333-222", "48500333222"),
        ("(22) 555.12.34", "225551234"),
        ("112", "112"),
        (" 500333222\n", "500333222"),
    ],
)
def test_phone_numbers_are_normalised(raw, sent):
    assert phone_number(raw) == sent


@pytest.mark.parametrize(
    "raw",
    [
        "not-a-number",
        "",
        "12",
        "1234567890123456",
        "48+500333222",
        "++48500333222",
        "500333222x",
        "٥٠٠٣٣٣٢٢٢",  # Arabic-Indic digits are not what the dialer dials
        500333222,
        None,
    ],
)
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(InvalidInputError, match="phone_number"):
        phone_number(raw)


@pytest.mark.parametrize("raw", [0, -1, True, "2", 2.0, None, 2**63])
def test_bad_queue_ids_are_refused(raw):
    with pytest.raises(InvalidInputError, match="queue_id"):
        queue_id(raw)


def test_invalid_input_is_also_a_value_error():
    with pytest.raises(ValueError, match="queue_id"):
        queue_id("2")
