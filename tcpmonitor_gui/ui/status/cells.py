"""The status table's cells: columns, roles, and how a row's values become text and sort keys.

Pure functions and the row record, apart from the model that writes them (``model.py``).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import enum
import functools
import math
from collections.abc import Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QStandardItem

from ...core.eventqueries import KNOWN_STATES, UP_STATES, Uptime
from ...core.events import SEVERITY, Cause, Event, State
from ...core.last_seen import LastSeen
from ...core.live_uptime import LiveUptime
from ...core.presets import PRESETS
from ...core.profile import Profile
from ...core.uptime_text import cut_percent, percent_text
from ..common.i18n import QT_TRANSLATE_NOOP, translate
from ..common.labels import cause_text, detector_word, preset_text, state_text
from ..common.text import coarse_duration_text

UNKNOWN_UPTIME = Uptime(None)
#: Latency samples kept per profile for the sparkline.
SAMPLES = 60


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


COLUMN_COUNT = len(Column)
RIGHT_ALIGNED = (Column.LATENCY, Column.UPTIME, Column.IN_STATE)
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


def format_latency(ms: float | None) -> str:
    if ms is None:
        return ""
    return f"{ms:.2f}" if ms < 10 else f"{ms:,.1f}"


def format_uptime(uptime: Uptime) -> str:
    """``99.2 %``, and ``(2 h offline not counted)`` when this computer's own offline or
    sleeping time (a minute or more) was left out, ``(1 h maintenance not counted)`` for
    drops in maintenance windows."""
    text = "" if uptime.percent is None else percent_text(uptime.percent)
    for seconds, words in (
        (uptime.not_counted_s, translate("Status", "({duration} offline not counted)")),
        (uptime.maintenance_s, translate("Status", "({duration} maintenance not counted)")),
    ):
        if seconds >= 60:
            apart = words.format(duration=coarse_duration_text(seconds))
            text = f"{text} {apart}" if text else apart
    return text


def detector_text(profile: Profile) -> str:
    """ "heartbeat/redis+tls" as the profile format says it, in the user's language: "心跳/Redis
    PING+TLS" (the kind and the preset translated, "TLS" a name)."""
    d = profile.detector
    text = detector_word(d.kind)
    if d.kind == "heartbeat" and d.preset:
        text = f"{text}/{preset_text(d.preset) if d.preset in PRESETS else d.preset}"
    return f"{text}+TLS" if d.tls else text


@dataclasses.dataclass(slots=True, eq=False)
class Row:
    profile: Profile
    state: State
    samples: collections.deque[float | None]
    detector: str
    latency: float | None = None
    #: The cause of the drop (or of the failures that degrade the row), from state events.
    cause: Cause | None = None
    #: While down: the cause the retries fail with now, when it is another one (a FIN, then
    #: refused reconnects); None otherwise.
    retry_cause: Cause | None = None
    detail: str = ""
    since: dt.datetime | None = None
    #: ``since`` on a clock that nobody sets (``clock.Times``): "for" counts from it.
    since_at: float = 0.0
    detection_ms: float | None = None
    address: str | None = None
    uptime: Uptime = UNKNOWN_UPTIME
    #: The stored uptime and the state changes since: ``uptime`` follows it every second.
    live: LiveUptime = dataclasses.field(default_factory=LiveUptime)
    #: What the uptime cell shows, as compared each second (``write_uptime``).
    uptime_shown: tuple[float, float, float] | None = None
    #: The row's place among all rows by name, then target: ties in the state column (and
    #: so in the default sort) keep this order instead of moving under the selection.
    rank: int = 0
    #: What the event log last knew (``StatusModel.restore``), or the row at a pause, until
    #: a state is found again; and which of the two (``again.RESTART`` or ``again.PAUSE``).
    last: LastSeen | None = None
    last_by: str = ""
    #: The state found at start (or resume) is the one left then: ``last_by``, or "".
    before: str = ""
    #: Until when (Unix seconds) that text stays right unless the state changes.
    uptime_until: float = -math.inf
    haystack: str | None = None  # the filter's text, built on demand
    search: str | None = None  # what the SEARCH role holds now
    items: list[QStandardItem] = dataclasses.field(default_factory=list)  # the row's cells
    #: What each cell shows now, (text, sort key) by column: a cell is written only when its
    #: value changes (a Python comparison is far cheaper than a call into Qt).
    shown: dict[int, tuple[str, object]] = dataclasses.field(default_factory=dict)
    muted: bool | None = None
    #: What the name cell's icon says: "", "snoozed" or "maintenance" (``marks.write_marks``).
    mark: str = ""
    #: The drop began in a maintenance window (its event said so).
    planned: bool = False
    #: Shown in bold: a drop not acknowledged (``marks.needs_ack``).
    bold: bool = False
    #: Until when the "for" cell's text stays right (it shows seconds, then minutes...).
    in_state_until: float | None = None
    #: The model's tick that last wrote the clock cells ("for", uptime, marks).
    ticked: int = 0
    #: Cells not written since a change, the row not being seen (``StatusModel.catch_up``).
    stale: bool = False


