"""What a row says about the user's own arrangements: snoozed notices, a maintenance window,
and a drop not yet acknowledged.

- The name cell shows a wrench while one of the profile's maintenance windows is open, else
  a muted bell while its notices are snoozed; its tooltip says until when.
- A drop the user has not acknowledged (``Profile.acknowledged`` empty) is shown in bold, and
  counted on the tray icon. A drop that began in a maintenance window needs no acknowledging.
  Once the connection is up again, an acknowledgement is spent: the model names those
  profiles (``stale_acks``) so the window clears them and the next drop is news again.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QIcon

from ...core import maintenance
from ...core.events import State
from ...core.snooze import FOREVER, snoozed
from ...core.wall_time import offset_if_twice
from ..common.i18n import translate
from ..common.icons import render_svg
from .cells import Column, Row, write_in_state, write_uptime

#: A wrench: maintenance.
_WRENCH = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="{color}" '
    'd="M22.7 19l-9.1-9.1c.9-2.3.4-5-1.5-6.9-2-2-5-2.4-7.4-1.3L9 6 6 9 1.6 4.7C.4 7.1.9 '
    '10.1 2.9 12.1c1.9 1.9 4.6 2.4 6.9 1.5l9.1 9.1c.4.4 1 .4 1.4 0l2.3-2.3c.5-.4.5-1.1.1-1.4z"/>'
    "</svg>"
)


@functools.cache
def wrench_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 22, 32):
        icon.addPixmap(render_svg(_WRENCH.format(color="#6b7280"), size))
    return icon


@functools.cache
def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def needs_ack(row: Row) -> bool:
    """A drop the user has not acknowledged, and that was not expected."""
    return row.state is State.DOWN and not row.planned and not row.profile.acknowledged


def stale_ack(row: Row) -> bool:
    """An acknowledgement whose drop is over: the connection answers again."""
    return bool(row.profile.acknowledged) and row.state in (State.UP, State.DEGRADED)


def write_marks(row: Row, now: dt.datetime | None = None) -> bool:
    """The name cell's icon and the row's weight; True if either changed. Called when the
    row's state or profile changes and once a second (windows and snoozes end by the clock)."""
    in_window = maintenance.in_maintenance(row.profile.maintenance, now)
    mark = "maintenance" if in_window else "snoozed" if snoozed(row.profile.snooze_until) else ""
    changed = False
    if mark != row.mark:
        row.mark = mark
        icon = None
        if mark == "maintenance":
            icon = wrench_icon()
        elif mark == "snoozed":
            from PySide6.QtWidgets import QApplication, QStyle  # noqa: PLC0415

            icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolumeMuted)
        row.items[Column.NAME].setData(icon, Qt.ItemDataRole.DecorationRole)
        changed = True
    bold = needs_ack(row)
    if bold != row.bold:
        row.bold = bold
        font = _bold() if bold else None
        for item in row.items:
            item.setData(font, Qt.ItemDataRole.FontRole)
        changed = True
    return changed


def marks_tooltip(row: Row, now: dt.datetime | None = None) -> str | None:
    """``In maintenance until 04:00 (Sun 02:00-04:00 Europe/Berlin)``, ``Notices snoozed
    until 14:30``, ``Not acknowledged``: what the name cell's marks mean, one per line, as of
    ``now`` (None: the wall clock's)."""
    lines = []
    p = row.profile
    now = now or dt.datetime.now(dt.UTC)
    end = maintenance.open_until(p.maintenance, now)
    if end is not None:
        windows = ", ".join(p.maintenance)
        lines.append(
            translate("Status", "In maintenance until {time} ({windows})").format(
                time=_when(end, now), windows=windows
            )
        )
    elif p.maintenance:
        lines.append(
            translate("Status", "Maintenance windows: {windows}").format(
                windows=", ".join(p.maintenance)
            )
        )
    if row.planned and row.state is State.DOWN:
        lines.append(translate("Status", "Went down in a maintenance window"))
    until = p.snooze_until
    if until == FOREVER:
        lines.append(translate("Status", "Notices snoozed until unmuted"))
    elif snoozed(until, now):
        end = dt.datetime.fromisoformat(until)
        said = _when(end, now)
        lines.append(translate("Status", "Notices snoozed until {time}").format(time=said))
    if row.bold:
        lines.append(translate("Status", "Down, not acknowledged"))
    return "\n".join(lines) or None


def _when(end: dt.datetime, now: dt.datetime) -> str:
    """On this computer's clock, with the UTC offset in the hour the clocks pass twice (a
    window that ends at 02:30 that night ends at one of two moments an hour apart)."""
    today = end.astimezone().date() == now.astimezone().date()
    return offset_if_twice(end, "%H:%M" if today else "%Y-%m-%d %H:%M")


def tick(rows: Iterable[tuple[int, Row]], now: float) -> tuple[list[int], list[int], list[int]]:
    """The once-a-second cells of ``(row number, row)`` pairs as of ``now`` (on a clock that
    nobody sets): the numbers of the rows whose "for" cell, uptime cell and marks changed."""
    in_state, counted, marked = [], [], []
    for at, row in rows:
        if write_in_state(row, now):
            in_state.append(at)
        if write_uptime(row, now):
            counted.append(at)
        if write_marks(row):
            marked.append(at)
    return in_state, counted, marked


class Tally:
    """The table's numbers: rows in each state, drops not acknowledged, acknowledgements
    whose drop is over. Counted over every row when the rows change, and kept up to date
    from the rows a batch of events changed (a pass over 5,000 rows for every batch held the
    GUI thread a fifth of its time)."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(State, 0)
        self.unacked = 0
        self.stale: set[str] = set()

    @staticmethod
    def mark(row: Row) -> tuple[State, bool]:
        """What of ``row`` is counted (the stale acknowledgements are found again)."""
        return row.state, needs_ack(row)

    def recount(self, rows: Iterable[Row]) -> None:
        self.counts, self.unacked, self.stale = dict.fromkeys(State, 0), 0, set()
        for row in rows:
            self.counts[row.state] += 1
            self.unacked += needs_ack(row)
            if stale_ack(row):
                self.stale.add(row.profile.id)

    def moved(self, row: Row, before: tuple[State, bool]) -> None:
        """``row`` changed from what ``mark`` said before."""
        state, unacked = before
        self.counts[state] -= 1
        self.counts[row.state] += 1
        self.unacked += needs_ack(row) - unacked
        if stale_ack(row):
            self.stale.add(row.profile.id)
        else:
            self.stale.discard(row.profile.id)
