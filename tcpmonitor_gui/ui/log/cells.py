"""The event log's cells: what each column of a line shows, and with which roles."""

from __future__ import annotations

import datetime as dt
import enum
import time
from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QStyle, QWidget

from ...core.action_result import Result, result_of
from ...core.events import SEVERITY, Event, Kind, State
from ...core.wall_time import offset, twice
from ..common.bidi import controls_shown
from ..common.detail_text import detail_text
from ..common.i18n import QT_TRANSLATE_NOOP, translate
from ..common.icons import action_icon, readable_state_color, state_icon
from ..common.labels import cause_text, state_text


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
    Column.PROFILE: QT_TRANSLATE_NOOP("LogModel", "Connection"),
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


def _local_time(ts: dt.datetime) -> str:
    """``14:02:11`` today, ``yesterday 14:02`` (in the user's language), ``2026-11-25 14:02``
    before: what fits the column (the tooltip has the whole time), with the UTC offset in the
    hour the clocks pass twice (``02:30:00 +02:00``, then ``+01:00``). ``time`` functions: a
    row is written for every event, and ``datetime.astimezone`` costs several times more."""
    aware = ts if ts.tzinfo is not None else ts.replace(tzinfo=dt.UTC)
    seconds = aware.timestamp()
    local = time.localtime(seconds)
    said = f" {offset(local.tm_gmtoff)}" if twice(seconds, local.tm_gmtoff) else ""
    today = time.localtime()
    if local[:3] == today[:3]:
        return time.strftime("%H:%M:%S", local) + said
    yesterday = time.localtime(time.mktime((*today[:3], 12, 0, 0, 0, 0, -1)) - 86400)
    if local[:3] == yesterday[:3]:
        at = time.strftime("%H:%M", local) + said
        return translate("LogModel", "yesterday {time}").format(time=at)
    return time.strftime("%Y-%m-%d %H:%M", local) + said


def time_width(view: QWidget) -> int:
    """The Time column's width in ``view``: its longest text whole, an older line's date and
    time with the UTC offset it has in the hour the clocks pass twice (``_local_time``). Qt's
    100 px cut "2026-11-25 14:02" and the very offset that tells two lines apart."""
    at = "00:00 +00:00"
    texts = (f"0000-00-00 {at}", translate("LogModel", "yesterday {time}").format(time=at))
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return max(view.fontMetrics().horizontalAdvance(t) for t in texts) + 2 * margin + 4


def _change(event: Event) -> str:
    now = state_text(event.state)
    if event.kind is Kind.ACTION:  # what a command did for that change: the detail says
        if result_of(event) is Result.FAILED:
            return translate("LogModel", "action on {state} failed").format(state=now)
        return translate("LogModel", "action on {state}").format(state=now)
    return now if event.previous is None else f"{state_text(event.previous)} → {now}"


def _detection(event: Event) -> str:
    ms = event.detection_ms
    if ms is None or event.state is not State.DOWN or event.kind is Kind.ACTION:
        return ""
    return f"{ms:.1f}" if ms < 10 else f"{ms:,.0f}"


def values(
    event: Event, row_id: int | None, seq: int, colors: Mapping[State, QColor]
) -> list[dict[int, object]]:
    """Every role each cell of a line may have, None where it has none: rewriting a cell
    in place (``setItemData``) leaves a role it is not given as it was, so a quiet line
    must say "no colour, no stored id" where a loud one stood. An action's line is coloured
    by how it went, not by the change it ran on: a failed one as loud as a drop."""
    state = event.state
    if event.kind is Kind.ACTION:
        result = result_of(event) or Result.NOT_RUN  # (a detail not known: said as it is)
        loud = result is Result.FAILED
        color = {Result.FAILED: colors[State.DOWN], Result.DONE: colors[State.UP]}.get(result)
        icon = action_icon(result)
    else:
        loud = state in (State.DOWN, State.DEGRADED)
        color = colors[state] if loud or state is State.UP else None
        icon = state_icon(state)
    cells: list[dict[int, object]] = [
        {_DISPLAY: _text(event, column), _FOREGROUND: color if loud else None} for column in Column
    ]
    cells[Column.CHANGE][_FOREGROUND] = color
    cells[0].update(keys(event, row_id, seq))
    cells[Column.CHANGE][Qt.ItemDataRole.DecorationRole] = icon
    cells[Column.DETECTION][Qt.ItemDataRole.TextAlignmentRole] = _ALIGN_RIGHT
    return cells


def keys(event: Event, row_id: int | None, seq: int) -> dict[int, object]:
    """The roles of a line's first cell that order and filter it (the proxy's), and find it."""
    return {Role.EVENT: event, Role.ROW_ID: row_id, Role.SEVERITY: SEVERITY[event.state],
            Role.SEQ: seq}  # fmt: skip


def _text(event: Event, column: Column) -> str:
    if column is Column.TIME:
        return _local_time(event.ts)
    if column is Column.PROFILE:
        return controls_shown(event.profile_name)
    if column is Column.CHANGE:
        return _change(event)
    if column is Column.CAUSE:
        return cause_text(event.cause)
    if column is Column.DETECTION:
        return _detection(event)
    if column is Column.ADDRESS:
        return event.address or ""
    return controls_shown(detail_text(event.detail))


_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_DISPLAY = Qt.ItemDataRole.DisplayRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole


def colors() -> dict[State, QColor]:
    """The text colours of the states a line is coloured for (once a piece, not once a row)."""
    return {state: readable_state_color(state) for state in (State.UP, State.DOWN, State.DEGRADED)}


def haystack(event: Event) -> str:
    """What the pane's text filter searches in a line, casefolded: the name, the detail as the
    core words it and as the line shows it, the address, the cause's name and words."""
    cause = "" if event.cause is None else f"{event.cause} {event.cause.label}"
    shown = detail_text(event.detail)
    return "\n".join(
        (event.profile_name, event.detail, event.address or "", cause, cause_text(event.cause))
        + ((shown,) if shown != event.detail else ())
        + ((_change(event),) if event.kind is Kind.ACTION else ())  # "action on up failed"
    ).casefold()
