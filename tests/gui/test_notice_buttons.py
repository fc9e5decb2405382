"""A notice's buttons and click, through a real D-Bus: a private session bus on which a
stand-in notification service (the freedesktop interface, with the ``actions`` capability)
records what it was asked to show and presses a button as a user would; and the tray's
recent-events menu, which offers the same."""

# dbus-fast reads the D-Bus signature from each annotation ("as", "u"...), not a Python type.
# ruff: noqa: F722, F821, UP037, PLR0917

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import Cause, Event, Kind, State, utc_now
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.core.snooze import FOREVER, snoozed
from tcpmonitor_gui.ui.notify.backends import (
    BackendUnavailable,
    DesktopBackend,
    FallbackChain,
    TrayBackend,
)
from tcpmonitor_gui.ui.notify.notice import Notice
from tests.gui.windows import open_window
from tests.helpers import make_profile
from tests.private_bus import private_bus

NAME = "org.freedesktop.Notifications"


class Shown:
    def __init__(self, summary: str, actions: list[str]) -> None:
        self.summary = summary
        self.actions = dict(zip(actions[::2], actions[1::2], strict=True))  # key -> label


class StandIn(ServiceInterface):
    """The notification service's interface, as dunst or GNOME Shell serve it."""

    def __init__(self) -> None:
        super().__init__(NAME)
        self.shown: dict[int, Shown] = {}
        self.arrived = asyncio.Event()
        self.asked = 0  # GetCapabilities: what a new connection asks

    @method()
    def GetCapabilities(self) -> "as":
        self.asked += 1
        return ["actions", "body"]

    @method()
    def GetServerInformation(self) -> "ssss":
        return ["stand-in", "tests", "1", "1.2"]

    @method()
    def Notify(
        self,
        app_name: "s",
        replaces_id: "u",
        app_icon: "s",
        summary: "s",
        body: "s",
        actions: "as",
        hints: "a{sv}",
        expire_timeout: "i",
    ) -> "u":
        nid = len(self.shown) + 1
        self.shown[nid] = Shown(summary, list(actions))
        self.arrived.set()
        return nid

    @method()
    def CloseNotification(self, nid: "u"):
        pass

    @signal()
    def ActionInvoked(self, nid: "u", key: "s") -> "us":
        return [nid, key]

    def press(self, nid: int, label: str) -> None:
        [key] = [k for k, text in self.shown[nid].actions.items() if text == label]
        self.ActionInvoked(nid, key)


@pytest.fixture
def session_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with private_bus(tmp_path, "session") as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address


@pytest.fixture
async def service(session_bus: str) -> AsyncIterator[StandIn]:
    bus = await MessageBus(bus_address=session_bus).connect()
    stand_in = StandIn()
    bus.export("/org/freedesktop/Notifications", stand_in)
    await bus.request_name(NAME)
    try:
        yield stand_in
    finally:
        bus.disconnect()


def drop_of(profile_id: str, name: str) -> Event:
    return Event(
        ts=utc_now(),
        profile_id=profile_id,
        profile_name=name,
        kind=Kind.STATE,
        state=State.DOWN,
        previous=State.UP,
        cause=Cause.REFUSED,
        detector="probe",
        latency_ms=None,
    )


