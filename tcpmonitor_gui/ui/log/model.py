"""The event log pane's model: live state changes on one end, stored history paged in on the other.

Live events arrive in batches from the engine and are inserted with ``beginInsertRows``, never a
reset, so selection and scroll position survive a busy network. Older history comes from SQLite,
but the GUI thread never queries it: a ``history`` callable (the session runs
``EventLog.event_rows`` on its I/O thread) returns a future, and its result comes back to the
GUI thread through ``engine.gui_thread``. A live event may also come back from the database (it was
stored before the page was read), so rows are de-duplicated on (time, profile, state).

The cells live in Qt's ``QStandardItem`` store, written once per row (for the pane, when
the row is first painted or copied: ``set_lazy``): nothing overrides ``data``, so the view
paints without calling into Python, whose GIL the worker threads hold much of the time.
The store is a ring: rows are added at its end until ``max_rows``, then a new row takes
the place of the oldest, in place; the order shown is the pane's proxy sorting on
``Role.SEQ``. Why a ring: Qt finds a deleted cell's row by searching outward from where it
last was, so deleting the oldest rows of a store whose rows had all shifted searched the
whole store per cell (a burst's rows held the GUI thread 200 ms). Tooltips are not stored:
the pane asks ``tooltip`` on hover (a burst writes a thousand rows).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel

from ...core.events import Event, Kind, State, iso_ms
from ...engine.gui_thread import when_done
from ..common.bidi import controls_shown
from ..common.detail_text import detail_text
from ..common.i18n import translate
from ..common.icons import readable_state_color
from ..common.paced import Paced
from ..common.quiet import quietly, rows_changed
from .cells import HEADERS, Column, Role, haystack, keys
from .cells import colors as cell_colors
from .cells import values as cell_values
from .noise import checked_again

if TYPE_CHECKING:
    from ...core.eventqueries import EventPage

__all__ = ["Column", "History", "LogModel", "Role", "readable_state_color"]

_log = logging.getLogger(__name__)

#: ``(before_id, limit) -> future of a page`` (``EventPage``: its rows newest first).
History = Callable[[int | None, int], Future["EventPage"]]
_Index = QModelIndex | QPersistentModelIndex
_Key = tuple[int, str, State]


#: Live rows written per turn of the event loop, at most (a row is a few tenths of a ms).
ROWS_PER_TURN = 20


@dataclasses.dataclass(slots=True, eq=False)
class _Row:
    event: Event
    row_id: int | None  # None: a live event not (yet) matched to its stored row
    seq: int = 0
    slot: int = -1  # its row in the store, once shown
    written: bool = False  # its cells are (see ``LogModel.set_lazy``)
    checked_again: bool = False  # see ``noise.checked_again`` (live rows only)
    haystack: str | None = None  # see ``cells.haystack``: made when first searched


def _key(event: Event) -> _Key:
    """Stored times are float seconds, so compare at millisecond precision."""
    ts = event.ts if event.ts.tzinfo is not None else event.ts.replace(tzinfo=dt.UTC)
    return round(ts.timestamp() * 1000), event.profile_id, event.state


class LogModel(QStandardItemModel):
    """State events (samples are ignored), at most ``max_rows`` of them.

    ``canFetchMore``/``fetchMore`` follow Qt's convention that views ask for more at the
    bottom, so they only offer history when the old end is the bottom (``newest_first``);
    with the newest last, the pane calls ``fetch_older`` when the user scrolls to the top.
    """

    #: A history page failed; the message is for the user (the pane stops paging).
    historyFailed = Signal(str)
    #: How many stored rows paged in so far this version cannot read (left out); 0 also
    #: when paging starts again from the newest (a reload, a clear).
    unreadChanged = Signal(int)
    #: Around each piece of live rows (``append``): a view keeps its place once a piece.
    pieceBegins = Signal()
    pieceEnds = Signal()

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
        self._slots: list[_Row] = []  # in the store's order (a ring, see the module)
        self._keys: dict[_Key, _Row] = {}
        #: Connections whose last live change was "could not check" (``noise``).
        self._unchecked: set[str] = set()
        self._before_id: int | None = None  # the paging cursor: oldest stored row seen
        self._history_done = history is None
        self._fetching = False
        self.unread = 0  # see ``unreadChanged``
        #: Whether the view shows fewer rows than it has room for (the pane's): a page whose
        #: rows it all filters out gave it nothing to scroll by, so nothing asked for the
        #: next, and a pane showing one connection stayed empty over its older events.
        self.wants_more: Callable[[], bool] = lambda: False
        self._generation = 0  # bumped by clear/reload so that late pages are dropped
        self._lazy = False
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
        """Which end is new: the proxy shows that order (``sort_order``), and history is
        offered at the other end."""
        self._newest_first = newest_first

    @property
    def sort_order(self) -> Qt.SortOrder:
        """How a proxy sorts the rows on ``Role.SEQ`` to show them in time order."""
        if self._newest_first:
            return Qt.SortOrder.DescendingOrder
        return Qt.SortOrder.AscendingOrder

    def events(self) -> list[Event]:
        """Every row's event, in the order shown (newest first or last)."""
        rows = reversed(self._rows) if self._newest_first else iter(self._rows)
        return [row.event for row in rows]

    @property
    def fetching(self) -> bool:
        """A history page was asked for and has not arrived yet."""
        return self._fetching

    @property
    def history_exhausted(self) -> bool:
        """No older history will be paged in (all read, cleared, or the row limit hit)."""
        return self._history_done

    def event_at(self, row: int) -> Event:
        """The event of the store's row ``row`` (not ``event``: that is QObject's)."""
        return self._slots[row].event

    def haystack_at(self, row: int) -> str:
        """What the text filter searches in the store's row ``row`` (``cells.haystack``),
        made once: each key typed in the filter searched every line again, translating each
        detail again in the Chinese window (10,000 lines: 0.2 s a key, 0.6 s the first)."""
        held = self._slots[row]
        if held.haystack is None:
            held.haystack = haystack(held.event)
        return held.haystack

    def checked_again_at(self, row: int) -> bool:
        """Whether the store's row ``row`` is a connection checked again after this computer
        could not check it: news, though it looks like a start finding it up."""
        return self._slots[row].checked_again

    def tooltip(self, row: int, column: int) -> str | None:
        """The tooltip of the store's cell at ``row``, ``column`` (asked on hover)."""
        event = self._slots[row].event
        if column == Column.TIME:
            local = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(event.ts.timestamp()))
            return f"{local}\n{iso_ms(event.ts)} (UTC)"
        if column == Column.DETAIL:
            return controls_shown(detail_text(event.detail)) or None
        return None

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
            row = _Row(event, None, checked_again=checked_again(event, self._unchecked))
            self._keys[key] = row
            fresh.append(row)
        self._waiting.put(fresh)

    @property
    def waiting(self) -> int:
        """Live rows received and not shown yet (they are, within a few turns)."""
        return len(self._waiting)

    def _show(self, fresh: list[_Row]) -> None:
        self.pieceBegins.emit()
        try:
            self._show_piece(fresh)
        finally:
            self.pieceEnds.emit()

    def _show_piece(self, fresh: list[_Row]) -> None:
        if len(fresh) > self._max_rows:  # never shown: the bound pushes them out
            for row in fresh[: -self._max_rows]:
                del self._keys[_key(row.event)]
            fresh = fresh[-self._max_rows :]
        for row in fresh:
            self._newer_seq += 1
            row.seq = self._newer_seq
        overflow = max(0, len(self._rows) + len(fresh) - self._max_rows)
        if overflow:  # the newest take the oldest rows' places
            self._replace_oldest(fresh[:overflow])
        self._rows.extend(fresh)
        self._append(fresh[overflow:])

    def set_lazy(self, lazy: bool) -> None:
        """Write a line's cells only when a view asks (``catch_up``, before it paints or
        copies them), and at once only what orders and filters it: a burst writes a thousand
        lines, of which a view shows a dozen (their seven cells a line were about a tenth of
        the GUI thread's samples in a burst, py-spy). Off (at first): every line is written
        whole at once."""
        self._lazy = lazy

    def catch_up(self, rows: Iterable[int]) -> None:
        """Write the cells of these rows of the store that wait (``set_lazy``), without a
        signal: for a view about to paint or copy them (it reads them next)."""
        colors = None
        with quietly(self):
            for slot in rows:
                if 0 <= slot < len(self._slots) and not (row := self._slots[slot]).written:
                    colors = colors or cell_colors()
                    self._write(row, colors)

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
        done = functools.partial(self._page_done, self._generation)
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

    def _append(self, rows: Sequence[_Row]) -> None:
        """Show ``rows`` (already in ``_rows``) in new rows at the store's end, each inserted
        with its cells: the sorting proxy places a row by its ``Role.SEQ`` when it is told of
        it, so the cells must be there by then."""
        first = len(self._slots)
        self._slots.extend(rows)
        colors = None if self._lazy else cell_colors()
        for offset, row in enumerate(rows):
            row.slot = first + offset
            self.appendRow(self._cells(row, colors))

    def _cells(self, row: _Row, colors: Mapping[State, QColor] | None) -> list[QStandardItem]:
        """New cells for ``row`` (a row added at the store's end); without ``colors``, only
        the first, with what orders and filters it (``set_lazy``)."""
        row.written = colors is not None
        if colors is None:
            cells = [keys(row.event, row.row_id, row.seq)]
        else:
            cells = cell_values(row.event, row.row_id, row.seq, colors)
        items = []
        for values in cells:
            item = QStandardItem(str(values.pop(_DISPLAY, "")))  # one call fewer per cell
            for role, value in values.items():
                if value is not None:
                    item.setData(value, role)
            items.append(item)
        return items

    def _write(self, row: _Row, colors: Mapping[State, QColor]) -> None:
        """Write every cell of ``row`` in place (signals are the caller's)."""
        row.written = True
        for column, values in enumerate(cell_values(row.event, row.row_id, row.seq, colors)):
            self.setItemData(self.index(row.slot, column), values)

    def _replace_oldest(self, fresh: Sequence[_Row]) -> None:
        """At the bound: ``fresh`` rows take the oldest rows' places in the store (paging stops)."""
        gone = self._rows[: len(fresh)]
        del self._rows[: len(fresh)]
        for old, row in zip(gone, fresh, strict=True):
            if self._keys.get(_key(old.event)) is old:
                del self._keys[_key(old.event)]
            row.slot = old.slot
            self._slots[row.slot] = row
        # Written into the cells that are there: replacing a cell costs Qt a pass over the
        # store (7 ms for 20 rows of 10,000), rewriting one does not.
        colors = None if self._lazy else cell_colors()
        with quietly(self):
            for row in fresh:
                if colors is not None:
                    self._write(row, colors)
                else:  # the rest of its cells (the last line's) before it is seen
                    row.written = False
                    self.setItemData(self.index(row.slot, 0), keys(row.event, row.row_id, row.seq))
        rows_changed(self, [row.slot for row in fresh], 0, len(Column) - 1)
        self._history_done = True

    def _reset_rows(self) -> None:
        self._generation += 1
        self._fetching = False
        self._before_id = None
        self._waiting.clear()
        self.unread = 0
        self.unreadChanged.emit(0)  # (and what could not be read is asked again)
        if self._rows:
            self._rows.clear()
            self._slots.clear()
            self._keys.clear()
            self.removeRows(0, self.rowCount())

    def _page_done(self, generation: int, future: Future[EventPage]) -> None:
        if generation != self._generation:
            return  # cleared or reloaded meanwhile
        self._fetching = False
        if future.cancelled() or self._history_done:
            return
        if (exc := future.exception()) is not None:
            self._history_failed(exc)
            return
        page = future.result()
        if page.last_id is not None:
            self._before_id = page.last_id
        if not page.full:
            self._history_done = True
        if page.unread:
            self.unread += page.unread
            self.unreadChanged.emit(self.unread)
        fresh: list[_Row] = []
        for row_id, event in page.rows:
            known = self._keys.get(_key(event))
            if known is None:
                fresh.append(_Row(event, row_id))
            elif known.row_id is None:  # a live event, now matched to its stored row
                known.row_id = row_id
                if known.slot >= 0:
                    at = self.index(known.slot, 0)
                    self.setData(at, row_id, Role.ROW_ID)
        room = self._max_rows - len(self._rows)
        if len(fresh) >= room:
            fresh = fresh[:room]
            self._history_done = True
        if not fresh:  # nothing shown, nothing for a view to scroll by and ask for more:
            self.fetch_older()  # (a page of a newer version's rows left the pane empty)
            return
        for row in fresh:  # newest first: each older than the last
            self._older_seq -= 1
            row.seq = self._older_seq
        self._rows[:0] = reversed(fresh)
        self._keys.update((_key(r.event), r) for r in fresh)
        self._append(fresh)
        if self.wants_more():
            self.fetch_older()

    def _history_failed(self, exc: BaseException) -> None:
        """Stop paging (retrying a broken file on every scroll helps no one) and say why."""
        _log.warning("event log history could not be read: %s", exc)
        self._history_done = True
        self.historyFailed.emit(str(exc))


_DISPLAY = Qt.ItemDataRole.DisplayRole
