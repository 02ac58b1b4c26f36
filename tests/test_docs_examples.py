"""The examples users copy from the README and the tutorial actually run."""

from __future__ import annotations

import re
from pathlib import Path

from thulium_async import DeliveryUnknownError, ThuliumClient
from thulium_async.testing import FakeThulium, Fault

ROOT = Path(__file__).parent.parent


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.DOTALL)


async def test_readme_testing_example_runs():
    (block,) = [b for b in python_blocks(ROOT / "README.md") if "def test_" in b]
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 -- our own docs
    await namespace["test_callback_is_scheduled_once"]()  # type: ignore[operator]


def test_readme_testing_example_passes_under_pytest_asyncio_strict_mode(tmp_path):
    """As a user would run it: their own project, pytest-asyncio's default settings."""
    import subprocess
    import sys

    (block,) = [b for b in python_blocks(ROOT / "README.md") if "def test_" in b]
    (tmp_path / "test_readme.py").write_text(block)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # no asyncio_mode: strict
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


async def test_tutorial_steps_behave_as_described():
    from datetime import datetime

    async with FakeThulium() as fake:
        fake.add_caller(2, "613459851", customer_id=123, customer_label="Jan Kowalski")
        async with ThuliumClient(fake.base_url, fake.username, fake.password) as client:
            (caller,) = await client.queues.waiting_list(2)
            assert caller.customer_label == "Jan Kowalski"
            await client.queues.schedule_call(
                2, "500 333 222", call_at=datetime(2026, 11, 23, 9, 30)
            )
            assert repr(fake.scheduled) == (
                "[ScheduledCall(queue_id=2, phone_number='500333222', "
                "call_at='2026-11-23 09:30:00')]"
            )
            fake.fail_next("schedule_call", Fault.processed_then_status(500))
            try:
                await client.queues.schedule_call(2, "500333222")
            except DeliveryUnknownError:
                pass
            else:
                raise AssertionError("expected DeliveryUnknownError")
            assert len(fake.calls_to("500333222")) == 2  # step 3's call + step 4's
