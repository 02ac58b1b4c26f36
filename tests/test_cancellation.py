"""Cancelling calls at any point leaves nothing behind: no connection, no permit, no task."""

from __future__ import annotations

import asyncio
import random

from thulium_async import RetryPolicy, ThuliumClient
from thulium_async.testing import Fault


async def test_cancelling_2000_calls_at_random_points_leaks_nothing(fake):
    """Cancelled while queued for a slot, waiting for a rate token, sleeping between
    retries, or reading a slow body: afterwards a fresh call succeeds at once."""
    rng = random.Random(2026)
    fake.add_caller(2, "500333222")
    fake.set_fault_rate(
        0.6,
        seed=7,
        faults=[
            Fault.delay_then_process(0.05),  # cancelled while the body is awaited
            Fault.status_response(503),  # cancelled while sleeping before a retry
            Fault.drop_before_processing(),
        ],
    )
    policy = RetryPolicy(max_attempts=4, initial_delay=0.05, max_delay=0.1)
    async with ThuliumClient(
        fake.base_url,
        fake.username,
        fake.password,
        retry=policy,
        max_connections=10,
        rate_limit=2000.0,  # some calls wait for a token when cancelled
    ) as client:
        tasks = []
        for i in range(2000):
            call = (
                client.queues.waiting_list(2)
                if i % 2
                else client.queues.schedule_call(2, f"500{i:06d}")
            )
            tasks.append(asyncio.ensure_future(call))
        for _ in range(20):  # cancel in waves while calls are at different stages
            await asyncio.sleep(rng.uniform(0.001, 0.02))
            for task in rng.sample(tasks, 100):
                task.cancel()
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert any(isinstance(r, asyncio.CancelledError) for r in results)
        # Anything not cancelled ended as a result or an SDK error, never anything else.
        from thulium_async import ThuliumError

        assert all(
            r is None or isinstance(r, (list, ThuliumError, asyncio.CancelledError))
            for r in results
        )
        # Private on purpose: what is tested is that cancellation gives back every
        # in-flight slot and pooled connection, the internals themselves.
        session = client._sessions.get()
        connector = session.connector
        assert connector is not None
        assert client.stats.in_flight == 0
        assert client._transport._slots.free == 10  # every slot given back
        assert len(connector._acquired) == 0  # every connection back in the pool
        fake.set_fault_rate(0.0)
        callers = await asyncio.wait_for(client.queues.waiting_list(2), timeout=5)
        assert [c.phone_number for c in callers] == ["500333222"]
    # Leaving the block closed everything: filterwarnings=error fails on any warning.
