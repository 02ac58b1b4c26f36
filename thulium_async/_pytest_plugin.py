"""pytest fixtures for apps that use this SDK: ``fake_thulium`` and ``thulium_client``.

Registered through the ``pytest11`` entry point, so installing the SDK is enough. The
fixtures are async and need pytest-asyncio; without it this plugin defines nothing,
rather than break test runs that do not use it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib.util import find_spec

if find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    from ._client import ThuliumClient
    from .testing import FakeThulium

    @pytest_asyncio.fixture
    async def fake_thulium() -> AsyncIterator[FakeThulium]:
        """A running FakeThulium on 127.0.0.1 with queue 2, stopped after the test."""
        async with FakeThulium() as fake:
            yield fake

    @pytest_asyncio.fixture
    async def thulium_client(
        fake_thulium: FakeThulium,
    ) -> AsyncIterator[ThuliumClient]:
        """A ThuliumClient bound to ``fake_thulium``, closed after the test."""
        async with ThuliumClient(
            fake_thulium.base_url, fake_thulium.username, fake_thulium.password
        ) as client:
            yield client
