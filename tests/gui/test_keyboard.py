"""The window without a mouse: Tab leaves a table in one press, Enter opens a connection's
details, Ctrl+C copies whole rows, the log's context menu and its "selected connection"
toggle, and the shortcuts of the menus."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.ui.window_actions import EMPTY_MENU, ROW_MENU, fill
from tests.gui.windows import Opened, open_window
from tests.helpers import make_profile, stored_event

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def opened(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[Opened, list[Profile]]]:
    profiles = [make_profile("127.0.0.1", 5000 + i, name=n) for i, n in
                enumerate(["alpha", "bravo", "charlie"])]  # fmt: skip
    ProfileStore(tmp_path / "config").save(profiles)
    o = open_window(qtbot, tmp_path / "config", tmp_path / "data", monitor=False)
    o.window.show()
    o.window.activateWindow()
    qtbot.waitExposed(o.window)
    events = [stored_event(p, NOW, State.UP) for p in profiles]
    events.append(stored_event(profiles[1], NOW, State.DOWN, cause=Cause.REFUSED,
                               address="127.0.0.1:5001"))  # fmt: skip
    o.window.on_events(events)
    o.window.model.flush_states()
    o.window._flush_ui()  # what its timer does a quarter of a second later
    yield o, profiles
    o.close()


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def test_tab_leaves_the_table_and_enter_opens_the_details(
    qtbot: QtBot, opened: tuple[Opened, list[Profile]]
) -> None:
    o, _ = opened
    table = o.window.table.table
    table.setFocus()
    qtbot.waitUntil(lambda: focused() is table, timeout=2000)
    qtbot.keyClick(table, Qt.Key.Key_Home)
    qtbot.keyClick(table, Qt.Key.Key_Down)  # the second row: bravo is down, sorted first
    with qtbot.waitSignal(o.window.details.loaded, timeout=5000):
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert o.window.details.profile_id == o.window.table.current_id()
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert focused() is not table and focused() is not None  # one press, not one per cell
    log_view = o.window.log_pane.view
    log_view.setFocus()
    qtbot.waitUntil(lambda: focused() is log_view, timeout=2000)
    qtbot.keyClick(log_view, Qt.Key.Key_Tab)
    assert focused() is not log_view


def test_ctrl_c_copies_whole_rows(qtbot: QtBot, opened: tuple[Opened, list[Profile]]) -> None:
    o, profiles = opened
    table = o.window.table.table
    o.window.table.select_ids([profiles[0].id, profiles[2].id])
    table.setFocus()
    qtbot.waitUntil(lambda: focused() is table, timeout=2000)
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert [line.split("\t")[1] for line in lines] == ["alpha", "charlie"]
    assert lines[0].split("\t")[0] == "up" and "127.0.0.1:5000" in lines[0]
    log_view = o.window.log_pane.view
    log_view.selectAll()
    log_view.setFocus()
    qtbot.waitUntil(lambda: focused() is log_view, timeout=2000)
    qtbot.keyClick(log_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = QGuiApplication.clipboard().text().splitlines()
    assert len(copied) == 4 and all("\t" in line for line in copied)


def test_the_log_follows_the_selected_connection_and_has_a_context_menu(
    qtbot: QtBot, opened: tuple[Opened, list[Profile]]
) -> None:
    o, profiles = opened
    w, log = o.window, o.window.log_pane
    assert log.proxy.rowCount() == 4
    w.commands["log_follows"].trigger()  # Ctrl+Shift+L
    w.table.table.setCurrentIndex(row_index(o, profiles[1].id))
    assert log.proxy.rowCount() == 2  # bravo's up and down
    w.table.table.setCurrentIndex(row_index(o, profiles[2].id))
    assert log.proxy.rowCount() == 1
    w.commands["log_follows"].trigger()  # off: every connection again
    assert log.proxy.rowCount() == 4
    # The context menu of bravo's drop: copy its address, only it, its details.
    down = next(r for r in range(log.proxy.rowCount())
                if "down" in str(log.proxy.index(r, 2).data()))  # fmt: skip
    menu = log.context_menu(log.proxy.index(down, 0))
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert set(actions) >= {"&Copy", "Copy &address", "&Only this connection", "&Details"}
    actions["Copy &address"].trigger()
    assert QGuiApplication.clipboard().text() == "127.0.0.1:5001"
    actions["&Only this connection"].trigger()
    assert log.proxy.rowCount() == 2
    with qtbot.waitSignal(w.details.loaded, timeout=5000):
        actions["&Details"].trigger()
    assert w.details.profile_id == profiles[1].id and w.details.isVisible()
    menu.close()


def test_a_removed_connections_line_offers_nothing_that_would_show_another(
    opened: tuple[Opened, list[Profile]],
) -> None:
    """The menu of a removed connection's line (its history is kept) offered "Only this
    connection", which showed every connection's lines (the filter has no entry for it),
    and "Details", which opened an empty dock. It offers what still works: its address."""
    o, profiles = opened
    log = o.window.log_pane
    o.window.profiles.remove([profiles[1].id])  # bravo
    down = next(r for r in range(log.proxy.rowCount())
                if "down" in str(log.proxy.index(r, 2).data()))  # fmt: skip
    menu = log.context_menu(log.proxy.index(down, 0))
    actions = {a.text() for a in menu.actions() if a.text()}
    assert "Copy &address" in actions
    assert not actions & {"&Only this connection", "&Details"}, actions
    menu.close()


def test_every_menu_command_is_reachable_from_the_keyboard(
    opened: tuple[Opened, list[Profile]],
) -> None:
    """Each command has a shortcut or a mnemonic in a menu that has one."""
    o, _ = opened
    for menu_action in o.window.menuBar().actions():
        assert "&" in menu_action.text(), menu_action.text()
        for action in menu_action.menu().actions():
            if action.isSeparator():
                continue
            assert "&" in action.text() or not action.shortcut().isEmpty(), action.text()
            if action.menu() is not None:
                for inner in action.menu().actions():
                    assert inner.isSeparator() or "&" in inner.text(), inner.text()


def mnemonic(text: str) -> str | None:
    """The letter a menu item is chosen by ("&&" is an ampersand, not a mark)."""
    text = text.replace("&&", "")
    at = text.find("&")
    return text[at + 1].casefold() if 0 <= at < len(text) - 1 else None


def clashes(menu: QMenu, title: str) -> list[str]:
    """Items of ``menu`` (and its submenus) chosen by the same letter: pressing it only
    moves between them, and Enter is needed after all."""
    found: dict[str, list[str]] = {}
    wrong = []
    for action in menu.actions():
        if (letter := mnemonic(action.text())) is not None:
            found.setdefault(letter, []).append(action.text())
        if action.menu() is not None:
            wrong += clashes(action.menu(), action.text())
    return wrong + [f"{title}: {texts}" for texts in found.values() if len(texts) > 1]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_no_two_items_of_a_menu_are_chosen_by_the_same_letter(
    qtbot: QtBot, tmp_path: Path, request: pytest.FixtureRequest, language: str
) -> None:
    """The Connections menu had "&Add connection…" and "Pause &all", the row's menu
    "&Details and history" and "&Duplicate…": A (or D) only moved between them."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    profile = make_profile("127.0.0.1", 5000, name="alpha")
    ProfileStore(tmp_path / "config").save([profile])
    o = open_window(qtbot, tmp_path / "config", tmp_path / "data", monitor=False)
    try:
        w = o.window
        menus = [(a.text(), a.menu()) for a in w.menuBar().actions()]
        for title, layout in (("row", ROW_MENU), ("empty", EMPTY_MENU)):
            menu = QMenu(w)
            fill(menu, layout, w.commands)
            menus.append((title, menu))
        w.log_pane.add_events([stored_event(profile, NOW, State.DOWN, cause=Cause.REFUSED,
                                            address="127.0.0.1:5000")])  # fmt: skip
        w.log_pane.show_only(profile.id)
        menus.append(("log", w.log_pane.context_menu(w.log_pane.proxy.index(0, 0))))
        w.set_paused_all(True)  # "Resume all" in its place
        menus.append(("paused", w.menuBar().actions()[1].menu()))
        assert [c for title, menu in menus for c in clashes(menu, title)] == []
    finally:
        o.close()


