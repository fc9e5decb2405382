"""The demo: real servers on loopback and a link that fails and recovers on a cycle."""

from __future__ import annotations

from tcpmonitor_gui.core.events import Kind, State
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.lab.demo import Demo
from tests.helpers import Collector


async def test_demo_profiles_come_up_and_the_flaky_link_fails_and_recovers(
    collector: Collector,
) -> None:
    demo = Demo(cycle=(("pass", 1.5), ("reset", 0.2), ("refuse", 1.0))).start()
    monitors = MonitorSet(collector)
    try:
        monitors.add_all(demo.profiles)
        ids = {p.id for p in demo.profiles}
        await collector.wait_for(
            lambda e: ids <= {x.profile_id for _, x in collector.events if x.state is State.UP},
            timeout=10,
        )
        flaky = next(p for p in demo.profiles if p.name == "Demo flaky link")
        down_at, down = await collector.wait_for(
            lambda e: e.profile_id == flaky.id and e.kind is Kind.STATE and e.state is State.DOWN,
            timeout=10,
        )
        assert down.cause is not None
        await collector.wait_for(
            lambda e: e.profile_id == flaky.id and e.kind is Kind.STATE and e.state is State.UP,
            timeout=15,
            after=down_at,
        )
    finally:
        await monitors.close()
        demo.stop()
    assert all(p.group == "demo" for p in demo.profiles)