async def until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Let the asyncio loop (the D-Bus connection) and Qt's events run until ``condition``
    holds; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        QApplication.processEvents()
        await asyncio.sleep(0.01)  # ok-sleep: a poll interval under a deadline


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform
async def test_a_drop_notice_offers_snooze_and_a_pressed_button_snoozes(
    qtbot: QtBot, tmp_path: Path, service: StandIn
) -> None:
    """The window's own notice, sent by the window through the real D-Bus backend:
    "Snooze for 1 hour" pressed on the service snoozes the connection (saved); a click on a
    notice shows the connection in the window."""
    config, data = tmp_path / "config", tmp_path / "data"
    profile = make_profile("127.0.0.1", 9, name="Orders DB")
    ProfileStore(config).save([profile])
    opened = open_window(qtbot, config, data, monitor=False)
    desktop = DesktopBackend(timeout_s=5)
    try:
        window = opened.window
        window.policy.handle([drop_of(profile.id, "Orders DB")])
        window.policy.flush()  # the window posts it: no tray here, so to the desktop's service
        [notice] = window.notices
        assert notice.snoozable and notice.profile_ids == (profile.id,)
        await asyncio.wait_for(window.chain.drain(), 5)  # shown, and its id known to us
        [(nid, shown)] = service.shown.items()
        assert shown.summary == "Connection down: Orders DB"
        assert {"Snooze for 1 hour", "Snooze until tomorrow"} <= set(shown.actions.values())
        assert "default" in shown.actions  # a click on it is an action too

        service.press(nid, "Snooze for 1 hour")
        await until(lambda: snoozed(ProfileStore(config).load()[0].snooze_until))
        service.arrived.clear()
        offer = window.chain.offers(notice)
        await desktop.notify(notice.title, notice.body, urgent=True, offer=offer)
        await asyncio.wait_for(service.arrived.wait(), 5)
        window.hide()
        service.ActionInvoked(max(service.shown), "default")  # a click on the second
        await until(window.isVisible)
        assert window.table.selected_ids() == [profile.id]
    finally:
        desktop.close()
        opened.close()


