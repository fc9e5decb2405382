"""The main window: the status table above, the event log below, actions around them.

It composes and wires, owning no monitoring logic and no copy of the profiles (the registry's, which
the table, the log's filter, the engine and the notification policy follow). What the user does to
them is ``ProfileActions``; the engine's events go to the table, the log, the tray, the policy.
Built in two steps (#12): ``MainWindow(state)`` is the first frame, from light modules; then
``window_parts.attach`` adds the session's parts, once it is on screen (``compose`` does both)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow

from .common.centred import centred
from .common.screen import FRAME_ROOM, screen_size
from .window_actions import add_shortcuts, build_window_commands, fill
from .window_actions import selection_actions as _selection_actions
from .window_state import WindowState

if TYPE_CHECKING:
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QSplitter

    from ..core.eventlog import EventLog
    from ..core.events import Event, State
    from ..core.session import Problem, Session
    from ..engine.engine import Engine
    from ..engine.registry import ProfileRegistry
    from .details.dock import DetailsDock
    from .details.export import ReportExport
    from .log.pane import LogPane
    from .notify.backends import DesktopBackend, FallbackChain
    from .notify.banner import Banner
    from .notify.policy import Notice, NotificationPolicy
    from .profiles.actions import ProfileActions
    from .settings.actions import SettingsActions
    from .status.model import StatusModel
    from .status.stored import StoredHistory
    from .status.view import StatusTable
    from .tray import TrayIcon

log = logging.getLogger(__name__)

#: The log, the tray and the counts take the engine's batches at most this often.
UI_FLUSH_MS = 250
#: Events taken from the engine per turn of the event loop, at most (a few tenths of a ms
#: each, more when a worker holds the GIL: a burst was still 30-60 ms a turn at 100).
EVENTS_PER_TURN = 50
#: Notices the window keeps (``notices``), the newest: each one told was kept for weeks.
NOTICES_KEPT = 100


class MainWindow(QMainWindow):
    quitRequested = Signal()
    #: "Try the demo": the composition root starts it (the demo is not the window's).
    demoRequested = Signal()
    #: The engine runs (its workers are up, the registry's profiles are being watched).
    monitoringStarted = Signal()

    # Built by ``window_parts.attach`` (the session's parts; see the module).
    session: Session
    registry: ProfileRegistry
    engine: Engine
    model: StatusModel
    table: StatusTable
    log_pane: LogPane
    banner: Banner
    splitter: QSplitter
    tray: TrayIcon
    policy: NotificationPolicy
    desktop: DesktopBackend
    chain: FallbackChain
    profiles: ProfileActions
    settings_actions: SettingsActions
    stored: StoredHistory
    reports: ReportExport

    def __init__(self, state: WindowState) -> None:
        """The window's first frame: its title, size, menus, tool bar and status bar, and
        "Loading…" where the table and the log will be, from a few light modules (issue
        #12: the first frame in about the time a bare window takes). ``window_parts.attach``
        adds the session's parts; until then no command runs (nothing is processed between
        the first frame and then) and nothing is said about any connection."""
        super().__init__()
        self.state = state
        self.attached = False
        self.setWindowTitle("TCP Monitor")
        self.setObjectName("mainWindow")
        self.notices: list[Notice] = []  # the last ones told, newest last (for tests)
        self.quitting = False
        self._shut_down = False
        self._watched_log: EventLog | None = None
        self._unsaved = ""  # why the last write of the profiles failed (told once)
        self._slots: dict[str, Callable[[], object]] = {}  # the session's (``take_parts``)
        self.commands = build_window_commands(self, self._command)
        self.counts_label = QLabel()
        self.statusBar().addPermanentWidget(self.counts_label)
        self.setCentralWidget(centred(QLabel(self.tr("Loading…"))))
        self._restore_geometry()

    def take_parts(self, slots: dict[str, Callable[[], object]]) -> None:
        """The rest of ``window_parts.attach``: the commands' ``slots``, the engine's events
        taken, the details dock on demand, everything wired."""
        from .common.paced import Paced  # noqa: PLC0415 - the session's modules, after the frame
        from .details.on_demand import DetailsOnDemand  # noqa: PLC0415

        self._events = Paced(self._take_events, EVENTS_PER_TURN, self)
        self._pending_changes: list[Event] = []
        self._counts: dict[State, int] | None = None
        self._icon_state: State | None = None
        self._ui_timer = QTimer(self)
        self._ui_timer.setSingleShot(True)
        self._ui_timer.setInterval(UI_FLUSH_MS)
        self._ui_timer.timeout.connect(self._flush_ui)
        self.state.use_io(self.session.io)
        self.attached = True
        self._slots = {
            **slots,
            "log_follows": lambda: self._follow(self.table.current_id(), toggled=True),
        }
        add_shortcuts(self.commands)
        self.commands["log"].toggled.connect(self.log_pane.setVisible)
        self._update_actions()
        toggle = self.commands["details"]
        self._details = DetailsOnDemand(
            self, self.session, self.registry, toggle, self.profiles.edit
        )
        self._details.in_state = self.model.in_state
        self._wire()

    # -- construction -----------------------------------------------------------------

    def _command(self, name: str) -> None:
        if (slot := self._slots.get(name)) is not None:  # none before the session's parts
            slot()

    def _wire(self) -> None:
        from .common.problems import SETTINGS_READ  # noqa: PLC0415 - see ``attach``
        from .notify.left_out import tell_left_out  # noqa: PLC0415
        from .notify.metrics import follow_metrics  # noqa: PLC0415

        self.engine.eventsReady.connect(self.on_events)
        follow_metrics(self.engine, self.banner)
        self.model.countsChanged.connect(self._counts_changed)
        self.model.unacknowledgedChanged.connect(self.tray.set_unacknowledged)
        self.model.staleAcks.connect(lambda ids: self.profiles.acknowledge(ids, ""))
        self.model.profilesChanged.connect(self._update_actions)
        self.model.profilesChanged.connect(lambda: self._counts_changed(self.model.counts()))
        self.table.activated.connect(self.show_details)
        self.table.selectionChanged.connect(self._update_actions)
        self.table.currentChanged.connect(self._details.follow)
        self.table.currentChanged.connect(self._follow)
        self.log_pane.detailsRequested.connect(self.show_details)
        self.table.contextMenuRequested.connect(self._context_menu)
        self.table.addRequested.connect(self.profiles.add)
        self.table.demoRequested.connect(self.demoRequested)
        for source in (self.log_pane.statusMessage, self.profiles.message, self.reports.message):
            source.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        problems = (self.profiles.problem, self.settings_actions.problem, self.reports.problem)
        for source in (*problems, self.log_pane.problem):  # the log's export: it said nothing
            source.connect(lambda title, text: self.banner.show_message(title, text, "warning"))
        settings = self.banner.about("settings saved")  # not saved, then saved again
        self.settings_actions.unsaved.connect(lambda title, text: settings(title, text, "warning"))
        self.settings_actions.applied.connect(self.policy.set_settings)
        self.settings_actions.resolved.connect(lambda t: settings(t, "", "info"))
        self.settings_actions.saved.connect(lambda: self.banner.withdraw(SETTINGS_READ))
        self.registry.saved.connect(self._profiles_saved)
        self.registry.leftOut.connect(functools.partial(tell_left_out, self.banner))
        self.policy.notification.connect(self.notify)
        self.tray.showHideRequested.connect(self.toggle_visible)
        self.tray.pauseAllRequested.connect(self.set_paused_all)
        self.tray.quitRequested.connect(self.quitRequested.emit)
        self.tray.acknowledgeAllRequested.connect(self.commands["acknowledge_all"].trigger)
        self.tray.snoozeRequested.connect(lambda pid, d: self.profiles.snooze([pid], d))
        self.tray.showProfileRequested.connect(self.show_profile)
        self.chain.offers = lambda notice: self.profiles.offer(notice, self.show_profile)
        self.tray.availabilityChanged.connect(self._tray_availability)
        self.watch_eventlog()

    def watch_eventlog(self) -> None:
        """Hear of the event log's health once it is open (``app`` opens it on the I/O
        thread and calls this then), once per log."""
        from ..engine.gui_thread import call_in_gui_thread  # noqa: PLC0415
        from .common.problems import tell_health  # noqa: PLC0415

        if (log := self.session.eventlog) is not None and log is not self._watched_log:
            self._watched_log = log
            said = (self.banner.about("event log"), self.statusBar().showMessage)
            gone = functools.partial(self.banner.withdraw, "event log")  # solved: not so now
            log.watch_health(lambda h: call_in_gui_thread(tell_health, h, *said, gone, owner=self))
            if log.health().error is None:  # it opened before it was watched: not said since
                gone()

    def show_problems(self, problems: Sequence[Problem] | None = None) -> None:
        """What the session found wrong (all, by default): said until closed, as it stays so."""
        from .common.problems import problem_key, problem_text, problem_title  # noqa: PLC0415

        for problem in self.session.problems if problems is None else problems:
            self.banner.problem(problem_title(problem), problem_text(problem), problem_key(problem))

    def on_events(self, events: Sequence[Event]) -> None:
        """An engine batch, in pieces of at most ``EVENTS_PER_TURN`` (see ``Paced``)."""
        self._events.put(events)

    def _take_events(self, events: Sequence[Event]) -> None:
        """The table and the notification policy at once; the log, the tray and the counts
        within ``UI_FLUSH_MS`` (many batches a second become one)."""
        from ..core.events import Kind  # noqa: PLC0415 - loaded by now; see the module

        self.model.apply_events(events)
        self.policy.handle(events)
        changes = [e for e in events if e.kind is not Kind.SAMPLE]
        if changes:  # the same counts may name others down (the tray), or say "offline"
            self._counts = self.model.counts()
            self._pending_changes.extend(changes)
            if not self._ui_timer.isActive():
                self._ui_timer.start()

    def _counts_changed(self, counts: dict[State, int]) -> None:
        self._counts = counts
        if not self._ui_timer.isActive():
            self._ui_timer.start()

    def _flush_ui(self) -> None:
        from .common.icons import state_icon  # noqa: PLC0415 - loaded by now
        from .tray import COUNT_ORDER, count_text, offline_text  # noqa: PLC0415

        changes, self._pending_changes = self._pending_changes, []
        if changes:
            self.log_pane.add_events(changes)
            self.tray.add_events(changes)
        counts, self._counts = self._counts, None
        if counts is not None:
            parts = [count_text(counts[s], s) for s in COUNT_ORDER if counts.get(s)]
            if offline := self.policy.is_local_offline():
                parts.insert(0, offline_text())
            self.counts_label.setText("  ·  ".join(parts) or self.tr("No connections"))
            self.tray.update_status(counts, self.model.down_names(), offline=offline)
            worst = self.model.worst_state()
            if worst is not self._icon_state:
                self._icon_state = worst
                self.setWindowIcon(state_icon(worst))

    def notify(self, notice: Notice) -> None:
        """Tell the user through the first way that works (see notify.backends)."""
        self.notices.append(notice)
        del self.notices[:-NOTICES_KEPT]
        log.info("notice: %s — %s", notice.title, notice.body.replace("\n", " / "))
        if not self.chain.post(notice):  # no qasync loop (widget tests): the banner needs none
            level: Literal["info", "warning"] = "warning" if notice.urgent else "info"
            self.banner.show_message(notice.title, notice.body, level, notice.key)

    def _profiles_saved(self, error: str) -> None:
        from .common.file_problems import file_problem_text  # noqa: PLC0415

        said = self.banner.about("profiles saved")  # not saved, then saved again
        if error and error != self._unsaved:  # (the retries every 30 s say it once)
            said(self.tr("Profiles were not saved"), file_problem_text(error), "warning")
        elif not error and self._unsaved:  # what was told is no longer true
            said(self.tr("Profiles are saved again"), "", "info")
        self._unsaved = error

    # -- monitoring -----------------------------------------------------------------------

    def start_monitoring(self) -> None:
        from .notify.backends import WARM_UP_MS  # noqa: PLC0415

        self.table.watch_viewport()
        self.log_pane.watch_viewport()
        if self.engine.running or self._shut_down:  # (the log may open as the program quits)
            return
        self.policy.still.expect(self.policy.now())  # drops found again: no news (``still``)
        self.engine.start()  # it takes the registry's profiles, and follows it from now on
        self.model.start_clock()
        self.stored.start(self.policy.found_before)
        self.tray.show()
        QTimer.singleShot(WARM_UP_MS, self, self.chain.warm_up)  # the tray has had time to dock
        self.monitoringStarted.emit()

    def set_paused_all(self, paused: bool) -> None:
        self.engine.pause_all() if paused else self.engine.resume_all()
        action = self.commands["pause_all"]
        action.setChecked(paused)
        action.setText(self.tr("Re&sume all") if paused else self.tr("Pau&se all"))
        self.tray.set_paused(paused)

    def toggle_pause_all(self) -> None:
        self.set_paused_all(self.commands["pause_all"].isChecked())

    def _update_actions(self) -> None:
        selected = bool(self.table.selected_ids())
        for action in _selection_actions(self.commands):
            action.setEnabled(selected)

    def _context_menu(self, profile_ids: list[str], where: QPoint) -> None:
        from PySide6.QtCore import Qt  # noqa: PLC0415
        from PySide6.QtWidgets import QMenu  # noqa: PLC0415 - a menu only when asked

        from .window_actions import EMPTY_MENU, ROW_MENU  # noqa: PLC0415

        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fill(menu, ROW_MENU if profile_ids else EMPTY_MENU, self.commands)
        menu.popup(where)

    # -- window, tray -------------------------------------------------------------------

    def toggle_visible(self) -> None:
        if self.isVisible() and not self.isMinimized():
            self.hide()
        else:
            self.show_and_raise()
        self.tray.set_window_visible(self.isVisible())

    def _follow(self, profile_id: str | None, *, toggled: bool = False) -> None:
        """While "the log shows the selected connection" is on, the log shows the table's
        current connection; turned off, every connection again."""
        if self.commands["log_follows"].isChecked():
            self.log_pane.show_only(profile_id)
        elif toggled:
            self.log_pane.show_only(None)

    def set_demo_running(self, running: bool) -> None:
        text = self.tr("Stop the &demo") if running else self.tr("Try the &demo")
        self.commands["demo"].setText(text)

    @property
    def details(self) -> DetailsDock:
        """The details dock, built when first asked for (``DetailsOnDemand``)."""
        return self._details.dock()

    def show_details(self, profile_id: str) -> None:
        """Enter on a row (or a double click): its details and history, beside the table."""
        self._details.show(profile_id)

    def show_profile(self, profile_id: str) -> None:
        """The window in front with that connection selected and its details open (a tray
        event, a notice); one removed since only brings the window."""
        self.show_and_raise()
        if profile_id in self.registry.profiles.by_id:
            self.table.select_ids([profile_id])
            self.show_details(profile_id)

    def _tray_availability(self, available: bool) -> None:
        """The tray went away (or came back) while we run: a window hidden in a tray that is
        gone could never be brought back, so it comes back to the taskbar."""
        if not available and not self.isVisible() and not self.quitting:
            self.showMinimized()
        self.tray.set_window_visible(self.isVisible() and not self.isMinimized())

    def show_and_raise(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.tray.set_window_visible(True)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing hides to the tray when there is one (said once); otherwise it quits.

        Qt's ``quit()`` first closes every window and gives up if one refuses, so once the
        user has asked to quit (``quitting``) the window must let itself be closed. Before
        the session's parts are attached there is no tray to hide in yet: closing quits.
        """
        self._save_state()
        if self.quitting:
            event.accept()
            return
        if self.attached and self.tray.is_visible():
            event.ignore()
            self.hide()
            self.tray.set_window_visible(False)
            if not self.state.flag("told_about_tray"):
                self.state.put({"told_about_tray": True})
                self.tray.show_message(
                    self.tr("TCP Monitor is still running"),
                    self.tr("It keeps watching from the tray. Quit from the tray menu."),
                )
            return
        event.accept()
        self.quitRequested.emit()

    def _restore_geometry(self) -> None:
        if isinstance(geometry := self.state.get("geometry"), QByteArray):
            self.restoreGeometry(geometry)
        else:  # 1200 x 720, or what the screen has room for (1366 x 768 at 150 %: 911 x 512)
            free = screen_size(self) - FRAME_ROOM
            self.resize(min(1200, free.width()), min(720, free.height()))

    def _save_state(self) -> None:
        if self._shut_down or not self.attached:  # saved by shutdown(); or nothing to save
            return
        self.state.put(
            {
                "geometry": self.saveGeometry(),
                "windowState": self.saveState(),
                "statusHeader": QByteArray(self.table.header_state()),
                "statusColumns": self.table.header_columns(),
                "splitter": self.splitter.saveState(),
                "logNewestFirst": self.log_pane.model.newest_first,
                "detailsOpen": self._details.is_visible(),
            }
        )

    def shutdown(self) -> None:
        """Before the engine stops: save the window's state, stop timers and the tray."""
        self.policy.stop()
        self._events.clear()
        self._save_state()
        self._shut_down = True
        self.stored.stop()
        self._details.release()
        self.model.stop_clock()
        self.tray.hide()
        self.desktop.close()
