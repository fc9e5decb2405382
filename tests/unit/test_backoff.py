"""Reconnect backoff: first retry after the interval, doubling to the cap, +-10% jitter."""

from __future__ import annotations

import random

from tcpmonitor_gui.core.waits import Backoff


def test_doubles_from_the_interval_up_to_the_cap_with_jitter() -> None:
    b = Backoff(1.0, 10.0, random.Random(7))
    delays = [b.next_delay() for _ in range(8)]
    for delay, base in zip(delays, [1, 2, 4, 8, 10, 10, 10, 10], strict=True):
        assert 0.9 * base <= delay <= 1.1 * base


def test_jitter_spreads_retries() -> None:
    delays = {round(Backoff(5.0, 60.0).next_delay(), 6) for _ in range(50)}
    assert len(delays) > 40


def test_reset_starts_over() -> None:
    b = Backoff(2.0, 60.0, random.Random(1))
    for _ in range(5):
        b.next_delay()
    b.reset()
    assert 1.8 <= b.next_delay() <= 2.2