def test_ctrl_e_edits_and_escape_closes(qtbot: QtBot, opened: tuple[Opened, list[Profile]]) -> None:
    o, profiles = opened
    table = o.window.table.table
    table.setCurrentIndex(row_index(o, profiles[0].id))
    o.window.table.select_ids([profiles[0].id])
    table.setFocus()
    qtbot.waitUntil(lambda: focused() is table, timeout=2000)
    qtbot.keyClick(table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialogs() != [], timeout=3000)
    (dialog,) = dialogs()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialogs() == [], timeout=3000)


def dialogs() -> list[QDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


def row_index(o: Opened, profile_id: str) -> QModelIndex:
    at = o.window.model.row_of(profile_id)
    assert at is not None
    return o.window.table.proxy.mapFromSource(o.window.model.index(at, 0))


def test_an_edit_keeps_what_a_terminal_changed_while_its_dialog_was_open(
    qtbot: QtBot, opened: tuple[Opened, list[Profile]]
) -> None:
    """The dialog's whole profile, as it was when opened, went over the stored one: a snooze
    or a maintenance window set from a terminal while it was open was silently undone. What
    the dialog changed is applied to the profile as it is now."""
    o, profiles = opened
    o.window.profiles.edit(profiles[0].id)
    qtbot.waitUntil(lambda: dialogs() != [], timeout=3000)
    (dialog,) = dialogs()
    dialog.form.group_combo.setEditText("edited in the window")  # type: ignore[attr-defined]
    registry = o.window.profiles.profiles
    meanwhile = dataclasses.replace(
        registry.get(profiles[0].id), snooze_until="2099-01-01T00:00:00+00:00", port=6000
    )
    registry.update([meanwhile])  # what a terminal's change becomes in the window
    dialog.accept()
    qtbot.waitUntil(lambda: dialogs() == [], timeout=3000)
    now = registry.get(profiles[0].id)
    assert now is not None
    assert (now.group, now.snooze_until, now.port) == (
        "edited in the window",
        "2099-01-01T00:00:00+00:00",
        6000,
    )


@pytest.mark.parametrize("answer", ["yes", "cancel"])
def test_an_edit_of_a_connection_removed_meanwhile_asks_before_it_comes_back(
    qtbot: QtBot, opened: tuple[Opened, list[Profile]], answer: str
) -> None:
    """Removed from a terminal while its dialog was open, a connection came back, unasked,
    when the dialog's OK was pressed."""
    o, profiles = opened
    registry = o.window.profiles.profiles
    o.window.profiles.edit(profiles[0].id)
    qtbot.waitUntil(lambda: dialogs() != [], timeout=3000)
    (dialog,) = dialogs()
    registry.remove([profiles[0].id])
    dialog.accept()
    qtbot.waitUntil(lambda: [type(d) for d in dialogs()] == [QMessageBox], timeout=3000)
    (box,) = dialogs()
    assert isinstance(box, QMessageBox) and profiles[0].name in box.text()
    assert registry.get(profiles[0].id) is None  # not before the answer
    button = (
        QMessageBox.StandardButton.Yes if answer == "yes" else QMessageBox.StandardButton.Cancel
    )
    box.button(button).click()
    qtbot.waitUntil(lambda: dialogs() == [], timeout=3000)
    assert (registry.get(profiles[0].id) is not None) is (answer == "yes")


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform, on show_profile
def test_a_connection_shown_from_a_notice_is_where_the_keyboard_is(
    qtbot: QtBot, opened: tuple[Opened, list[Profile]]
) -> None:
    """A notice's (or the tray's) "show" selected the connection but took the table's
    current row away: the log that follows the selected connection showed every connection,
    Enter opened nothing, and Down went to the first row, not the one below it."""
    o, profiles = opened
    w, table = o.window, o.window.table.table
    w.commands["log_follows"].trigger()
    w.show_profile(profiles[0].id)  # alpha: between bravo (down) and charlie
    assert w.table.current_id() == profiles[0].id
    assert w.table.selected_ids() == [profiles[0].id]
    assert w.log_pane.proxy.rowCount() == 1  # alpha's "up" only
    table.setFocus()
    qtbot.waitUntil(lambda: focused() is table, timeout=2000)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert w.table.selected_ids() == [profiles[2].id]  # charlie, below alpha


def test_a_connection_added_from_the_keyboard_is_selected_and_current(
    qtbot: QtBot, opened: tuple[Opened, list[Profile]]
) -> None:
    """Ctrl+N, the fields, Enter: the new row was neither selected nor current (among
    thousands, somewhere out of sight), and Ctrl+E or Delete then acted on the row
    selected before."""
    o, profiles = opened
    w, table = o.window, o.window.table.table
    w.table.select_ids([profiles[1].id])
    table.setFocus()
    qtbot.waitUntil(lambda: focused() is table, timeout=2000)
    qtbot.keyClick(table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialogs() != [], timeout=3000)
    (dialog,) = dialogs()
    qtbot.waitUntil(lambda: focused() is dialog.form.name_edit, timeout=3000)  # type: ignore[attr-defined]
    qtbot.keyClicks(focused(), "delta")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "127.0.0.1")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "5009")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialogs() == [], timeout=3000)
    added = w.profiles.profiles.find("delta")
    assert added is not None
    assert w.table.selected_ids() == [added.id]
    assert w.table.current_id() == added.id


