"""One module per area of Thulium's API (``client.queues``, ...), over ``_api``.

Each area module declares its endpoints beside the methods that call them;
:data:`ENDPOINTS` here is every one of them, gathered from the namespaces (no list to
keep), which the fake server serves and the contract tests run over.
:class:`Namespaces` is the one list of the client's namespaces: which attribute holds
which area's class.
"""

from __future__ import annotations

import sys
import typing
from typing import Any

from .._api.endpoints import Endpoint
from .._api.namespace import Namespace
from .._api.operations import endpoints_of
from .agents import Agents
from .campaigns import Outbounds, Webhooks
from .chats import Chats
from .connections import Connections, Recordings
from .crm import Companies, Customers, Tags, Tickets
from .queues import Queues
from .temporary_files import TemporaryFiles
from .users import Users


class Namespaces:
    """The client's namespaces: one annotation per attribute, naming its class.

    The only place they are listed. ``ThuliumClient`` inherits these annotations (so a
    type checker knows ``client.queues`` is a ``Queues``) and builds, copies for
    ``with_options``, slots and documents its namespaces from :data:`NAMESPACES`; each
    class's own methods and docstrings are the rest of the documentation.
    """

    __slots__ = ()

    queues: Queues
    agents: Agents
    connections: Connections
    recordings: Recordings
    tickets: Tickets
    tags: Tags
    customers: Customers
    companies: Companies
    outbounds: Outbounds
    webhooks: Webhooks
    chats: Chats
    users: Users
    temporary_files: TemporaryFiles


# The annotations are strings (``from __future__ import annotations``), resolved here
# against this module's names; a dict keeps the order they are written in.
NAMESPACES: tuple[tuple[str, type[Namespace]], ...] = tuple(
    typing.get_type_hints(Namespaces).items()
)
"""``(attribute, namespace class)`` for each of the client's namespaces, in order."""


def _sent_by_namespaces() -> tuple[Endpoint[Any], ...]:
    """Every endpoint the client's namespaces send: found, not listed.

    A declared method carries its endpoint; a method with a hand-written body (a bulk
    run, a file) sends an :class:`Endpoint` declared in its own module. Both are
    gathered from :data:`NAMESPACES` and the area classes they are made of, in that
    order, each once.
    """
    found: dict[Endpoint[Any], None] = {}
    for _, namespace in NAMESPACES:
        for cls in namespace.__mro__:
            if not cls.__module__.startswith(f"{__name__}."):
                continue
            found.update(dict.fromkeys(endpoints_of(cls)))
            module = vars(sys.modules[cls.__module__]).values()
            found.update(dict.fromkeys(v for v in module if isinstance(v, Endpoint)))
    return tuple(found)


ENDPOINTS: tuple[Endpoint[Any], ...] = _sent_by_namespaces()
"""Every typed endpoint: what FakeThulium serves and the contract tests run over."""


def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of every endpoint the SDK knows, as JSON data.

    The document ``python -m thulium_async openapi`` prints: each operation's
    ``operationId`` is the client method that sends it (``agents.status`` for
    ``client.agents.status``), and the endpoints the vendor lists without documenting
    them are there too, marked ``x-thulium-documented: false``. Built on each call,
    from the endpoint declarations; nothing is sent.
    """
    from .._api.openapi import openapi_document as document  # only when asked for

    return document(ENDPOINTS)
