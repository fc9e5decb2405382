"""The Settings dialog's round trip: read what start at login is now, show the dialog, apply.

Both the settings file and the platform's start-at-login entry are written on the I/O thread
(on Windows the entry is a shortcut made by PowerShell, which may take seconds); the dialog
opens once the entry has been looked at, and every failure is told, never swallowed.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from ...core.session import Session
from ...core.settings import Settings
from ...engine.gui_thread import when_done
from ...engine.registry import RETRY_SAVE_MS
from ..common.file_problems import file_problem_text

if TYPE_CHECKING:
    from ...integration.autostart import Autostart


class SettingsActions(QObject):
    #: ``(title, text)``: something the user must see (the window's banner).
    problem = Signal(str, str)
    #: ``(title, text)``: the settings were not written; ``resolved`` takes its place.
    unsaved = Signal(str, str)
    #: The settings in force from now on (the notification policy follows them).
    applied = Signal(object)
    #: A title: what ``unsaved`` told is no longer so (the settings are written after all).
    resolved = Signal(str)
    #: The settings are written: a settings file that could not be read is replaced.
    saved = Signal()

    def __init__(
        self,
        session: Session,
        parent: QWidget,
        *,
        autostart: Callable[[], Autostart] | None = None,
        launch_args: Callable[[], list[str]] = list,
    ) -> None:
        """``autostart`` makes the platform's start-at-login entry (None: not offered) and
        ``launch_args`` gives the command that starts this program with the same files; both
        are called only when Settings opens (they need not load at start-up)."""
        super().__init__(parent)
        self._session = session
        self._parent = parent
        self._autostart_factory = autostart
        self._autostart: Autostart | None = None
        self._launch_args = launch_args
        self._unsaved = ""  # why the last write of the settings failed (told once)
        self._applied: Settings | None = None  # what ``applied`` said last
        #: Writes them again after a failed write: a full disk may have room by then.
        self.save_retry = QTimer(self)
        self.save_retry.setSingleShot(True)
        self.save_retry.setInterval(RETRY_SAVE_MS)
        self.save_retry.timeout.connect(self._save_again)

    def _entry(self) -> Autostart | None:
        if self._autostart is None and self._autostart_factory is not None:
            self._autostart = self._autostart_factory()
        return self._autostart

    def open_dialog(self) -> concurrent.futures.Future[bool | None]:
        """Look at start at login on the I/O thread, then open the dialog (the future holds
        whether the program starts at login, None where that is not offered)."""
        entry = self._entry()
        future = self._session.io.submit(lambda: None if entry is None else entry.is_enabled())
        when_done(future, self._show, owner=self)
        return future

    def _show(self, future: concurrent.futures.Future[bool | None]) -> None:
        from .dialog import SettingsDialog  # noqa: PLC0415 - not needed to start

        start_at_login = None if future.exception() is not None else future.result()
        dialog = SettingsDialog(self._session.settings, self._parent, start_at_login=start_at_login)

        def accepted() -> None:
            self.apply(dialog.result_settings())
            if start_at_login is not None and dialog.start_at_login_checked() != start_at_login:
                self.set_start_at_login(dialog.start_at_login_checked())

        dialog.accepted.connect(accepted)
        dialog.open()

    def apply(self, settings: Settings) -> concurrent.futures.Future[Settings]:
        """Use ``settings`` now; write them on the I/O thread (merged with what another
        program changed in the file since: those are used too, once written)."""
        self._applied = settings
        self.applied.emit(settings)
        future = self._session.save_settings(settings)
        when_done(future, self._settings_saved, owner=self)
        return future

    def _settings_saved(self, future: concurrent.futures.Future[Settings]) -> None:
        error = "" if (exc := future.exception()) is None else str(exc)
        written = None if error else future.result()
        if written is self._session.settings and written != self._applied:
            self._applied = written
            self.applied.emit(written)  # with what another program changed since
        if error and error != self._unsaved:  # (the retries every 30 s say it once)
            self.unsaved.emit(self.tr("Settings were not saved"), file_problem_text(error))
        elif not error and self._unsaved:
            self.resolved.emit(self.tr("Settings are saved again"))
        self._unsaved = error
        if error:
            self.save_retry.start()
        else:
            self.save_retry.stop()
            self.saved.emit()

    def _save_again(self) -> None:
        when_done(self._session.save_settings_again(), self._settings_saved, owner=self)

    def set_start_at_login(self, wanted: bool) -> concurrent.futures.Future[None]:
        """Write or remove the platform's login entry, on the I/O thread."""
        entry = self._entry()
        if entry is None:
            done: concurrent.futures.Future[None] = concurrent.futures.Future()
            done.set_result(None)
            return done
        launch_args = self._launch_args

        def change() -> None:
            if wanted:
                entry.enable(launch_args())
            else:
                entry.disable()

        future = self._session.io.submit(change)
        when_done(future, self._login_changed, owner=self)
        return future

    def _login_changed(self, future: concurrent.futures.Future[None]) -> None:
        from ...integration.autostart import NotOurs  # noqa: PLC0415 - loaded by now

        if (exc := future.exception()) is None:
            return
        text = file_problem_text(str(exc))  # "could not write ...: File exists"
        if isinstance(exc, NotOurs) and exc.enabling:  # never replaced: said why
            text = self.tr(
                "{path} was left: it is not the entry TCP Monitor writes (your own, or"
                " changed, or a link). Move it away to have TCP Monitor start at login."
            ).format(path=exc.path)
        elif isinstance(exc, NotOurs):  # the user's own file: left, and said why
            text = self.tr(
                "{path} was left: it is not the entry TCP Monitor writes (your own, or"
                " changed). Remove it yourself to stop it starting at login."
            ).format(path=exc.path)
        self.problem.emit(self.tr("Start at login was not changed"), text)
