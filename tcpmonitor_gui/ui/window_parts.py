"""The session's parts of the main window, built once its first frame is on screen.

``MainWindow.__init__`` builds the first frame from a few light modules (issue #12); the
table, the log, the banner, the tray, the notification policy and the user's commands come
from the modules imported here, which ``composition.compose`` loads after that frame."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from .about import show_about
from .details.export import ReportExport
from .log.pane import LogPane
from .notify.backends import BannerBackend, DesktopBackend, TrayBackend, choose_backend
from .notify.banner import Banner
from .notify.policy import NotificationPolicy
from .profiles.actions import ProfileActions
from .settings.actions import SettingsActions
from .status.model import StatusModel
from .status.stored import StoredHistory
from .status.view import StatusTable
from .tray import TrayIcon

if TYPE_CHECKING:
    from ..core.session import Session
    from ..engine.engine import Engine
    from ..engine.registry import ProfileRegistry
    from ..integration.autostart import Autostart
    from .main_window import MainWindow


def attach(
    window: MainWindow,
    session: Session,
    registry: ProfileRegistry,
    engine: Engine,
    *,
    autostart: Callable[[], Autostart] | None = None,
    launch_args: Callable[[], list[str]] | None = None,
) -> None:
    """The session's parts in ``window`` (its first frame): the status table and the event
    log in place of "Loading…", the parts that tell and act, wired; once."""
    assert not window.attached, "attached twice"
    window.session, window.registry, window.engine = session, registry, engine
    window.model = StatusModel(registry, window)
    window.table = StatusTable(window.model, watch_now=False)  # see start_monitoring
    own = (session.config_dir, session.data_dir)  # no export goes over their files
    window.log_pane = LogPane(
        session.history, registry=registry, io=session.io, watch_now=False, own_dirs=own
    )
    window.banner = Banner(window)
    window.splitter = QSplitter(Qt.Orientation.Vertical)
    window.splitter.addWidget(window.table)
    window.splitter.addWidget(window.log_pane)
    window.splitter.setStretchFactor(0, 3)
    window.splitter.setStretchFactor(1, 2)
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.addWidget(window.banner)
    layout.addWidget(window.splitter)
    window.setCentralWidget(central)  # "Loading…" goes
    window.tray = TrayIcon(
        window, exists=registry.profiles.by_id.__contains__, in_state=window.model.in_state
    )
    window.policy = NotificationPolicy(
        registry.profiles.by_id, session.settings, window, network_up=lambda: engine.online
    )
    window.desktop = DesktopBackend()
    # The tray's way even with no tray yet: one may come (a panel that starts after us).
    window.chain = choose_backend(
        TrayBackend(window.tray), window.desktop, BannerBackend(window.banner)
    )
    window.profiles = ProfileActions(
        registry, engine.test_now, session.io, window, window.table, own_dirs=own
    )
    window.settings_actions = SettingsActions(
        session, window, autostart=autostart, launch_args=launch_args or list
    )
    window.stored = StoredHistory(session, registry, window.model)
    window.reports = ReportExport(session, registry, window, window.table.selected_ids)
    window.take_parts(command_slots(window))
    restore_layout(window)


def command_slots(window: MainWindow) -> dict[str, Callable[[], object]]:
    """What each of ``window``'s actions does (``window_actions.ACTIONS``), but "log" and
    "details" (their ``toggled`` signals show and hide the pane and the dock) and
    "log_follows" (the window's own)."""
    p = window.profiles
    return {
        "add": p.add,
        "edit": p.edit_selected,
        "duplicate": p.duplicate_selected,
        "remove": p.remove_selected,
        "toggle": p.toggle_selected,
        "test": p.test_selected,
        "pause_all": window.toggle_pause_all,
        "import": p.import_dialog,
        "export": p.export_dialog,
        "settings": window.settings_actions.open_dialog,
        "demo": window.demoRequested.emit,
        "find": window.table.focus_filter,
        "quit": window.quitRequested.emit,
        "about": lambda: show_about(window),
        **p.marks_slots(window.model.unacknowledged),
        **window.reports.slots(),
    }


def restore_layout(window: MainWindow) -> None:
    """What ``build_parts`` built, as the user left it: the tool bar and the dock, the
    columns, the splitter, the log's order (the geometry was the first frame's)."""
    s = window.state
    if isinstance(state := s.get("windowState"), QByteArray):
        if s.get("detailsOpen", "true") in (True, "true"):  # (older states do not say)
            window.details  # noqa: B018 - left open: built, to be restored with the rest
        window.restoreState(state)
    if isinstance(header := s.get("statusHeader"), QByteArray):
        window.table.restore_header_state(bytes(header.data()), s.get("statusColumns"))
    if isinstance(split := s.get("splitter"), QByteArray):
        window.splitter.restoreState(split)
    window.log_pane.set_newest_first(s.get("logNewestFirst", "true") in (True, "true"))
