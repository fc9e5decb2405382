"""The main window's actions, menus, toolbar and context menu, as data.

One table says each action's text and shortcut, and where it appears; ``build_actions`` makes
the ``QAction``s and connects each to the slot of the same name, so adding a command is one
line here and one slot, and the menus, toolbar and shortcuts cannot disagree.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QWidget

from .common.i18n import QT_TRANSLATE_NOOP, translate

#: A key sequence ("Ctrl+E"), or ``QKeySequence.StandardKey``'s member of that name after
#: ``STANDARD`` ("standard:New": the platform's own keys). Named, not the enum itself:
#: PySide builds ``QKeySequence``'s enum classes when one is first named, and setting a
#: shortcut builds the key enums (some 90 classes, 30 ms here): the first frame's actions
#: are made without shortcuts (nothing can be typed before the session's parts are there),
#: which ``add_shortcuts`` gives them then.
Shortcut = str | None
STANDARD = "standard:"


@dataclasses.dataclass(frozen=True)
class Spec:
    text: str
    shortcut: Shortcut = None
    checkable: bool = False
    #: Enabled only while a row is selected.
    needs_selection: bool = False


ACTIONS: dict[str, Spec] = {
    "add": Spec(QT_TRANSLATE_NOOP("MainWindow", "&Add connection…"), "standard:New"),
    "edit": Spec(QT_TRANSLATE_NOOP("MainWindow", "&Edit…"), "Ctrl+E", needs_selection=True),
    "duplicate": Spec(
        QT_TRANSLATE_NOOP("MainWindow", "D&uplicate…"), "Ctrl+D", needs_selection=True
    ),
    "remove": Spec(
        QT_TRANSLATE_NOOP("MainWindow", "&Remove"),
        "standard:Delete",
        needs_selection=True,
    ),
    "toggle": Spec(
        QT_TRANSLATE_NOOP("MainWindow", "Start/&Pause selected"), "Ctrl+P", needs_selection=True
    ),
    "test": Spec(QT_TRANSLATE_NOOP("MainWindow", "&Test now"), "Ctrl+T", needs_selection=True),
    "pause_all": Spec(QT_TRANSLATE_NOOP("MainWindow", "Pau&se all"), "Ctrl+Shift+P", True),
    "import": Spec(QT_TRANSLATE_NOOP("MainWindow", "&Import connections…"), "Ctrl+I"),
    "export": Spec(QT_TRANSLATE_NOOP("MainWindow", "E&xport connections…"), "Ctrl+Shift+E"),
    "settings": Spec(QT_TRANSLATE_NOOP("MainWindow", "&Settings…"), "Ctrl+,"),
    "demo": Spec(QT_TRANSLATE_NOOP("MainWindow", "Try the &demo")),
    "find": Spec(QT_TRANSLATE_NOOP("MainWindow", "&Find"), "standard:Find"),
    "quit": Spec(QT_TRANSLATE_NOOP("MainWindow", "&Quit"), "standard:Quit"),
    "log": Spec(QT_TRANSLATE_NOOP("MainWindow", "Event &log"), "Ctrl+L", True),
    "log_follows": Spec(
        QT_TRANSLATE_NOOP("MainWindow", "Log shows the &selected connection"), "Ctrl+Shift+L", True
    ),
    "details": Spec(QT_TRANSLATE_NOOP("MainWindow", "&Details and history"), "Ctrl+H", True),
    "about": Spec(QT_TRANSLATE_NOOP("MainWindow", "&About TCP Monitor")),
    "report_24h": Spec(QT_TRANSLATE_NOOP("MainWindow", "Last &24 hours…")),
    "report_7d": Spec(QT_TRANSLATE_NOOP("MainWindow", "Last &7 days…")),
    "report_30d": Spec(QT_TRANSLATE_NOOP("MainWindow", "Last &30 days…"), "Ctrl+Shift+R"),
    "snooze_15m": Spec(QT_TRANSLATE_NOOP("MainWindow", "For &15 minutes"), needs_selection=True),
    "snooze_1h": Spec(QT_TRANSLATE_NOOP("MainWindow", "For 1 &hour"), needs_selection=True),
    "snooze_tomorrow": Spec(
        QT_TRANSLATE_NOOP("MainWindow", "Until &tomorrow (08:00)"), needs_selection=True
    ),
    "snooze_forever": Spec(QT_TRANSLATE_NOOP("MainWindow", "Until &unmuted"), needs_selection=True),
    "unsnooze": Spec(QT_TRANSLATE_NOOP("MainWindow", "&Notify again"), needs_selection=True),
    "acknowledge": Spec(
        QT_TRANSLATE_NOOP("MainWindow", "Ac&knowledge"), "Ctrl+K", needs_selection=True
    ),
    "acknowledge_all": Spec(QT_TRANSLATE_NOOP("MainWindow", "Acknowledge a&ll"), "Ctrl+Shift+K"),
}

#: Snoozing the selected connections' notices, as a submenu.
SNOOZE = (
    QT_TRANSLATE_NOOP("MainWindow", "S&nooze notices"),
    ("snooze_15m", "snooze_1h", "snooze_tomorrow", "snooze_forever", None, "unsnooze"),
)

#: Reports of the selected connections (or all), as a submenu.
REPORT = (
    QT_TRANSLATE_NOOP("MainWindow", "Export &report"),
    ("report_24h", "report_7d", "report_30d"),
)

#: ``None`` is a separator; ``(title, layout)`` a submenu (in menus; a toolbar skips it).
Layout = Sequence["str | tuple[str, Layout] | None"]
MENUS: tuple[tuple[str, Layout], ...] = (
    (
        QT_TRANSLATE_NOOP("MainWindow", "&File"),
        ("import", "export", REPORT, None, "settings", None, "quit"),
    ),
    (
        QT_TRANSLATE_NOOP("MainWindow", "&Connections"),
        (
            *("add", "edit", "duplicate", "remove", None, "toggle", "test", SNOOZE),
            *("acknowledge", "acknowledge_all", None, "pause_all"),
        ),
    ),
    (QT_TRANSLATE_NOOP("MainWindow", "&View"), ("details", "log", "log_follows", "find")),
    (QT_TRANSLATE_NOOP("MainWindow", "&Help"), ("demo", "about")),
)
TOOLBAR: Layout = ("add", "edit", "remove", None, "toggle", "test", "pause_all")
ROW_MENU: Layout = (
    *("details", "edit", "duplicate", "test", "toggle", SNOOZE, "acknowledge", None, "remove"),
)
EMPTY_MENU: Layout = ("add",)


def build_actions(parent: QWidget, slots: Mapping[str, Callable[[], object]]) -> dict[str, QAction]:
    """Every action of ``ACTIONS``, added to ``parent`` (so shortcuts work everywhere in it)
    and connected to ``slots[name]``; without shortcuts (``add_shortcuts``)."""
    actions = {}
    for name, spec in ACTIONS.items():
        action = QAction(translate("MainWindow", spec.text), parent)
        action.setObjectName(f"action_{name}")
        action.setCheckable(spec.checkable)
        slot = slots[name]
        action.triggered.connect(lambda _checked=False, slot=slot: slot())
        parent.addAction(action)
        actions[name] = action
    return actions


def add_shortcuts(actions: Mapping[str, QAction]) -> None:
    """Each action's shortcut of ``ACTIONS`` (see ``Shortcut``)."""
    for name, spec in ACTIONS.items():
        if (keys := spec.shortcut) is None:
            continue
        if keys.startswith(STANDARD):
            standard = getattr(QKeySequence.StandardKey, keys.removeprefix(STANDARD))
            actions[name].setShortcut(QKeySequence(standard))
        else:
            actions[name].setShortcut(QKeySequence(keys))


