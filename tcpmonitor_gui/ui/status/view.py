"""The status table as the main window shows it: filters above, the table, or a welcome panel.

The widget knows nothing of the engine or of menus: it reports what the user asked for
(activate, context menu, add, demo) as signals carrying profile ids, and the main window acts.
That keeps it testable on its own and keeps actions in one place (the window's toolbar,
menus and shortcuts all use the same ones).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QHelpEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..common.copy import copy_rows_on_ctrl_c
from ..common.filter_keys import FilterKeys
from ..common.first_paint import clear_button_after_first_paint
from ..common.hover import show_cell_tooltip
from ..common.i18n import QT_TRANSLATE_NOOP
from ..common.seen import ScreenReader, rows_on_screen, watch_viewport
from ..common.spoken import named
from .model import GROUP_MARK, Column, Role, StatusModel
from .sparkline import SparklineDelegate

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionViewItem

__all__ = ["StatusFilterProxy", "StatusTable"]

_Index = QModelIndex | QPersistentModelIndex
_ALL_GROUPS = QT_TRANSLATE_NOOP("StatusTable", "All groups")
_NO_GROUP = QT_TRANSLATE_NOOP("StatusTable", "No group")
_WIDTHS = {
    Column.STATE: 100,
    Column.NAME: 150,
    Column.GROUP: 80,
    Column.TARGET: 150,
    Column.DETECTOR: 110,
    Column.LATENCY: 80,
    Column.SPARKLINE: 110,
    Column.UPTIME: 85,
    Column.IN_STATE: 70,
    Column.CAUSE: 120,
}


#: Columns whose sort keys change only with the state cell or the profile (``seen_rows``).
STEADY_KEYS = (Column.STATE, Column.NAME, Column.GROUP, Column.TARGET, Column.DETECTOR)


class StatusFilterProxy(QSortFilterProxyModel):
    """Text and group filters over a ``StatusModel``, all in C++: it sorts on ``Role.SORT``
    and filters with a regular expression on ``Role.SEARCH``. No Python ``filterAcceptsRow``:
    the proxy re-filters every changed row, a thousand a second on a busy network, and each
    call into Python would take the GIL from the workers (see StatusModel)."""

    def __init__(self, model: StatusModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self._group: str | None = None
        self.setSortRole(Role.SORT)
        self.setFilterRole(Role.SEARCH)
        self.setFilterKeyColumn(0)
        self.setSourceModel(model)
        self._model = model

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted by a column whose key moves, every row's cells are written first: rows not
        seen may have waited (``StatusTable.seen_rows``), their keys with them."""
        if column not in STEADY_KEYS:
            self._model.catch_up(range(self._model.rowCount()))
        super().sort(column, order)

    def set_text(self, text: str) -> None:
        """Show rows whose name, group, target, cause or detail contain ``text`` (any case)."""
        needle = text.strip().casefold()
        if needle != self._needle:
            self._needle = needle
            self._apply()

    def set_group(self, group: str | None) -> None:
        """Only ``group`` ("" for profiles without one); None shows every group."""
        if group != self._group:
            self._group = group
            self._apply()

    def _apply(self) -> None:
        pattern = ""
        if self._group is not None:
            mark = QRegularExpression.escape(GROUP_MARK)
            pattern = f"^{mark}{QRegularExpression.escape(self._group)}{mark}"
        if self._needle:
            pattern = f"{pattern or '^'}(?=.*{QRegularExpression.escape(self._needle)})"
        option = QRegularExpression.PatternOption.DotMatchesEverythingOption
        self.setFilterRegularExpression(QRegularExpression(pattern, option))


