"""Shared fixtures: the fake server, clients bound to it, and a strict aioresponses."""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import io
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aioresponses import aioresponses
from aioresponses import core as aioresponses_core
from yarl import URL

from thulium_async import RetryPolicy, ThuliumClient
from thulium_async.testing import FakeThulium, VirtualClock

# tests/distributed runs only in `nox -s distributed`, which installs what it needs (arq,
# redis-server); elsewhere it is deselected by its marker, and not even imported
# without arq.
collect_ignore_glob = [] if importlib.util.find_spec("arq") else ["distributed/*"]
# Likewise tests/proxy, in `nox -s proxy` (trustme, Debian's nginx): the whole folder,
# its conftest included, which imports trustme.
collect_ignore = [] if importlib.util.find_spec("trustme") else ["proxy"]

BASE_URL = "https://acme.thulium.com/api"
# Retries without real waiting: the delays are tiny, and tests that assert a wait
# give the client a VirtualClock (the `clock` fixture) and read its `sleeps`.
FAST_RETRY = RetryPolicy(max_attempts=4, initial_delay=0.001, max_delay=0.002)


class _NoUploadWriter:
    """Stands in for the request writer aiohttp 3.14 expects on a finished upload."""

    output_size = 0


def _aioresponses_needs_shim() -> bool:
    """Whether this aioresponses predates aiohttp 3.14's ``stream_writer`` argument.

    aioresponses 0.7.9 builds ``ClientResponse`` without it (pnuckowski/aioresponses
    #289, fix proposed in PR #288). Once a release passes it, this returns False and
    the fixture below patches nothing.
    """
    wants = "stream_writer" in inspect.signature(aiohttp.ClientResponse).parameters
    builder = inspect.getsource(aioresponses_core.RequestMatch._build_response)
    return wants and "stream_writer" not in builder


class _CompatClientResponse(aiohttp.ClientResponse):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", _NoUploadWriter())
        super().__init__(*args, **kwargs)


@pytest.fixture
def mock_http(monkeypatch: pytest.MonkeyPatch) -> Iterator[aioresponses]:
    """Yield an aioresponses that fails the test on any request it was not told about.

    aioresponses answers an unregistered URL with a connection error, which the
    transport rightly treats as "nothing was sent" and retries; without this check a
    typo in a mock shows up as a slow, confusing retry failure.
    """
    if _aioresponses_needs_shim():
        monkeypatch.setattr(aioresponses_core, "ClientResponse", _CompatClientResponse)
    registered: set[tuple[str, str]] = set()
    with aioresponses() as mocked:
        register = mocked.add

        def add(url: Any, method: str = "GET", *args: Any, **kwargs: Any) -> None:
            key = str(aioresponses_core.normalize_url(URL(url)))  # type: ignore[attr-defined]
            registered.add((method.upper(), key))
            register(url, method, *args, **kwargs)

        mocked.add = add  # type: ignore[method-assign]
        yield mocked
    unexpected = [
        f"{method} {url}"
        for (method, url) in mocked.requests
        if (method, str(url)) not in registered
    ]
    assert not unexpected, f"requests nobody registered: {unexpected}"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeThulium]:
    """A running FakeThulium with queue 2."""
    async with FakeThulium() as server:
        yield server


@pytest_asyncio.fixture
async def client(fake: FakeThulium) -> AsyncIterator[ThuliumClient]:
    """A client bound to the fake, retrying without real waits."""
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, retry=FAST_RETRY
    ) as thulium:
        yield thulium


@pytest.fixture
def env(fake: FakeThulium, monkeypatch: pytest.MonkeyPatch) -> FakeThulium:
    """The fake, with the CLI's environment variables pointing at it."""
    monkeypatch.setenv("THULIUM_BASE_URL", fake.base_url)
    monkeypatch.setenv("THULIUM_USERNAME", fake.username)
    monkeypatch.setenv("THULIUM_PASSWORD", fake.password)
    return fake


async def run_cli(*argv: str) -> tuple[int, str]:
    """Run the CLI in this loop; return its exit code and standard output."""
    from thulium_async._cli.main import amain

    out = io.StringIO()
    code = await amain(list(argv), out=out)
    return code, out.getvalue()


@pytest.fixture
def clock() -> VirtualClock:
    """A clock that moves only when the client sleeps: pass it as ``clock=``."""
    return VirtualClock()


async def until(condition, timeout: float = 60.0) -> None:
    """Wait for *condition* (not for luck): poll it, fail after *timeout* seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)
