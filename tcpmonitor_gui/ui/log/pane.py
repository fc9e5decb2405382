"""The event log pane: the log table, its filter bar, and CSV export.

The view follows the newest events only while the user is already at the newest end (Picard's
log view does the same): someone reading an old drop must not have it scroll away under them.
When rows arrive above what they read, the scroll position moves with the rows instead.
"""

from __future__ import annotations

import concurrent.futures
import functools
from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QHelpEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.events import Event
from ...core.outputs import write_events_csv
from ...engine.gui_thread import when_done
from ...engine.registry import ProfileRegistry
from ..common.copy import copy_rows, copy_rows_on_ctrl_c
from ..common.file_dialogs import ask_save_file
from ..common.file_problems import not_written_text
from ..common.filter_keys import FilterKeys
from ..common.first_paint import clear_button_after_first_paint
from ..common.hover import show_cell_tooltip
from ..common.seen import ScreenReader, rows_on_screen, watch_viewport
from ..common.spoken import named
from .cells import time_width
from .model import Column, History, LogModel, Role
from .proxy import CAUSE_CHOICES, STATE_CHOICES, LogFilterProxy, choice_text, start_or_stop
from .unread import UnreadNote, unreadable_text

__all__ = ["LogFilterProxy", "LogPane", "start_or_stop"]

_Index = QModelIndex | QPersistentModelIndex


#: While a burst is shown a piece per turn of the event loop (``LogModel``), the view is
#: painted at most this often: each piece would repaint it, fifty times for a thousand lines.
BURST_PAINT_MS = 250


