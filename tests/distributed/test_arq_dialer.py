"""The arq recipe with real worker processes, a real redis-server and FakeThulium.

Three ``python -m arq dialer.WorkerSettings`` processes share one RedisRateLimiter
budget; what they did is measured where it counts, at the fake server.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.jobs import Job

from thulium_async.testing import FakeThulium, Fault

from .test_redis_limit import busiest_second

pytestmark = pytest.mark.distributed

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "arq_dialer"
sys.path.insert(0, str(EXAMPLE))
import dialer  # type: ignore[import-not-found]  # noqa: E402 -- lives in examples/

RATE = 30
BURST = 3


def numbers(count: int) -> list[str]:
    return [f"500{i:06d}" for i in range(count)]


class Workers:
    """Worker processes of the recipe, each logging to its own file."""

    def __init__(self, fake: FakeThulium, redis_url: str, log_dir: Path) -> None:
        self.env = {
            **os.environ,
            "THULIUM_BASE_URL": fake.base_url,
            "THULIUM_USERNAME": fake.username,
            "THULIUM_PASSWORD": fake.password,
            "REDIS_URL": redis_url,
            "DIAL_RATE": str(RATE),
            "DIAL_BURST": str(BURST),
            "DIAL_CONCURRENCY": "5",
            "DIAL_JOB_TIMEOUT": "5",
        }
        self.log_dir = log_dir
        self.processes: list[asyncio.subprocess.Process] = []

    async def start(self, count: int, **env: str) -> None:
        for _ in range(count):
            log = (self.log_dir / f"worker-{len(self.processes)}.log").open("wb")
            self.processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "arq",
                    "dialer.WorkerSettings",
                    cwd=EXAMPLE,
                    env={**self.env, **env},
                    stdout=log,
                    stderr=log,
                )
            )
            log.close()

    async def kill(self, index: int) -> None:
        self.processes[index].kill()  # SIGKILL: no cleanup, mid-request
        await self.processes[index].wait()

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.terminate()
        for process in self.processes:
            await process.wait()


@pytest_asyncio.fixture
async def setup(
    redis_server, redis, tmp_path
) -> AsyncIterator[tuple[FakeThulium, ArqRedis, Workers]]:
    pool = await create_pool(RedisSettings.from_dsn(redis_server.url))
    async with FakeThulium() as fake:
        workers = Workers(fake, redis_server.url, tmp_path)
        try:
            yield fake, pool, workers
        finally:
            await workers.stop()
            await pool.aclose()


async def wait_until_done(
    pool: ArqRedis, job_id: str, timeout: float = 90
) -> dict[str, Any]:
    ledger = dialer.Ledger(pool, job_id)
    deadline = time.monotonic() + timeout
    while True:
        progress = await ledger.progress()
        if progress["chunks"] and progress["chunks_done"] >= progress["chunks"]:
            return dict(progress)
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} did not finish: {progress}")
        await asyncio.sleep(0.1)


async def wait_for_records(pool: ArqRedis, job_id: str, count: int) -> None:
    ledger = dialer.Ledger(pool, job_id)
    # Polling: the records are written by other processes.
    while await pool.hlen(ledger.status_key) < count:  # type: ignore[misc]  # noqa: ASYNC110
        await asyncio.sleep(0.02)


def post_times(fake: FakeThulium) -> list[float]:
    return [r.received_at for r in fake.requests_to("schedule_call")]


def posts_per_number(fake: FakeThulium) -> Counter[str]:
    return Counter(
        json.loads(r.body)["phone_number"] for r in fake.requests_to("schedule_call")
    )


async def test_three_workers_together_stay_under_the_shared_rate(setup):
    fake, pool, workers = setup
    await dialer.start_job(pool, "cap", 2, numbers(150), chunk_size=10)
    started = time.monotonic()
    await workers.start(3)
    await wait_until_done(pool, "cap")
    report = await dialer.Ledger(pool, "cap").report()
    assert sorted(report) == ["scheduled"]
    assert len(report["scheduled"]) == 150
    assert busiest_second(post_times(fake)) <= RATE + BURST + 2  # jitter allowance
    assert time.monotonic() - started >= (150 - BURST) / RATE
    # All three really took part.
    by_worker = Counter(await pool.hvals(dialer.Ledger(pool, "cap").detail_key))
    assert len(by_worker) == 3


async def test_the_measurement_catches_workers_that_do_not_share(setup):
    """The same run with local limiters: each worker alone obeys RATE, together not."""
    fake, pool, workers = setup
    await dialer.start_job(pool, "local", 2, numbers(150), chunk_size=10)
    await workers.start(3, DIAL_LIMITER="local")
    await wait_until_done(pool, "local")
    assert busiest_second(post_times(fake)) > RATE * 1.8


async def test_a_429_seen_by_one_worker_pauses_all_of_them(setup):
    fake, pool, workers = setup
    await dialer.start_job(pool, "storm", 2, numbers(180), chunk_size=10)
    await workers.start(3)
    await wait_for_records(pool, "storm", 40)  # all three are busy by now
    marked = time.monotonic()
    fake.fail_next(
        "schedule_call", Fault.status_response(429, headers={"Retry-After": "2"})
    )
    await wait_until_done(pool, "storm")
    times = post_times(fake)
    refused = min(t for t in times if t >= marked)
    during_pause = [t for t in times if refused + 0.1 < t < refused + 1.95]
    assert len(during_pause) <= 2  # only what was already on the wire
    after = [t for t in times if refused + 2.0 <= t < refused + 3.0]
    assert 0 < len(after) <= RATE / 2 + BURST + 2  # resumed, at about half the rate
    report = await dialer.Ledger(pool, "storm").report()
    assert len(report["scheduled"]) == 180  # the refused call was retried, once
    assert max(posts_per_number(fake).values()) == 2  # that one: refused, then sent
    assert sum(1 for n in posts_per_number(fake).values() if n == 2) == 1


async def test_a_429_storm_holds_every_worker_back_until_it_passes(setup):
    """Thulium refuses everything for 3 s: the workers probe, they do not hammer."""
    fake, pool, workers = setup
    await dialer.start_job(pool, "squall", 2, numbers(240), chunk_size=10)
    # The storm slows chunks down far past the 5 s the other tests allow one.
    await workers.start(3, DIAL_JOB_TIMEOUT="120")
    await wait_for_records(pool, "squall", 40)
    refuse = Fault.status_response(429, headers={"Retry-After": "1"})
    storm_began = time.monotonic()
    fake.set_fault_rate(1.0, faults=[refuse])
    await asyncio.sleep(3.0)
    fake.set_fault_rate(0.0)
    storm_ended = time.monotonic()
    await wait_until_done(pool, "squall")
    times = post_times(fake)
    during = [t for t in times if storm_began < t < storm_ended]
    assert len(during) <= 25  # 3 s at 30/s would be 90: they paused together
    recovering = [t for t in times if storm_ended + 1.0 <= t < storm_ended + 2.0]
    assert 0 < len(recovering) <= RATE / 2 + BURST + 2  # slower after the storm
    report = await dialer.Ledger(pool, "squall").report()
    # A number refused on every attempt of the storm is "failed" (never scheduled).
    assert set(report) <= {"scheduled", "failed"}
    assert len(report["scheduled"]) + len(report.get("failed", [])) == 240
    called = Counter(call.phone_number for call in fake.scheduled)
    assert max(called.values()) == 1
    assert set(called) == set(report["scheduled"])


async def test_a_killed_worker_and_a_restarted_job_lose_nobody_and_call_nobody_twice(
    setup,
):
    fake, pool, workers = setup
    all_numbers = numbers(240)
    chunks = await dialer.start_job(pool, "crash", 2, all_numbers, chunk_size=10)
    await workers.start(3)
    await wait_for_records(pool, "crash", 60)
    await workers.kill(0)  # mid-chunk, mid-request
    await workers.start(1)  # its replacement
    await dialer.restart_job(pool, "crash")  # and the operator restarts the job
    await wait_until_done(pool, "crash")

    report = await dialer.Ledger(pool, "crash").report()
    assert set(report) <= {"scheduled", "unknown"}  # nothing pending, nothing lost
    assert (
        sorted(report.get("scheduled", []) + report.get("unknown", [])) == all_numbers
    )
    posts = posts_per_number(fake)
    assert max(posts.values()) == 1  # nobody called twice
    called = Counter(call.phone_number for call in fake.scheduled)
    for number in report["scheduled"]:
        assert called[number] == 1
    # Unknown: at most the 5 numbers the killed worker had claimed and was sending.
    assert len(report.get("unknown", [])) <= 5

    # Running every chunk once more (a whole job restarted) sends nothing new.
    sent_before = len(fake.requests_to("schedule_call"))
    ledger = dialer.Ledger(pool, "crash")
    await dialer._enqueue(pool, ledger, range(chunks), attempt=99)
    for chunk in range(chunks):
        job = Job(f"thulium_dial:crash:{chunk}:99", pool)
        await job.result(timeout=60)
    assert len(fake.requests_to("schedule_call")) == sent_before


async def run_cli(workers: Workers, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "dialer.py",
        *args,
        cwd=EXAMPLE,
        env=workers.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_the_cli_runs_a_job_shows_progress_and_retries_failures(setup, tmp_path):
    fake, pool, workers = setup
    listing = tmp_path / "numbers.txt"
    listing.write_text("\n".join(numbers(20)) + "\n\n")
    refused = Fault.status_response(400, body='{"error": "bad number"}')
    fake.fail_next("schedule_call", refused, refused)
    await workers.start(2)
    started = await run_cli(
        workers, "start", "cli", "2", str(listing), "--chunk-size", "5"
    )
    assert "4 chunks enqueued" in started
    watched = await run_cli(workers, "watch", "cli")
    last = json.loads(watched.splitlines()[-1])
    assert last == {"chunks": 4, "chunks_done": 4, "scheduled": 18, "failed": 2}
    report = json.loads(await run_cli(workers, "report", "cli"))
    assert len(report["failed"]) == 2

    restarted = await run_cli(workers, "restart", "cli", "--retry-failed")
    assert "chunks enqueued again" in restarted
    await wait_until_done(pool, "cli")
    report = json.loads(await run_cli(workers, "report", "cli"))
    assert sorted(report) == ["scheduled"]
    assert sorted(report["scheduled"]) == numbers(20)
    assert Counter(c.phone_number for c in fake.scheduled) == dict.fromkeys(
        numbers(20), 1
    )


async def test_a_number_written_two_ways_in_one_job_is_called_once(setup):
    fake, pool, workers = setup
    listed = ["500 000 001", "500000001", "500-000-002", "(500) 000.002", "500000003"]
    await dialer.start_job(pool, "twice", 2, listed, chunk_size=2)
    await workers.start(2)
    await wait_until_done(pool, "twice")
    assert sorted(call.phone_number for call in fake.scheduled) == [
        "500000001",
        "500000002",
        "500000003",
    ]
    assert max(posts_per_number(fake).values()) == 1
