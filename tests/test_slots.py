"""The in-flight cap: never exceeded, first come first served, safe under cancellation."""

from __future__ import annotations

import asyncio
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from thulium_async._http.slots import Slots


async def take(slots: Slots) -> None:
    if not slots.try_take():
        await slots.wait()


async def test_free_slots_are_taken_without_waiting():
    slots = Slots(2)
    assert slots.try_take()
    assert slots.try_take()
    assert not slots.try_take()
    slots.give_back()
    assert slots.free == 1


async def test_waiters_are_served_in_arrival_order():
    slots = Slots(1)
    await take(slots)
    served: list[int] = []

    async def one(i: int) -> None:
        await take(slots)
        served.append(i)

    tasks = [asyncio.create_task(one(i)) for i in range(5)]
    await asyncio.sleep(0)
    for _ in range(5):
        slots.give_back()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert served == [0, 1, 2, 3, 4]


async def test_a_newcomer_does_not_overtake_a_handed_over_slot():
    slots = Slots(1)
    await take(slots)
    waiter = asyncio.create_task(take(slots))
    await asyncio.sleep(0)
    slots.give_back()  # goes to the waiter, not to the pool
    assert not slots.try_take()
    await waiter
    assert slots.free == 0


async def test_a_cancelled_waiter_loses_its_place_and_nothing_else():
    slots = Slots(1)
    await take(slots)
    cancelled = asyncio.create_task(take(slots))
    behind = asyncio.create_task(take(slots))
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.gather(cancelled, return_exceptions=True)
    slots.give_back()  # skips the cancelled waiter
    await behind
    slots.give_back()
    assert slots.free == 1


async def test_a_slot_handed_to_a_waiter_cancelled_at_that_moment_is_passed_on():
    slots = Slots(1)
    await take(slots)
    unlucky = asyncio.create_task(take(slots))
    behind = asyncio.create_task(take(slots))
    await asyncio.sleep(0)
    slots.give_back()  # handed to `unlucky`...
    unlucky.cancel()  # ...which is cancelled before it runs again
    await asyncio.gather(unlucky, return_exceptions=True)
    await behind  # so the slot went on to the next in line
    slots.give_back()
    assert slots.free == 1


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 5), seed=st.integers(0, 10_000))
def test_the_cap_holds_and_every_slot_comes_back_whatever_is_cancelled(size, seed):
    rng = random.Random(seed)

    async def scenario() -> None:
        slots = Slots(size)
        holding = 0
        peak = 0

        async def user() -> None:
            nonlocal holding, peak
            await take(slots)
            holding += 1
            peak = max(peak, holding)
            try:
                for _ in range(rng.randint(0, 3)):
                    await asyncio.sleep(0)
            finally:
                holding -= 1
                slots.give_back()

        tasks = [asyncio.create_task(user()) for _ in range(30)]
        for _ in range(10):
            await asyncio.sleep(0)
            rng.choice(tasks).cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert peak <= size
        assert slots.free == size

    asyncio.run(scenario())
