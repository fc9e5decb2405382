"""Waiting in the detectors: the reconnect backoff, a wait on a future with a deadline, and
the wake-up that cuts a detector's wait short (``Wake``)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from .connect import Connected

#: One generator for every backoff: a Random() holds 2.5 KB of state, and 5,000 held
#: connections would otherwise carry two each.
RNG = random.Random()


class Backoff:
    """First retry after ``interval_s``, doubling up to ``cap_s``, each +-10% jitter."""

    def __init__(self, interval_s: float, cap_s: float, rng: random.Random | None = None) -> None:
        self.interval_s = interval_s
        self.cap_s = max(cap_s, interval_s)
        self.failures = 0
        self._rng = rng or RNG

    def next_delay(self) -> float:
        base = min(self.cap_s, self.interval_s * 2.0 ** min(self.failures, 32))
        self.failures += 1
        return base * self._rng.uniform(0.9, 1.1)

    def reset(self) -> None:
        self.failures = 0


async def wait_until(fut: asyncio.Future[Any], deadline: float) -> bool:
    """True if ``fut`` is done by ``deadline`` (loop time); never cancels ``fut``.

    A timer and a done-callback rather than ``timeout_at`` + ``shield``: this runs once per
    interval for every held connection, and the plain form costs half as much CPU.
    """
    if fut.done():
        return True
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()

    def release(_: object = None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    timer = loop.call_at(deadline, release)
    fut.add_done_callback(release)
    try:
        await waiter
    finally:
        timer.cancel()
        fut.remove_done_callback(release)
    return fut.done()


class Wake:
    """Cuts a detector's wait short: this computer's network came back, or the target
    answered another monitor, so a retry is worth making now rather than at its next turn."""

    def __init__(self) -> None:
        self._woken = False
        self._waiter: asyncio.Future[bool] | None = None
        #: The connection a held detector holds now, for the monitor to cut (``Wire.cut``).
        self.held: Connected | None = None

    def now(self, cut: bool = False) -> None:
        """Retry now if waiting to; if not, at once after what is under way (a connect).
        A connection held (``cut``: unless it was just cut) tells by itself: kept for the
        wait after its drop, maybe hours on, such a wake-up had it made again at once."""
        waiter = self._waiter
        if waiter is None:
            if self.held is None or cut:
                self._woken = True  # the next sleep returns at once
        elif not waiter.done():
            waiter.set_result(True)

    def hold(self, conn: Connected | None) -> None:
        """``conn`` is held now (None: no longer). A wake-up asked while it was being made
        asked for a connection, and here it is: spent."""
        self.held = conn
        if conn is not None:
            self._woken = False

    async def sleep(self, seconds: float) -> bool:
        """Wait ``seconds``, or less if woken; True if woken.

        A future and a timer, not ``asyncio.timeout`` around an ``asyncio.Event``: every
        probe sleeps here after every check, and a sleep that runs out must not cost an
        exception (a cancellation turned into ``TimeoutError``) each time."""
        if self._woken:
            self._woken = False
            return True
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bool] = loop.create_future()
        self._waiter = waiter
        timer = loop.call_later(seconds, _settle, waiter)
        try:
            woken: bool = await waiter
        finally:
            timer.cancel()
            self._waiter = None
            self._woken = False
        return woken


def _settle(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_result(False)
