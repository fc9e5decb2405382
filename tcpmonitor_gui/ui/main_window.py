"""The main window: status table above, event log below, actions around them.

It owns no monitoring logic: profile edits go to the files through ``AppContext`` (on its
I/O thread) and to the monitors through the engine; events come back from the engine in
batches and are handed to the table, the log, the tray and the notification policy.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..core.events import Event, Kind, State
from ..core.profile import Profile
from ..core.sample import Sample
from .common.icons import state_icon
from .common.labels import cause_text
from .common.text import unit_text
from .context import AppContext
from .log.pane import LogPane
from .notify.backends import BannerBackend, DesktopBackend, TrayBackend, choose_backend
from .notify.banner import Banner
from .notify.policy import Notice, NotificationPolicy
from .profiles.actions import ProfileActions
from .status.model import StatusModel
from .status.view import StatusTable
from .tray import TrayIcon, count_text

if TYPE_CHECKING:
    from ..integration.autostart import Autostart
    from ..lab.demo import Demo

log = logging.getLogger(__name__)

UPTIME_EVERY_MS = 60_000
#: The log, the tray and the counts take the engine's batches at most this often.
UI_FLUSH_MS = 250
STATUS_ORDER = (State.UP, State.DEGRADED, State.DOWN, State.CONNECTING, State.PAUSED)


class _Relay(QObject):
    """Hands a future's result from a worker thread to the GUI thread (queued)."""

    done = Signal(object, object)  # (callback, future)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.done.connect(lambda callback, future: callback(future))

    def when_done(
        self, future: concurrent.futures.Future[Any], callback: Callable[[Any], None]
    ) -> None:
        future.add_done_callback(lambda f: self.done.emit(callback, f))


