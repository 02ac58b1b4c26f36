"""A phone number's identity: which strings name the same line, whatever their form.

A contact list writes one person as ``500333222``, ``+48 500 333 222``, ``48500333222``
and ``0048500333222``; folding separators alone keeps four "different" numbers, so a
dialer would call that person four times. The identity of a number is its E.164 form
(``+48500333222``), parsed by Google's libphonenumber metadata (the ``phonenumbers``
package) against a region: the country whose national forms the list uses.

A string that library cannot parse, or that parses to a number impossible for its
country (an internal extension such as ``123``, a short service code), keeps the
separator-folded digits as its identity: nothing is guessed for it.

What is *sent* is never this: the request carries what the user wrote, minus separators.
"""

from __future__ import annotations

import phonenumbers

from . import validation
from .errors import InvalidInputError

DEFAULT_REGION = "PL"
_E164 = phonenumbers.PhoneNumberFormat.E164


def check_region(value: object, name: str = "phone_region") -> str:
    """Return *value* as an upper-case region code libphonenumber knows (``"PL"``).

    Raises:
        InvalidInputError: not a two-letter region code with numbering metadata.
    """
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{name} must be a two-letter country code such as 'PL', got "
            f"{type(value).__name__}"
        )
    region = value.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidInputError(
            f"{name} must be a two-letter country code such as 'PL', 'DE' or 'GB', "
            f"got {value!r}"
        )
    return region


def identity(number: str, region: str) -> str | None:
    """Return the identity of *number* read in *region*, or None if it is not a number.

    ``None`` means the string is no phone number at all (letters, too few digits): it
    fails on its own when sent, with its own message. *region* must come from
    :func:`check_region`.
    """
    try:
        folded = validation.phone_number(number)
    except InvalidInputError:
        return None
    try:
        parsed = phonenumbers.parse(folded, region)
    except phonenumbers.NumberParseException:
        return folded
    if not phonenumbers.is_possible_number(parsed):
        return folded
    return phonenumbers.format_number(parsed, _E164)
