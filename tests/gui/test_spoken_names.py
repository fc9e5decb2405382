"""What a screen reader says a control is: every control the keyboard can reach in the
window, the details, the connection dialog and the settings has a name of its own (a
buddy label beside it, its own text, or an accessible name), not just "edit" or "spin box"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QScrollArea,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tests.gui.windows import Opened, open_window
from tests.helpers import make_profile, stored_event


def spoken_name(widget: QWidget) -> str:
    """The name Qt gives a screen reader on Linux: the accessible name, else the text of
    a label that is its buddy beside it (Qt looks among its siblings only), else the
    control's own text. A combo box without either is named by its current value ("All
    states"), which says nothing of what it picks."""
    if widget.accessibleName():
        return widget.accessibleName()
    parent = widget.parentWidget()
    if parent is not None:
        for label in parent.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if label.buddy() is widget and label.text():
                return label.text()
    if isinstance(widget, QComboBox):
        return ""
    face = QAccessible.queryAccessibleInterface(widget)
    return "" if face is None else face.text(QAccessible.Text.Name)


def unnamed(root: QWidget) -> list[str]:
    """The controls under ``root`` shown and reachable by the keyboard that have no name."""
    found = []
    for widget in root.findChildren(QWidget):
        if (
            not widget.isVisibleTo(root)
            or widget.focusPolicy() == Qt.FocusPolicy.NoFocus
            or widget.objectName().startswith("qt_")  # a spin box's or a dock's own parts
            or isinstance(widget, (QScrollArea, QTabBar))  # named by what they hold
            or isinstance(widget.parentWidget(), (QComboBox, QAbstractSpinBox))
        ):
            continue
        if not spoken_name(widget).strip():
            hint = getattr(widget, "placeholderText", lambda: "")() or widget.toolTip()
            found.append(f"{type(widget).__name__} {widget.objectName()!r} {hint[:40]!r}")
    return found


@pytest.fixture
def opened(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[Opened, Profile]]:
    profile = make_profile("127.0.0.1", 5000, "watch", name="alpha", group="prod")
    other = make_profile("127.0.0.1", 5001, name="bravo")  # two groups: the group filter
    ProfileStore(tmp_path / "config").save([profile, other])
    o = open_window(qtbot, tmp_path / "config", tmp_path / "data", monitor=False)
    o.window.show()
    o.window.on_events([stored_event(profile, dt.datetime.now(dt.UTC), State.UP)])
    yield o, profile
    o.close()


def shown_dialog(qtbot: QtBot) -> QDialog:
    def dialogs() -> list[QDialog]:
        return [
            w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
        ]

    qtbot.waitUntil(lambda: len(dialogs()) == 1, timeout=3000)
    return dialogs()[0]


def test_the_window_and_the_details_name_every_control(
    qtbot: QtBot, opened: tuple[Opened, Profile]
) -> None:
    o, profile = opened
    details = o.details_of(qtbot, profile.id)
    assert unnamed(o.window) == []
    assert unnamed(details) == []


def test_the_connection_dialog_names_every_control_of_every_detector(
    qtbot: QtBot, opened: tuple[Opened, Profile]
) -> None:
    o, profile = opened
    o.window.profiles.edit(profile.id)
    dialog = shown_dialog(qtbot)
    form = dialog.form  # type: ignore[attr-defined]
    missing = []
    for kind in ("watch", "heartbeat", "probe"):
        form.kind_combo.setCurrentIndex(form.kind_combo.findData(kind))
        for tab in range(form.count()):
            form.setCurrentIndex(tab)
            missing += [f"{kind}, {form.tabText(tab)}: {w}" for w in unnamed(form.widget(tab))]
    dialog.reject()
    assert missing == []


def test_the_settings_name_every_control(qtbot: QtBot, opened: tuple[Opened, Profile]) -> None:
    o, _ = opened
    o.window.settings_actions.open_dialog()
    dialog = shown_dialog(qtbot)
    assert unnamed(dialog) == []
    dialog.reject()
