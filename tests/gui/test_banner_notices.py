"""The window's banner, where there is no tray and no desktop service: it shows every notice
still in view, as a desktop's notices stand side by side, not only the newest."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pytestqt.qtbot import QtBot

from tcpmonitor_gui.integration.autostart import Autostart
from tcpmonitor_gui.ui.notify.backends import BannerBackend, choose_backend
from tcpmonitor_gui.ui.notify.banner import MOST_SHOWN, Banner
from tests.gui.test_notify import Harness, down, up
from tests.gui.windows import open_window
from tests.helpers import fill


def _banner(qtbot: QtBot, **kw: int) -> Banner:
    banner = Banner(**kw)
    qtbot.addWidget(banner)
    return banner


async def test_a_recovery_of_one_leaves_the_others_drop_in_view(qtbot: QtBot) -> None:
    """A and B dropped (one notice, joined); A came back: its recovery took the banner's
    place, and that B was down was said nowhere in view (the desktop's notices stand side
    by side, so there it still was)."""
    h = Harness(qtbot, ["A", "B"])
    banner = _banner(qtbot)
    chain = choose_backend(None, None, BannerBackend(banner))
    for notice in [*h.at(0, down(h["A"])), *h.at(3, down(h["B"], 3)), *h.at(6, up(h["A"], 6))]:
        await chain.deliver(notice)
    text = banner.label_text()
    assert text.startswith("Connection back up: A\n"), text  # the newest first
    assert "2 connections down: A, B" in text, text
    assert banner.message()[0] == "Connection back up: A"


async def test_a_drop_told_apart_from_the_first_leaves_the_first_in_view(qtbot: QtBot) -> None:
    """A dropped; C's recovery was told; then B dropped, in a notice of its own (a recovery
    came between): "Connection down: B" replaced all else, and A's drop was no longer said."""
    h = Harness(qtbot, ["A", "B", "C"])
    banner = _banner(qtbot)
    chain = choose_backend(None, None, BannerBackend(banner))
    h.at(-60, down(h["C"], -60))
    told = [*h.at(0, down(h["A"])), *h.at(2, up(h["C"], 2)), *h.at(4, down(h["B"], 4))]
    for notice in told:
        await chain.deliver(notice)
    titles = [line for line in banner.label_text().splitlines() if line.startswith("Connection")]
    assert titles == ["Connection down: B", "Connection back up: C", "Connection down: A"]


async def test_a_notice_updated_in_place_is_shown_once_and_the_others_leave_in_time(
    qtbot: QtBot,
) -> None:
    """An update (the same key) replaces its notice where it stands; each notice leaves the
    banner its own time after it was shown, and the banner with the last."""
    banner = _banner(qtbot, hide_after_ms=300)
    shown = banner.show_message("Connection down: A", "A is down: reset", "warning")
    banner.show_message("Profiles were not saved", "disk full", "warning")
    banner.show_message("2 connections down: A, B", "A is down\nB is down", "warning", shown)
    assert banner.label_text().count("connections down") == 1
    assert "Connection down: A" not in banner.label_text()
    assert banner.label_text().startswith("2 connections down: A, B\n")
    qtbot.waitUntil(banner.isHidden, timeout=5000)
    assert banner.label_text() == ""


def test_a_problem_solved_replaces_what_said_it(qtbot: QtBot) -> None:
    banner = _banner(qtbot)
    said = banner.about("profiles saved")
    said("Profiles were not saved", "disk full", "warning")
    said("Profiles are saved again", "", "info")
    assert banner.label_text() == "Profiles are saved again"
    assert banner.message()[2] == "info"


