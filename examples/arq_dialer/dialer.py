"""A dialer job spread over many arq workers: one shared rate limit, nobody called twice.

The job's numbers are split into chunks; each chunk is one arq job. Every worker process
keeps one long-lived ThuliumClient whose rate limit lives in Redis, so all workers
together stay under the account's rate and all back off when any of them sees a 429.

The outcome ledger (two Redis hashes per dialer job) is what makes restarts safe:

* before a number is handed to the SDK, the worker claims it with HSETNX ("sending");
  a number that already has a record, from this run or an earlier one, is skipped;
* each outcome then overwrites the claim: "scheduled", "failed" or "unknown";
* a claim still "sending" when its chunk runs again belongs to a worker that died after
  claiming: the number may have been called, so it becomes "unknown", never resent.

So a crashed worker, an arq retry of its chunk, or the whole job enqueued again never
calls a number twice, and the report lists every number that needs a person's look.
The ledger lives in Redis because arq's queue already does: the same durability
(see docs/how-to/scaling.md for AOF settings) and one service to run.

Run it:

    redis-server &
    python -m thulium_async serve-fake            # or a real Thulium system
    export THULIUM_BASE_URL=... THULIUM_USERNAME=... THULIUM_PASSWORD=...
    export REDIS_URL=redis://127.0.0.1:6379/0 DIAL_RATE=20
    arq dialer.WorkerSettings                     # in as many terminals as you like
    python dialer.py start campaign-42 2 numbers.txt
    python dialer.py watch campaign-42            # progress until done
    python dialer.py restart campaign-42          # after a crash: finish what's left
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import socket
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from redis.asyncio import Redis

from thulium_async import (
    DeliveryUnknownError,
    LocalRateLimiter,
    RateLimiter,
    ThuliumClient,
    ThuliumError,
)
from thulium_async.redis_limit import RedisRateLimiter

logger = logging.getLogger("arq_dialer")

# The record of a number: "sending" (claimed; set in the Lua script below), then one of:
SCHEDULED, FAILED, UNKNOWN = "scheduled", "failed", "unknown"

# Claim a number, or say why not. A claim found still "sending" belongs to another run
# of the same number: a dead one, whose number may have been called, so it becomes
# "unknown"; or a live one, which will overwrite that with the real outcome.
_CLAIM = """
if redis.call('HSETNX', KEYS[1], ARGV[1], 'sending') == 1 then return 'claimed' end
local status = redis.call('HGET', KEYS[1], ARGV[1])
if status == 'sending' then
  redis.call('HSET', KEYS[1], ARGV[1], 'unknown')
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  return 'settled'
end
return status
"""


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise SystemExit(f"set {name} (see the module docstring)")
    return value


class Ledger:
    """One dialer job's records in Redis: chunks, outcome per number, chunks done."""

    def __init__(self, redis: Redis, job_id: str) -> None:
        self.redis = redis
        self.job_id = job_id
        prefix = f"thulium_dial:{job_id}:"
        self.chunks_key = prefix + "chunks"  # chunk no -> JSON list of numbers
        self.meta_key = prefix + "meta"  # queue_id, chunk count, restarts
        self.status_key = prefix + "status"  # number -> sending/scheduled/...
        self.detail_key = prefix + "detail"  # number -> error text or worker
        self.done_key = prefix + "done"  # set of finished chunk numbers
        self._claim = redis.register_script(_CLAIM)

    async def claim(self, number: str) -> str:
        """Claim *number* for sending; return "claimed", or its record if it has one.

        Only a "claimed" number may be sent. The claim is in Redis before the number
        reaches the SDK, so whatever happens next, no later run sends it again.
        """
        result = await self._claim(
            keys=[self.status_key, self.detail_key],
            args=[number, "a run stopped after claiming it: it may have been called"],
        )
        return result.decode() if isinstance(result, bytes) else str(result)

    async def record(self, number: str, status: str, detail: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.status_key, number, status)
            pipe.hset(self.detail_key, number, detail)
            await pipe.execute()

    async def progress(self) -> dict[str, Any]:
        """Counts per status, chunks done and chunks in all: cheap enough to poll."""
        statuses = Counter(
            value.decode() for value in await self.redis.hvals(self.status_key)
        )
        chunks = int(await self.redis.hget(self.meta_key, "chunks") or 0)
        done = await self.redis.scard(self.done_key)
        return {"chunks": chunks, "chunks_done": done, **statuses}

    async def report(self) -> dict[str, list[str]]:
        """Every number of the job by status; "pending" for numbers never claimed."""
        status = {
            k.decode(): v.decode()
            for k, v in (await self.redis.hgetall(self.status_key)).items()
        }
        by_status: dict[str, list[str]] = {}
        for raw in (await self.redis.hgetall(self.chunks_key)).values():
            for number in json.loads(raw):
                by_status.setdefault(status.get(number, "pending"), []).append(number)
        return by_status


