"""Problems found at the start stay in the banner while they are still so, and the user
closes one message at a time: "Profiles could not be read" and "Metrics are not served" left
after 10 s, still so, and the banner's one close button took every message away, the
problems still so with the notices that had had their time."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.composition import compose
from tcpmonitor_gui.core.session import Session
from tcpmonitor_gui.core.settings import Settings, SettingsStore
from tcpmonitor_gui.ui.main_window import MainWindow
from tcpmonitor_gui.ui.notify.banner import Banner
from tests.gui.windows import open_window
from tests.helpers import fill

#: How long a passing notice stays here: short, so that a test sees it go.
SHORT_S = 0.2


@pytest.fixture
def unreadable_profiles(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    """A window started on a profiles file it could not read, its notices kept ``SHORT_S``."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "profiles.json").write_text('{"version": 1, "profiles": [{"name": ""')  # cut short
    session = Session(config, tmp_path / "data", strict=False)
    session.open_eventlog()
    parts = compose(session)
    qtbot.addWidget(parts.window)
    parts.window.banner._hide_after_s = SHORT_S
    parts.window.show_problems()
    yield parts.window
    parts.window.shutdown()
    parts.engine.shutdown()
    session.close()


def _passes(qtbot: QtBot, banner: Banner) -> None:
    """A notice is shown, and has had its time."""
    banner.show_message("Connection down: A", "A is down: reset", "warning")
    qtbot.waitUntil(lambda: "Connection down: A" not in banner.label_text(), timeout=10_000)


def test_profiles_that_could_not_be_read_are_said_past_a_notices_time(
    qtbot: QtBot, unreadable_profiles: MainWindow
) -> None:
    banner = unreadable_profiles.banner
    assert "Profiles could not be read" in banner.label_text()
    _passes(qtbot, banner)
    assert not banner.isHidden()
    assert banner.label_text().startswith("Profiles could not be read\n"), banner.label_text()


def test_closing_a_notice_leaves_the_problem_still_so(
    qtbot: QtBot, unreadable_profiles: MainWindow
) -> None:
    banner = unreadable_profiles.banner
    banner._hide_after_s = 600  # the notice stays until it is closed
    key = banner.show_message("Connection down: A", "A is down: reset", "warning")
    banner.close_button(key).click()
    assert banner.label_text().startswith("Profiles could not be read\n"), banner.label_text()
    assert not banner.isHidden()
    banner.close_button().click()  # the problem's own: the user has read it
    assert banner.isHidden() and banner.label_text() == ""


def test_each_close_button_names_its_message_to_a_screen_reader(qtbot: QtBot) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    first = banner.problem("Metrics are not served", "port taken", "metrics")
    second = banner.show_message("Connection down: A", "", "warning")
    assert banner.close_button(first).accessibleName() == "Dismiss: Metrics are not served"
    assert banner.close_button(second).accessibleName() == "Dismiss: Connection down: A"


def test_metrics_not_served_are_said_past_a_notices_time(qtbot: QtBot, tmp_path: Path) -> None:
    """The port is taken by a real listener: the metrics are not served for as long as the
    window runs, and the banner says so until the user closes it."""
    config = tmp_path / "config"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        metrics_at = f"127.0.0.1:{taken.getsockname()[1]}"
        SettingsStore(config).save(Settings(metrics_listen=metrics_at))
        o = open_window(qtbot, config, tmp_path / "data", monitor=False)
        banner = o.window.banner
        banner._hide_after_s = SHORT_S
        try:
            o.window.start_monitoring()
            qtbot.waitUntil(lambda: metrics_at in banner.label_text(), timeout=5000)
            _passes(qtbot, banner)
            text = banner.label_text()
            assert text.startswith("Metrics are not served\n") and metrics_at in text, text
        finally:
            o.close()


def test_each_close_button_is_named_in_chinese(chinese: None, qtbot: QtBot) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    key = banner.problem("指标未提供", "", "metrics")
    assert banner.close_button(key).accessibleName() == "关闭：指标未提供"
    assert banner.close_button(key).toolTip() == "关闭"


def test_settings_that_could_not_be_read_are_said_until_settings_are_saved(
    qtbot: QtBot, small_disk: Path, tmp_path: Path
) -> None:
    """ "the defaults are used" stays while it is so, through a save that fails (a full
    disk), and goes once the user's settings are saved: it would say so on, untrue."""
    config = small_disk / "config"
    config.mkdir()
    (config / "settings.json").write_text("{not json")
    o = open_window(qtbot, config, tmp_path / "data", monitor=False)
    banner, actions = o.window.banner, o.window.settings_actions
    try:
        assert "Settings could not be read" in banner.label_text()
        assert "the defaults are used" in banner.label_text()
        filler = fill(small_disk)
        actions.apply(dataclasses.replace(o.session.settings, retention_days=30))
        qtbot.waitUntil(lambda: banner.message()[0] == "Settings were not saved", timeout=5000)
        assert "Settings could not be read" in banner.label_text()  # the defaults, still
        filler.unlink()
        actions.save_retry.setInterval(100)
        actions.save_retry.start()
        qtbot.waitUntil(lambda: banner.message()[0] == "Settings are saved again", timeout=5000)
        assert "Settings could not be read" not in banner.label_text(), banner.label_text()
    finally:
        o.close()


def test_a_drop_is_shown_beside_six_problems_still_so(qtbot: QtBot) -> None:
    """Six problems at a start (profiles, settings, layout, time zone, event log, metrics):
    a drop then pushed itself out the moment it came, said nowhere in the window."""
    banner = Banner()
    qtbot.addWidget(banner)
    for n in range(6):
        banner.problem(f"Problem {n}", "still so", ("problem", n))
    banner.show_message("Connection down: A", "A is down: reset", "warning")
    text = banner.label_text()
    assert text.startswith("Connection down: A\n"), text
    assert all(f"Problem {n}" in text for n in range(6)), text
