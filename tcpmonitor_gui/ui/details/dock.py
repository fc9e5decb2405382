"""The details of one connection, in a dock beside the table: its latency over 1 h / 24 h /
7 d / 30 d with outages shaded (``chart.py``), its uptime over 24 h / 7 d / 30 d, how many
outages, how long they took to recover and the longest, time degraded, its notes, and the
outages themselves.

It follows the table's current row while it is shown (Enter or "Details" shows it). Its
history comes from the event log on the session's I/O thread, again once a minute while it
is shown and soon after the connection changes state.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.eventqueries import Uptime
from ...core.events import State
from ...core.profile import Profile
from ...core.profile_history import PERIODS, UPTIME_WINDOWS, ProfileHistory, load
from ...core.session import Session
from ...core.wall_time import offset_if_twice
from ...engine.gui_thread import when_done
from ...engine.registry import ProfileRegistry
from ..common.bidi import anchored, isolated
from ..common.detail_text import detail_text
from ..common.file_problems import file_problem_text
from ..common.i18n import QT_TRANSLATE_NOOP, translate
from ..common.labels import cause_text
from ..common.plain import plain
from ..common.text import coarse_duration_text, duration_text, error_text
from ..status.cells import detector_text, format_uptime

if TYPE_CHECKING:
    from .chart import LatencyChart

log = logging.getLogger(__name__)

#: While shown, the history is read again this often, and this long after a state change.
#: A profile's state, since when (wall clock), the seconds really passed since and whether it
#: was so before the restart too (``StatusModel.in_state``).
InState: TypeAlias = Callable[[str], "tuple[State, dt.datetime, float, str] | None"]
REFRESH_MS = 60_000
SOON_MS = 1_000


#: Below this part of an uptime's window watched, the uptime says how long it was.
WATCHED_PART = 0.9
#: ``PERIODS``' names as the window's language writes them (the Chinese window read "7 d"
#: beside "持续 12 秒"): for lupdate; ``period_text`` translates them.
PERIOD_WORDS = (
    QT_TRANSLATE_NOOP("DetailsDock", "1 h"),
    QT_TRANSLATE_NOOP("DetailsDock", "24 h"),
    QT_TRANSLATE_NOOP("DetailsDock", "7 d"),
    QT_TRANSLATE_NOOP("DetailsDock", "30 d"),
)


def period_text(label: str) -> str:
    return translate("DetailsDock", label)


class DetailsDock(QDockWidget):
    editRequested = Signal(str)
    #: The history shown was read (for tests and the curious): the profile id.
    loaded = Signal(str)

    def __init__(self, session: Session, registry: ProfileRegistry, parent: QWidget) -> None:
        super().__init__(self.tr("Details"), parent)
        self.setObjectName("detailsDock")
        self._session, self._registry = session, registry
        self.profile_id: str | None = None
        self.period = "24 h"
        self.history: ProfileHistory | None = None
        #: What the table knows of the drop going on (``_until``).
        self.in_state: InState = lambda profile_id: None
        self._asked = 0  # answers to older questions are dropped
        self.chart: LatencyChart | None = None

        body = QWidget()
        layout = QVBoxLayout(body)
        self.title = QLabel()
        self.title.setObjectName("detailsTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        periods = QHBoxLayout()
        self.period_buttons = QButtonGroup(self)
        for at, label in enumerate(PERIODS):
            button = QToolButton()
            button.setText(period_text(label))
            button.setCheckable(True)
            button.setChecked(label == self.period)
            button.setObjectName(f"period {label}")
            self.period_buttons.addButton(button, at)
            periods.addWidget(button)
        periods.addStretch(1)
        self.edit_button = QPushButton(self.tr("&Edit…"))
        periods.addWidget(self.edit_button)
        self.period_buttons.idClicked.connect(lambda at: self.set_period(list(PERIODS)[at]))
        self.edit_button.clicked.connect(self._edit)
        self.chart_holder = QVBoxLayout()
        self.summary = QFormLayout()
        self.uptime_label = QLabel()
        self.outages_label = QLabel()
        self.recovery_label = QLabel()
        self.longest_label = QLabel()
        self.degraded_label = QLabel()
        for name, value in (
            (self.tr("Uptime"), self.uptime_label),
            (self.tr("Outages (30 d)"), self.outages_label),
            (self.tr("Mean time to recover"), self.recovery_label),
            (self.tr("Longest outage"), self.longest_label),
            (self.tr("Degraded (30 d)"), self.degraded_label),
        ):
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setWordWrap(True)
            self.summary.addRow(name, value)
        self.outage_table = QTableWidget(0, 4)
        self.outage_table.setObjectName("outageTable")
        self.outage_table.setAccessibleName(self.tr("Outages"))
        self.outage_table.setHorizontalHeaderLabels(
            [self.tr("Start"), self.tr("Duration"), self.tr("Cause"), self.tr("Ended")]
        )
        self.outage_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.outage_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.outage_table.setTabKeyNavigation(False)
        self.outage_table.verticalHeader().setVisible(False)
        header = self.outage_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.outage_table.setMinimumHeight(120)
        for part in (self.title, self.notes):
            layout.addWidget(part)
        layout.addLayout(periods)
        layout.addLayout(self.chart_holder, 3)
        layout.addLayout(self.summary)
        layout.addWidget(self.outage_table, 2)
        scroll = QScrollArea()  # a small screen scrolls the dock rather than cut it
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.setWidget(scroll)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(SOON_MS)
        self._soon.timeout.connect(self.refresh)
        self.visibilityChanged.connect(self._visibility)
        registry.changed.connect(lambda _changes: self._describe())
        registry.removed.connect(self._removed)
        self._describe()

    # -- what is shown --------------------------------------------------------------------

    def show_profile(self, profile_id: str | None) -> None:
        """Follow ``profile_id`` (the table's current row); read its history if shown. None,
        or a connection removed: nothing is shown (not the last one's history)."""
        if profile_id not in self._registry.profiles.by_id:
            profile_id = None
        if profile_id == self.profile_id:
            return
        self.profile_id = profile_id
        self.history = None
        self._describe()
        if profile_id is None:
            self._clear()
        self.refresh()

    def set_period(self, label: str) -> None:
        if label in PERIODS and label != self.period:
            self.period = label
            for at, name in enumerate(PERIODS):
                self.period_buttons.button(at).setChecked(name == label)
            self.refresh()

    def state_changed(self, profile_ids: set[str]) -> None:
        """The engine said these profiles changed state: read again soon if ours did."""
        if self.profile_id in profile_ids and self.isVisible():
            self._soon.start()

    def refresh(self) -> None:
        """Read the history of the profile shown, on the I/O thread (nothing while hidden)."""
        if (pid := self.profile_id) is None or not self.isVisible():
            return
        self._asked += 1
        asked, period = self._asked, PERIODS[self.period]
        future = self._session.io.submit(_stored, self._session, pid, period)
        when_done(future, lambda f: self._loaded(f, asked), owner=self)

    # -- internals -----------------------------------------------------------------------

    def release(self) -> None:
        """At shutdown: the chart is taken apart while the window still stands."""
        self._timer.stop()
        self._soon.stop()
        chart, self.chart = self.chart, None
        if chart is not None:
            chart.release()

    def _removed(self, profiles: list[Profile]) -> None:
        if any(p.id == self.profile_id for p in profiles):
            self.show_profile(None)

    def _clear(self) -> None:
        """Nothing shown: an answer on its way is dropped, and what the last one said goes."""
        self._asked += 1
        self._soon.stop()
        self.outage_table.clearSpans()
        self.outage_table.setRowCount(0)
        labels = self.uptime_label, self.outages_label, self.recovery_label, self.longest_label
        for label in (*labels, self.degraded_label):
            label.clear()
        if self.chart is not None:
            self.chart.hide()

    def _edit(self) -> None:
        if self.profile_id is not None:
            self.editRequested.emit(self.profile_id)

    def _visibility(self, visible: bool) -> None:
        if visible:
            self._timer.start()
            self.refresh()
        else:
            self._timer.stop()

    def _describe(self) -> None:
        profile = self._registry.profiles.by_id.get(self.profile_id or "")
        self.edit_button.setEnabled(profile is not None)
        if profile is None:
            self.title.setText(self.tr("Select a connection to see its history."))
            self.notes.clear()
            self.notes.hide()
            return
        name, target = isolated(profile.name), isolated(profile.target)
        self.title.setText(anchored(f"{name} — {target} · {detector_text(profile)}"))
        self.notes.setText(profile.notes)
        self.notes.setVisible(bool(profile.notes))

    def _loaded(self, future: concurrent.futures.Future[ProfileHistory], asked: int) -> None:
        if asked != self._asked or future.cancelled():
            return  # a newer question is on its way
        error = future.exception()
        if error is not None:
            said = self.tr("The history cannot be read: {error}")
            self.uptime_label.setText(said.format(error=file_problem_text(error_text(error))))
            return
        self.history = history = future.result()
        if self.chart is None:
            from .chart import LatencyChart  # noqa: PLC0415 - pyqtgraph costs ~0.5 s to import

            self.chart = LatencyChart()
            self.chart_holder.addWidget(self.chart)
        self.chart.show_history(history)
        self.chart.show()
        self._summarise(history)
        self._list(history)
        log.info(
            "details of %s: %d buckets, %d outages (%d shaded)",
            history.profile_id,
            len(history.buckets),
            history.outage_count,
            len(history.shaded),
        )
        self.loaded.emit(history.profile_id)

    def _uptime_text(self, window: str, uptime: Uptime) -> str:
        """``30 d: 87.6 %``, and how long it was watched when that is a small part of the
        window: a connection added 90 s ago read "30 d: 87.6 %", a month's word on 90 s."""
        text = format_uptime(uptime) or "–"
        watched = uptime.known_s + uptime.not_counted_s + uptime.maintenance_s
        if uptime.percent is not None and watched < WATCHED_PART * PERIODS[window]:
            seen = self.tr("(of {duration} watched)").format(duration=duration_text(watched))
            text = f"{text} {seen}"
        return self.tr("{window}: {uptime}").format(window=period_text(window), uptime=text)

    def _summarise(self, history: ProfileHistory) -> None:
        s, now = history.summary, self._until(history)
        self.uptime_label.setText(
            " · ".join(self._uptime_text(w, s.uptime[w]) for w in UPTIME_WINDOWS)
        )
        apart = []  # not among the count: "1 (1 in maintenance windows)" read as one of it
        if s.local:
            apart.append(self.tr("%n when this computer was offline", "", s.local))
        if s.planned:
            apart.append(self.tr("%n in maintenance windows", "", s.planned))
        count = self.tr("{count} (not counted: {outages})").format(
            count=s.outages, outages=", ".join(apart)
        )
        self.outages_label.setText(count if apart else str(s.outages))
        mean = s.mean_recovery_s
        self.recovery_label.setText("–" if mean is None else duration_text(mean))
        longest = s.longest
        if longest is None:
            self.longest_label.setText("–")
        else:
            self.longest_label.setText(
                self.tr("{duration}, from {start} ({cause})").format(
                    duration=duration_text(longest.duration_s(now)),
                    start=_local(longest.start),
                    cause=cause_text(longest.cause),
                )
            )
        self.degraded_label.setText(coarse_duration_text(s.degraded_s) if s.degraded_s else "–")

    def _list(self, history: ProfileHistory) -> None:
        rows = history.outages[::-1]  # the newest (``MAX_LISTED``)
        table = self.outage_table
        table.clearSpans()
        older = history.outage_count - len(rows)
        table.setRowCount(len(rows) + (older > 0))
        if older > 0:  # the list is the newest only: said, where the older would be
            more = QTableWidgetItem(self.tr("… and {count} older").format(count=older))
            more.setFlags(Qt.ItemFlag.ItemIsEnabled)
            table.setItem(len(rows), 0, more)
            table.setSpan(len(rows), 0, 1, table.columnCount())
        ongoing, until = self.tr("ongoing"), self._until(history)
        known = self.in_state(history.profile_id)  # the table's "(and before the restart)":
        if known is not None and known[3] and self._known_drop(history):  # of the same drop
            ongoing = (
                self.tr("ongoing (down before the restart too)")
                if known[3] == "restart"
                else self.tr("ongoing (down before the pause too)")
            )
        for at, o in enumerate(rows):
            ended = ongoing if o.end is None else _ended_text(o.ended_by)
            cause = cause_text(o.cause)
            if o.maintenance:  # planned: as ``tcpmonitor outages`` notes it
                cause = self.tr("{cause} (in a maintenance window)").format(cause=cause)
            cells = (_local(o.start), duration_text(o.duration_s(until)), cause, ended)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2 and o.detail:
                    item.setToolTip(plain(detail_text(o.detail)))
                table.setItem(at, column, item)

    def _until(self, history: ProfileHistory) -> dt.datetime:
        """Where the drop going on ends for now: the history's end by the wall clock, unless
        the table has the same drop and the time it has really lasted (the wall clock set
        forward a day during it added a day)."""
        known = self.in_state(history.profile_id)
        if known is None or (start := self._known_drop(history)) is None:
            return history.until
        return start + dt.timedelta(seconds=known[2])

    def _known_drop(self, history: ProfileHistory) -> dt.datetime | None:
        """The start of the ongoing outage, if it is the drop the table knows (None: another,
        or none)."""
        known = self.in_state(history.profile_id)
        ongoing = [o for o in history.outages if o.end is None]
        if not ongoing or known is None or known[0] is not State.DOWN:
            return None
        if abs((ongoing[-1].start - known[1]).total_seconds()) > 1:
            return None  # another drop than the one the table knows
        return ongoing[-1].start


def _local(when: dt.datetime) -> str:
    """With its UTC offset where the clock read the same an hour apart (the autumn hour)."""
    return offset_if_twice(when, "%Y-%m-%d %H:%M:%S")


def _ended_text(ended_by: str) -> str:
    """How an outage ended, in the user's language. A state a newer version wrote (the
    log is shared) is named as it was, and said to be one: the Chinese window showed
    "quarantined", unexplained, as causes once were."""
    words = {
        "recovered": translate("DetailsDock", "recovered"),
        "paused": translate("DetailsDock", "paused"),
        "monitoring stopped": translate("DetailsDock", "monitoring stopped"),
        "monitoring restarted": translate("DetailsDock", "monitoring restarted"),
        "target changed": translate("DetailsDock", "target changed"),
    }
    if (word := words.get(ended_by)) is None:
        unknown = translate("DetailsDock", "{state} (a state this version does not know)")
        return unknown.format(state=ended_by)
    return word


def _stored(session: Session, profile_id: str, period_s: float) -> ProfileHistory:
    """On the I/O thread, where the event log was opened first (it may still be opening
    when the dock is first shown: ``Session.open_eventlog_soon``)."""
    return load(session.usable_eventlog(), profile_id, period_s)