def build_window_commands(window: QMainWindow, run: Callable[[str], object]) -> dict[str, QAction]:
    """The main window's actions, menus and tool bar; each action calls ``run`` with its
    name. Those that need a selection start disabled (no row can be selected yet); none has
    its shortcut yet (``add_shortcuts``, once the session's parts are attached)."""
    commands = build_actions(window, {name: functools.partial(run, name) for name in ACTIONS})
    commands["log"].setChecked(True)
    for title, layout in MENUS:
        fill(window.menuBar().addMenu(translate("MainWindow", title)), layout, commands)
    toolbar = window.addToolBar(translate("MainWindow", "Main"))
    toolbar.setObjectName("mainToolbar")
    fill(toolbar, TOOLBAR, commands)
    for action in selection_actions(commands):
        action.setEnabled(False)
    return commands


def fill(target: QMenu | QToolBar, layout: Layout, actions: Mapping[str, QAction]) -> None:
    for name in layout:
        if name is None:
            target.addSeparator()
        elif isinstance(name, tuple):
            if isinstance(target, QMenu):
                title, inner = name
                fill(target.addMenu(translate("MainWindow", title)), inner, actions)
        else:
            target.addAction(actions[name])


def selection_actions(actions: Mapping[str, QAction]) -> list[QAction]:
    return [actions[name] for name, spec in ACTIONS.items() if spec.needs_selection]
