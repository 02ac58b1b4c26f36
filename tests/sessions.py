"""See the aiohttp sessions a test's clients open, through aiohttp's public class.

A client's session is private; what a test needs to know (whether one was opened,
whether two clients share one, what its connector is) it can learn by watching
``aiohttp.ClientSession`` being created, as any code that owns the process could.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest


def record_sessions(monkeypatch: pytest.MonkeyPatch) -> list[aiohttp.ClientSession]:
    """Return a list that every ``aiohttp.ClientSession`` created from now on joins."""
    created: list[aiohttp.ClientSession] = []
    init = aiohttp.ClientSession.__init__

    def recording(self: aiohttp.ClientSession, *args: Any, **kwargs: Any) -> None:
        created.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(aiohttp.ClientSession, "__init__", recording)
    return created
