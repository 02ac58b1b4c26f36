"""The user models users receive: frozen attrs classes, data only.

Field names are the vendor's own (``users/get_users_login`` under
https://api.thulium.com/docs/api/).
"""

from __future__ import annotations

import attrs

from .fields import either


@attrs.frozen(kw_only=True)
class SipAccount:
    """A SIP account assigned to a user.

    Attributes:
        phone_number: the account's number, as text (``"124"``).
        phone_type: the kind of phone (``"hardphone"``, ``"softphone"``).
    """

    phone_number: str = attrs.field(metadata=either())
    phone_type: str | None = None


@attrs.frozen(kw_only=True)
class User:
    """A user and the SIP accounts assigned to them, as ``users.get`` reports it.

    Attributes:
        login: the user's login.
        name: first name; surname: last name.
        sip_accounts: the SIP accounts assigned to the user.
    """

    login: str
    name: str | None = None
    surname: str | None = None
    sip_accounts: tuple[SipAccount, ...] = ()
