"""A sleep found by the clocks is told before the drops it caused, however soon they come.

Without logind (a Flatpak sandbox, a system without systemd), a sleep is found by reading the
clocks once a second (``core.power``). On waking, a held connection that the server dropped
meanwhile is reset at its first packet: a drop found in milliseconds, before the clocks were
read again. It reached the window before "sleep" and "wake", was told at once as the
server's ("Connection down: ..."), and the wake's wait, which holds the drops a sleep caused,
began after it. The monitors read the clocks themselves before they report a failure.

The clocks are the test's (``slept_s``, what ``CLOCK_BOOTTIME - CLOCK_MONOTONIC`` reads);
the engine, its watcher, the connection and its reset are real.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core import power
from tcpmonitor_gui.core.events import Event, Kind, State
from tcpmonitor_gui.core.settings import Settings
from tcpmonitor_gui.engine.engine import Engine
from tcpmonitor_gui.lab import FaultProxy
from tcpmonitor_gui.ui.notify.policy import Notice, NotificationPolicy
from tests.helpers import make_profile

HOUR = 3600.0


class Clocks:
    """What the watcher reads as time asleep."""

    def __init__(self) -> None:
        self.slept = 100.0

    def __call__(self) -> float:
        return self.slept


@pytest.fixture
def clocks(monkeypatch: pytest.MonkeyPatch) -> Clocks:
    made = Clocks()
    monkeypatch.setattr(power, "slept_s", made)
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/no-logind-here")
    return made


@pytest.fixture
def engine(clocks: Clocks) -> Iterator[Engine]:
    made = Engine(workers=1)
    made.start()
    yield made
    assert made.shutdown(), "workers did not stop in time"


def test_a_drop_found_on_waking_before_the_clocks_are_read_is_the_sleeps(
    qtbot: QtBot, clocks: Clocks, engine: Engine, proxy: FaultProxy
) -> None:
    profile = make_profile(*proxy.address, "watch", name="Orders DB", interval_s=1.0)
    policy = NotificationPolicy({profile.id: profile}, Settings())
    notices: list[Notice] = []
    policy.notification.connect(notices.append)
    seen: list[Event] = []
    engine.eventsReady.connect(seen.extend)
    engine.eventsReady.connect(policy.handle)
    engine.add(profile)
    qtbot.waitUntil(lambda: any(e.state is State.UP for e in seen), timeout=10_000)
    assert proxy.wait_for_connections(1, timeout=10.0)

    slept = len(seen)
    clocks.slept += HOUR  # this computer slept an hour: its clocks say so when next read
    proxy.cut()  # and its server dropped the connection meanwhile: reset on waking
    qtbot.waitUntil(
        lambda: (
            any(e.state is State.DOWN for e in seen) and any(e.state is State.WAKE for e in seen)
        ),
        timeout=10_000,
    )
    order = [e.state for e in seen[slept:] if e.kind in (Kind.POWER, Kind.STATE)]
    assert order[:3] == [State.SLEEP, State.WAKE, State.DOWN], order
    policy.flush()
    assert notices == [], "a drop the sleep caused was told at once as the server's"
    policy.stop()
