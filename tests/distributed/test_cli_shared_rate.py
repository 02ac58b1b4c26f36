"""Two `schedule-calls` processes with one --redis-url share one --rate."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from thulium_async.testing import FakeThulium

from .test_redis_limit import busiest_second

pytestmark = pytest.mark.distributed


async def test_two_cli_processes_together_stay_under_the_shared_rate(
    redis_server, redis, tmp_path
):
    async with FakeThulium() as fake:
        env = {
            **os.environ,
            "THULIUM_BASE_URL": fake.base_url,
            "THULIUM_USERNAME": fake.username,
            "THULIUM_PASSWORD": fake.password,
            "THULIUM_REDIS_URL": redis_server.url,
        }
        processes = []
        for part in range(2):
            source = tmp_path / f"part{part}.csv"
            source.write_text("".join(f"50{part}{i:06d}\n" for i in range(60)))
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "thulium_async",
                    "schedule-calls",
                    "2",
                    str(source),
                    "--rate",
                    "20",
                    "--rate-key",
                    "cli",
                    env=env,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                )
            )
        results = [await p.communicate() for p in processes]
        assert [p.returncode for p in processes] == [0, 0], results
        assert len(fake.scheduled) == 120
        times = [r.received_at for r in fake.requests_to("schedule_call")]
        assert busiest_second(times) <= 20 + 10 + 2  # rate + default burst + jitter
        assert max(times) - min(times) >= (120 - 10) / 20 * 0.95