async def test_a_notice_about_this_computer_offers_no_snooze(
    qtbot: QtBot, tmp_path: Path, service: StandIn
) -> None:
    opened = open_window(qtbot, tmp_path / "config", tmp_path / "data", monitor=False)
    desktop = DesktopBackend(timeout_s=5)
    try:
        notice = Notice("This computer is offline", "No route.", True, ())
        await desktop.notify("t", "b", urgent=True, offer=opened.window.chain.offers(notice))
        await asyncio.wait_for(service.arrived.wait(), 5)
        [shown] = service.shown.values()
        assert not any(label.startswith("Snooze") for label in shown.actions.values())
    finally:
        desktop.close()
        opened.close()


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform
def test_the_tray_recent_events_menu_snoozes_and_shows_a_connection(
    qtbot: QtBot, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    profile = make_profile("127.0.0.1", 9, name="Orders DB")
    ProfileStore(config).save([profile])
    opened = open_window(qtbot, config, tmp_path / "data", monitor=False)
    try:
        window = opened.window
        window.tray.add_events([drop_of(profile.id, "Orders DB")])
        assert window.tray.recent_texts()[0].endswith("Orders DB down (refused)")
        menu = next(a for a in window.tray.menu().actions() if a.text() == "Recent events")
        event_menu = menu.menu().actions()[0].menu()
        assert event_menu is not None
        by_text: dict[str, Any] = {a.text(): a for a in event_menu.actions() if a.text()}
        by_text["Snooze notices until unmuted"].trigger()
        qtbot.waitUntil(lambda: ProfileStore(config).load()[0].snooze_until == FOREVER)
        by_text["Notify again"].trigger()
        qtbot.waitUntil(lambda: ProfileStore(config).load()[0].snooze_until == "")
        window.hide()
        by_text["Show in window"].trigger()
        assert window.isVisible() and window.table.selected_ids() == [profile.id]
        assert dataclasses.replace(profile) == ProfileStore(config).load()[0]
    finally:
        opened.close()


class Hung(StandIn):
    """A service that owns the name and never answers (a daemon stopped with SIGSTOP)."""

    @method()
    async def GetCapabilities(self) -> "as":
        await asyncio.Event().wait()
        return []


async def serve(address: str, stand_in: StandIn) -> MessageBus:
    bus = await MessageBus(bus_address=address).connect()
    bus.export("/org/freedesktop/Notifications", stand_in)
    await bus.request_name(NAME)
    return bus


async def test_a_notification_service_that_comes_back_is_used_at_the_next_notice(
    session_bus: str,
) -> None:
    """dunst restarted (to read its settings again, or after a crash): the notice sent while
    it was gone went to the window's banner, and so did every notice of the next five minutes,
    the service being left alone that long after any failure."""
    desktop = DesktopBackend(timeout_s=5)
    try:
        with pytest.raises(BackendUnavailable):  # nobody owns the name yet
            await desktop.notify("Connection down: A", "A is down", urgent=True)
        stand_in = StandIn()
        bus = await serve(session_bus, stand_in)
        try:
            await desktop.notify("Connection back up: A", "A is back up", urgent=False)
            assert [s.summary for s in stand_in.shown.values()] == ["Connection back up: A"]
        finally:
            bus.disconnect()
    finally:
        desktop.close()


async def test_a_service_that_does_not_answer_is_left_alone_until_the_retry_time(
    session_bus: str,
) -> None:
    """Each try of a hung service holds the banner back by the timeout: not at every notice."""
    now = [0.0]
    desktop = DesktopBackend(timeout_s=0.2, retry_s=60, clock=lambda: now[0])
    bus = await serve(session_bus, Hung())
    try:
        assert await desktop.probe() is False
        desktop.why_unavailable = "still the first failure"
        now[0] = 59
        assert await desktop.probe() is False
        assert desktop.why_unavailable == "still the first failure", "no new attempt yet"
        now[0] = 61
        assert await desktop.probe() is False
        assert desktop.why_unavailable != "still the first failure", "a new attempt"
    finally:
        bus.disconnect()
        desktop.close()


class Tray:
    """Our tray icon, as the tray backend asks it: shown in a tray of its own that draws
    balloons (an XEmbed host), or not shown at all (no tray)."""

    def __init__(self, *, shown: bool) -> None:
        self.shown = shown

    def can_show_messages(self) -> bool:
        return self.shown

    def hands_messages_to_desktop(self) -> bool:
        return False


async def test_the_first_notice_finds_the_desktop_service_already_connected(
    service: StandIn,
) -> None:
    """The first drop's notice paid for connecting to the service (the D-Bus modules, the
    connection, two questions): 0.2-0.3 s after the drop on this machine, past the end-to-end
    test's 2 s on a busy one. Once monitoring has started the window connects ahead of it,
    where the notice would go there; where its own tray takes notices, it does not."""
    taken_by_tray, desktop = DesktopBackend(timeout_s=5), DesktopBackend(timeout_s=5)
    tray_first = FallbackChain([TrayBackend(Tray(shown=True)), taken_by_tray])  # type: ignore[arg-type]
    no_tray = FallbackChain([TrayBackend(Tray(shown=False)), desktop])  # type: ignore[arg-type]
    try:
        tray_first.warm_up()
        no_tray.warm_up()
        await until(lambda: desktop.available is True)
        asked = service.asked
        assert asked > 0 and not service.shown
        assert taken_by_tray.available is None, "the tray takes notices: no connection made"
        shown = await no_tray.deliver(Notice("Connection down: A", "A is down", True, ("a",)))
        assert shown is desktop
        assert service.asked == asked, "the notice used the connection made ahead of it"
    finally:
        await tray_first.drain()
        await no_tray.drain()
        taken_by_tray.close()
        desktop.close()


class Waking(StandIn):
    """A service started on demand (D-Bus activation) at login, beside every other program
    starting: it answers once it is up."""

    def __init__(self) -> None:
        super().__init__()
        self.awake = asyncio.Event()

    @method()
    async def GetCapabilities(self) -> "as":
        await self.awake.wait()
        self.asked += 1
        return ["actions", "body"]


async def test_a_service_slow_to_answer_the_warm_up_takes_the_notices_that_follow(
    session_bus: str,
) -> None:
    """The warm-up (a second after monitoring starts: at login, as the session starts) found
    the service not answering yet and left it alone for five minutes as if hung: every notice
    of them went to the window's banner (hidden in the tray), though no notice had waited
    for the warm-up. A notice asks it again, as the first one did before there was one."""
    stand_in = Waking()
    bus = await serve(session_bus, stand_in)
    desktop = DesktopBackend()  # the program's own time to answer in: the notice's too
    chain = FallbackChain([TrayBackend(Tray(shown=False)), desktop])  # type: ignore[arg-type]
    try:
        chain.warm_up()
        await until(lambda: desktop.available is False, timeout=30)
        stand_in.awake.set()
        shown = await chain.deliver(Notice("Connection down: A", "A is down", True, ("a",)))
        assert shown is desktop, desktop.why_unavailable
        assert [s.summary for s in stand_in.shown.values()] == ["Connection down: A"]
    finally:
        await chain.drain()
        bus.disconnect()
        desktop.close()
