"""The event log pane's model: live state changes on one end, stored history paged in on the other.

Live events arrive in batches from the engine and are inserted with ``beginInsertRows``, never a
reset, so selection and scroll position survive a busy network. Older history comes from SQLite,
but the GUI thread never queries it: a ``history`` callable (the session runs
``EventLog.event_rows`` on its I/O thread) returns a future, and its result comes back to the
GUI thread through ``engine.gui_thread``. A live event may also come back from the database (it was
stored before the page was read), so rows are de-duplicated on (time, profile, state).

Rows are kept oldest first internally; ``newest_first`` only changes how view rows map onto
them. The cells themselves live in Qt's ``QStandardItem`` store, in view order, written once
per row: nothing overrides ``data``, so the view paints without calling into Python, whose GIL
the worker threads hold much of the time (see ``StatusModel``). The toggle is a sort of that
store on a sequence number (a layout change: selections and persistent indexes follow).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QStandardItem, QStandardItemModel

from ...core.events import SEVERITY, Event, Kind, State, iso_ms
from ...engine.gui_thread import when_done
from ..common.i18n import QT_TRANSLATE_NOOP, translate
from ..common.icons import state_color, state_icon
from ..common.labels import cause_text, state_text
from ..common.paced import Paced
from ..common.quiet import quietly

__all__ = ["Column", "History", "LogModel", "Role", "readable_state_color"]

_log = logging.getLogger(__name__)

#: ``(before_id, limit) -> future of [(row id, event), ...]``, newest first.
History = Callable[[int | None, int], Future[list[tuple[int, Event]]]]
_Index = QModelIndex | QPersistentModelIndex
_Key = tuple[int, str, State]


#: Live rows written per turn of the event loop, at most (a row is a few tenths of a ms).
ROWS_PER_TURN = 20


class Column(enum.IntEnum):
    TIME = 0
    PROFILE = enum.auto()
    CHANGE = enum.auto()
    CAUSE = enum.auto()
    DETECTION = enum.auto()
    ADDRESS = enum.auto()
    DETAIL = enum.auto()


HEADERS = {
    Column.TIME: QT_TRANSLATE_NOOP("LogModel", "Time"),
    Column.PROFILE: QT_TRANSLATE_NOOP("LogModel", "Profile"),
    Column.CHANGE: QT_TRANSLATE_NOOP("LogModel", "Change"),
    Column.CAUSE: QT_TRANSLATE_NOOP("LogModel", "Cause"),
    Column.DETECTION: QT_TRANSLATE_NOOP("LogModel", "Detection (ms)"),
    Column.ADDRESS: QT_TRANSLATE_NOOP("LogModel", "Address"),
    Column.DETAIL: QT_TRANSLATE_NOOP("LogModel", "Detail"),
}


class Role(enum.IntEnum):
    EVENT = Qt.ItemDataRole.UserRole + 1
    ROW_ID = enum.auto()
    SEVERITY = enum.auto()
    #: Column 0: the row's place in time order (live rows count up, history pages down).
    SEQ = enum.auto()


@dataclasses.dataclass(slots=True, eq=False)
class _Row:
    event: Event
    row_id: int | None  # None: a live event not (yet) matched to its stored row
    seq: int = 0
    first: QStandardItem | None = None  # the row's column-0 cell, once shown


def _key(event: Event) -> _Key:
    """Stored times are float seconds, so compare at millisecond precision."""
    ts = event.ts if event.ts.tzinfo is not None else event.ts.replace(tzinfo=dt.UTC)
    return round(ts.timestamp() * 1000), event.profile_id, event.state


def _local_time(ts: dt.datetime) -> str:
    """``14:02:11`` today, ``yesterday 14:02`` (in the user's language), ``2026-11-25 14:02``
    before: what fits the column (the tooltip has the whole time). ``time`` functions: a row
    is written for every event, and ``datetime.astimezone`` costs several times more."""
    aware = ts if ts.tzinfo is not None else ts.replace(tzinfo=dt.UTC)
    local = time.localtime(aware.timestamp())
    today = time.localtime()
    if local[:3] == today[:3]:
        return time.strftime("%H:%M:%S", local)
    yesterday = time.localtime(time.mktime((*today[:3], 12, 0, 0, 0, 0, -1)) - 86400)
    if local[:3] == yesterday[:3]:
        return translate("LogModel", "yesterday {time}").format(time=time.strftime("%H:%M", local))
    return time.strftime("%Y-%m-%d %H:%M", local)


def _change(event: Event) -> str:
    now = state_text(event.state)
    if event.kind is Kind.ACTION:  # what a command did for that change: the detail says
        return translate("LogModel", "action on {state}").format(state=now)
    return now if event.previous is None else f"{state_text(event.previous)} → {now}"


def _detection(event: Event) -> str:
    ms = event.detection_ms
    if ms is None or event.state is not State.DOWN or event.kind is Kind.ACTION:
        return ""
    return f"{ms:.1f}" if ms < 10 else f"{ms:,.0f}"


def _luminance(color: QColor) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in (color.redF(), color.greenF(), color.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@functools.cache
def _readable(state: State, base_rgb: int) -> QColor:
    """The state's colour, made lighter or darker until it reads on ``base`` (WCAG 4.5:1).

    Amber on white or red on a dark theme is too faint as text; the hue stays the state's.
    """
    color, base = state_color(state), QColor.fromRgb(base_rgb)
    lb = _luminance(base)
    h, s, lightness, a = color.hslHueF(), color.hslSaturationF(), color.lightnessF(), 1.0
    step = 0.03 if base.lightnessF() < 0.5 else -0.03
    while 0.0 < lightness < 1.0:
        lc = _luminance(color)
        if (max(lc, lb) + 0.05) / (min(lc, lb) + 0.05) >= 4.5:
            break
        lightness = min(1.0, max(0.0, lightness + step))
        color = QColor.fromHslF(h, s, lightness, a)
    return color


def readable_state_color(state: State) -> QColor:
    """Text colour for ``state`` on the application's current base colour."""
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    return QColor(_readable(state, base.rgb()))


class LogModel(QStandardItemModel):
    """State events (samples are ignored), at most ``max_rows`` of them.

    ``canFetchMore``/``fetchMore`` follow Qt's convention that views ask for more at the
    bottom, so they only offer history when the old end is the bottom (``newest_first``);
    with the newest last, the pane calls ``fetch_older`` when the user scrolls to the top.
    """

    #: A history page failed; the message is for the user (the pane stops paging).
    historyFailed = Signal(str)

    def __init__(
        self,
        history: History | None = None,
        *,
        max_rows: int = 10_000,
        page_size: int = 200,
        newest_first: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(0, len(Column), parent)
        if max_rows < 1 or page_size < 1:
            raise ValueError("max_rows and page_size must be positive")
        self._history = history
        self._max_rows = max_rows
        self._page_size = page_size
        self._newest_first = newest_first
        self._rows: list[_Row] = []  # oldest first
        self._keys: dict[_Key, _Row] = {}
        self._before_id: int | None = None  # the paging cursor: oldest stored row seen
        self._history_done = history is None
        self._fetching = False
        self._generation = 0  # bumped by clear/reload so that late pages are dropped
        self._newer_seq = 0  # live rows count up from here, history pages down
        self._older_seq = 0
        #: Live rows not shown yet, oldest first (already in ``_keys``).
        self._waiting: Paced[_Row] = Paced(self._show, ROWS_PER_TURN, self)
        self.setSortRole(Role.SEQ)
        for column in Column:
            header = QStandardItem(translate("LogModel", HEADERS[column]))
            if column is Column.DETECTION:
                header.setToolTip(
                    self.tr("Time from the last good sign of the connection to the down event")
                )
            self.setHorizontalHeaderItem(column, header)

    # -- Qt's model interface --------------------------------------------------------------

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and self._newest_first and self.can_fetch_older()

    def fetchMore(self, parent: _Index) -> None:
        if self.canFetchMore(parent):
            self.fetch_older()

    # -- what the pane uses ----------------------------------------------------------------

    @property
    def newest_first(self) -> bool:
        return self._newest_first

    def set_newest_first(self, newest_first: bool) -> None:
        """Flip the order: a layout change, so selections and persistent indexes follow."""
        if newest_first == self._newest_first:
            return
        self._newest_first = newest_first
        order = Qt.SortOrder.DescendingOrder if newest_first else Qt.SortOrder.AscendingOrder
        self.sort(0, order)

    @property
    def fetching(self) -> bool:
        """A history page was asked for and has not arrived yet."""
        return self._fetching

    @property
    def history_exhausted(self) -> bool:
        """No older history will be paged in (all read, cleared, or the row limit hit)."""
        return self._history_done

    def event_at(self, row: int) -> Event:
        """The event shown in view row ``row`` (not ``event``: that is QObject's)."""
        return self._rows[self._storage(row)].event

    def append(self, events: Sequence[Event]) -> None:
        """Show new live state events (and this computer's network and power events) at the
        newest end: at most ``ROWS_PER_TURN`` now, in one insert, and the rest in as many
        turns of the event loop as they need (a thousand connections dropping together are
        written over a few turns, and the window answers in between)."""
        fresh: list[_Row] = []
        for event in events:
            if event.kind is Kind.SAMPLE:
                continue
            key = _key(event)
            if key in self._keys:  # already paged in from the database, or waiting
                continue
            row = _Row(event, None)
            self._keys[key] = row
            fresh.append(row)
        self._waiting.put(fresh)

    @property
    def waiting(self) -> int:
        """Live rows received and not shown yet (they are, within a few turns)."""
        return len(self._waiting)

    def _show(self, fresh: list[_Row]) -> None:
        if len(fresh) > self._max_rows:  # never shown: the bound pushes them out
            for row in fresh[: -self._max_rows]:
                del self._keys[_key(row.event)]
            fresh = fresh[-self._max_rows :]
        overflow = len(self._rows) + len(fresh) - self._max_rows
        if overflow > 0:
            self._drop_oldest(overflow)
        for row in fresh:
            self._newer_seq += 1
            row.seq = self._newer_seq
        first = 0 if self._newest_first else len(self._rows)
        self._rows.extend(fresh)
        self._insert(first, fresh)

    def can_fetch_older(self) -> bool:
        return not (self._history_done or self._fetching) and len(self._rows) < self._max_rows

    def fetch_older(self) -> bool:
        """Ask for the next page of older history; False if there is none to ask for now."""
        if self._history is None or not self.can_fetch_older():
            return False
        limit = min(self._page_size, self._max_rows - len(self._rows))
        try:
            future = self._history(self._before_id, limit)
        except Exception as exc:
            self._history_failed(exc)
            return False
        self._fetching = True
        done = functools.partial(self._page_done, self._generation, limit)
        when_done(future, done, owner=self)
        return True

    def clear_view(self) -> None:
        """Hide every row; stored history is untouched and is not paged in again."""
        self._reset_rows()
        self._history_done = True

    def reload(self) -> None:
        """Drop what is shown and page history in again from the newest."""
        self._reset_rows()
        self._history_done = self._history is None
        self.fetch_older()

    # -- internals -------------------------------------------------------------------------

    def _storage(self, row: int) -> int:
        return len(self._rows) - 1 - row if self._newest_first else row

    def _insert(self, first: int, rows: Sequence[_Row]) -> None:
        """Show ``rows`` (oldest first, already in ``_rows``) as view rows from ``first``: one
        insert for the views, then the cells, written without a signal per cell."""
        shown = list(reversed(rows)) if self._newest_first else list(rows)
        self.insertRows(first, len(shown))
        # Filled before control returns to the event loop, so before any view paints them;
        # the proxy's filter reads ``_rows``, not the cells, and nothing here sorts.
        with quietly(self):
            for offset, row in enumerate(shown):
                for column, item in enumerate(self._cells(row)):
                    self.setItem(first + offset, column, item)

    def _cells(self, row: _Row) -> list[QStandardItem]:
        event = row.event
        state = event.state
        loud = state in (State.DOWN, State.DEGRADED)
        color = readable_state_color(state) if loud or state is State.UP else None
        # Kept to the calls a row needs (each is a crossing into Qt with the GIL held, a
        # hundred rows a second when the network is busy): the row's roles on column 0 only.
        items = [QStandardItem(self._text(event, column)) for column in Column]
        if color is not None:
            for item in items if loud else (items[Column.CHANGE],):
                item.setData(color, Qt.ItemDataRole.ForegroundRole)
        first = items[0]
        first.setData(event, Role.EVENT)
        first.setData(row.row_id, Role.ROW_ID)
        first.setData(SEVERITY[state], Role.SEVERITY)
        items[Column.CHANGE].setData(state_icon(state), Qt.ItemDataRole.DecorationRole)
        local = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(event.ts.timestamp()))
        items[Column.TIME].setToolTip(f"{local}\n{iso_ms(event.ts)} (UTC)")
        if event.detail:
            items[Column.DETAIL].setToolTip(event.detail)
        items[Column.DETECTION].setData(_ALIGN_RIGHT, Qt.ItemDataRole.TextAlignmentRole)
        items[0].setData(row.seq, Role.SEQ)
        row.first = items[0]
        return items

    def _text(self, event: Event, column: Column) -> str:
        if column is Column.TIME:
            return _local_time(event.ts)
        if column is Column.PROFILE:
            return event.profile_name
        if column is Column.CHANGE:
            return _change(event)
        if column is Column.CAUSE:
            return cause_text(event.cause)
        if column is Column.DETECTION:
            return _detection(event)
        if column is Column.ADDRESS:
            return event.address or ""
        return event.detail

    def _drop_oldest(self, count: int) -> None:
        """Make room at the bound; older history can no longer be joined on, so stop paging."""
        first = len(self._rows) - count if self._newest_first else 0
        for row in self._rows[:count]:
            if self._keys.get(_key(row.event)) is row:
                del self._keys[_key(row.event)]
        del self._rows[:count]
        self.removeRows(first, count)
        self._history_done = True

    def _reset_rows(self) -> None:
        self._generation += 1
        self._fetching = False
        self._before_id = None
        self._waiting.clear()
        if self._rows:
            self._rows.clear()
            self._keys.clear()
            self.removeRows(0, self.rowCount())

    def _page_done(
        self, generation: int, limit: int, future: Future[list[tuple[int, Event]]]
    ) -> None:
        if generation != self._generation:
            return  # cleared or reloaded meanwhile
        self._fetching = False
        if future.cancelled() or self._history_done:
            return
        if (exc := future.exception()) is not None:
            self._history_failed(exc)
            return
        page = future.result()
        if page:
            self._before_id = page[-1][0]
        if len(page) < limit:
            self._history_done = True
        fresh: list[_Row] = []
        for row_id, event in page:
            known = self._keys.get(_key(event))
            if known is None:
                fresh.append(_Row(event, row_id))
            elif known.row_id is None:  # a live event, now matched to its stored row
                known.row_id = row_id
                if known.first is not None:
                    at = known.first.row()
                    with quietly(self):
                        known.first.setData(row_id, Role.ROW_ID)
                    self.dataChanged.emit(self.index(at, 0), self.index(at, 0), [Role.ROW_ID])
        room = self._max_rows - len(self._rows)
        if len(fresh) >= room:
            fresh = fresh[:room]
            self._history_done = True
        if not fresh:
            return
        for row in fresh:  # newest first: each older than the last
            self._older_seq -= 1
            row.seq = self._older_seq
        first = len(self._rows) if self._newest_first else 0
        self._rows[:0] = reversed(fresh)
        self._keys.update((_key(r.event), r) for r in fresh)
        self._insert(first, list(reversed(fresh)))

    def _history_failed(self, exc: BaseException) -> None:
        """Stop paging (retrying a broken file on every scroll helps no one) and say why."""
        _log.warning("event log history could not be read: %s", exc)
        self._history_done = True
        self.historyFailed.emit(str(exc))


_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