def new_row(profile: Profile) -> Row:
    # A disabled profile is not monitored, so no event will ever say it is paused.
    state = State.UNKNOWN if profile.enabled else State.PAUSED
    return Row(profile, state, collections.deque(maxlen=SAMPLES), detector_text(profile))


#: Brackets the group in the SEARCH role; no one types it into a group or the filter box.
GROUP_MARK = "\x1f"


def search_key(group: str, haystack: str) -> str:
    return f"{GROUP_MARK}{group}{GROUP_MARK}\n{haystack}"


def cause_cell(row: Row) -> str:
    """ "closed by peer", or "closed by peer; now refused" while retries fail otherwise."""
    text = cause_text(row.cause)
    if row.retry_cause is not None and row.retry_cause is not row.cause:
        now = translate("StatusModel", "{cause}; now {retry}")
        text = now.format(cause=text, retry=cause_text(row.retry_cause))
    return text


def haystack_of(row: Row) -> str:
    if row.haystack is None:
        p = row.profile
        cause = " ".join(
            f"{c} {c.label} {cause_text(c)}" for c in (row.cause, row.retry_cause) if c is not None
        )
        row.haystack = "\n".join((p.name, p.group, p.target, cause, row.detail)).casefold()
    return row.haystack


_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


#: More rows than any table holds: ``state_key`` = severity, then name order.
RANKS = 10_000_000
#: "For" of the state found at start (or at a resume) that was the one left then.
BEFORE_TOO = {
    "restart": QT_TRANSLATE_NOOP("StatusModel", "{duration} (and before the restart)"),
    "pause": QT_TRANSLATE_NOOP("StatusModel", "{duration} (and before the pause)"),
}


def state_key(row: Row) -> int:
    """The state column's sort key: worse states sort first (the default sort is descending)
    and, within one state, names A to Z, then targets."""
    return SEVERITY[row.state] * RANKS + (RANKS - 1 - row.rank)


def rank_rows(rows: Sequence[Row]) -> None:
    """Number the rows by name, then target; a row whose number moved gets its new sort key
    (the relative order of the others is unchanged, so the view needs no signal)."""
    order = sorted(rows, key=lambda r: (r.profile.name.casefold(), r.profile.target, r.profile.id))
    for rank, row in enumerate(order):
        if row.rank != rank:
            row.rank = rank
            if row.items:
                put_cell(row, Column.STATE, state_text(row.state), state_key(row))


def fresh_cells(row: Row) -> None:
    """New, empty cells for ``row``, to be written whole (a reset of the model)."""
    row.items = new_items()
    row.shown, row.muted, row.mark, row.bold = {}, None, "", False
    row.uptime_shown, row.uptime_until = None, -math.inf