class LogPane(QWidget):
    """The log of state changes; the main window feeds it with ``add_events``."""

    #: A one-line message for the status bar (an export done, history that cannot be read).
    statusMessage = Signal(str)
    #: ``(title, text)``: something went wrong that the user must see (an export failed).
    problem = Signal(str, str)
    #: A profile id: the user asked for that connection's details (the log's context menu).
    detailsRequested = Signal(str)

    def __init__(
        self,
        history: History | None = None,
        *,
        registry: ProfileRegistry | None = None,
        io: concurrent.futures.Executor | None = None,
        max_rows: int = 10_000,
        page_size: int = 200,
        parent: QWidget | None = None,
        watch_now: bool = True,
        own_dirs: Sequence[Path] = (),
    ) -> None:
        """``registry``: the profiles offered in the profile filter, kept current;
        ``io``: where exports are written (None: on a thread of their own);
        ``own_dirs``: the config and data dirs, whose files no export replaces;
        ``watch_now``: watch the view's viewport at once, or from ``watch_viewport``."""
        super().__init__(parent)
        self._io = io
        self._own = tuple(own_dirs)
        self._watching = False
        self._reader = ScreenReader(lambda: self.model.catch_up(range(self.model.rowCount())))
        self.model = LogModel(history, max_rows=max_rows, page_size=page_size, parent=self)
        self.proxy = LogFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.sort(0, self.model.sort_order)  # the store is a ring: the proxy orders it
        self._profile_ids: list[str | None] = [None]
        self._offered: list[tuple[str, str]] = []
        self._was_at_newest, self._shifting, self._rows_before = True, False, 0
        #: The row at the top of the view before a layout change (kept there after it).
        self._anchor: QPersistentModelIndex | None = None

        self.profile_combo = named(QComboBox(), self.tr("Connections shown"))
        self.profile_combo.addItem(self.tr("All connections"))
        self.state_combo = named(QComboBox(), self.tr("States shown"))
        for text, states in STATE_CHOICES:
            self.state_combo.addItem(choice_text(text, states))
        self.cause_combo = named(QComboBox(), self.tr("Causes shown"))
        for text, causes in CAUSE_CHOICES:
            self.cause_combo.addItem(choice_text(text, causes))
        self.text_filter = named(
            QLineEdit(placeholderText=self.tr("Filter by connection, detail, address, cause")),
            self.tr("Filter the event log"),
        )
        clear_button_after_first_paint(self.text_filter)
        # Never squeezed to "Fi…" on a small screen (1366 x 768 at 150 %): the choices give
        # way first, down to a few letters each (their lists show them whole).
        em = self.text_filter.fontMetrics().horizontalAdvance("M")
        self.text_filter.setMinimumWidth(10 * em)
        for combo in (self.profile_combo, self.state_combo, self.cause_combo):
            combo.setMinimumWidth(5 * em)
        self.newest_first_box = QCheckBox(self.tr("Newest first"))
        self.newest_first_box.setChecked(self.model.newest_first)
        self.clear_button = QPushButton(self.tr("Clear view"))
        self.clear_button.setToolTip(self.tr("Hides these lines; the stored history is kept"))
        self.reload_button = QPushButton(self.tr("Reload"))
        self.reload_button.setToolTip(self.tr("Shows the stored history again"))
        self.reload_button.setEnabled(history is not None)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setToolTip(self.tr("Saves the lines shown, as filtered, to a CSV file"))

        self.view = named(QTableView(), self.tr("Event log"))
        self._keys = FilterKeys(self.text_filter, self.view)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows = self.view.verticalHeader().defaultSectionSize
        self.model.wants_more = lambda: self.proxy.rowCount() * rows() < self.view.height()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        copy_rows_on_ctrl_c(self.view)
        self.view.setColumnWidth(Column.TIME, time_width(self.view))
        self.view.setColumnWidth(Column.PROFILE, 140)
        self.view.setColumnWidth(Column.CHANGE, 150)

        bar = QHBoxLayout()
        bar.addWidget(self.profile_combo)
        bar.addWidget(self.state_combo)
        bar.addWidget(self.cause_combo)
        bar.addWidget(self.text_filter, 1)
        bar.addWidget(self.newest_first_box)
        bar.addWidget(self.clear_button)
        bar.addWidget(self.reload_button)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(UnreadNote(self.model, self))  # stored rows left out, said
        layout.addWidget(self.view)

        self.profile_combo.currentIndexChanged.connect(
            lambda i: self.proxy.set_profile(self._profile_ids[i] if i >= 0 else None)
        )
        self.state_combo.currentIndexChanged.connect(
            lambda i: self.proxy.set_states(STATE_CHOICES[i][1])
        )
        self.cause_combo.currentIndexChanged.connect(
            lambda i: self.proxy.set_causes(CAUSE_CHOICES[i][1])
        )
        self.text_filter.textChanged.connect(self.proxy.set_text)
        self.newest_first_box.toggled.connect(self._order_toggled)
        self.clear_button.clicked.connect(self.model.clear_view)
        self.reload_button.clicked.connect(self.model.reload)
        self.export_button.clicked.connect(self._ask_export)
        self.model.historyFailed.connect(lambda why: self.statusMessage.emit(unreadable_text(why)))
        self._paint_timer = QTimer(self)
        self._paint_timer.setSingleShot(True)
        self._paint_timer.setInterval(BURST_PAINT_MS)
        self._paint_timer.timeout.connect(self._paint_burst)
        #: Keeps the reading position row by row; a piece of live rows is handled whole
        #: (``_piece_begins``): two calls into Python per row were some 7 % of the GUI
        #: thread in a burst (py-spy --native).
        self._per_row = [
            (self.proxy.rowsAboutToBeInserted, self._remember_position),
            (self.proxy.rowsAboutToBeRemoved, self._remember_position),
            (self.proxy.rowsInserted, self._rows_inserted),
            (self.proxy.rowsRemoved, self._rows_removed),
        ]
        for signal, slot in self._per_row:
            signal.connect(slot)
        self.model.pieceBegins.connect(self._piece_begins)
        self.model.pieceEnds.connect(self._piece_ends)
        # At the row bound the newest rows replace the oldest in place, and the proxy moves
        # them to the newest end: a layout change, which must keep the reading position too.
        self.proxy.layoutAboutToBeChanged.connect(self._remember_layout)
        self.proxy.layoutChanged.connect(self._layout_changed)
        scrollbar = self.view.verticalScrollBar()
        scrollbar.valueChanged.connect(self._maybe_fetch_older)
        scrollbar.rangeChanged.connect(self._maybe_fetch_older)
        self._registry = registry
        if registry is not None:
            self._follow_registry()
            for signal in (registry.added, registry.changed, registry.removed):
                signal.connect(self._follow_registry)
        if watch_now:
            self.watch_viewport()

    def watch_viewport(self) -> None:
        """From now on a line's cells are written when it is painted or copied
        (``LogModel.set_lazy``), and its tooltips are asked on hover; until then every line
        is written whole as it comes. See ``seen.watch_viewport`` for why this can wait."""
        if not self._watching:
            self._watching = True
            self.model.set_lazy(True)
            watch_viewport(self.view, self)

    def _follow_registry(self, *_: object) -> None:
        assert self._registry is not None
        offered = [(p.id, p.name) for p in self._registry.profiles]
        if offered != self._offered:
            self.set_profiles(offered)

    def add_events(self, events: Sequence[Event]) -> None:
        """The engine's ``eventsReady`` batches: state events are shown, samples ignored.
        Lines are written whole while a screen reader reads them (``ScreenReader``)."""
        self.model.set_lazy(self._watching and not self._reader.reading())
        self.model.append(events)
        self._hold_paint()

    def _hold_paint(self) -> None:
        """A burst is being shown: no paint until ``BURST_PAINT_MS`` has passed or the last
        line is in (the lines go in as before, a piece per turn; only painting waits)."""
        if self.model.waiting and not self._paint_timer.isActive():
            self.view.setUpdatesEnabled(False)
            self._paint_timer.start()

    def _paint_burst(self) -> None:
        self.view.setUpdatesEnabled(True)
        if self.model.waiting:  # still coming: show what is in, and hold on
            self.view.repaint()
            self._hold_paint()

    def _release_paint(self) -> None:
        if self._paint_timer.isActive() and not self.model.waiting:
            self._paint_timer.stop()
            self.view.setUpdatesEnabled(True)

    def set_profiles(self, profiles: Iterable[tuple[str, str]]) -> None:
        """Offer these ``(id, name)`` in the profile filter, keeping the choice if it remains."""
        self._offered = list(profiles)
        current = self._profile_ids[max(0, self.profile_combo.currentIndex())]
        ordered = sorted(self._offered, key=lambda p: p[1].casefold())
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        self.profile_combo.addItem(self.tr("All connections"))
        for _, name in ordered:
            self.profile_combo.addItem(name)
        self._profile_ids = [None, *(pid for pid, _ in ordered)]
        index = self._profile_ids.index(current) if current in self._profile_ids else 0
        self.profile_combo.setCurrentIndex(index)
        self.profile_combo.blockSignals(False)
        self.proxy.set_profile(self._profile_ids[index])

    def show_only(self, profile_id: str | None) -> None:
        """Only this connection's events (None: every connection's), as the filter shows."""
        at = self._profile_ids.index(profile_id) if profile_id in self._profile_ids else 0
        self.profile_combo.setCurrentIndex(at)

    def _context_menu(self, pos: QPoint) -> None:
        self.context_menu(self.view.indexAt(pos)).popup(self.view.viewport().mapToGlobal(pos))

    def context_menu(self, index: QModelIndex) -> QMenu:
        """The menu of the row at ``index`` (of the view): copy, its address, only its
        connection, its details."""
        event = index.data(Role.EVENT) if index.isValid() else None
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        copy = menu.addAction(self.tr("&Copy"), lambda: copy_rows(self.view))
        copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        copy.setEnabled(self.view.selectionModel().hasSelection())
        if isinstance(event, Event) and event.profile_id:
            if event.address:
                address = event.address
                menu.addAction(
                    self.tr("Copy &address"), lambda: QGuiApplication.clipboard().setText(address)
                )
            if (pid := event.profile_id) in self._profile_ids:  # (not one removed since)
                menu.addSeparator()
                menu.addAction(self.tr("&Only this connection"), lambda: self.show_only(pid))
                menu.addAction(self.tr("&Details"), lambda: self.detailsRequested.emit(pid))
        if self._profile_ids[max(0, self.profile_combo.currentIndex())] is not None:
            menu.addAction(self.tr("&Every connection"), lambda: self.show_only(None))
        menu.addSeparator()
        starts = menu.addAction(self.tr("Show &starts and stops"))
        starts.setCheckable(True)
        starts.setChecked(not self.proxy.quiet)
        starts.toggled.connect(lambda shown: self.proxy.set_quiet(not shown))
        return menu

    def set_newest_first(self, newest_first: bool) -> None:
        """What the toggle does; for the main window to restore the user's choice."""
        self.newest_first_box.setChecked(newest_first)

    def _order_toggled(self, newest_first: bool) -> None:
        self.model.set_newest_first(newest_first)
        self.proxy.sort(0, self.model.sort_order)  # a layout change: the selection follows
        self._scroll_to_newest()
        self._maybe_fetch_older()

    def export_csv(self, path: Path) -> concurrent.futures.Future[int]:
        """Write the rows shown (filtered, in the order shown) as CSV, on the I/O thread; the
        future holds how many. The rows are taken now; the file is written atomically
        (``outputs.write_output``): an existing one is replaced whole or left as it was, and
        one of the program's own files is refused.
        """
        events = [self.proxy.index(row, 0).data(Role.EVENT) for row in range(self.proxy.rowCount())]
        if self._io is None:
            io_ = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="tcpm-export")
            future = io_.submit(write_events_csv, path, events, self._own)
            io_.shutdown(wait=False)
        else:
            future = self._io.submit(write_events_csv, path, events, self._own)
        when_done(future, functools.partial(self._exported, path), owner=self)
        return future

    def at_newest_end(self) -> bool:
        """Whether the view shows the newest end (top when newest first, else bottom)."""
        bar = self.view.verticalScrollBar()
        return bar.value() == (bar.minimum() if self.model.newest_first else bar.maximum())

    def _ask_export(self) -> None:
        ask_save_file(
            self,
            self.tr("Export events"),
            self.tr("CSV files (*.csv);;All files (*)"),
            self.export_csv,
            suggested="tcpmonitor-events.csv",
            suffix="csv",
        )

    def _exported(self, path: Path, future: concurrent.futures.Future[int]) -> None:
        if (exc := future.exception()) is not None:
            self.problem.emit(self.tr("Export failed"), not_written_text(path, exc))
            return
        count = future.result()
        self.statusMessage.emit(
            self.tr("Exported {count} events to {name}", "", count).format(count=count, name=path)
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A cell's tooltip is asked of the model on hover (it stores none, see there); the
        lines about to be painted get their cells first (``LogModel.set_lazy``)."""
        if event.type() == QEvent.Type.Paint and watched is self.view.viewport():
            self.model.catch_up(rows_on_screen(self.view))
            return False
        if event.type() == QEvent.Type.ToolTip and watched is self.view.viewport():
            assert isinstance(event, QHelpEvent)
            show_cell_tooltip(self.view, event, self._tooltip_text)
            return True
        return super().eventFilter(watched, event)

    def _tooltip_text(self, index: QModelIndex) -> str | None:
        return self.model.tooltip(self.proxy.mapToSource(index).row(), index.column())

    def _scroll_to_newest(self) -> None:
        if self.model.newest_first:
            self.view.scrollToTop()
        else:
            self.view.scrollToBottom()

    def _remember_position(self) -> None:
        self._was_at_newest = self.at_newest_end()

    def _rows_inserted(self, _parent: _Index, first: int, last: int) -> None:
        self._release_paint()  # the burst's last piece
        if self._was_at_newest:
            self._scroll_to_newest()
        elif first == 0:  # above what the user reads: move with the rows
            self._shift(last - first + 1)
        self._maybe_fetch_older()

    def _piece_begins(self) -> None:
        self._remember_position()
        self._rows_before = self.proxy.rowCount()
        for signal, slot in self._per_row:
            signal.disconnect(slot)

    def _piece_ends(self) -> None:
        for signal, slot in self._per_row:
            signal.connect(slot)
        self._release_paint()
        added = self.proxy.rowCount() - self._rows_before
        if added <= 0:  # none shown, or put in the oldest rows' places (``_layout_changed``)
            return
        if self._was_at_newest:
            self._scroll_to_newest()
        elif self.model.newest_first:  # in above what the user reads: move with them
            self._shift(added)
        self._maybe_fetch_older()

    def _rows_removed(self, _parent: _Index, first: int, last: int) -> None:
        if self._was_at_newest:
            self._scroll_to_newest()
        elif first == 0:
            self._shift(-(last - first + 1))

    def _remember_layout(self) -> None:
        self._remember_position()
        self._anchor = QPersistentModelIndex(self.view.indexAt(QPoint(1, 1)))

    def _layout_changed(self) -> None:
        self._release_paint()  # at the bound the last piece moves lines instead
        anchor, self._anchor = self._anchor, None
        if self._was_at_newest:
            self._scroll_to_newest()
        elif anchor is not None and anchor.isValid():
            self._shifting = True  # passed through, not scrolled to: no history is asked for
            try:
                self.view.executeDelayedItemsLayout()
                self.view.verticalScrollBar().setValue(anchor.row())
            finally:
                self._shifting = False

    def _shift(self, rows: int) -> None:
        self._shifting = True  # the top is only passed through, not scrolled to
        try:
            self.view.executeDelayedItemsLayout()  # the scroll range is updated lazily
            bar = self.view.verticalScrollBar()
            bar.setValue(bar.value() + rows)
        finally:
            self._shifting = False

    def _maybe_fetch_older(self) -> None:
        """With the newest last the old end is the top, where Qt's views never fetch more."""
        bar = self.view.verticalScrollBar()
        if not (self.model.newest_first or self._shifting) and bar.value() == bar.minimum():
            self.model.fetch_older()
