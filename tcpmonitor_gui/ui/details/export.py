"""File → Export report: the history of the selected connections (all of them when none is
selected) over the last day, week or month, as a self-contained HTML page or a CSV table
(``core.report``), written on the I/O thread."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ...core.outputs import write_output
from ...core.profile import Profile
from ...core.session import Session
from ...engine.gui_thread import when_done
from ...engine.registry import ProfileRegistry
from ..common.file_dialogs import ask_save_file
from ..common.file_problems import not_written_text

#: The periods offered, by action name: days.
PERIODS = {"report_24h": 1, "report_7d": 7, "report_30d": 30}


class ReportExport(QObject):
    #: A line for the status bar: the report was written.
    message = Signal(str)
    #: ``(title, text)``: it could not be.
    problem = Signal(str, str)

    def __init__(
        self,
        session: Session,
        registry: ProfileRegistry,
        parent: QWidget,
        selected: Callable[[], list[str]],
    ) -> None:
        super().__init__(parent)
        self._session, self._registry, self._parent = session, registry, parent
        self._selected = selected

    def slots(self) -> dict[str, Callable[[], object]]:
        return {name: functools.partial(self.ask, days) for name, days in PERIODS.items()}

    def ask(self, days: int) -> None:
        ask_save_file(
            self._parent,
            self.tr("Export report"),
            self.tr("HTML report (*.html);;CSV table (*.csv)"),
            lambda path: self.write(path, days),
            suggested=f"tcpmonitor-report-{days}d.html",
            suffix="html",
        )

    def write(self, path: Path, days: int) -> concurrent.futures.Future[int]:
        """The report of the last ``days`` days, as CSV if ``path`` ends in .csv, else HTML."""
        from ...core.report import build, to_csv, to_html  # noqa: PLC0415 - when asked

        session, profiles = self._session, self._chosen()
        until = dt.datetime.now(dt.UTC)
        since = until - dt.timedelta(days=days)
        as_csv = path.suffix.lower() == ".csv"

        def write() -> int:  # on the I/O thread, where the log was opened first
            report = build(session.usable_eventlog(), profiles, since, until)  # or no file
            text = to_csv(report) if as_csv else to_html(report)
            write_output(path, text, (session.config_dir, session.data_dir), mode=0o644)
            return len(profiles)

        future = self._session.io.submit(write)
        when_done(future, functools.partial(self._written, path), owner=self)
        return future

    def _chosen(self) -> list[Profile]:
        profiles = self._registry.profiles
        chosen = [profiles.by_id[i] for i in self._selected() if i in profiles.by_id]
        return chosen or profiles.saved()  # not the demo's

    def _written(self, path: Path, future: concurrent.futures.Future[int]) -> None:
        if (exc := future.exception()) is not None:
            self.problem.emit(self.tr("The report was not written"), not_written_text(path, exc))
            return
        count = future.result()
        self.message.emit(
            self.tr("Report of %n connections written to {path}", "", count).format(path=path)
        )
