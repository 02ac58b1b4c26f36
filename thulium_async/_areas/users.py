"""The ``client.users`` namespace: a user and the SIP accounts assigned to them."""

from __future__ import annotations

from typing import Annotated

from .._api.endpoints import PathKind
from .._api.namespace import Namespace
from .._api.operations import PathValue, operation
from .._models.users import User


class Users(Namespace):
    """User endpoints: ``client.users.get(login)``."""

    __slots__ = ()

    @operation(
        "users.get",
        "GET",
        "users/{login}",
        doc="users/get_users_login",
        example={
            "login": "jkowalski",
            "name": "Jan",
            "surname": "Kowalski",
            "sip_accounts": [
                {"phone_number": "124", "phone_type": "hardphone"},
                {"phone_number": "125", "phone_type": "softphone"},
            ],
        },
    )
    async def get(
        self,
        login: Annotated[
            str, PathValue("the user's login", PathKind.LOGIN, example="jkowalski")
        ],
    ) -> User:
        """Return user *login*: their name and the SIP accounts assigned to them."""
