"""A held connection's reconnect is not cut short by a wake-up asked while it was held.

``retry_now`` (this computer's network came back, another monitor of the target recovered)
wakes a monitor that waits to retry. A held connection that was ``degraded`` (slow, not
down) is not waiting: the wake-up was kept for its next wait, and when the connection later
dropped, maybe hours on, it was made again at once, not an interval later.
"""

from __future__ import annotations

from tcpmonitor_gui.core.events import Kind, State
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.lab import FaultProxy
from tests.helpers import Collector, make_profile


async def test_a_wake_up_asked_while_a_slow_connection_was_held_is_not_kept_for_its_drop(
    monitors: MonitorSet, collector: Collector, proxy: FaultProxy
) -> None:
    interval = 1.0
    proxy.set_mode("delay", delay_ms=30)
    profile = make_profile(
        *proxy.address, "heartbeat", interval_s=interval, timeout_s=2, warn_latency_ms=20
    )
    monitors.add(profile, stagger=False)
    await collector.wait_state(State.DEGRADED, timeout=10)
    monitors.retry_now()  # the network came back: a held connection finds out by itself
    assert proxy.wait_for_connections(1, timeout=5)
    cut_at = proxy.cut()
    down_at, _ = await collector.wait_state(State.DOWN, timeout=5, after=cut_at)
    # The next connection answers (slowly): a sample, an interval (-10 % jitter) after.
    again_at, _ = await collector.wait_for(
        lambda e: e.kind is Kind.SAMPLE and e.cause is None, timeout=10, after=down_at
    )
    assert again_at - down_at >= 0.9 * interval - 0.05, f"again {again_at - down_at:.2f} s on"
    assert proxy.connection_count() == 1