def new_items() -> list[QStandardItem]:
    """A row's cells, empty: copies of one prototype row (a copy is one call into Qt where
    building a cell is three; 5,000 rows at start took a third of a second to build)."""
    return [item.clone() for item in _prototype_row()]


def forget_cells(row: Row) -> None:
    """Delete ``row``'s cells, once the model has given them back (``takeRow``).

    The cells are copies made by Qt (``clone``), whose deletion by Qt is not told to PySide:
    the model's wrapper kept a reference to each cell given to it for ever (a row's worth of
    memory at every connection removed), and a wrapper still held somewhere (a row kept in a
    garbage cycle) stayed registered for its address: a new Qt object there came back to
    Python as this stale cell (the likely cause of ``selectionModel()`` once returning a
    ``QStandardItem`` in the gui tests). Taken back and deleted here, neither is left."""
    for item in row.items:
        shiboken6.delete(item)
    row.items = []


@functools.cache
def _prototype_row() -> list[QStandardItem]:
    items = []
    for column in Column:
        item = QStandardItem()
        item.setFlags(_FLAGS)
        if column in RIGHT_ALIGNED:
            item.setData(_ALIGN_RIGHT, Qt.ItemDataRole.TextAlignmentRole)
        items.append(item)
    return items


def put_cell(row: Row, column: int, text: str, sort_key: object) -> bool:
    """Write a cell's text and sort key if they changed; True if they did."""
    value = (text, sort_key)
    if row.shown.get(column) == value:
        return False
    row.shown[column] = value
    item = row.items[column]
    item.setData(text, Qt.ItemDataRole.DisplayRole)
    item.setData(sort_key, Role.SORT)
    return True


def latency_key(latency: float | None) -> float:
    return float("inf") if latency is None else latency


def uptime_key(uptime: Uptime) -> float:
    """Sorts as shown (truncated like the text): it changes only when the text does."""
    return _truncated(uptime.percent)


def _truncated(pct: float | None) -> float:
    """Never rounded up: 99.996 % must not read as a perfect day."""
    if pct is None:
        return -1.0
    return cut_percent(pct, 2 if pct >= 99 else 1)


def write_in_state(row: Row, now: float) -> bool:
    """The "for" cell as of ``now`` (``since_at``'s clock). Its sort key is the time the state
    began on that clock (earlier sorts as longer; not the wall clock's stamp, which a step
    back between two changes puts in the wrong order), which does not change as the clock
    ticks: a tick rewrites only texts that change."""
    if row.since is None:
        return put_cell(row, Column.IN_STATE, "", float("-inf"))
    if row.in_state_until is not None and now < row.in_state_until:
        return False  # the text shown is still right
    seconds = max(0.0, now - row.since_at)
    row.in_state_until = now + until_text_changes(seconds)
    text = coarse_duration_text(seconds)
    if row.before:
        text = translate("StatusModel", BEFORE_TOO[row.before]).format(duration=text)
    return put_cell(row, Column.IN_STATE, text, -row.since_at)


def fold_sample(row: Row, event: Event) -> bool:
    """A check's result into the row; True if it changes what the row shows."""
    if event.cause is not None:
        row.samples.append(None)
        row.latency = None
        # The cause shown is the drop's (from its state event); a failing retry with another
        # cause is shown beside it, never in its place.
        if row.cause is None:  # no state event has named one yet
            row.cause, row.haystack = event.cause, None
        retry = None if event.cause is row.cause else event.cause
        if retry is not row.retry_cause:
            row.retry_cause, row.haystack = retry, None
        return True
    if event.latency_ms is None:
        return False
    row.samples.append(event.latency_ms)
    row.latency = event.latency_ms
    return True


def uptime_changed(row: Row, news: Uptime | float, event: Event | None = None) -> None:
    """The row's state changed at ``news`` (Unix seconds; ``event`` says to what, else the
    row's state), or the log gave a new answer (``news`` an ``Uptime``)."""
    if isinstance(news, Uptime):
        row.live.rebase(news)
    elif event is None:
        row.live.change(row.state, news)
    else:
        row.live.change(event.state, news, cause=event.cause, planned=event.maintenance)
    row.uptime_until = -math.inf


