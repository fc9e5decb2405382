"""The tray icon: its texts, its menu, and that it is harmless where there is no tray.

The offscreen platform has no system tray, which is exactly GNOME without AppIndicator: the
object must still work, with ``available()`` False and every method a no-op.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path
from typing import overload

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.lab import FaultProxy
from tcpmonitor_gui.ui.common.bidi import isolated
from tcpmonitor_gui.ui.common.icons import badged_icon, state_icon
from tcpmonitor_gui.ui.tray import (
    RECENT_LIMIT,
    TOOLTIP_MAX,
    TrayIcon,
    event_text,
    pause_text,
    tooltip_text,
)
from tests.gui.windows import open_window
from tests.helpers import make_profile, stored_event

TS = dt.datetime(2025, 3, 4, 14, 2, 30, tzinfo=dt.UTC)


def event(name: str, state: State, cause: Cause | None = None, minute: int = 2) -> Event:
    return Event(
        ts=TS.replace(minute=minute),
        profile_id=name.lower(),
        profile_name=name,
        kind=Kind.STATE,
        state=state,
        previous=State.UP,
        cause=cause,
        detector="watch",
        latency_ms=None,
    )


@pytest.fixture
def tray(qtbot: QtBot) -> TrayIcon:
    return TrayIcon()


# -- texts -------------------------------------------------------------------------------


def test_tooltip_gives_counts_and_names_what_is_down() -> None:
    text = tooltip_text({State.UP: 12, State.DOWN: 1}, ["Orders DB"])
    assert text == "TCP Monitor — 12 up, 1 down: Orders DB"


def test_tooltip_lists_counts_good_news_first_and_skips_zeros() -> None:
    counts = {State.PAUSED: 2, State.DOWN: 0, State.DEGRADED: 1, State.UP: 3}
    assert tooltip_text(counts, []) == "TCP Monitor — 3 up, 1 degraded, 2 paused"


def test_tooltip_without_connections() -> None:
    assert tooltip_text({}, []) == "TCP Monitor — no connections"


def test_tooltip_cuts_a_long_list_of_names_and_says_how_many_more() -> None:
    names = [f"Database server number {i}" for i in range(10)]
    text = tooltip_text({State.DOWN: 10}, names)
    assert len(text) <= TOOLTIP_MAX
    assert text.startswith("TCP Monitor — 10 down: Database server number 0, ")
    assert text.endswith(" more")


def test_tooltip_says_first_that_this_computer_is_offline_and_still_fits() -> None:
    """As the status bar says it (tests/gui/test_local_network_window.py, for real)."""
    names = [f"Database server number {i}" for i in range(10)]
    text = tooltip_text({State.DOWN: 10}, names, offline=True)
    assert len(text) <= TOOLTIP_MAX
    assert text.startswith("TCP Monitor — This computer is offline; 10 down: Database server")


def test_tooltip_cuts_even_a_single_overlong_name() -> None:
    text = tooltip_text({State.DOWN: 2}, ["x" * 300, "y"])
    assert len(text) <= TOOLTIP_MAX
    assert text.endswith("… and 1 more")


class ReadNames(Sequence[str]):
    """Names down, remembering which of them were read."""

    def __init__(self, names: list[str]) -> None:
        self.names, self.read = names, set[int]()

    def __len__(self) -> int:
        return len(self.names)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            raise TypeError("the tooltip needs no copy of the names")
        if i < len(self.names):
            self.read.add(i)
        return self.names[i]


def test_the_tooltip_of_thousands_down_reads_only_the_names_it_can_show() -> None:
    """5,000 connections down together (an office network gone): the tooltip, written at
    every batch, joined the first 5,000 names, then 4,999, ... to find how many fit: 0.2 s
    of the GUI thread each time, a frozen window in the burst."""
    names = ReadNames([f"Database server number {i}" for i in range(5000)])
    text = tooltip_text({State.DOWN: 5000}, names)
    assert text == (
        "TCP Monitor — 5000 down: Database server number 0, Database server number 1, "
        "Database server number 2 and 4997 more"
    )
    assert len(names.read) <= TOOLTIP_MAX // len(", ") + 1


def most_names_that_fit(down: Sequence[str], text: str) -> str:
    """The tooltip's names found the slow way: every count of names tried, most first."""
    names = [isolated(n) for n in down]
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        more = f" and {rest} more" if rest else ""
        if len(candidate := f"{text}: {', '.join(names[:shown])}{more}") <= TOOLTIP_MAX:
            return candidate
    return "(none fits)"