def test_settings_not_saved_and_start_at_login_not_changed_are_both_said(
    qtbot: QtBot, small_disk: Path, tmp_path: Path
) -> None:
    """One OK in the settings dialog on a full disk, whose "start at login" could not be
    changed either (the entry there is the user's own): both problems went under the one
    banner key of "settings saved", so the later took the earlier's place, and "Settings are
    saved again" then took the place of "Start at login was not changed", still so."""
    autostart = Autostart("linux", env={"XDG_CONFIG_HOME": str(tmp_path / "xdg")}, home=tmp_path)
    autostart.path.parent.mkdir(parents=True)
    autostart.path.write_text("[Desktop Entry]\nType=Application\nExec=/my/own\n")
    o = open_window(
        qtbot, small_disk / "config", tmp_path / "data", monitor=False, autostart=lambda: autostart
    )
    banner, actions = o.window.banner, o.window.settings_actions
    banner._hide_after_s = 600  # each stays while this test looks (10 s on a busy machine)
    try:
        filler = fill(small_disk)
        actions.apply(dataclasses.replace(o.session.settings, retention_days=30))
        assert actions.set_start_at_login(False).exception(10) is not None
        titles = ("Settings were not saved", "Start at login was not changed")
        qtbot.waitUntil(lambda: all(t in banner.label_text() for t in titles), timeout=5000)
        filler.unlink()
        actions.save_retry.setInterval(100)
        actions.save_retry.start()
        qtbot.waitUntil(lambda: banner.message()[0] == "Settings are saved again", timeout=5000)
        text = banner.label_text()
        assert "Start at login was not changed" in text and "not saved" not in text, text
    finally:
        o.close()


def test_the_event_log_writing_again_takes_its_problem_out_of_the_banner(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The event log wrote again: the status bar said "Events are stored again." while the
    banner above went on saying "Events are not being stored" for the rest of its time."""
    o = open_window(qtbot, tmp_path / "config", tmp_path / "data", monitor=False)
    banner = o.window.banner
    banner._hide_after_s = 600  # it stays while this test looks (10 s on a busy machine)
    try:
        log = o.session.eventlog
        assert log is not None
        banner.show_message("Connection down: A", "A is down", "warning")
        log._set_error("disk I/O error")  # what the writer thread does when a commit fails
        qtbot.waitUntil(lambda: "Events are not being stored" in banner.label_text(), timeout=5000)
        log._set_error(None)
        status = o.window.statusBar()
        qtbot.waitUntil(lambda: status.currentMessage() == "Events are stored again.", timeout=5000)
        assert banner.label_text().splitlines() == ["Connection down: A", "A is down"]
    finally:
        o.close()


def test_a_burst_of_recoveries_leaves_an_older_drop_in_view(qtbot: QtBot) -> None:
    """A dropped; then six others came back, one notice each: at most six are listed, and
    the oldest went first, A's drop with it, before its time, while it was still the one
    thing the user had to know. The infos leave for the new ones; the warning stays."""
    banner = _banner(qtbot)
    banner.show_message("Connection down: A", "A is down: reset", "warning")
    for n in range(1, 8):
        banner.show_message(f"Connection back up: B{n}", "", "info")
    text = banner.label_text()
    assert "Connection down: A" in text, text
    assert text.startswith("Connection back up: B7\n"), text
    assert text.count("Connection back up") == 5, text


def test_a_problem_still_so_stays_until_it_is_solved(qtbot: QtBot) -> None:
    """ "Profiles were not saved" left the banner after its 10 s (and under a burst of
    notices) while the profiles were still not saved; it stays until they are."""
    banner = _banner(qtbot, hide_after_ms=200)
    said = banner.about("profiles saved")
    said("Profiles were not saved", "disk full", "warning")
    for n in range(MOST_SHOWN + 1):
        banner.show_message(f"Connection down: B{n}", "", "warning")
    assert "Profiles were not saved" in banner.label_text()
    qtbot.waitUntil(lambda: "Connection down" not in banner.label_text(), timeout=10_000)
    assert not banner.isHidden()
    assert banner.label_text() == "Profiles were not saved\ndisk full"
    said("Profiles are saved again", "", "info")
    assert banner.label_text() == "Profiles are saved again"
    qtbot.waitUntil(banner.isHidden, timeout=10_000)


def test_a_screen_reader_hears_every_notice_listed(qtbot: QtBot) -> None:
    """Two notices listed; the banner's name said "Notification: Connection back up: A"
    only: a screen reader user heard of A's recovery and not of B's drop."""
    banner = _banner(qtbot)
    banner.show_message("Connection down: B", "B is down: reset", "warning")
    assert banner.accessibleName() == "Notification: Connection down: B"
    banner.show_message("Connection back up: A", "", "info")
    name = banner.accessibleName()
    assert name == "2 notifications: Connection back up: A; Connection down: B", name


def test_a_screen_reader_hears_every_notice_listed_in_chinese(chinese: None, qtbot: QtBot) -> None:
    banner = _banner(qtbot)
    banner.show_message("连接断开：B", "", "warning")
    banner.show_message("连接已恢复：A", "", "info")
    assert banner.accessibleName() == "2 条通知：连接已恢复：A；连接断开：B"