def write_uptime(row: Row, now: float) -> bool:
    """The uptime cell as of ``now`` (Unix seconds); True if what it shows changed. Asked for
    every row every second, so it first skips rows whose text cannot have changed yet."""
    if now < row.uptime_until:
        return False
    totals = up, known, not_counted, planned = row.live.totals(now)
    pct = 100.0 * up / known if known > 1e-9 else None
    key = (_truncated(pct), not_counted // 60, planned // 60)
    row.uptime_until = now + _unchanged_for(row.live, totals, key[0])
    if key == row.uptime_shown:
        return False
    row.uptime_shown = key
    row.uptime = Uptime(pct, not_counted, planned, up_s=up, known_s=known, at=now)
    return put_cell(row, Column.UPTIME, format_uptime(row.uptime), uptime_key(row.uptime))


def _unchanged_for(
    live: LiveUptime, totals: tuple[float, float, float, float], shown: float
) -> float:
    """How long the uptime text stays as it is if the state does not change (a change, or a
    new answer from the log, writes the cell at once): while up it creeps towards the next
    step it shows, while down away from the one it shows, and the seconds left out show in
    whole minutes."""
    up, known, not_counted, planned = totals
    if live.state not in KNOWN_STATES:
        return math.inf
    if live.planned:
        return 60.0 - planned % 60 if not live.local else math.inf
    if live.local:
        return 60.0 - not_counted % 60
    if shown < 0:  # nothing counted yet: the next second is
        return 0.0
    if live.state in UP_STATES:
        step = 0.01 if shown >= 99 else 0.1
        target = (shown + step) / 100  # (up + t) / (known + t) reaches it
        return math.inf if target >= 1 else max(0.0, (target * known - up) / (1 - target))
    floor = shown / 100  # up / (known + t) falls below it
    return math.inf if floor <= 0 else max(0.0, up / floor - known)


def muted_color() -> QColor:
    """The palette's disabled text colour (looked up once per palette: it is asked for on
    every state change)."""
    palette = QGuiApplication.palette()
    key = palette.cacheKey()
    if key != _MUTED[0]:
        _MUTED[:] = [key, palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)]
    color: QColor = _MUTED[1]
    return color


_MUTED: list[Any] = [None, None]


def until_text_changes(seconds: float) -> float:
    """Seconds until ``format_duration(seconds)`` shows something else (its resolution is a
    second below a minute, a minute below a day, a day above)."""
    whole = max(0, int(seconds))
    step = 1 if whole < 60 else 60 if whole < 86400 else 86400
    return step - (whole % step) - (seconds - int(seconds)) if seconds >= 0 else 1.0


def write_search(row: Row) -> bool:
    """The filter's text of the row (column 0's SEARCH role); True if it changed."""
    key = search_key(row.profile.group, haystack_of(row))
    if key == row.search:
        return False
    row.search = key
    row.items[0].setData(key, Role.SEARCH)
    return True


def defer_live(row: Row) -> bool:
    """A sample for a row not seen: its cells wait (``StatusModel.catch_up``); True if the
    filter's text changed (a new cause), which cannot wait."""
    row.stale = True
    return write_search(row)


def write_live(row: Row) -> bool:
    """The cells a sample changes: latency, the sparkline's sort key, the cause. True when
    the filter's text changed too (a new cause): the proxy must hear of it."""
    latency = None if row.state is State.PAUSED else row.latency  # not checked now: none
    put_cell(row, Column.LATENCY, format_latency(latency), latency_key(latency))
    failures = row.samples.count(None)  # the flakiest sort last
    put_cell(row, Column.SPARKLINE, "", failures)
    cause = cause_cell(row)
    return put_cell(row, Column.CAUSE, cause, cause.casefold()) and write_search(row)
