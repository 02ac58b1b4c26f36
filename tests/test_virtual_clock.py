"""The public test hook for time: ``VirtualClock`` and ``ThuliumClient(clock=...)``."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from thulium_async import InvalidInputError, ThuliumClient
from thulium_async.testing import VirtualClock

ROOT = Path(__file__).parent.parent


async def test_a_virtual_clock_moves_only_when_slept_on():
    clock = VirtualClock(10.0)
    assert clock.time() == 10.0
    await asyncio.sleep(0)
    assert clock.time() == 10.0
    await clock.sleep(2.5)
    await clock.sleep(-1)  # a negative wait is no wait, as asyncio.sleep
    clock.advance(0.5)
    assert clock.now == 13.0
    assert clock.sleeps == [2.5, -1]


def test_a_clock_must_have_time_and_sleep():
    with pytest.raises(InvalidInputError, match="clock must have time"):
        ThuliumClient("https://acme.thulium.com/api", "u", "p", clock=object())  # type: ignore[arg-type]


async def test_the_testing_how_to_example_runs():
    text = (ROOT / "docs" / "how-to" / "testing.md").read_text(encoding="utf-8")
    (block,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
        if "VirtualClock()" in b
    ]
    body = "".join(f"    {line}\n" for line in block.splitlines())
    namespace: dict[str, object] = {}
    exec(compile(f"async def example():\n{body}", "testing.md", "exec"), namespace)  # noqa: S102
    await namespace["example"]()  # type: ignore[operator]