def test_from_a_filter_down_or_enter_goes_to_its_rows_and_escape_empties_it(
    qtbot: QtBot, opened: tuple[Opened, list[Profile]]
) -> None:
    """Typed into the connections' filter (Ctrl+F) or the log's, Down and Enter did
    nothing and Escape left the text: the rows found took a Tab, or two past the groups, and
    then one more key to select one before Ctrl+E or Delete could act on it."""
    o, profiles = opened
    w = o.window
    edit, table = w.table.filter_edit, w.table.table
    w.commands["find"].trigger()  # Ctrl+F
    qtbot.waitUntil(lambda: focused() is edit, timeout=2000)
    qtbot.keyClicks(edit, "char")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert focused() is table
    assert w.table.selected_ids() == [profiles[2].id] == [w.table.current_id()]
    assert w.commands["edit"].isEnabled()
    edit.setFocus()
    qtbot.waitUntil(lambda: focused() is edit, timeout=2000)
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert edit.text() == "" and w.table.proxy.rowCount() == 3
    log_edit, log_view = w.log_pane.text_filter, w.log_pane.view
    log_edit.setFocus()
    qtbot.waitUntil(lambda: focused() is log_edit, timeout=2000)
    qtbot.keyClicks(log_edit, "bravo")
    qtbot.keyClick(log_edit, Qt.Key.Key_Down)
    assert focused() is log_view and log_view.currentIndex().isValid()
    assert "bravo" in str(log_view.currentIndex().siblingAtColumn(1).data())


