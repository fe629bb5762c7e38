"""How many requests a target has in flight: at most `[limits] max_in_flight`, the rest wait in
the order they were submitted.

With 50,000 scheduled routes, one minute sent 4,763 requests at once: the dev server refused
most, and the rest timed out behind each other. A gate per target keeps the load what a dev
server (or a deployed site) can take; runs that wait stay `queued`.
"""

from __future__ import annotations

import asyncio
from collections import deque

__all__ = ["InFlightGate"]


class InFlightGate:
    """A FIFO semaphore that can say how many hold it and how many wait."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self.in_flight = 0
        self.most = 0  # the most ever in flight at once (the fault suite reads it)
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._waiting = 0  # waiters not yet served or cancelled (counted, not summed: 5,000 wait)

    @property
    def waiting(self) -> int:
        return self._waiting

    def free(self) -> bool:
        return self.in_flight < self.limit and not self.waiting

    async def acquire(self) -> None:
        if self.free():
            self._take()
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        self._waiting += 1
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                # Handed the slot just as we were cancelled: pass it on.
                self.release()
            else:
                self._waiting -= 1  # left the queue without a slot
            raise
        # The slot was taken for us by release().

    def release(self) -> None:
        self.in_flight -= 1
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                self._waiting -= 1
                self._take()
                fut.set_result(None)
                return

    def _take(self) -> None:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
