"""What FakeThulium answers: from a sample or from its state, by one rule.

The rule, for every endpoint (:func:`from_state` applies it, for every route):

1. What a test set with ``respond`` is answered, and the state is left alone.
2. An endpoint without state of its own answers its sample: the *samples* folder's
   file for it, else the vendor's example answer its declaration carries (not for a
   paged list), else a default: an empty page for a list, an empty ``200`` for a
   write, a ``404`` for a read.
3. An endpoint that reads a part of the state (the customers, the tickets, ...)
   answers as in 2 while that part is empty, so a test that never seeded it gets the
   vendor's example; once the part holds anything, the state answers, and a record
   it does not hold is a 404, never the sample.
4. An endpoint that acts on the state (a create, a delete, a call scheduled, the
   waiting list of a queue, which exists from the start) always answers from it.

A path that names a queue the fake does not have is a 404 before any of this. An
endpoint's state, its handler and the part it reads are declared once, as a
:class:`Stateful`, in the module of its workflow (``_fake_calls``, ``_fake_crm``,
``_fake_campaigns``); an endpoint without state needs nothing here at all.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import attrs
from aiohttp import web

from ._api.endpoints import NO_EXAMPLE, Endpoint
from ._fake_state import FakeState

StateHandler = Callable[[FakeState, web.Request, bytes], web.StreamResponse]
"""An endpoint's answer from the state: it reads, or changes, then answers."""


@attrs.frozen
class Stateful:
    """An endpoint with state: its handler, and the part of the state it reads."""

    handler: StateHandler
    reads: Callable[[FakeState], object] | None = None
    """The part it answers from: while that is empty, its sample answers (rule 3).
    ``None``: it acts on the state, and always answers from it (rule 4)."""


def from_state(
    route: Stateful | None, *, responded: bool, state: FakeState
) -> StateHandler | None:
    """Return the handler that answers from *state*, or ``None``: the sample answers.

    The module's rule: *responded* (rule 1) and no *route* (2) mean the sample; a
    route that reads an empty part of the state answers the sample too (3); any
    other answers from the state (3 and 4).
    """
    if responded or route is None:
        return None
    if route.reads is not None and not route.reads(state):
        return None
    return route.handler


class Samples:
    """What endpoints answer from samples: a test's ``respond``, the files, defaults.

    Args:
        folder: one subfolder per endpoint name holding ``*.json`` answers (the
            first by name is served); ``None``: none.
        names: the names of the endpoints served.
    """

    def __init__(self, folder: str | PathLike[str] | None, names: Iterable[str]):
        self._answers = _load(folder, names)
        self.responded: set[str] = set()
        """The endpoints whose answer a test set: it wins over state."""
        self._caps: dict[str, int] = {}

    def respond(self, name: str, status: int, body: Any) -> None:
        """Answer every request to endpoint *name* with *body* and *status*."""
        self._answers[name] = (status, body)
        self.responded.add(name)

    def cap(self, name: str, largest: int | None) -> None:
        """Give at most *largest* items a page of list *name* (``None``: no cap)."""
        if largest is None:
            self._caps.pop(name, None)
        else:
            self._caps[name] = largest

    def answer(self, endpoint: Endpoint, query: Mapping[str, str]) -> web.Response:
        """Answer a request to *endpoint* from its sample (rule 2).

        A paged list's sample is paged by the request's ``limit`` and ``offset``.
        """
        paged = endpoint.paging is not None
        bare = endpoint.paging is not None and endpoint.paging.bare
        found = self._answers.get(endpoint.name)
        if found is None and not paged and endpoint.example is not NO_EXAMPLE:
            found = (200, endpoint.example)
        if found is None:
            if paged:
                return web.json_response([] if bare else {"count": 0, "result": []})
            if endpoint.method != "GET" and endpoint.returns is Any:
                return web.json_response(None)  # JSON, as the document says
            if endpoint.returns is None or endpoint.method != "GET":
                return web.Response(status=200, body=b"")  # a write's usual answer
            return error(404, f"the fake has no answer for {endpoint.name}")
        status, data = found
        if paged and status == 200:
            shown = page(data, query, cap=self._caps.get(endpoint.name))
            return web.json_response(shown["result"] if bare else shown)
        return web.json_response(data, status=status)


def _load(
    folder: str | PathLike[str] | None, names: Iterable[str]
) -> dict[str, tuple[int, Any]]:
    """Read the first ``*.json`` of each ``<folder>/<endpoint name>/``."""
    if folder is None:
        return {}
    answers = {}
    for name in names:
        files = sorted((Path(folder) / name).glob("*.json"))
        if files:
            answers[name] = (200, json.loads(files[0].read_bytes()))
    return answers


# -- what every handler answers with ---------------------------------------------


def error(status: int, message: str, *, code: int | None = None) -> web.Response:
    """Answer with the error body Thulium documents for the whole API."""
    detail: dict[str, Any] = {"message": message}
    if code is not None:
        detail["code"] = code
    body = {"request_id": secrets.token_hex(7), "errors": [detail]}
    return web.json_response(body, status=status)


def page(
    data: Any, query: Mapping[str, str], *, cap: int | None = None
) -> dict[str, Any]:
    """Return the page of *data* (a list, or a ``{"count", "result"}``) the query asks.

    *cap*: the largest page given, whatever ``limit`` asks (``cap_limit``).
    """
    items = data.get("result", []) if isinstance(data, dict) else list(data)
    try:
        limit = int(query.get("limit", 100))
        offset = int(query.get("offset", 0))
    except ValueError:
        limit, offset = 100, 0
    if cap is not None:
        limit = min(limit, cap)
    return {"count": len(items), "result": items[offset : offset + limit]}


def json_object(body: bytes) -> dict[str, Any]:
    """Return the JSON object *body* holds, or ``{}`` when it holds none."""
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def path_id(text: str) -> int:
    """A path id as an int (0, which no record has, when it is not one)."""
    return int(text) if text.isdigit() else 0
