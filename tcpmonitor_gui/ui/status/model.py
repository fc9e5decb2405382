"""The status table's model: one row per profile, kept current by the engine's event batches.

A busy network sends thousands of events a second, so ``apply_events`` folds a whole batch into
plain Python state (dict lookups, no Qt calls) and then tells the views once per contiguous run
of changed rows; it never resets. That keeps selections, scroll positions and the proxy's sort
intact, and keeps the GUI thread free for painting (STYLE.md, practices 3 and 4).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QStandardItem, QStandardItemModel

from ...core.events import SEVERITY, Cause, Event, Kind, State, utc_now
from ...core.profile import Profile
from ..common.i18n import QT_TRANSLATE_NOOP, translate
from ..common.icons import state_icon, worst
from ..common.labels import cause_text, state_text
from ..common.quiet import quietly
from ..common.text import coarse_duration_text as format_duration
from ..common.text import duration_text

__all__ = ["SAMPLES", "Column", "Role", "StatusModel", "format_duration", "format_latency"]

#: Latency samples kept per profile for the sparkline.
SAMPLES = 60
#: Rows that only got samples are repainted at most this often (STYLE.md: coalesce updates).
SAMPLE_REPAINT_MS = 250
#: State changes are gathered for this long: a hundred profiles changing within it cost one
#: re-sort and one repaint, and the table still shows a drop within a quarter of a second
#: (the notification does not wait for it).
STATE_REPAINT_MS = 250
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


class Column(enum.IntEnum):
    STATE = 0
    NAME = enum.auto()
    GROUP = enum.auto()
    TARGET = enum.auto()
    DETECTOR = enum.auto()
    LATENCY = enum.auto()
    SPARKLINE = enum.auto()
    UPTIME = enum.auto()
    IN_STATE = enum.auto()
    CAUSE = enum.auto()
    DETAIL = enum.auto()


_COLUMNS = len(Column)
_RIGHT_ALIGNED = (Column.LATENCY, Column.UPTIME, Column.IN_STATE)
HEADERS = {
    Column.STATE: QT_TRANSLATE_NOOP("StatusModel", "State"),
    Column.NAME: QT_TRANSLATE_NOOP("StatusModel", "Name"),
    Column.GROUP: QT_TRANSLATE_NOOP("StatusModel", "Group"),
    Column.TARGET: QT_TRANSLATE_NOOP("StatusModel", "Target"),
    Column.DETECTOR: QT_TRANSLATE_NOOP("StatusModel", "Detector"),
    Column.LATENCY: QT_TRANSLATE_NOOP("StatusModel", "Latency (ms)"),
    Column.SPARKLINE: QT_TRANSLATE_NOOP("StatusModel", "Last 60"),
    Column.UPTIME: QT_TRANSLATE_NOOP("StatusModel", "Uptime 24 h"),
    Column.IN_STATE: QT_TRANSLATE_NOOP("StatusModel", "For"),
    Column.CAUSE: QT_TRANSLATE_NOOP("StatusModel", "Last cause"),
    Column.DETAIL: QT_TRANSLATE_NOOP("StatusModel", "Detail"),
}


class Role(enum.IntEnum):
    PROFILE_ID = Qt.ItemDataRole.UserRole
    #: The ``State``; it crosses QVariant as its plain string, so ``State(...)`` it back.
    STATE = enum.auto()
    #: A value the proxy can compare in C++ (no Python ``lessThan``): numbers or folded text.
    SORT = enum.auto()
    #: Column 0: ``GROUP_MARK + group + GROUP_MARK`` then the folded text the filter box
    #: searches, so the proxy filters with a regular expression, in C++ (``search_key``).
    SEARCH = enum.auto()
    PROFILE = enum.auto()


def format_latency(ms: float | None) -> str:
    if ms is None:
        return ""
    return f"{ms:.2f}" if ms < 10 else f"{ms:,.1f}"


def _format_uptime(pct: float | None) -> str:
    if pct is None:
        return ""
    if pct >= 100.0:
        return "100 %"
    # Truncate, never round up: 99.996 % must not read as a perfect day.
    return f"{int(pct * 100) / 100:.2f} %" if pct >= 99 else f"{int(pct * 10) / 10:.1f} %"


def _detector_text(profile: Profile) -> str:
    d = profile.detector
    text = f"{d.kind}/{d.preset}" if d.kind == "heartbeat" and d.preset else d.kind
    return f"{text}+tls" if d.tls else text


@dataclasses.dataclass(slots=True, eq=False)
class _Row:
    profile: Profile
    state: State
    samples: collections.deque[float | None]
    detector: str
    latency: float | None = None
    cause: Cause | None = None
    detail: str = ""
    since: dt.datetime | None = None
    detection_ms: float | None = None
    address: str | None = None
    uptime: float | None = None
    haystack: str | None = None  # the filter's text, built on demand
    search: str | None = None  # what the SEARCH role holds now
    items: list[QStandardItem] = dataclasses.field(default_factory=list)  # the row's cells
    #: What each cell shows now, (text, sort key) by column: a cell is written only when its
    #: value changes (a Python comparison is far cheaper than a call into Qt).
    shown: dict[int, tuple[str, object]] = dataclasses.field(default_factory=dict)
    muted: bool | None = None
    #: Until when the "for" cell's text stays right (it shows seconds, then minutes...).
    in_state_until: dt.datetime | None = None


def _new_row(profile: Profile) -> _Row:
    # A disabled profile is not monitored, so no event will ever say it is paused.
    state = State.UNKNOWN if profile.enabled else State.PAUSED
    return _Row(profile, state, collections.deque(maxlen=SAMPLES), _detector_text(profile))


class StatusModel(QStandardItemModel):
    """The live state of every profile; feed it with ``apply_events`` and ``set_uptime``.

    The cells live in Qt's own ``QStandardItem`` store and are written when a row changes;
    nothing here overrides ``data``, ``flags`` or the counts. That is deliberate: a view reads a
    model through many virtual calls per cell, and each call into Python needs the GIL, which the
    worker threads hold much of the time — beside one busy Python thread, one paint of a
    1,000-row table took 125 ms from a Python ``data()`` against 13 ms from the C++ store
    (tests/bench/model_paint.py). Painting and sorting now run in C++ without the GIL.
    Tooltips, which only a person hovering asks for, are computed then (``tooltip``, called
    by the table view), and a cell is written only when what it shows changes.
    """

    #: ``dict[State, int]``, every state present, when any count changes.
    countsChanged = Signal(object)
    #: Profiles were set, added, edited or removed (groups may have changed); not on events.
    profilesChanged = Signal()

    def __init__(
        self, parent: QObject | None = None, *, clock: Callable[[], dt.datetime] = utc_now
    ) -> None:
        super().__init__(0, _COLUMNS, parent)
        self._now = clock
        self._rows: list[_Row] = []
        self._by_id: dict[str, int] = {}
        self._counts = dict.fromkeys(State, 0)
        for column in Column:
            header = QStandardItem(translate("StatusModel", HEADERS[column]))
            if column == Column.SPARKLINE:
                header.setToolTip(
                    self.tr("Latency of the last 60 checks; red ticks are failed checks")
                )
            self.setHorizontalHeaderItem(column, header)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._pending_samples: set[str] = set()
        self._sample_timer = QTimer(self)
        self._sample_timer.setSingleShot(True)
        self._sample_timer.setInterval(SAMPLE_REPAINT_MS)
        self._sample_timer.timeout.connect(self.flush_samples)
        self._pending_states: set[str] = set()
        self._pending_search: set[str] = set()  # rows whose filter text a sample changed
        self._state_timer = QTimer(self)
        self._state_timer.setSingleShot(True)
        self._state_timer.setInterval(STATE_REPAINT_MS)
        self._state_timer.timeout.connect(self.flush_states)

    # -- profiles ------------------------------------------------------------------------

    def set_profiles(self, profiles: Sequence[Profile]) -> None:
        """The initial load (a reset); live state of profiles kept across it is preserved."""
        old = {r.profile.id: r for r in self._rows}
        self.beginResetModel()
        with quietly(self):
            self.setRowCount(0)
            self._rows = []
            for profile in profiles:
                row = old.get(profile.id)
                if row is None:
                    row = _new_row(profile)
                else:
                    self._refresh(row, profile)
                row.items = self._new_items()
                self._rows.append(row)
                self.appendRow(row.items)
                self._write_all(row)
        self._reindex()
        self.endResetModel()
        self.profilesChanged.emit()
        self._recount()

    def upsert_profile(self, profile: Profile) -> None:
        at = self._by_id.get(profile.id)
        if at is None:
            row = _new_row(profile)
            row.items = self._new_items()
            with quietly(self):
                self._write_all(row)
            self._by_id[profile.id] = len(self._rows)
            self._rows.append(row)
            self.appendRow(row.items)
        else:
            row = self._rows[at]
            self._refresh(row, profile)
            with quietly(self):
                self._write_all(row)
            self._emit_rows([at])
        self.profilesChanged.emit()
        self._recount()

    def remove_profile(self, profile_id: str) -> None:
        at = self._by_id.get(profile_id)
        if at is None:
            return
        del self._rows[at]
        self._reindex()
        self.removeRow(at)
        self.profilesChanged.emit()
        self._recount()

    def profile_at(self, row: int) -> Profile:
        return self._rows[row].profile

    def row_of(self, profile_id: str) -> int | None:
        return self._by_id.get(profile_id)

    def samples(self, row: int) -> list[float | None]:
        """The row's last ``SAMPLES`` latencies, oldest first; None for a failed check."""
        return list(self._rows[row].samples)

    def groups(self) -> list[str]:
        """The non-empty groups present, sorted for the group filter."""
        return sorted({r.profile.group for r in self._rows} - {""}, key=str.casefold)

    def has_ungrouped(self) -> bool:
        return any(not r.profile.group for r in self._rows)

    # -- live data -----------------------------------------------------------------------

    def apply_events(self, events: Iterable[Event]) -> None:
        """Fold an engine batch into the rows and their cells; the views are told by two
        timers (``flush_states``, ``flush_samples``), so many batches become one repaint.

        Rows that only got samples are signalled for the live columns alone (latency to
        cause): that leaves the state column, the default sort key, out, so the proxy does not
        re-sort a thousand rows for a batch of routine samples.
        """
        stated: set[int] = set()
        sampled: set[int] = set()
        state_moved = False
        by_id, rows = self._by_id, self._rows
        for event in events:
            at = by_id.get(event.profile_id)
            if at is None:
                continue  # removed meanwhile, or never shown
            row = rows[at]
            if event.address:
                row.address = event.address  # shown in the tooltip, read on hover
            if event.kind is Kind.SAMPLE:
                if event.cause is not None:
                    row.samples.append(None)
                    row.latency = None
                    row.cause, row.haystack = event.cause, None
                    sampled.add(at)
                elif event.latency_ms is not None:
                    row.samples.append(event.latency_ms)
                    row.latency = event.latency_ms
                    sampled.add(at)
                continue
            stated.add(at)
            state_moved = state_moved or event.state is not row.state
            row.state, row.detail, row.haystack = event.state, event.detail, None
            row.since = event.ts if event.ts.tzinfo else event.ts.replace(tzinfo=dt.UTC)
            row.in_state_until = None
            if event.cause is not None:
                row.cause = event.cause
            if event.state is State.DOWN:
                row.detection_ms = event.detection_ms
        with quietly(self):  # the cells are current at once; the views hear at the flush
            for at in stated:
                self._write_state(rows[at])
            searched = {at for at in sampled - stated if self._write_live(rows[at])}
        # Kept by id, not row: rows may move before the timers fire.
        self._pending_states.update(rows[at].profile.id for at in stated)
        if self._pending_states and not self._state_timer.isActive():
            self._state_timer.start()  # state changes: shown within a quarter of a second
        self._pending_samples.update(rows[at].profile.id for at in sampled - stated)
        self._pending_search.update(rows[at].profile.id for at in searched)
        if self._pending_samples and not self._sample_timer.isActive():
            self._sample_timer.start()  # routine samples: a few repaints a second at most
        if state_moved:
            self._recount()

    def flush_states(self) -> None:
        """Signal the rows whose state changed since the last flush (whole rows: the state
        column is the default sort key, so this is what re-sorts the table)."""
        self._state_timer.stop()
        pending, self._pending_states = self._pending_states, set()
        self._pending_samples -= pending  # their whole row is signalled now
        by_id = self._by_id
        self._emit_rows(by_id[i] for i in pending if i in by_id)
        if self._pending_samples:
            self.flush_samples()  # the same repaint, not one more a moment later

    def flush_samples(self) -> None:
        """Signal the rows whose samples changed since the last flush (the timer does this)."""
        self._sample_timer.stop()
        pending, self._pending_samples = self._pending_samples, set()
        searched, self._pending_search = self._pending_search, set()
        by_id = self._by_id
        self._emit_rows((by_id[i] for i in pending if i in by_id), Column.LATENCY, Column.CAUSE)
        # Column 0 holds the state too, the sort key: named role only, so it is not re-sorted.
        rows = (by_id[i] for i in searched & pending if i in by_id)
        self._emit_rows(rows, 0, 0, [Role.SEARCH])

    def set_uptime(self, values: Mapping[str, float | None]) -> None:
        """Uptime % per profile id, computed by the caller off the GUI thread."""
        changed = []
        with quietly(self):
            for profile_id, value in values.items():
                at = self._by_id.get(profile_id)
                if at is not None and self._rows[at].uptime != value:
                    row = self._rows[at]
                    row.uptime = value
                    _put(row, Column.UPTIME, _format_uptime(value), _uptime_key(value))
                    changed.append(at)
        self._emit_rows(changed, Column.UPTIME, Column.UPTIME)

    def start_clock(self) -> None:
        """Tick the "for" column once a second (the main window starts it once shown)."""
        self._timer.start()

    def stop_clock(self) -> None:
        self._timer.stop()

    def counts(self) -> dict[State, int]:
        return dict(self._counts)

    def down_names(self) -> list[str]:
        return sorted(
            (r.profile.name for r in self._rows if r.state is State.DOWN), key=str.casefold
        )

    def worst_state(self) -> State:
        return worst(s for s, n in self._counts.items() if n)

    def tooltip(self, row: int, column: int) -> str | None:
        """The tooltip of a cell, computed when someone hovers it (the view asks)."""
        r = self._rows[row]
        if column == Column.SPARKLINE:
            return self._sparkline_tooltip(r)
        if column in (Column.STATE, Column.CAUSE, Column.DETAIL):
            return self._state_tooltip(r)
        return None

    # -- internals -----------------------------------------------------------------------

    def _new_items(self) -> list[QStandardItem]:
        items = []
        for column in Column:
            item = QStandardItem()
            item.setFlags(_FLAGS)
            if column in _RIGHT_ALIGNED:
                item.setData(_ALIGN_RIGHT, Qt.ItemDataRole.TextAlignmentRole)
            items.append(item)
        return items

    def _write_all(self, row: _Row) -> None:
        p, items = row.profile, row.items
        for item in items:
            item.setData(p.id, Role.PROFILE_ID)
        items[Column.STATE].setData(p, Role.PROFILE)
        texts = {
            Column.NAME: p.name,
            Column.GROUP: p.group,
            Column.TARGET: p.target,
            Column.DETECTOR: row.detector,
        }
        for column, text in texts.items():
            _put(row, column, text, text.casefold())
        _put(row, Column.UPTIME, _format_uptime(row.uptime), _uptime_key(row.uptime))
        self._write_state(row)

    def _write_state(self, row: _Row) -> None:
        """Everything a state event changes: the state and detail cells, the muted colour,
        the time in state, and the live cells."""
        items, state = row.items, row.state
        if _put(row, Column.STATE, state_text(state), SEVERITY[state]):
            items[Column.STATE].setData(state_icon(state), Qt.ItemDataRole.DecorationRole)
            items[Column.STATE].setData(str(state), Role.STATE)
        _put(row, Column.DETAIL, row.detail, row.detail.casefold())
        self._write_search(row)
        muted = state is State.PAUSED
        if muted != row.muted:  # a paused row is muted, not coloured
            row.muted = muted
            color = _muted_color() if muted else None
            for column, item in enumerate(items):
                if column != Column.CAUSE:
                    item.setData(color, Qt.ItemDataRole.ForegroundRole)
        # A cause that is history (the row is up again) is muted too.
        cause_muted = muted or state is State.UP
        items[Column.CAUSE].setData(
            _muted_color() if cause_muted else None, Qt.ItemDataRole.ForegroundRole
        )
        self._write_in_state(row)
        self._write_live(row)

    def _write_search(self, row: _Row) -> bool:
        key = search_key(row.profile.group, _haystack(row))
        if key == row.search:
            return False
        row.search = key
        row.items[0].setData(key, Role.SEARCH)
        return True

    def _write_live(self, row: _Row) -> bool:
        """The cells a sample changes: latency, the sparkline's sort key, the cause."""
        latency = row.latency
        _put(row, Column.LATENCY, format_latency(latency), _latency_key(latency))
        failures = row.samples.count(None)  # the flakiest sort last
        _put(row, Column.SPARKLINE, "", failures)
        cause = cause_text(row.cause)
        # True when the filter's text changed too (a new cause): the proxy must hear of it.
        return _put(row, Column.CAUSE, cause, cause.casefold()) and self._write_search(row)

    def _write_in_state(self, row: _Row) -> bool:
        """The "for" cell. Its sort key is the time the state began (earlier sorts as longer),
        which does not change as the clock ticks: a tick rewrites only texts that change."""
        if row.since is None:
            return _put(row, Column.IN_STATE, "", float("-inf"))
        now = self._now()
        if row.in_state_until is not None and now < row.in_state_until:
            return False  # the text shown is still right
        seconds = (now - row.since).total_seconds()
        row.in_state_until = now + dt.timedelta(seconds=_until_text_changes(seconds))
        return _put(row, Column.IN_STATE, format_duration(seconds), -row.since.timestamp())

    def _refresh(self, row: _Row, profile: Profile) -> None:
        """An edited profile keeps its live state, unless it was just enabled or disabled."""
        if row.profile.enabled != profile.enabled:
            row.state = State.UNKNOWN if profile.enabled else State.PAUSED
            row.since, row.in_state_until = self._now(), None
        row.profile, row.detector, row.haystack = profile, _detector_text(profile), None

    def _reindex(self) -> None:
        self._by_id = {r.profile.id: i for i, r in enumerate(self._rows)}

    def _recount(self) -> None:
        counts = dict.fromkeys(State, 0)
        for r in self._rows:
            counts[r.state] += 1
        if counts != self._counts:
            self._counts = counts
            self.countsChanged.emit(dict(counts))

    def _emit_rows(
        self,
        rows: Iterable[int],
        first: int = 0,
        last: int = _COLUMNS - 1,
        roles: Sequence[int] = (),
    ) -> None:
        """One ``dataChanged`` per contiguous run of ``rows`` (columns ``first``..``last``;
        ``roles`` if only those changed)."""
        ordered = sorted(rows)
        i = 0
        while i < len(ordered):
            j = i
            while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
                j += 1
            top, bottom = self.index(ordered[i], first), self.index(ordered[j], last)
            self.dataChanged.emit(top, bottom, list(roles))
            i = j + 1

    def _tick(self) -> None:
        with quietly(self):
            changed = [at for at, row in enumerate(self._rows) if self._write_in_state(row)]
        self._emit_rows(changed, Column.IN_STATE, Column.IN_STATE)

    def _state_tooltip(self, row: _Row) -> str:
        name, state = row.profile.name, state_text(row.state)
        if row.since is not None:
            since = f"{row.since.astimezone():%Y-%m-%d %H:%M:%S}"
            lines = [self.tr("{name}: {state} since {since}").format(
                name=name, state=state, since=since
            )]  # fmt: skip
        else:
            lines = [f"{name}: {state}"]
        if row.cause is not None:
            lines.append(self.tr("last cause: {cause}").format(cause=cause_text(row.cause)))
        if row.detail:
            lines.append(row.detail)
        if row.detection_ms is not None:
            delay = duration_text(row.detection_ms / 1000)
            if row.state is State.DOWN:
                lines.append(
                    self.tr("noticed {delay} after the last good sign").format(delay=delay)
                )
            else:
                lines.append(
                    self.tr("the last drop was noticed {delay} after the last good sign").format(
                        delay=delay
                    )
                )
        target = row.address or row.profile.target
        lines.append(self.tr("address: {address}").format(address=target))
        return "\n".join(lines)

    def _sparkline_tooltip(self, row: _Row) -> str:
        samples = row.samples
        if not samples:
            return self.tr("No checks yet")
        good = [s for s in samples if s is not None]
        n, failed = len(samples), len(samples) - len(good)
        text = self.tr("Last {n} checks: {failed} failed", "", n).format(n=n, failed=failed)
        if good:
            text += self.tr("; latency min {lo:.2f}, avg {avg:.2f}, max {hi:.2f} ms").format(
                lo=min(good), avg=sum(good) / len(good), hi=max(good)
            )
        return text