@pytest.mark.parametrize("seed", range(30))
def test_the_tooltip_shows_as_many_names_as_fit(seed: int) -> None:
    rng = random.Random(seed)
    pool = ["a", "Orders DB", "שרת", "x" * 50, "Cache", "قاعدة البيانات", "Broker 12", ""]
    names = [rng.choice(pool) + str(i) for i in range(rng.randint(1, 60))]
    text = tooltip_text({State.DOWN: len(names)}, names)
    expected = most_names_that_fit(names, f"TCP Monitor — {len(names)} down")
    assert text == expected or (expected == "(none fits)" and "…" in text)


def test_event_text_reads_time_name_state_and_cause() -> None:
    assert event_text(event("Orders DB", State.DOWN, Cause.RESET), dt.UTC) == (
        "14:02 Orders DB down (reset)"
    )
    closed = event("Cache", State.DOWN, Cause.CLOSED_BY_PEER, minute=5)
    assert event_text(closed, dt.UTC) == "14:05 Cache down (closed by peer)"
    assert event_text(event("Cache", State.UP), dt.UTC) == "14:02 Cache up"


def test_pause_action_text_toggles() -> None:
    assert pause_text(False) == "Pause all"
    assert pause_text(True) == "Resume all"


# -- without a tray ----------------------------------------------------------------------


def test_without_a_tray_everything_is_a_harmless_no_op(tray: TrayIcon) -> None:
    assert TrayIcon.available() is False
    assert tray.available() is False
    tray.show()
    tray.update_status({State.UP: 2, State.DOWN: 1}, ["Orders DB"])
    tray.add_events([event("Orders DB", State.DOWN, Cause.RESET)])
    tray.set_paused(True)
    tray.set_window_visible(True)
    tray.show_message("Connection down: Orders DB", "reset", "warning")
    tray.hide()
    assert not tray.is_visible()
    assert not tray.can_show_messages()


def test_icon_follows_the_worst_state_and_tooltip_the_counts(tray: TrayIcon) -> None:
    tray.update_status({State.UP: 12, State.DEGRADED: 1}, [])
    assert tray.icon_state() is State.DEGRADED
    tray.update_status({State.UP: 12, State.DEGRADED: 1, State.DOWN: 1}, ["Orders DB"])
    assert tray.icon_state() is State.DOWN
    assert tray.tooltip() == "TCP Monitor — 12 up, 1 degraded, 1 down: Orders DB"
    tray.update_status({State.UP: 3, State.DOWN: 0}, [])
    assert tray.icon_state() is State.UP


# -- the menu ----------------------------------------------------------------------------


def test_menu_has_show_hide_pause_recent_events_and_quit(tray: TrayIcon) -> None:
    texts = [a.text() for a in tray.menu().actions() if not a.isSeparator()]
    assert texts == ["Show/Hide window", "Pause all", "Recent events", "Acknowledge all", "Quit"]


def action(tray: TrayIcon, text: str) -> None:
    [found] = [a for a in tray.menu().actions() if a.text() == text]
    found.trigger()


def test_menu_actions_emit_their_signals(qtbot: QtBot, tray: TrayIcon) -> None:
    with qtbot.waitSignal(tray.showHideRequested, timeout=1000):
        action(tray, "Show/Hide window")
    with qtbot.waitSignal(tray.quitRequested, timeout=1000):
        action(tray, "Quit")


def test_pause_all_toggles_with_the_state_the_window_reports(qtbot: QtBot, tray: TrayIcon) -> None:
    with qtbot.waitSignal(tray.pauseAllRequested, timeout=1000) as pause:
        action(tray, "Pause all")
    assert pause.args == [True]
    tray.set_paused(True)
    with qtbot.waitSignal(tray.pauseAllRequested, timeout=1000) as resume:
        action(tray, "Resume all")
    assert resume.args == [False]


def test_recent_events_keep_the_last_few_state_changes_newest_first(tray: TrayIcon) -> None:
    assert tray.recent_texts() == ["No events yet"]
    changes = [event(f"P{i}", State.DOWN, Cause.REFUSED, minute=i) for i in range(7)]
    sample = dataclasses.replace(changes[0], kind=Kind.SAMPLE, profile_name="Sample")
    starting = event("Starting", State.CONNECTING)
    tray.add_events([*changes, sample, starting])
    texts = tray.recent_texts()
    assert len(texts) == RECENT_LIMIT
    assert [t.split(" ")[1] for t in texts] == ["P6", "P5", "P4", "P3", "P2"]
    assert texts[0].endswith("P6 down (refused)")


