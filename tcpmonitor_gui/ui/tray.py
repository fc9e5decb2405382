"""The tray icon: the worst state at a glance, counts in the tooltip, a small menu.

The tray is optional (STYLE.md, practice 7): GNOME without the AppIndicator extension has none,
and neither has the offscreen platform. Without one no ``QSystemTrayIcon`` is built and every
method is a harmless no-op, so the main window wires this object the same way everywhere. The
menu is built either way, which also lets tests drive it offscreen; its texts come from pure
functions tested on their own.
"""

from __future__ import annotations

import collections
import datetime as dt
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon, QWidget

from ..core.events import Event, Kind, State
from ..core.wall_time import offset_if_twice
from .common.bidi import anchored, isolated, needs_isolating
from .common.i18n import Context, translate
from .common.icons import badged_icon, state_icon, worst
from .common.labels import cause_text, state_text
from .common.plain import plain
from .log.noise import checked_again
from .log.proxy import start_or_stop

Severity = Literal["info", "warning"]

APP_NAME = "TCP Monitor"
RECENT_LIMIT = 5
#: Windows cuts tray tooltips at 127 characters; stay clear of it everywhere.
TOOLTIP_MAX = 120
#: The order counts are listed in: the good news first, as a person would say it.
COUNT_ORDER = (
    State.UP,
    State.DEGRADED,
    State.DOWN,
    State.CONNECTING,
    State.PAUSED,
    State.UNKNOWN,
)
MESSAGE_MS = 10_000  # as long as every notice stays (``notify.notice.SHOWN_S``)
#: Qt's own balloon (X11) stays open for good if the pointer is over it when its time is up;
#: it is closed this long after its time, wherever the pointer is.
BALLOON_GRACE_MS = 2_000
#: How often the tray's presence is looked at: a panel may crash or the desktop change.
WATCH_MS = 2_000
#: The icon's count is drawn at most this often.
REPAINT_MS = 200
_WINDOW_CHANGES = (QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.WindowStateChange)


class Tray(Context):
    """The translation context of this module's functions."""


def count_text(n: int, state: State) -> str:
    """``3 up``: how many connections are in ``state`` (the tooltip and the status bar)."""
    return Tray.tr("{n} {state}", "how many connections are in a state: 3 up", n).format(
        n=n, state=state_text(state)
    )


def offline_text() -> str:
    """What the status bar and the tray's tooltip say first while this computer's network
    is down (the tooltip said nothing of it: "20 down" read as twenty servers down)."""
    return Tray.tr("This computer is offline")


def tooltip_text(
    counts: Mapping[State, int],
    down_names: Sequence[str],
    *,
    offline: bool = False,
    max_len: int = TOOLTIP_MAX,
) -> str:
    """``TCP Monitor — 12 up, 1 down: Orders DB``, with down names cut to fit ``max_len``
    (and isolated, where they could turn the words around them: ``common.bidi``); ``TCP
    Monitor — This computer is offline; 13 down: ...`` while this computer is offline."""
    parts = [count_text(counts[s], s) for s in COUNT_ORDER if counts.get(s, 0) > 0]
    summary = ", ".join(parts) if parts else translate("Tray", "no connections")
    text = f"{APP_NAME} — {offline_text()}; {summary}" if offline else f"{APP_NAME} — {summary}"
    if not down_names:
        return text
    names = _names_that_fit(down_names, max_len - len(text) - len(": "))
    for shown in range(len(names), 0, -1):
        rest = len(down_names) - shown
        more = _more(rest) if rest else ""
        candidate = f"{text}: {', '.join(names[:shown])}{more}"
        if len(candidate) <= max_len:
            return candidate  # begins with the program's name: left to right
    more = _more(len(down_names) - 1) if len(down_names) > 1 else ""
    room = max_len - len(text) - len(": ") - len(more) - 1
    first = down_names[0][:room] + "…"
    if needs_isolating(first):  # room for the isolate's two marks
        first = isolated(down_names[0][: max(0, room - 2)] + "…")
    return f"{text}: {first}{more}"


