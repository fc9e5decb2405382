"""The status table's tooltips, computed when someone hovers a cell (never per event)."""

from __future__ import annotations

from ...core.events import State
from ...core.wall_time import offset_if_twice
from ..common.bidi import anchored, isolated
from ..common.i18n import Context
from ..common.labels import cause_text, state_text
from ..common.text import duration_text
from .cells import Column, Row
from .marks import marks_tooltip


class StatusTooltip(Context):
    """The translation context of the tooltips."""


def cell_tooltip(row: Row, column: int) -> str | None:
    if column == Column.SPARKLINE:
        return sparkline_tooltip(row)
    if column in (Column.STATE, Column.CAUSE, Column.DETAIL):
        return state_tooltip(row)
    if column == Column.LATENCY and row.profile.detector.kind == "watch":
        return StatusTooltip.tr(
            "Timed when the connection was made: a watch sends nothing, so nothing is timed "
            "while it holds the connection (a heartbeat times every answer)."
        )
    if column == Column.IN_STATE and row.before == "restart":
        return StatusTooltip.tr(
            "{state} since this program started; {state} when it last stopped too. Nothing "
            "was watched in between, so when that began or ended is not known."
        ).format(state=state_text(row.state))
    if column == Column.IN_STATE and row.before:
        return StatusTooltip.tr(
            "{state} since it was resumed; {state} when it was paused too. Nothing was "
            "watched in between, so when that began or ended is not known."
        ).format(state=state_text(row.state))
    return marks_tooltip(row) if column == Column.NAME else None


def state_tooltip(row: Row) -> str:
    name, state = isolated(row.profile.name), state_text(row.state)
    if row.since is not None:
        since = offset_if_twice(row.since, "%Y-%m-%d %H:%M:%S")
        lines = [StatusTooltip.tr("{name}: {state} since {since}").format(
            name=name, state=state, since=since
        )]  # fmt: skip
    else:
        lines = [f"{name}: {state}"]
    if row.cause is not None:
        lines.append(StatusTooltip.tr("last cause: {cause}").format(cause=cause_text(row.cause)))
    if row.retry_cause is not None:
        retry = StatusTooltip.tr("reconnecting fails now: {cause}")
        lines.append(retry.format(cause=cause_text(row.retry_cause)))
    if row.detail:
        lines.append(isolated(row.detail))
    if row.detection_ms is not None:
        delay = duration_text(row.detection_ms / 1000)
        if row.state is State.DOWN:
            lines.append(
                StatusTooltip.tr("noticed {delay} after the last good sign").format(delay=delay)
            )
        else:
            lines.append(
                StatusTooltip.tr(
                    "the last drop was noticed {delay} after the last good sign"
                ).format(delay=delay)
            )
    target = row.address or row.profile.target
    lines.append(StatusTooltip.tr("address: {address}").format(address=isolated(target)))
    return anchored("\n".join(lines))


def sparkline_tooltip(row: Row) -> str:
    samples = row.samples
    if not samples:
        return StatusTooltip.tr("No checks yet")
    good = [s for s in samples if s is not None]
    n, failed = len(samples), len(samples) - len(good)
    text = StatusTooltip.tr("Last {n} checks: {failed} failed", "", n).format(n=n, failed=failed)
    if good:
        text += StatusTooltip.tr("; latency min {lo:.2f}, avg {avg:.2f}, max {hi:.2f} ms").format(
            lo=min(good), avg=sum(good) / len(good), hi=max(good)
        )
    return text