# What people type inside numbers; the SDK drops the same before sending, so the ledger
# keys "500 333 222" and "500-333-222" as the one person they are.
_SEPARATORS = re.compile(r"[\s\-./()]")


def chunked(numbers: Iterable[str], size: int) -> Iterable[list[str]]:
    chunk: list[str] = []
    for number in numbers:
        chunk.append(_SEPARATORS.sub("", number))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def start_job(
    pool: ArqRedis,
    job_id: str,
    queue_id: int,
    numbers: Iterable[str],
    *,
    chunk_size: int = 100,
) -> int:
    """Store the job's chunks, then enqueue one arq job per chunk; return the count.

    The chunks are stored first, so a crash in between loses nothing: ``restart_job``
    enqueues whatever is not done.
    """
    ledger = Ledger(pool, job_id)
    if await pool.exists(ledger.meta_key):
        raise SystemExit(f"job {job_id!r} exists: use restart, or another job id")
    count = 0
    async with pool.pipeline(transaction=True) as pipe:
        for count, chunk in enumerate(chunked(numbers, chunk_size), 1):
            pipe.hset(ledger.chunks_key, str(count - 1), json.dumps(chunk))
        pipe.hset(ledger.meta_key, mapping={"queue_id": queue_id, "chunks": count})
        await pipe.execute()
    await _enqueue(pool, ledger, range(count), attempt=0)
    return count


async def restart_job(
    pool: ArqRedis, job_id: str, *, retry_failed: bool = False
) -> int:
    """Enqueue again every chunk that has not finished; return how many.

    Safe at any time, even while workers still run the job: the ledger skips every
    number that has a record, so nobody is called twice. With *retry_failed*, numbers
    recorded "failed" (definitely not scheduled: refused, or never sent) lose their
    record first, so they are tried again; "unknown" ones never are.
    """
    ledger = Ledger(pool, job_id)
    chunks = int(await pool.hget(ledger.meta_key, "chunks") or 0)
    if not chunks:
        raise SystemExit(f"no job {job_id!r}")
    if retry_failed:
        await _forget_failures(pool, ledger)
    done = {int(c) for c in await pool.smembers(ledger.done_key)}
    todo = [c for c in range(chunks) if c not in done]
    attempt = await pool.hincrby(ledger.meta_key, "restarts", 1)
    await _enqueue(pool, ledger, todo, attempt=attempt)
    return len(todo)


async def _forget_failures(pool: ArqRedis, ledger: Ledger) -> None:
    failed = {
        number.decode()
        for number, status in (await pool.hgetall(ledger.status_key)).items()
        if status == FAILED.encode()
    }
    if not failed:
        return
    for chunk, raw in (await pool.hgetall(ledger.chunks_key)).items():
        retry = failed.intersection(json.loads(raw))
        if retry:
            async with pool.pipeline(transaction=True) as pipe:
                pipe.hdel(ledger.status_key, *retry)
                pipe.hdel(ledger.detail_key, *retry)
                pipe.srem(ledger.done_key, chunk)
                await pipe.execute()


async def _enqueue(
    pool: ArqRedis, ledger: Ledger, chunks: Iterable[int], *, attempt: int
) -> None:
    queue_id = int(await pool.hget(ledger.meta_key, "queue_id") or 0)
    for chunk in chunks:
        # A fixed arq job id per (chunk, attempt): enqueueing twice is a no-op.
        await pool.enqueue_job(
            "dial_chunk",
            ledger.job_id,
            queue_id,
            chunk,
            _job_id=f"thulium_dial:{ledger.job_id}:{chunk}:{attempt}",
        )


# -- the worker ----------------------------------------------------------------------


def make_limiter() -> RateLimiter:
    """The shared limit from the environment (DIAL_LIMITER=local only for comparison)."""
    rate = float(env("DIAL_RATE", "20"))
    burst = int(env("DIAL_BURST", "1"))
    if env("DIAL_LIMITER", "redis") == "local":
        return LocalRateLimiter(rate, burst=burst)
    fallback = os.environ.get("DIAL_FALLBACK_RATE")
    return RedisRateLimiter(
        env("REDIS_URL"),
        rate=rate,
        burst=burst,
        key=env("DIAL_RATE_KEY", "default"),
        fallback_rate=float(fallback) if fallback else None,
    )