def test_after_a_removal_the_row_beside_it_is_selected(
    qtbot: QtBot, opened: tuple[Opened, list[Profile]]
) -> None:
    """Delete, Yes: the connection went and nothing was selected, Edit and Remove greyed
    out; the keyboard's next Delete or Ctrl+E did nothing, with no sign of where it was."""
    o, profiles = opened
    w, table = o.window, o.window.table.table
    w.table.select_ids([profiles[0].id])  # alpha, between bravo (down) and charlie
    table.setFocus()
    qtbot.waitUntil(lambda: focused() is table, timeout=2000)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: [type(d) for d in dialogs()] == [QMessageBox], timeout=3000)
    (box,) = dialogs()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: w.model.row_of(profiles[0].id) is None, timeout=3000)
    # The row above, where Qt put the current row: bravo.
    assert w.table.selected_ids() == [profiles[1].id] == [w.table.current_id()]
    assert w.commands["remove"].isEnabled() and w.commands["edit"].isEnabled()


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform, on show_profile
def test_a_connection_hidden_by_the_filters_is_shown_when_it_is_added_or_asked_for(
    qtbot: QtBot, opened: tuple[Opened, list[Profile]]
) -> None:
    """With "char" in the filter, a connection added went where the filter hid it (as if
    the add had done nothing), and a notice's "show" selected nothing."""
    o, profiles = opened
    w = o.window
    w.table.filter_edit.setText("char")
    w.show_profile(profiles[1].id)  # bravo
    assert w.table.selected_ids() == [profiles[1].id] == [w.table.current_id()]
    assert w.table.filter_edit.text() == ""
    w.table.filter_edit.setText("char")
    added = make_profile("127.0.0.1", 5009, name="delta")
    w.profiles.apply(added, new=True)
    assert w.table.selected_ids() == [added.id] == [w.table.current_id()]