def _names_that_fit(names: Iterable[str], room: int) -> list[str]:
    """The first names, isolated, as many as ``", "`` joins into ``room``: no more can be
    shown, and a burst of thousands down must not be read (and joined) for each one of them
    at every tooltip (quadratic: 0.2 s of the GUI thread at 5,000)."""
    fit: list[str] = []
    for name in names:
        room -= len(shown := isolated(name)) + (len(", ") if fit else 0)
        if room < 0:
            break
        fit.append(shown)
    return fit


def _more(n: int) -> str:
    return Tray.tr(" and {n} more", "", n).format(n=n)


def event_text(event: Event, tz: dt.tzinfo | None = None) -> str:
    """``14:02 Orders DB down (reset)``, in local time (its UTC offset said in the hour the
    clocks pass twice) unless ``tz`` is given."""
    when = event.ts.astimezone(tz).strftime("%H:%M") if tz else offset_if_twice(event.ts, "%H:%M")
    text = f"{when} {isolated(event.profile_name)} {state_text(event.state)}"
    if event.cause is not None:
        text += f" ({cause_text(event.cause)})"
    return anchored(text)


def pause_text(paused: bool) -> str:
    return translate("Tray", "Resume all") if paused else translate("Tray", "Pause all")


class TrayIcon(QObject):
    """The program's tray icon; ``available()`` says whether there is a tray to show it in."""

    showHideRequested = Signal()
    pauseAllRequested = Signal(bool)
    quitRequested = Signal()
    #: The tray came or went while the program runs (a panel crash, a desktop switch).
    availabilityChanged = Signal(bool)
    acknowledgeAllRequested = Signal()
    #: ``(profile_id, duration)`` from a recent event's submenu: ``core.snooze`` durations,
    #: "" to notify again.
    snoozeRequested = Signal(str, str)
    #: ``profile_id``: show the window with that connection selected.
    showProfileRequested = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        exists: Callable[[str], bool] | None = None,
        in_state: Callable[[str], tuple[State, dt.datetime, float, str] | None] | None = None,
    ) -> None:
        """``exists``: whether a connection is still there (a removed one's recent events
        offer no "show" or snooze); ``in_state``: the table's ``StatusModel.in_state`` (a
        drop found again at a start is said to have been down before too)."""
        super().__init__(parent)
        self._exists = exists or (lambda _profile_id: True)
        self._in_state = in_state or (lambda _profile_id: None)
        #: Of the events listed, the removed connections' and the drops found again.
        self._marked: tuple[frozenset[str], dict[Event, str]] = (frozenset(), {})
        self._paused = False
        self._state = State.UNKNOWN
        #: Drops not acknowledged: shown as a count on the icon.
        self._unacked = 0
        self._clicked: Callable[[], object] | None = None
        self._tooltip = tooltip_text({}, [])
        self._recent: collections.deque[Event] = collections.deque(maxlen=RECENT_LIMIT)
        #: Connections last told unknown because this computer could not check them.
        self._unchecked: set[str] = set()
        self._menu = QMenu()
        self._menu.setTitle(APP_NAME)
        self._show_action = self._menu.addAction(self.tr("Show/Hide window"))
        self._show_action.triggered.connect(self.showHideRequested)
        self._pause_action = self._menu.addAction(pause_text(False))
        self._pause_action.triggered.connect(self._on_pause)
        self._recent_menu = self._menu.addMenu(self.tr("Recent events"))
        # Filled when opened: events come many times a second, the menu is seldom looked at.
        self._recent_dirty = True
        self._recent_menu.aboutToShow.connect(self._fill_recent)
        self._ack_action = self._menu.addAction(self.tr("Acknowledge all"))
        self._ack_action.triggered.connect(self.acknowledgeAllRequested)
        self._ack_action.setEnabled(False)
        self._menu.addSeparator()
        self._quit_action = self._menu.addAction(self.tr("Quit"))
        self._quit_action.triggered.connect(self.quitRequested)
        self._fill_recent()
        self._tray: QSystemTrayIcon | None = None
        self._wanted = False  # show() was asked for: shown whenever a tray is there
        self._available = self.available()  # the icon itself is built when first shown
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._check_available)
        self._repaint_timer = QTimer(self)
        self._repaint_timer.setSingleShot(True)
        self._repaint_timer.setInterval(REPAINT_MS)
        self._repaint_timer.timeout.connect(self._repaint)
        self._balloon_timer = QTimer(self)
        self._balloon_timer.setSingleShot(True)
        self._balloon_timer.setInterval(MESSAGE_MS + BALLOON_GRACE_MS)
        self._balloon_timer.timeout.connect(close_balloons)
        if isinstance(parent, QWidget):  # the window: "Show" or "Hide" as it is now
            parent.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The window shown, hidden or minimized by any means (its title bar, the taskbar):
        minimized, it was still "Hide window" here, which then showed it."""
        if isinstance(watched, QWidget) and event.type() in _WINDOW_CHANGES:
            self.set_window_visible(watched.isVisible() and not watched.isMinimized())
        return False

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def _ensure_tray(self) -> QSystemTrayIcon | None:
        """Build the tray icon once a tray exists (a tray host may start after us)."""
        if self._tray is None and self.available():
            tray = QSystemTrayIcon(badged_icon(self._state, self._unacked), self)
            tray.setToolTip(self.tooltip())
            tray.setContextMenu(self._menu)
            tray.activated.connect(self._on_activated)
            tray.messageClicked.connect(self._message_clicked)
            self._tray = tray
        return self._tray

    # -- what the window reads and tests check -----------------------------------------

    def menu(self) -> QMenu:
        return self._menu

    def tooltip(self) -> str:
        if not self._unacked:
            return plain(self._tooltip)
        more = self.tr("%n not acknowledged", "", self._unacked)
        return plain(f"{self._tooltip}\n{more}")

    def icon_state(self) -> State:
        return self._state

    def recent_texts(self) -> list[str]:
        """What the recent-events menu shows when opened."""
        self._fill_recent()
        return [a.text() for a in self._recent_menu.actions()]

    def is_visible(self) -> bool:
        """Whether our icon is in a tray now: shown, and a tray there to show it in (Qt keeps
        an icon "visible" after the tray host is gone)."""
        return self._tray is not None and self._tray.isVisible() and self.available()

    def can_show_messages(self) -> bool:
        return self.is_visible() and QSystemTrayIcon.supportsMessages()

    @staticmethod
    def hands_messages_to_desktop() -> bool:
        """Whether Qt sends its tray messages to the desktop's notification service, as they
        are (a StatusNotifierItem: KDE, GNOME with AppIndicator), rather than drawing a
        balloon of its own by an XEmbed icon (whose window is Qt's ``QSystemTrayIconSys``).
        Windows' and macOS's trays are their own: never."""
        if sys.platform in ("win32", "darwin"):
            return False
        return not any(
            w.metaObject().className() == "QSystemTrayIconSys"
            for w in QApplication.topLevelWidgets()
        )

    # -- what the window tells it -------------------------------------------------------

    def update_status(
        self, counts: Mapping[State, int], down_names: Sequence[str], *, offline: bool = False
    ) -> None:
        """The counts, the names down and whether this computer is offline (as the status
        bar says them)."""
        self._state = worst(s for s, n in counts.items() if n > 0)
        self._tooltip = tooltip_text(counts, down_names, offline=offline)
        self._repaint()

    def set_unacknowledged(self, count: int) -> None:
        """How many drops are not acknowledged: a count on the icon until they are."""
        self._unacked = count
        self._ack_action.setEnabled(count > 0)
        # Drawn at most every REPAINT_MS: in a burst the count changes with every batch,
        # and each drawing is a new icon sent to the tray host.
        if not self._repaint_timer.isActive():
            self._repaint_timer.start()

    def unacknowledged(self) -> int:
        return self._unacked

    def _repaint(self) -> None:
        self._repaint_timer.stop()
        if self._tray is not None:
            self._tray.setIcon(badged_icon(self._state, self._unacked))
            self._tray.setToolTip(self.tooltip())

    def add_events(self, events: Iterable[Event]) -> None:
        """Keep the last few state changes for the menu; samples and start-up noise are not
        (what the event log leaves out: each start found every connection "up" again, and the
        menu listed them all, as if all had just recovered). A connection checked again
        after it could not be is news: its "unknown" was listed."""
        kept = [
            e
            for e in events
            if e.kind is Kind.STATE and (checked_again(e, self._unchecked) or not start_or_stop(e))
        ]
        if kept:
            self._recent.extend(kept)
            self._recent_dirty = True

    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        self._pause_action.setText(pause_text(paused))

    def set_window_visible(self, visible: bool) -> None:
        self._show_action.setText(self.tr("Hide window") if visible else self.tr("Show window"))

    def show_message(
        self,
        title: str,
        text: str,
        severity: Severity = "info",
        clicked: Callable[[], object] | None = None,
    ) -> None:
        """A balloon; ``clicked``: what a click on it does (the last balloon's)."""
        if self._tray is None or not self._tray.isVisible():
            return
        self._clicked = clicked
        icon = (
            QSystemTrayIcon.MessageIcon.Warning
            if severity == "warning"
            else QSystemTrayIcon.MessageIcon.Information
        )
        self._tray.showMessage(title, text, icon, MESSAGE_MS)
        self._balloon_timer.start()  # every notice has a bounded lifetime

    def show(self) -> None:
        """Show the icon now if there is a tray, and whenever one appears later."""
        self._wanted = True
        self._watch.start()
        tray = self._ensure_tray()
        if tray is not None:
            tray.show()

    def hide(self) -> None:
        self._wanted = False
        self._watch.stop()
        self._balloon_timer.stop()
        if self._tray is not None:
            self._tray.hide()

    @Slot()
    def _check_available(self) -> None:
        available = self.available()
        if available == self._available:
            return
        self._available = available
        if available and self._wanted:
            self.show()
        self.availabilityChanged.emit(available)

    # -- internals ----------------------------------------------------------------------

    @Slot()
    def _fill_recent(self) -> None:
        gone = frozenset(e.profile_id for e in self._recent if not self._exists(e.profile_id))
        again = {e: left for e in self._recent if (left := self._found_again(e))}
        if not self._recent_dirty and (gone, again) == self._marked:
            return
        self._recent_dirty, self._marked = False, (gone, again)
        for shown in self._recent_menu.actions():  # clear() leaves the submenus alive
            if (submenu := shown.menu()) is not None:
                submenu.deleteLater()
        self._recent_menu.clear()
        if not self._recent:
            self._recent_menu.addAction(self.tr("No events yet")).setEnabled(False)
            return
        for event in reversed(self._recent):
            # "&&": a menu reads "&" as its shortcut mark ("R&D db" showed as "RD db").
            title = event_text(event).replace("&", "&&")
            if (why := again.get(event)) == "restart":  # as the notice and the table say it
                title = self.tr("{event} (down before the restart too)").format(event=title)
            elif why:
                title = self.tr("{event} (down before the pause too)").format(event=title)
            pid = event.profile_id
            if pid in gone:  # nothing to show or snooze: said, and greyed
                removed = self.tr("{event} (removed)").format(event=title)
                self._recent_menu.addAction(state_icon(event.state), removed).setEnabled(False)
                continue
            menu = self._recent_menu.addMenu(state_icon(event.state), title)
            menu.addAction(self.tr("Show in window")).triggered.connect(
                lambda _=False, pid=pid: self.showProfileRequested.emit(pid)
            )
            menu.addSeparator()
            for duration, text in (
                ("1h", self.tr("Snooze notices for 1 hour")),
                ("tomorrow", self.tr("Snooze notices until tomorrow (08:00)")),
                ("forever", self.tr("Snooze notices until unmuted")),
                ("", self.tr("Notify again")),
            ):
                menu.addAction(text).triggered.connect(
                    lambda _=False, pid=pid, d=duration: self.snoozeRequested.emit(pid, d)
                )

    def _found_again(self, event: Event) -> str:
        """Whether ``event`` began the drop going on, found at a start (or a resume) as it was
        left: why it was left ("restart" or "pause"), or ""."""
        known = self._in_state(event.profile_id)
        if event.state is State.DOWN and known is not None and known[1] == event.ts:
            return known[3]
        return ""

    @Slot()
    def _message_clicked(self) -> None:
        clicked, self._clicked = self._clicked, None
        if clicked is not None:
            clicked()

    @Slot()
    def _on_pause(self) -> None:
        self.pauseAllRequested.emit(not self._paused)

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.showHideRequested.emit()


def close_balloons() -> None:
    """Close the tray balloons Qt draws itself (X11), which outlive their time while the
    pointer rests on them."""
    for widget in QApplication.topLevelWidgets():
        if widget.metaObject().className() == "QBalloonTip" and widget.isVisible():
            widget.close()