async def startup(ctx: dict[str, Any]) -> None:
    """One ThuliumClient per worker process, for every chunk it runs."""
    ctx["client"] = ThuliumClient(
        env("THULIUM_BASE_URL"),
        env("THULIUM_USERNAME"),
        env("THULIUM_PASSWORD"),
        rate_limit=make_limiter(),
    )
    ctx["worker"] = f"{socket.gethostname()}:{os.getpid()}"


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["client"].close()


async def dial_chunk(
    ctx: dict[str, Any], job_id: str, queue_id: int, chunk: int
) -> dict[str, int]:
    """Schedule one chunk's numbers; every number ends with exactly one record.

    Each of *DIAL_CONCURRENCY* tasks claims a number, sends it and records the
    outcome, so at most that many numbers are claimed without an outcome at any
    moment: the most a crash can turn into "unknown".
    """
    client: ThuliumClient = ctx["client"]
    ledger = Ledger(ctx["redis"], job_id)
    raw = await ledger.redis.hget(ledger.chunks_key, str(chunk))
    pending = iter(json.loads(raw) if raw else [])
    counts: Counter[str] = Counter()

    async def work() -> None:
        for number in pending:  # the tasks share one iterator: each number once
            if await ledger.claim(number) != "claimed":
                counts["skipped"] += 1
                continue
            try:
                await client.queues.schedule_call(queue_id, number)
            except DeliveryUnknownError as exc:  # may have been scheduled
                status, detail = UNKNOWN, str(exc)
            except ThuliumError as exc:  # definitely not scheduled
                status, detail = FAILED, str(exc)
            else:
                status, detail = SCHEDULED, ctx["worker"]
            await ledger.record(number, status, detail)
            counts[status] += 1

    tasks = [
        asyncio.create_task(work()) for _ in range(int(env("DIAL_CONCURRENCY", "5")))
    ]
    try:
        await asyncio.gather(*tasks)
    finally:  # one task failed (Redis gone?) or arq cancelled us: stop them all
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await ledger.redis.sadd(ledger.done_key, str(chunk))
    logger.info("job %s chunk %d: %s", job_id, chunk, dict(counts))
    return dict(counts)


class WorkerSettings:
    """``arq dialer.WorkerSettings``: what each worker process runs."""

    functions = [dial_chunk]  # noqa: RUF012 -- arq reads class attributes
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    max_jobs = int(os.environ.get("DIAL_MAX_JOBS", "1"))  # chunks at once per process
    job_timeout = int(os.environ.get("DIAL_JOB_TIMEOUT", "600"))  # seconds per chunk
    poll_delay = 0.2
    keep_result = 3600


# -- the command line ----------------------------------------------------------------


async def _main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser(
        "start", help="split a file of numbers into chunks and enqueue them"
    )
    start.add_argument("job_id")
    start.add_argument("queue_id", type=int)
    start.add_argument(
        "numbers", type=argparse.FileType("r"), help="one number per line"
    )
    start.add_argument("--chunk-size", type=int, default=100)
    restart = sub.add_parser("restart", help="enqueue the chunks not done yet")
    restart.add_argument("job_id")
    restart.add_argument(
        "--retry-failed", action="store_true", help="and try failed numbers again"
    )
    for name, text in (
        ("watch", "show progress until done"),
        ("report", "print every number by status, as JSON"),
    ):
        sub.add_parser(name, help=text).add_argument("job_id")
    args = parser.parse_args(argv)
    pool = await create_pool(WorkerSettings.redis_settings)
    try:
        if args.command == "start":
            lines = (line.strip() for line in args.numbers)
            count = await start_job(
                pool,
                args.job_id,
                args.queue_id,
                (n for n in lines if n),
                chunk_size=args.chunk_size,
            )
            print(f"job {args.job_id}: {count} chunks enqueued")
        elif args.command == "restart":
            count = await restart_job(pool, args.job_id, retry_failed=args.retry_failed)
            print(f"job {args.job_id}: {count} chunks enqueued again")
        elif args.command == "watch":
            ledger = Ledger(pool, args.job_id)
            while True:
                progress = await ledger.progress()
                print(json.dumps(progress), flush=True)
                if progress["chunks_done"] >= progress["chunks"]:
                    break
                await asyncio.sleep(2)
        else:
            print(json.dumps(await Ledger(pool, args.job_id).report(), indent=1))
    finally:
        await pool.aclose()
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(asyncio.run(_main(sys.argv[1:])))
