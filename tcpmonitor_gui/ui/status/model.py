"""The status table's model: one row per profile, kept current by the engine's event batches.

A busy network sends thousands of events a second, so ``apply_events`` folds a whole batch into
plain Python state (dict lookups, no Qt calls) and then tells the views once per contiguous run
of changed rows; it never resets. That keeps selections, scroll positions and the proxy's sort
intact, and keeps the GUI thread free for painting (STYLE.md, practices 3 and 4).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel

from ...core.eventqueries import Uptime
from ...core.events import Event, Kind, State, utc_now
from ...core.last_seen import LastSeen
from ...core.profile import Profile
from ...core.profile_set import Change
from ...engine.registry import ProfileRegistry
from ..common.detail_text import detail_text
from ..common.i18n import translate
from ..common.icons import worst
from ..common.quiet import quietly, rows_changed
from .again import found_again, moved_on, remember, retarget
from .cells import (
    COLUMN_COUNT,
    GROUP_MARK,
    HEADERS,
    SAMPLES,
    Column,
    Role,
    Row,
    defer_live,
    detector_text,
    fold_sample,
    forget_cells,
    format_latency,
    fresh_cells,
    new_items,
    new_row,
    put_cell,
    rank_rows,
    uptime_changed,
    write_live,
    write_uptime,
)
from .clock import Clock, Times, write_keys, write_state
from .marks import Tally, needs_ack
from .tooltips import cell_tooltip

__all__ = ["GROUP_MARK", "SAMPLES", "Column", "Role", "StatusModel", "format_latency"]
#: Rows that only got samples are repainted at most this often (STYLE.md: coalesce updates).
SAMPLE_REPAINT_MS = 250
#: State changes are gathered for this long: a hundred changing within it cost one re-sort
#: and one repaint, and a drop still shows within 0.25 s (its notification does not wait).
STATE_REPAINT_MS = 250


class StatusModel(QStandardItemModel):
    """The live state of every profile; feed it with ``apply_events`` and ``set_uptime``.

    The cells live in Qt's ``QStandardItem`` store, written when a row changes; nothing here
    overrides ``data``, ``flags`` or the counts: a view reads a model through many virtual
    calls per cell, each needing the GIL the workers hold (a 1,000-row paint beside one busy
    thread: 125 ms from a Python ``data()``, 13 ms from the store, tests/bench/model_paint.py).
    Tooltips are computed when a person hovers (``tooltip``, asked by the table view).
    """

    #: ``dict[State, int]``, every state present, when any count changes.
    countsChanged = Signal(object)
    #: Profiles were set, added, edited or removed (groups may have changed); not on events.
    profilesChanged = Signal()
    #: ``int``: how many drops are not acknowledged (``marks.needs_ack``), when it changes.
    unacknowledgedChanged = Signal(int)
    #: ``list[str]``: profiles up again whose acknowledgement is spent (``marks.stale_ack``).
    staleAcks = Signal(object)

    def __init__(
        self,
        registry: ProfileRegistry | None = None,
        parent: QObject | None = None,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        elapsed: Callable[[], float] | None = None,
    ) -> None:
        """With ``registry``, the rows are its profiles and follow its changes. ``clock``
        is the wall clock, ``elapsed`` one that nobody sets (``clock.Times``)."""
        super().__init__(0, COLUMN_COUNT, parent)
        self._now = clock
        self._times = Times(clock, elapsed)
        self._rows: list[Row] = []
        self._by_id: dict[str, int] = {}
        self._tally = Tally()  # kept current; what was last told is below
        self._counts = dict.fromkeys(State, 0)
        self._unacked = 0
        self._stale_told: set[str] = set()
        for column in Column:
            header = QStandardItem(translate("StatusModel", HEADERS[column]))
            if column == Column.SPARKLINE:
                header.setToolTip(
                    self.tr("Latency of the last 60 checks; red ticks are failed checks")
                )
            self.setHorizontalHeaderItem(column, header)
        self._clock = Clock(
            self, lambda: self._rows, self.row_of, self._times.elapsed, self._emit_rows
        )
        self._clock.write = self._write_state
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
        if registry is not None:
            self.set_profiles(list(registry.profiles))
            registry.added.connect(self.upsert_profiles)
            registry.changed.connect(self._changed)
            registry.removed.connect(lambda gone: self.remove_profiles([p.id for p in gone]))

    # -- profiles ------------------------------------------------------------------------

    def set_profiles(self, profiles: Sequence[Profile]) -> None:
        """The initial load (a reset); live state of profiles kept across it is preserved."""
        old = {r.profile.id: r for r in self._rows}
        self.beginResetModel()
        with quietly(self):
            for at in reversed(range(self.rowCount())):
                self.takeRow(at)  # the cells back to Python, to be deleted (``forget_cells``)
            for gone in self._rows:
                forget_cells(gone)
            self._rows = []
            for profile in profiles:
                row = old.get(profile.id)
                if row is None:
                    row = new_row(profile)
                else:
                    self._refresh(row, profile)
                fresh_cells(row)
                self._rows.append(row)
                self.appendRow(row.items)
                self._write_all(row)
        self._reindex()
        self.endResetModel()
        self.profilesChanged.emit()
        self._recount()

    def upsert_profile(self, profile: Profile) -> None:
        self.upsert_profiles([profile])

    def upsert_profiles(self, profiles: Sequence[Profile]) -> None:
        """Add rows for new profiles and rewrite those of edited ones; one signal each way."""
        new: list[Row] = []
        edited: list[int] = []
        with quietly(self):
            for profile in profiles:
                at = self._by_id.get(profile.id)
                if at is None:
                    row = new_row(profile)
                    row.items = new_items()
                    self._write_all(row)
                    new.append(row)
                else:
                    self._refresh(self._rows[at], profile)
                    self._write_all(self._rows[at])
                    edited.append(at)
        first = len(self._rows)
        for row in new:
            self._by_id[row.profile.id] = len(self._rows)
            self._rows.append(row)
        with quietly(self):
            rank_rows(self._rows)  # new names, or renamed rows
        if new:
            self.insertRows(first, len(new))  # one signal; the cells are set before any paint
            with quietly(self):
                for offset, row in enumerate(new):
                    for column, item in enumerate(row.items):
                        self.setItem(first + offset, column, item)
            self._emit_rows(range(first, first + len(new)))  # for the proxy's sort and filter
        self._emit_rows(edited)
        self.profilesChanged.emit()
        self._recount()

    def _changed(self, changes: Sequence[Change]) -> None:
        self.upsert_profiles([c.profile for c in changes])

    def remove_profile(self, profile_id: str) -> None:
        self.remove_profiles([profile_id])

    def remove_profiles(self, profile_ids: Iterable[str]) -> None:
        rows = sorted((self._by_id[i] for i in set(profile_ids) if i in self._by_id), reverse=True)
        if not rows:
            return
        for at in rows:  # bottom up, so each index stays right
            self.takeRow(at)
            forget_cells(self._rows.pop(at))
        self._reindex()
        self.profilesChanged.emit()
        self._recount()

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
        stated: dict[int, tuple[State, bool]] = {}  # changed rows: what was counted before
        sampled: set[int] = set()
        by_id, rows = self._by_id, self._rows
        for event in events:
            at = by_id.get(event.profile_id)
            if at is None:
                continue  # removed meanwhile, or never shown
            row = rows[at]
            if event.address:
                row.address = event.address  # shown in the tooltip, read on hover
            if event.kind is Kind.SAMPLE:
                if fold_sample(row, event):
                    sampled.add(at)
                continue
            if event.kind is not Kind.STATE:
                continue  # what an action did for a change is in the log, not the row
            if at not in stated:
                stated[at] = Tally.mark(row)
            again = event.previous is event.state is row.state  # still down: the same drop
            row.state, row.detail, row.haystack = event.state, detail_text(event.detail), None
            if not again:
                row.since = event.ts if event.ts.tzinfo else event.ts.replace(tzinfo=dt.UTC)
                row.since_at, row.in_state_until = self._times.began(row.since, event), None
                moved_on(row, event)  # the old target's last event: the new one's start
                uptime_changed(row, row.since_at, event)
            row.retry_cause = None
            found_again(row, event)
            if event.cause is not None:
                row.cause = event.cause
            if event.state is State.DOWN:  # said again: planned no more, noticed as before
                row.planned = event.maintenance
                row.detection_ms = row.detection_ms if again else event.detection_ms
        seen = self._clock.seen_now()
        with quietly(self):  # the cells are current at once; the views hear at the flush
            for at in stated:
                if seen is None or at in seen:
                    self._write_state(rows[at])
                else:
                    write_keys(rows[at])
            searched = {
                at
                for at in sampled - stated.keys()
                if (write_live(rows[at]) if seen is None or at in seen else defer_live(rows[at]))
            }
        # Kept by id, not row: rows may move before the timers fire.
        self._pending_states.update(rows[at].profile.id for at in stated)
        if self._pending_states and not self._state_timer.isActive():
            self._state_timer.start()  # state changes: shown within a quarter of a second
        self._pending_samples.update(rows[at].profile.id for at in sampled - stated.keys())
        self._pending_search.update(rows[at].profile.id for at in searched)
        if self._pending_samples and not self._sample_timer.isActive():
            self._sample_timer.start()  # routine samples: a few repaints a second at most
        for at, before in stated.items():
            self._tally.moved(rows[at], before)
        if stated:
            self._publish()

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

    def restore(self, seen: Mapping[str, LastSeen]) -> None:
        """What the event log last knew of each profile (``core.last_seen``): sparkline, last
        cause, and whether the state found is the one left then (said beside "for")."""
        with quietly(self):
            for profile_id, last in seen.items():
                at = self._by_id.get(profile_id)
                if at is not None:
                    row = self._rows[at]
                    remember(row, last)
                    self._write_state(row)
        self._emit_rows(self._by_id[i] for i in seen if i in self._by_id)

    def set_uptime(self, values: Mapping[str, Uptime]) -> None:
        """Uptime per profile id as the event log stored it (computed by the caller off the GUI
        thread); the rows go on from it with the changes they see (``LiveUptime``)."""
        changed = []
        now, wall = self._times.elapsed(), self._now().timestamp()
        with quietly(self):
            for profile_id, value in values.items():
                at = self._by_id.get(profile_id)
                if at is not None:
                    row = self._rows[at]
                    stored = value  # on the wall clock; the rows count on one nobody sets
                    if value.at is not None:
                        stored = dataclasses.replace(value, at=now - (wall - value.at))
                    uptime_changed(row, stored)
                    if write_uptime(row, now):
                        changed.append(at)
        self._emit_rows(changed, Column.UPTIME, Column.UPTIME)

    def start_clock(self) -> None:
        """Tick the "for" column once a second (the main window starts it once shown)."""
        self._clock.start()

    def stop_clock(self) -> None:
        self._clock.stop()

    def set_seen(self, seen: Callable[[], Iterable[int] | None] | None) -> None:
        """Write the cells only of the rows ``seen()`` names (None from it: every row), but
        what sorts and filters them; a view brings the others up to date with ``catch_up``
        before it shows them (``clock``). Without it, every row is written."""
        self._clock.set_seen(seen)

    def catch_up(self, rows: Iterable[int]) -> None:
        """Write the cells of these rows that were left out, without a signal (for a view
        about to paint or copy them: it reads them next)."""
        self._clock.catch_up(rows)

    def in_state(self, profile_id: str) -> tuple[State, dt.datetime, float, str] | None:
        """A row's state, since when (the wall clock's stamp), the seconds really passed since
        then, whatever was done to the wall clock, and whether it was so before the restart
        (or pause) too: ``Row.before`` (None: no state known yet)."""
        at = self._by_id.get(profile_id)
        row = None if at is None else self._rows[at]
        if row is None or row.since is None:
            return None
        return row.state, row.since, max(0.0, self._times.elapsed() - row.since_at), row.before

    def counts(self) -> dict[State, int]:
        return dict(self._counts)

    def unacknowledged(self) -> list[str]:
        """The ids of drops not acknowledged, in row order."""
        return [r.profile.id for r in self._rows if needs_ack(r)]

    def down_names(self) -> list[str]:
        return sorted(
            (r.profile.name for r in self._rows if r.state is State.DOWN), key=str.casefold
        )

    def worst_state(self) -> State:
        return worst(s for s, n in self._counts.items() if n)

    def tooltip(self, row: int, column: int) -> str | None:
        """The tooltip of a cell, computed when someone hovers it (the view asks)."""
        return cell_tooltip(self._rows[row], column)

    # -- internals -----------------------------------------------------------------------

    def _write_all(self, row: Row) -> None:
        p, items = row.profile, row.items
        for item in items:
            item.setData(p.id, Role.PROFILE_ID)
        texts = {
            Column.NAME: p.name,
            Column.GROUP: p.group,
            Column.TARGET: p.target,
            Column.DETECTOR: row.detector,
        }
        for column, text in texts.items():
            put_cell(row, column, text, text.casefold())
        self._write_state(row)

    def _write_state(self, row: Row) -> None:
        write_state(row, self._times.elapsed())

    def _refresh(self, row: Row, profile: Profile) -> None:
        """An edited profile keeps its live state, unless it was just enabled or disabled."""
        retarget(row, profile)  # the old target's facts are not the new one's
        if row.profile.enabled != profile.enabled:
            row.state = State.UNKNOWN if profile.enabled else State.PAUSED
            row.since, row.in_state_until = self._now(), None
            row.since_at = self._times.elapsed()
            uptime_changed(row, row.since_at)
        row.profile, row.detector, row.haystack = profile, detector_text(profile), None

    def _reindex(self) -> None:
        self._by_id = {r.profile.id: i for i, r in enumerate(self._rows)}
        with quietly(self):
            rank_rows(self._rows)

    def _recount(self) -> None:
        self._tally.recount(self._rows)
        self._publish()

    def _publish(self) -> None:
        counts, unacked, stale = self._tally.counts, self._tally.unacked, self._tally.stale
        if counts != self._counts:
            self._counts = dict(counts)  # a copy: the tally goes on changing
            self.countsChanged.emit(dict(counts))
        if unacked != self._unacked:
            self._unacked = unacked
            self.unacknowledgedChanged.emit(unacked)
        if fresh := stale - self._stale_told:
            self.staleAcks.emit(sorted(fresh))
        self._stale_told = set(stale)

    def _emit_rows(
        self,
        rows: Iterable[int],
        first: int = 0,
        last: int = COLUMN_COUNT - 1,
        roles: Sequence[int] = (),
    ) -> None:
        rows_changed(self, rows, first, last, roles)

    def _tick(self) -> None:
        """What the clock does each second (``clock.Clock``)."""
        self._clock.tick()