class MiddleElide(QStyledItemDelegate):
    """Cuts a cell's text in the middle (``10.0.0.7…:5432``), not at its end."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class StatusTable(QWidget):
    """Filter bar, table and empty-state panel over one ``StatusModel``."""

    #: A profile id, on double-click or Enter (the main window shows its details).
    activated = Signal(str)
    selectionChanged = Signal()
    #: The current row's profile id (None: no current row), when it changes.
    currentChanged = Signal(object)
    #: ``(list[str] of profile ids, QPoint global position)``; the window builds the menu.
    contextMenuRequested = Signal(object, QPoint)
    addRequested = Signal()
    demoRequested = Signal()

    def __init__(
        self, model: StatusModel, parent: QWidget | None = None, *, watch_now: bool = True
    ) -> None:
        """``watch_now``: watch the table's viewport at once, or from ``watch_viewport``."""
        super().__init__(parent)
        self.model = model
        self._watching = False
        # Written whole from a turn of the loop: not from within the model's own writing.
        self._reader = ScreenReader(lambda: QTimer.singleShot(0, self._catch_up_all))
        self.proxy = StatusFilterProxy(model, self)

        self.filter_edit = named(QLineEdit(self), self.tr("Filter the connections"))
        self.filter_edit.setObjectName("statusFilter")
        self.filter_edit.setPlaceholderText(
            self.tr("Filter by name, group, target, cause or detail")
        )
        clear_button_after_first_paint(self.filter_edit)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.group_combo = named(QComboBox(self), self.tr("Groups shown"))
        self.group_combo.setObjectName("groupFilter")
        self.group_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.group_combo.currentIndexChanged.connect(self._group_picked)
        self._filter_bar = QWidget(self)
        bar = QHBoxLayout(self._filter_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.group_combo)

        self.table = self._build_table()
        self._keys = FilterKeys(self.filter_edit, self.table)
        self.empty_panel = self._build_empty_panel()
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.table)
        self._stack.addWidget(self.empty_panel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._filter_bar)
        layout.addWidget(self._stack, 1)

        model.set_seen(self.seen_rows)
        model.profilesChanged.connect(self._profiles_changed)
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._update_empty)
        self._profiles_changed()
        if watch_now:
            self.watch_viewport()

    def watch_viewport(self) -> None:
        """From now on rows off screen are written when the viewport paints them, and their
        tooltips are asked of the model on hover (it stores none). Until then (a window's
        first frame) they are written when the table's frame is painted, just before its
        viewport, and may be a few more than the viewport shows. See ``seen.watch_viewport``
        for why this can wait."""
        if not self._watching:
            self._watching = True
            watch_viewport(self.table, self)

    def _build_table(self) -> QTableView:
        table = named(QTableView(self), self.tr("Connections"))
        table.setObjectName("statusTable")
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setTabKeyNavigation(False)  # Tab goes on to the next control, not the next cell
        copy_rows_on_ctrl_c(table)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.setItemDelegateForColumn(Column.SPARKLINE, SparklineDelegate(self.model, table))
        # An address cut at its end loses the port, the part that differs: cut in the middle.
        table.setItemDelegateForColumn(Column.TARGET, MiddleElide(table))
        header = table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in _WIDTHS.items():
            header.resizeSection(column, width)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        table.setSortingEnabled(True)
        table.sortByColumn(Column.STATE, Qt.SortOrder.DescendingOrder)  # worst first
        table.doubleClicked.connect(self._activate)
        table.installEventFilter(self)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        table.selectionModel().selectionChanged.connect(self.selectionChanged)
        table.selectionModel().currentRowChanged.connect(
            lambda now, _was: self.currentChanged.emit(
                str(now.data(Role.PROFILE_ID)) if now.isValid() else None
            )
        )
        return table

    def _build_empty_panel(self) -> QWidget:
        panel = QWidget(self)
        panel.setObjectName("emptyState")
        title = QLabel(self.tr("No connections yet"), panel)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        title.setFont(font)
        hint = QLabel(
            self.tr(
                "Add a TCP connection to watch, or try the demo to see a drop reported as it "
                "happens."
            ),
            panel,
        )
        hint.setWordWrap(True)
        self.add_button = QPushButton(self.tr("Add connection"), panel)
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.addRequested)
        self.demo_button = QPushButton(self.tr("Try the demo"), panel)
        self.demo_button.clicked.connect(self.demoRequested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(panel)
        layout.addStretch(1)
        for label in (title, hint):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return panel

    # -- what the main window uses ---------------------------------------------------------

    def current_id(self) -> str | None:
        """The current row's profile id (where the keyboard is), or None."""
        index = self.table.currentIndex()
        return str(index.data(Role.PROFILE_ID)) if index.isValid() else None

    def selected_ids(self) -> list[str]:
        """The selected profiles' ids, top to bottom as shown."""
        rows = sorted(self.table.selectionModel().selectedRows(), key=QModelIndex.row)
        return [str(index.data(Role.PROFILE_ID)) for index in rows]

    def select_ids(self, profile_ids: list[str]) -> None:
        """Select these profiles (after an add or a duplicate, say); others are deselected,
        and the filters cleared if they hide one. The first is the current row, where the
        keyboard goes on from (and what the details and a log that follows the selection
        show); ``clear()`` alone took the current row away, and Down went to the first row."""
        selection = self.table.selectionModel()
        flag = selection.SelectionFlag
        found = [row for pid in profile_ids if (row := self.model.row_of(pid)) is not None]
        if any(not self.proxy.filterAcceptsRow(row, QModelIndex()) for row in found):
            self.filter_edit.clear()  # hidden by the filters: a row added seemed not to be
            self.group_combo.setCurrentIndex(0)
        indexes = [self.proxy.mapFromSource(self.model.index(row, 0)) for row in found]
        indexes = [index for index in indexes if index.isValid()]
        if not indexes:
            selection.clear()
            return
        selection.setCurrentIndex(indexes[0], flag.ClearAndSelect | flag.Rows)
        for index in indexes[1:]:
            selection.select(index, flag.Select | flag.Rows)
        self.table.scrollTo(indexes[0])

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def header_state(self) -> bytes:
        """Column widths, order and sort, for QSettings."""
        return bytes(self.table.horizontalHeader().saveState().data())

    @staticmethod
    def header_columns() -> str:
        """The columns ``header_state`` is of, saved beside it: Qt restores a state by
        position, so one of other columns (a newer version's, with one more) hid, moved and
        sorted other columns than the user chose."""
        return ",".join(column.name.lower() for column in Column)

    def fit_columns(self) -> None:
        """Columns as wide as their contents (and header, with its sort arrow), at least the
        defaults and at most a third of the view; the last one takes what is left."""
        header = self.table.horizontalHeader()
        widest = max(200, self.table.viewport().width() // 3)
        self.model.catch_up(range(self.model.rowCount()))  # Qt measures rows off screen too
        for column in Column:
            if column is Column.SPARKLINE or header.isSectionHidden(column):
                continue
            self.table.resizeColumnToContents(column)
            wanted = max(header.sectionSize(column), header.sectionSizeHint(column) + 8)
            header.resizeSection(column, min(widest, max(_WIDTHS.get(column, 60), wanted)))

    def _header_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(self.tr("&Fit columns to their contents"), self.fit_columns)
        menu.popup(self.table.horizontalHeader().mapToGlobal(pos))

    def restore_header_state(self, state: bytes, columns: object = None) -> bool:
        """Restore what ``header_state`` saved, of ``columns`` (``header_columns``; None: not
        said, as before they were); False (and the columns fitted to their contents) if there
        is none or it does not fit."""
        header = self.table.horizontalHeader()
        other = columns is not None and columns != self.header_columns()
        if not state or other or not header.restoreState(QByteArray(state)):
            self.fit_columns()
            return False
        self.table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
        return True

    # -- internals -------------------------------------------------------------------------

    def seen_rows(self) -> list[int] | None:
        """The model's rows on screen now, whose cells the model writes at once (the others
        before they are painted); None when every row's cells matter: sorted by a column
        whose key moves with events or the clock (latency, uptime...), or while a screen
        reader reads the cells (``ScreenReader``)."""
        if self.proxy.sortColumn() not in STEADY_KEYS:
            return None
        if not self._watching:  # no viewport named yet: rows as high as the whole table
            return rows_on_screen(self.table, self.table.height())
        return None if self._reader.reading() else rows_on_screen(self.table)

    def _catch_up_all(self) -> None:
        self.model.catch_up(range(self.model.rowCount()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        # The viewport is named once it is watched (``watch_viewport``); before, the paint
        # of the table's frame, just before the viewport's, stands in for it.
        if kind == QEvent.Type.Paint and watched is (
            self.table.viewport() if self._watching else self.table
        ):
            self.model.catch_up(self.seen_rows() or ())  # rows scrolled or sorted into view
            return False
        if kind == QEvent.Type.ToolTip and self._watching and watched is self.table.viewport():
            assert isinstance(event, QHelpEvent)
            show_cell_tooltip(self.table, event, self._tooltip_text)
            return True
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.table.currentIndex().isValid()
        ):
            self._activate(self.table.currentIndex())
            return True
        return super().eventFilter(watched, event)

    def _tooltip_text(self, index: QModelIndex) -> str | None:
        text = self.model.tooltip(self.proxy.mapToSource(index).row(), index.column())
        if not text and self._cut(index):  # cut short: its whole text
            text = str(index.data() or "")
        return text

    def _cut(self, index: QModelIndex) -> bool:
        return self.table.sizeHintForIndex(index).width() > self.table.visualRect(index).width()

    def _activate(self, index: _Index) -> None:
        if index.isValid():
            self.activated.emit(str(index.data(Role.PROFILE_ID)))

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        selection = self.table.selectionModel()
        if index.isValid() and not selection.isRowSelected(index.row(), QModelIndex()):
            self.table.selectRow(index.row())
        global_pos = self.table.viewport().mapToGlobal(pos)
        self.contextMenuRequested.emit(self.selected_ids(), global_pos)

    def _profiles_changed(self) -> None:
        """Rebuild the group list, keeping the user's pick while that group still exists."""
        current = self.group_combo.currentData()
        groups: list[tuple[str, str | None]] = [(self.tr(_ALL_GROUPS), None)]
        groups += [(g, g) for g in self.model.groups()]
        if len(groups) > 1 and self.model.has_ungrouped():
            groups.append((self.tr(_NO_GROUP), ""))
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        for text, data in groups:
            self.group_combo.addItem(text, data)
        at = max(0, self.group_combo.findData(current)) if current is not None else 0
        self.group_combo.setCurrentIndex(at)
        self.group_combo.blockSignals(False)
        self.group_combo.setVisible(len(groups) > 1)
        self._group_picked()
        self._update_empty()

    def _group_picked(self) -> None:
        data = self.group_combo.currentData()
        self.proxy.set_group(None if data is None else str(data))

    def _update_empty(self) -> None:
        empty = self.model.rowCount() == 0
        if empty:  # a hidden filter left behind would hide the next profile added
            self.filter_edit.clear()
        self._stack.setCurrentWidget(self.empty_panel if empty else self.table)
        self._filter_bar.setVisible(not empty)
