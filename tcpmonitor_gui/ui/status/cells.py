"""The status table's cells: columns, roles, and how a row's values become text and sort keys.

Pure functions and the row record, apart from the model that writes them (``model.py``).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import enum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QStandardItem

from ...core.eventqueries import Uptime
from ...core.events import Cause, State
from ...core.profile import Profile
from ..common.i18n import QT_TRANSLATE_NOOP, translate
from ..common.labels import cause_text
from ..common.text import duration_text

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
    pct = uptime.percent
    if pct is None:
        text = ""
    elif pct >= 100.0:
        text = "100 %"
    else:  # truncate, never round up: 99.996 % must not read as a perfect day
        text = f"{int(pct * 100) / 100:.2f} %" if pct >= 99 else f"{int(pct * 10) / 10:.1f} %"
    for seconds, words in (
        (uptime.not_counted_s, translate("Status", "({duration} offline not counted)")),
        (uptime.maintenance_s, translate("Status", "({duration} maintenance not counted)")),
    ):
        if seconds >= 60:
            apart = words.format(duration=duration_text(seconds))
            text = f"{text} {apart}" if text else apart
    return text


def detector_text(profile: Profile) -> str:
    d = profile.detector
    text = f"{d.kind}/{d.preset}" if d.kind == "heartbeat" and d.preset else d.kind
    return f"{text}+tls" if d.tls else text


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
    detection_ms: float | None = None
    address: str | None = None
    uptime: Uptime = UNKNOWN_UPTIME
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
    in_state_until: dt.datetime | None = None


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


def new_items() -> list[QStandardItem]:
    """A row's cells, empty."""
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
    return -1.0 if uptime.percent is None else uptime.percent


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


def write_live(row: Row) -> bool:
    """The cells a sample changes: latency, the sparkline's sort key, the cause. True when
    the filter's text changed too (a new cause): the proxy must hear of it."""
    latency = row.latency
    put_cell(row, Column.LATENCY, format_latency(latency), latency_key(latency))
    failures = row.samples.count(None)  # the flakiest sort last
    put_cell(row, Column.SPARKLINE, "", failures)
    cause = cause_cell(row)
    return put_cell(row, Column.CAUSE, cause, cause.casefold()) and write_search(row)