def test_a_start_finding_connections_up_is_no_recent_event(tray: TrayIcon) -> None:
    """Each start finds every connection again and writes it "up": after a restart, "Recent
    events" listed each of them up at that minute, as if all had just recovered (the event
    log leaves these out). A drop found at start is news, and stays."""
    found_up = [
        dataclasses.replace(event(name, State.UP, minute=7), previous=previous)
        for name, previous in (("Orders", State.CONNECTING), ("Cache", State.UNKNOWN))
    ]
    found_down = dataclasses.replace(
        event("Closed", State.DOWN, Cause.REFUSED, minute=7), previous=State.CONNECTING
    )
    recovered = event("Broker", State.UP, minute=8)  # from down: news
    recovered = dataclasses.replace(recovered, previous=State.DOWN)
    stopped = event("Orders", State.UNKNOWN, minute=9)  # monitoring stopped: noise
    # A check this computer could not make (out of open files) is news, though "unknown".
    unchecked = event("Cache", State.UNKNOWN, Cause.LOCAL_ERROR, minute=9)
    tray.add_events([*found_up, found_down, recovered, stopped, unchecked])
    assert [t.split(" ", 1)[1] for t in tray.recent_texts()] == [
        "Cache unknown (local error)",
        "Broker up",
        "Closed down (refused)",
    ]


def test_a_name_with_an_ampersand_shows_whole_in_the_recent_events(tray: TrayIcon) -> None:
    """A menu reads "&" as its shortcut mark: "R&D db" showed as "RD db", the D underlined."""
    tray.add_events([event("R&D db", State.DOWN, Cause.REFUSED)])
    tray.recent_texts()  # the menu filled, as when opened
    [recent] = [a.menu() for a in tray.menu().actions() if a.menu() is not None]
    shown = [a.iconText() for a in recent.actions()]  # as a menu shows it: "&" marks taken out
    assert shown[0].endswith(" R&D db down (refused)")


def test_a_click_on_the_icon_toggles_the_window(qtbot: QtBot, tray: TrayIcon) -> None:
    from PySide6.QtWidgets import QSystemTrayIcon

    with qtbot.waitSignal(tray.showHideRequested, timeout=1000):
        tray._on_activated(QSystemTrayIcon.ActivationReason.Trigger)
    with qtbot.assertNotEmitted(tray.showHideRequested):
        tray._on_activated(QSystemTrayIcon.ActivationReason.Context)


def test_drops_not_acknowledged_are_counted_on_the_icon_and_in_the_tooltip(
    tray: TrayIcon,
) -> None:
    [ack_all] = [a for a in tray.menu().actions() if a.text() == "Acknowledge all"]
    assert not ack_all.isEnabled() and "acknowledged" not in tray.tooltip()
    tray.set_unacknowledged(3)
    assert tray.unacknowledged() == 3 and ack_all.isEnabled()
    assert tray.tooltip().endswith("\n3 not acknowledged")
    badge = badged_icon(State.DOWN, 3).pixmap(32).toImage()
    plain = state_icon(State.DOWN).pixmap(32).toImage()
    assert badge.pixelColor(15, 10).name() == "#1f2937"  # the badge, left of its digit
    assert plain.pixelColor(15, 10).name() != "#1f2937"
    assert badged_icon(State.DOWN, 0).cacheKey() == state_icon(State.DOWN).cacheKey()
    tray.set_unacknowledged(0)
    assert not ack_all.isEnabled() and "acknowledged" not in tray.tooltip()


def test_a_connection_checked_again_after_it_could_not_be_is_a_recent_event(
    tray: TrayIcon,
) -> None:
    """Out of open files, "Cache unknown (local error)" was listed; when checks could be
    made again the state machine wrote "up" from unknown, taken for a start finding it up:
    "Recent events" kept saying the connection could not be checked, long after it was."""
    from tcpmonitor_gui.core.sample import Sample
    from tcpmonitor_gui.core.state import StateMachine
    from tests.helpers import make_profile

    machine = StateMachine(make_profile("127.0.0.1", 1, "probe", name="Cache", fail_after=1))
    why = "this program is out of open files (its limit, ulimit -n: 64)"
    for sample in (
        Sample(True, latency_ms=1.0),  # found up at start: noise
        Sample.failure(Cause.LOCAL_ERROR, why, "127.0.0.1:1"),
        Sample(True, latency_ms=1.0),  # checked again: news
    ):
        tray.add_events(machine.feed(sample))
    assert [t.split(" ", 1)[1] for t in tray.recent_texts()] == [
        "Cache up",
        "Cache unknown (local error)",
    ]