class MainWindow(QMainWindow):
    quitRequested = Signal()

    def __init__(
        self,
        ctx: AppContext,
        settings: QSettings,
        *,
        autostart: Callable[[], Autostart] | None = None,
        launch_args: Callable[[], list[str]] | None = None,
    ) -> None:
        """``autostart`` makes the platform's start-at-login entry (None: not offered) and
        ``launch_args`` gives the command that starts this program with the same files; both
        are called only when Settings opens (they need not load at start-up)."""
        super().__init__()
        self.ctx = ctx
        self.ui_settings = settings
        self.autostart = autostart
        self.launch_args = launch_args or list
        self.setWindowTitle("TCP Monitor")
        self.setObjectName("mainWindow")
        self.relay = _Relay(self)
        self.demo: Demo | None = None
        self.notices: list[Notice] = []  # what was told, newest last (for tests and About)
        self.quitting = False
        self._demo_requested = False
        self._await_paint = False
        self._after_paint: tuple[Callable[[], object], ...] = ()

        self.model = StatusModel(self)
        self.table = StatusTable(self.model)
        self.log_pane = LogPane(ctx.history)
        self.banner = Banner(self)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.log_pane)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter)
        self.setCentralWidget(central)
        self.counts_label = QLabel()
        self.statusBar().addPermanentWidget(self.counts_label)

        self.tray = TrayIcon(self)
        self.policy = NotificationPolicy(ctx.settings, self)
        self.desktop = DesktopBackend()
        self.chain = choose_backend(
            TrayBackend(self.tray) if TrayIcon.available() else None,
            self.desktop,
            BannerBackend(self.banner),
        )
        self.profiles = ProfileActions(self)
        self._profile_map: dict[str, Profile] = {}
        self._pending_changes: list[Event] = []
        self._counts: dict[State, int] | None = None
        self._icon_state: State | None = None
        self._ui_timer = QTimer(self)
        self._ui_timer.setSingleShot(True)
        self._ui_timer.setInterval(UI_FLUSH_MS)
        self._ui_timer.timeout.connect(self._flush_ui)
        self._build_actions()
        self._wire()
        self.model.set_profiles(ctx.profiles)  # profilesChanged -> _profiles_changed
        self._uptime_timer = QTimer(self)
        self._uptime_timer.setInterval(UPTIME_EVERY_MS)
        self._uptime_timer.timeout.connect(self.refresh_uptime)
        self._restore_ui_state()

    # -- construction -----------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        p = self.profiles
        self.act_add = self._action(
            self.tr("&Add connection…"), p.add, QKeySequence.StandardKey.New
        )
        self.act_edit = self._action(self.tr("&Edit…"), p.edit_selected, "Ctrl+E")
        self.act_duplicate = self._action(self.tr("&Duplicate…"), p.duplicate_selected, "Ctrl+D")
        self.act_remove = self._action(
            self.tr("&Remove"), p.remove_selected, QKeySequence.StandardKey.Delete
        )
        self.act_toggle = self._action(
            self.tr("Start/&Pause selected"), p.toggle_selected, "Ctrl+P"
        )
        self.act_test = self._action(self.tr("&Test now"), p.test_selected, "Ctrl+T")
        self.act_pause_all = self._action(
            self.tr("Pause &all"), self.toggle_pause_all, "Ctrl+Shift+P"
        )
        self.act_pause_all.setCheckable(True)
        self.act_import = self._action(self.tr("&Import profiles…"), p.import_dialog, "Ctrl+I")
        self.act_export = self._action(
            self.tr("E&xport profiles…"), p.export_dialog, "Ctrl+Shift+E"
        )
        self.act_settings = self._action(self.tr("&Settings…"), p.settings_dialog, "Ctrl+,")
        self.act_demo = self._action(self.tr("Try the &demo"), self.start_demo)
        self.act_filter = self._action(
            self.tr("&Find"), self.table.focus_filter, QKeySequence.StandardKey.Find
        )
        self.act_quit = self._action(
            self.tr("&Quit"), self.quitRequested.emit, QKeySequence.StandardKey.Quit
        )
        self.act_log = self._action(self.tr("Event &log"), lambda: None, "Ctrl+L")
        self.act_log.setCheckable(True)
        self.act_log.setChecked(True)
        self.act_log.toggled.connect(self.log_pane.setVisible)

        menus = self.menuBar()
        file_menu = menus.addMenu(self.tr("&File"))
        for action in (
            self.act_import,
            self.act_export,
            None,
            self.act_settings,
            None,
            self.act_quit,
        ):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        conn_menu = menus.addMenu(self.tr("&Connections"))
        for action in (self.act_add, self.act_edit, self.act_duplicate, self.act_remove, None,
                       self.act_toggle, self.act_test, None, self.act_pause_all):  # fmt: skip
            conn_menu.addSeparator() if action is None else conn_menu.addAction(action)
        view_menu = menus.addMenu(self.tr("&View"))
        view_menu.addAction(self.act_log)
        view_menu.addAction(self.act_filter)
        help_menu = menus.addMenu(self.tr("&Help"))
        help_menu.addAction(self.act_demo)
        help_menu.addAction(self._action(self.tr("&About TCP Monitor"), self.about))

        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("mainToolbar")
        for action in (self.act_add, self.act_edit, self.act_remove, None, self.act_toggle,
                       self.act_test, self.act_pause_all):  # fmt: skip
            toolbar.addSeparator() if action is None else toolbar.addAction(action)
        self._update_actions()

    def _wire(self) -> None:
        engine = self.ctx.engine
        engine.eventsReady.connect(self.on_events)
        self.model.countsChanged.connect(self._counts_changed)
        self.model.profilesChanged.connect(self._profiles_changed)
        self.table.activated.connect(self.profiles.edit)
        self.table.selectionChanged.connect(self._update_actions)
        self.table.contextMenuRequested.connect(self.profiles.context_menu)
        self.table.addRequested.connect(self.profiles.add)
        self.table.demoRequested.connect(self.start_demo)
        self.log_pane.statusMessage.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.policy.notification.connect(self.notify)
        self.tray.showHideRequested.connect(self.toggle_visible)
        self.tray.pauseAllRequested.connect(self.set_paused_all)
        self.tray.quitRequested.connect(self.quitRequested.emit)

    # -- events from the engine ---------------------------------------------------------

    def on_events(self, events: Sequence[Event]) -> None:
        """An engine batch: the table and the notification policy at once; the log, the
        tray and the counts within ``UI_FLUSH_MS`` (many batches a second become one)."""
        self.model.apply_events(events)
        self.policy.handle(events, self._profile_map)
        changes = [e for e in events if e.kind is Kind.STATE]
        if changes:
            self._pending_changes.extend(changes)
            if not self._ui_timer.isActive():
                self._ui_timer.start()

    def _counts_changed(self, counts: dict[State, int]) -> None:
        self._counts = counts
        if not self._ui_timer.isActive():
            self._ui_timer.start()

    def _flush_ui(self) -> None:
        changes, self._pending_changes = self._pending_changes, []
        if changes:
            self.log_pane.add_events(changes)
            self.tray.add_events(changes)
        counts, self._counts = self._counts, None
        if counts is not None:
            parts = [count_text(counts[s], s) for s in STATUS_ORDER if counts.get(s)]
            self.counts_label.setText("  ·  ".join(parts) or self.tr("No connections"))
            self.tray.update_status(counts, self.model.down_names())
            worst = self.model.worst_state()
            if worst is not self._icon_state:
                self._icon_state = worst
                self.setWindowIcon(state_icon(worst))

    def notify(self, notice: Notice) -> None:
        """Tell the user through the first way that works (see notify_backends)."""
        self.notices.append(notice)
        log.info("notice: %s — %s", notice.title, notice.body.replace("\n", " / "))
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no qasync loop (widget tests): the banner needs none
            self.banner.show_message(
                notice.title, notice.body, "warning" if notice.urgent else "info"
            )
            return
        self.chain.post(notice)

    # -- profiles and the engine --------------------------------------------------------

    def model_profiles(self) -> list[Profile]:
        return [self.model.profile_at(row) for row in range(self.model.rowCount())]

    def _profiles_changed(self) -> None:
        profiles = self.model_profiles()
        self._profile_map = {p.id: p for p in profiles}
        self.log_pane.set_profiles([(p.id, p.name) for p in profiles])
        self._update_actions()

    def after_profiles_change(self) -> None:
        """The table has already told us (profilesChanged); fetch the new rows' uptime."""
        self.refresh_uptime()

    def start_monitoring(self) -> None:
        if self.ctx.engine.running:
            return
        self.ctx.engine.start()
        self.ctx.engine.set_profiles(self.ctx.profiles)
        self.model.start_clock()
        self._uptime_timer.start()
        self.refresh_uptime()
        self.tray.show()
        if self._demo_requested:
            self.start_demo()

    def start_monitoring_after_first_paint(self, *also: Callable[[], object]) -> None:
        """Start monitoring (and call ``also`` first) once the first frame is on screen."""
        self._after_paint = also
        self.installEventFilter(self)
        self._await_paint = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._await_paint and watched is self and event.type() == QEvent.Type.Paint:
            self._await_paint = False
            self.removeEventFilter(self)
            QTimer.singleShot(0, self._first_frame_shown)  # once this frame is on screen
        return super().eventFilter(watched, event)

    def _first_frame_shown(self) -> None:
        for call in self._after_paint:
            call()
        self.start_monitoring()

    def refresh_uptime(self) -> None:
        ids = [p.id for p in self.model_profiles()]
        if ids:
            self.relay.when_done(self.ctx.uptimes(ids), self._uptime_ready)

    def _uptime_ready(self, future: concurrent.futures.Future[dict[str, float | None]]) -> None:
        if not future.cancelled() and future.exception() is None:
            self.model.set_uptime(future.result())

    def set_paused_all(self, paused: bool) -> None:
        engine = self.ctx.engine
        engine.pause_all() if paused else engine.resume_all()
        self.act_pause_all.setChecked(paused)
        self.act_pause_all.setText(self.tr("Resume &all") if paused else self.tr("Pause &all"))
        self.tray.set_paused(paused)

    def toggle_pause_all(self) -> None:
        self.set_paused_all(self.act_pause_all.isChecked())

    def start_demo(self) -> None:
        if not self.ctx.engine.running:
            self._demo_requested = True  # started with monitoring
            return
        self._demo_requested = False
        if self.demo is not None:
            return
        from ..lab.demo import Demo  # noqa: PLC0415 - only for those who try it

        self.demo = Demo().start()
        for profile in self.demo.profiles:
            self.model.upsert_profile(profile)
            self.ctx.engine.add(profile)
        self.after_profiles_change()
        self.statusBar().showMessage(
            self.tr(
                "Demo started: its connections are not saved; the flaky link fails and recovers "
                "every minute or so."
            ),
            10_000,
        )

    def stop_demo(self) -> None:
        if self.demo is not None:
            self.demo.stop()
            self.demo = None

    def show_test_result(self, profile: Profile, sample: Sample) -> None:
        if sample.ok:
            ms = sample.latency_ms
            latency = "?" if ms is None else unit_text("{n} ms", n=f"{ms:.2f}")
            text = self.tr("{name}: connected to {address} in {latency}").format(
                name=profile.name, address=sample.address, latency=latency
            )
        else:
            text = f"{profile.name}: {cause_text(sample.cause)} — {sample.detail}"
        self.statusBar().showMessage(text, 15_000)

    def _update_actions(self) -> None:
        selected = bool(self.table.selected_ids())
        for action in (self.act_edit, self.act_duplicate, self.act_remove, self.act_toggle,
                       self.act_test):  # fmt: skip
            action.setEnabled(selected)

    # -- window, tray, settings ---------------------------------------------------------

    def toggle_visible(self) -> None:
        if self.isVisible() and not self.isMinimized():
            self.hide()
        else:
            self.show_and_raise()
        self.tray.set_window_visible(self.isVisible())

    def show_and_raise(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.tray.set_window_visible(True)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing hides to the tray when there is one (said once); otherwise it quits.

        Qt's ``quit()`` first closes every window and gives up if one refuses, so once the
        user has asked to quit (``quitting``) the window must let itself be closed.
        """
        self._save_ui_state()
        if self.quitting:
            event.accept()
            return
        if self.tray.is_visible():
            event.ignore()
            self.hide()
            self.tray.set_window_visible(False)
            if not self.ui_settings.value("told_about_tray", False, type=bool):
                self.ui_settings.setValue("told_about_tray", True)
                self.tray.show_message(
                    self.tr("TCP Monitor is still running"),
                    self.tr("It keeps watching from the tray. Quit from the tray menu."),
                )
            return
        event.accept()
        self.quitRequested.emit()

    def _restore_ui_state(self) -> None:
        s = self.ui_settings
        if isinstance(geometry := s.value("geometry"), QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 720)
        if isinstance(state := s.value("windowState"), QByteArray):
            self.restoreState(state)
        if isinstance(header := s.value("statusHeader"), QByteArray):
            self.table.restore_header_state(bytes(header.data()))
        if isinstance(split := s.value("splitter"), QByteArray):
            self.splitter.restoreState(split)
        self.log_pane.set_newest_first(bool(s.value("logNewestFirst", True, type=bool)))

    def _save_ui_state(self) -> None:
        s = self.ui_settings
        s.setValue("geometry", self.saveGeometry())
        s.setValue("windowState", self.saveState())
        s.setValue("statusHeader", QByteArray(self.table.header_state()))
        s.setValue("splitter", self.splitter.saveState())
        s.setValue("logNewestFirst", self.log_pane.model.newest_first)
        s.sync()

    def shutdown(self) -> None:
        """Before the engine stops: save the window's state, stop timers and the tray.

        The demo's servers are stopped after the engine (``stop_demo``), or their closing
        would be recorded as a drop.
        """
        self.policy.stop()
        self._save_ui_state()
        self._uptime_timer.stop()
        self.model.stop_clock()
        self.tray.hide()
        self.desktop.close()

    def about(self) -> None:
        from .. import __version__  # noqa: PLC0415

        box = QMessageBox(self)
        box.setWindowTitle(self.tr("About TCP Monitor"))
        about = self.tr(
            "Watches TCP connections and tells you at once, with the cause, when one drops and "
            "when it comes back."
        )
        box.setText(f"<b>TCP Monitor {__version__}</b><br>{about}")
        box.open()

    def ask_file(self, save: bool, title: str, callback: Callable[[Path], object]) -> None:
        """A file dialog that does not block the event loop (``open``, not ``exec``)."""
        dialog = QFileDialog(self, title)
        dialog.setNameFilter(self.tr("Profiles (*.json);;All files (*)"))
        if save:
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setDefaultSuffix("json")
        else:
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda name: callback(Path(name)))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()


def quit_application() -> None:
    app = QApplication.instance()
    if app is not None:
        app.quit()