#: Brackets the group in the SEARCH role; no one types it into a group or the filter box.
GROUP_MARK = "\x1f"


def search_key(group: str, haystack: str) -> str:
    return f"{GROUP_MARK}{group}{GROUP_MARK}\n{haystack}"


def _haystack(row: _Row) -> str:
    if row.haystack is None:
        p = row.profile
        cause = (
            "" if row.cause is None else f"{row.cause} {row.cause.label} {cause_text(row.cause)}"
        )
        row.haystack = "\n".join((p.name, p.group, p.target, cause, row.detail)).casefold()
    return row.haystack


def _put(row: _Row, column: int, text: str, sort_key: object) -> bool:
    """Write a cell's text and sort key if they changed; True if they did."""
    value = (text, sort_key)
    if row.shown.get(column) == value:
        return False
    row.shown[column] = value
    item = row.items[column]
    item.setData(text, Qt.ItemDataRole.DisplayRole)
    item.setData(sort_key, Role.SORT)
    return True


def _latency_key(latency: float | None) -> float:
    return float("inf") if latency is None else latency


def _uptime_key(uptime: float | None) -> float:
    return -1.0 if uptime is None else uptime


def _muted_color() -> QColor:
    """The palette's disabled text colour (looked up once per palette: it is asked for on
    every state change)."""
    palette = QGuiApplication.palette()
    key = palette.cacheKey()
    if key != _MUTED[0]:
        _MUTED[:] = [key, palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)]
    color: QColor = _MUTED[1]
    return color


_MUTED: list[Any] = [None, None]


def _until_text_changes(seconds: float) -> float:
    """Seconds until ``format_duration(seconds)`` shows something else (its resolution is a
    second below a minute, a minute below a day, a day above)."""
    whole = max(0, int(seconds))
    step = 1 if whole < 60 else 60 if whole < 86400 else 86400
    return step - (whole % step) - (seconds - int(seconds)) if seconds >= 0 else 1.0
