"""The ``client.users`` namespace: a user and the SIP accounts assigned to them."""

from __future__ import annotations

from .._api.endpoints import Endpoint, PathKind
from .._api.namespace import Namespace
from .._models.users import User

GET = Endpoint(
    "users.get",
    "GET",
    "users/{login}",
    {"login": PathKind.LOGIN},
    returns=User,
    doc="users/get_users_login",
    path_examples={"login": "jkowalski"},
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
ENDPOINTS = (GET,)


class Users(Namespace):
    """User endpoints: ``client.users.get(login)``."""

    __slots__ = ()

    async def get(self, login: str) -> User:
        """Return user *login*: their name and the SIP accounts assigned to them.

        Raises:
            InvalidInputError: *login* is not a login (nothing is sent).
            NotFoundError: no such user.
        """
        return await self._send(GET, login)
