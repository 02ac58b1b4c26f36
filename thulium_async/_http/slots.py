"""The cap on requests in flight: a counting semaphore with a fast path.

``asyncio.Semaphore`` would do, and did; but on CPython 3.11 an acquire/release pair
costs about 5,500 instructions even when a slot is free (``locked()`` builds a generator
on every call), which was an eighth of everything the SDK adds to a request
(``benchmarks/bench_instructions.py``). Here a free slot costs a comparison and a
decrement; only when none is free do callers queue, first come, first served.
"""

from __future__ import annotations

import asyncio
from collections import deque


class Slots:
    """*size* slots; :meth:`try_take` or :meth:`wait` for one, :meth:`give_back` after.

    A released slot goes straight to the longest waiter, so a free slot and a waiting
    caller never exist at once, and a newcomer cannot overtake the queue.
    """

    __slots__ = ("_free", "_waiters")

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def free(self) -> int:
        """Slots nobody holds or is about to be handed."""
        return self._free

    def try_take(self) -> bool:
        """Take a slot if one is free now; never waits."""
        if self._free > 0:
            self._free -= 1
            return True
        return False

    async def wait(self) -> None:
        """Wait in line for a slot (call when :meth:`try_take` said no)."""
        future = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.give_back()  # handed a slot just as we were cancelled: pass it on
            # A cancelled future stays queued until give_back() skips it.
            raise

    def give_back(self) -> None:
        """Return a slot: to the longest waiter still waiting, else to the pool."""
        waiters = self._waiters
        while waiters:
            future = waiters.popleft()
            if not future.done():
                future.set_result(None)
                return
        self._free += 1