def test_the_tooltip_names_who_is_down_after_a_swap_or_a_rename(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The tooltip was written when the counts changed only: A back up and B down in one
    batch left "1 down: A", and A renamed while down kept its old name there."""
    a, b = (make_profile("127.0.0.1", 5000 + i, name=n) for i, n in enumerate("AB"))
    ProfileStore(tmp_path / "config").save([a, b])
    o = open_window(qtbot, tmp_path / "config", tmp_path / "data", monitor=False)
    try:
        w, now = o.window, dt.datetime.now(dt.UTC)
        w.on_events(
            [stored_event(a, now, State.DOWN, cause=Cause.REFUSED), stored_event(b, now, State.UP)]
        )
        qtbot.waitUntil(lambda: "1 down: A" in w.tray.tooltip(), timeout=3000)
        later = now + dt.timedelta(seconds=5)
        w.on_events(
            [
                stored_event(a, later, State.UP),
                stored_event(b, later, State.DOWN, cause=Cause.RESET),
            ]
        )
        qtbot.waitUntil(lambda: "1 down: B" in w.tray.tooltip(), timeout=3000)
        w.registry.profiles.update([dataclasses.replace(b, name="B renamed")])
        qtbot.waitUntil(lambda: "1 down: B renamed" in w.tray.tooltip(), timeout=3000)
    finally:
        o.close()


def test_show_or_hide_says_what_it_will_do_to_a_window_minimized(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Minimized from its title bar (or the taskbar), the window was still "Hide window"
    in the tray's menu, which then showed it."""
    o = open_window(qtbot, tmp_path / "config", tmp_path / "data")
    try:
        w = o.window
        show = w.tray.menu().actions()[0]
        qtbot.waitExposed(w)
        assert show.text() == "Hide window"
        w.showMinimized()
        qtbot.waitUntil(lambda: show.text() == "Show window", timeout=3000)
        w.showNormal()
        qtbot.waitUntil(lambda: show.text() == "Hide window", timeout=3000)
    finally:
        o.close()


def test_the_recent_events_menu_opened_for_weeks_keeps_only_what_it_shows(
    tray: TrayIcon,
) -> None:
    """Each time the menu was opened after news, the submenus it showed before (five
    events' "Show in window", snooze and "Notify again") were taken out of it but never
    deleted: a month of glances at the tray left thousands of menus and actions alive."""

    def open_after_news(times: int) -> int:
        for i in range(times):
            state = State.DOWN if i % 2 else State.UP
            tray.add_events([event(f"Link {i % 7}", state, minute=i % 60)])
            tray.recent_texts()  # the menu filled, as when opened
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return len(tray.menu().findChildren(QObject))

    settled = open_after_news(20)
    assert open_after_news(100) <= settled  # was 4,000 more


def recent_entries(tray: TrayIcon) -> dict[str, list[str]]:
    """Each recent event's text, and what its submenu offers (none: [])."""
    tray.recent_texts()  # the menu filled, as when opened
    [recent] = [a.menu() for a in tray.menu().actions() if a.menu() is not None]
    return {
        a.text().split(" ", 1)[1]: [s.text() for s in a.menu().actions() if s.text()]
        if a.menu() is not None
        else []
        for a in recent.actions()
    }


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform, on show_profile
def test_a_removed_connections_recent_events_offer_nothing_it_cannot_do(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy
) -> None:
    """Removed, a connection's recent events still offered "Show in window" and the
    snoozes: a snooze did nothing, and "show" put "Select a connection…" over the removed
    connection's history, the one selected before deselected. They now say it was removed
    and offer nothing; a notice's "show" of it brings the window and changes nothing."""
    proxy.set_mode("refuse")
    kept, gone = (
        make_profile(*proxy.address, "watch", name=n, interval_s=0.2) for n in ("kept", "gone")
    )
    o = open_window(qtbot, tmp_path / "config", tmp_path / "data")
    try:
        w = o.window
        for profile in (kept, gone):
            w.profiles.apply(profile, new=True)
        entries = {"kept down (refused)", "gone down (refused)"}
        qtbot.waitUntil(lambda: entries <= set(recent_entries(w.tray)), timeout=5000)
        assert "Show in window" in recent_entries(w.tray)["gone down (refused)"]
        dock = o.details_of(qtbot, kept.id)
        w.table.select_ids([kept.id])
        w.registry.profiles.remove([gone.id])
        offered = recent_entries(w.tray)
        assert offered["kept down (refused)"][0] == "Show in window"
        assert offered["gone down (refused) (removed)"] == []
        w.show_profile(gone.id)  # a notice's "show", clicked after the removal
        assert w.table.selected_ids() == [kept.id]
        assert dock.profile_id == kept.id
        assert dock.title.text().startswith("kept")
    finally:
        o.close()
