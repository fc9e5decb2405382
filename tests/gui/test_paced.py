"""``Paced``: a burst handed on a piece per turn of the event loop, in order, nothing lost;
``rows_changed``: scattered rows told in one range, a few runs one signal each; and the
cycle collector that runs in the GUI thread only."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import QObject
from PySide6.QtGui import QStandardItemModel
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.ui.common.gc_thread import THAW_S, GuiThreadCollector
from tcpmonitor_gui.ui.common.paced import Paced
from tcpmonitor_gui.ui.common.quiet import MAX_RANGES, rows_changed


def test_a_small_batch_is_handed_on_at_once_and_a_burst_in_pieces(qtbot: QtBot) -> None:
    owner = QObject()
    taken: list[list[int]] = []
    paced: Paced[int] = Paced(taken.append, 10, owner)
    paced.put(range(3))
    assert taken == [[0, 1, 2]] and len(paced) == 0
    paced.put(range(3, 28))
    assert taken[1:] == [list(range(3, 13))] and len(paced) == 15
    paced.put([100])  # behind what waits
    qtbot.waitUntil(lambda: len(paced) == 0, timeout=5000)
    assert [len(piece) for piece in taken] == [3, 10, 10, 6]
    assert [i for piece in taken for i in piece] == [*range(28), 100]


def test_clear_forgets_what_waits(qtbot: QtBot) -> None:
    owner = QObject()
    taken: list[int] = []
    paced: Paced[int] = Paced(taken.extend, 4, owner)
    paced.put(range(10, 20))
    paced.clear()
    assert taken == list(range(10, 14)) and len(paced) == 0
    assert not paced._timer.isActive()


def test_scattered_rows_are_told_as_one_range_and_a_few_runs_each_once() -> None:
    model = QStandardItemModel(100, 3)
    told: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, _roles: told.append((top.row(), bottom.row())))
    rows_changed(model, [5, 1, 2, 9], 0, 2)
    assert told == [(1, 2), (5, 5), (9, 9)]
    told.clear()
    scattered = list(range(3, 3 + 4 * (MAX_RANGES + 1), 4))  # one more run than the bound
    rows_changed(model, scattered, 0, 2)
    assert told == [(scattered[0], scattered[-1])]
    told.clear()
    rows_changed(model, [], 0, 2)
    assert told == []


def test_cycles_are_collected_by_the_gui_thread_when_a_threshold_is_crossed(
    _collector: GuiThreadCollector,
) -> None:
    assert not gc.isenabled()  # no worker thread can run a collection
    saved = gc.get_threshold()
    gc.collect()
    gc.set_threshold(50, saved[1], saved[2])
    try:
        owner = QObject()
        cycle: dict[str, object] = {"owner": owner}
        cycle["self"] = cycle
        gone = weakref.ref(owner)
        del owner, cycle
        assert gone() is not None  # only a collection frees a cycle
        _collector.check()  # below the threshold: nothing to do yet
        assert gone() is not None
        _ = [[] for _ in range(200)]  # allocations cross the threshold
        _collector.check()
        assert gone() is None
    finally:
        gc.set_threshold(*saved)


class Allocated:
    """An object the collector counts (lists and dicts may come from a free list)."""


def test_a_freezing_collector_walks_the_long_lived_objects_only_once_in_a_while() -> None:
    """With ``freeze`` (the program's), what survives a full collection is frozen, so the
    next full collections walk only what came since; a cycle among frozen objects is freed
    once ``THAW_S`` has passed."""
    now = [0.0]
    owner = QObject()
    collector = GuiThreadCollector(owner, freeze=True, clock=lambda: now[0])
    saved = gc.get_threshold()
    kept: list[object] = []

    def full_collection() -> None:
        gc.collect(1)
        gc.collect(1)  # two collections of the middle generation: the oldest is due
        kept.extend(Allocated() for _ in range(50))  # and the youngest crosses its threshold
        collector.check()

    def cycle() -> tuple[weakref.ref[QObject], dict[str, object]]:
        held = QObject()
        loop: dict[str, object] = {"held": held}
        loop["self"] = loop
        return weakref.ref(held), loop

    try:
        gc.set_threshold(10, 1, 1)
        old, frozen = cycle()  # alive, as a cycle, at the first full collection: frozen
        full_collection()
        assert gc.get_freeze_count() > 0
        del frozen  # let go of, frozen: no collection sees it...
        young = cycle()[0]
        full_collection()
        assert young() is None  # ...while a cycle made since is freed
        assert old() is not None
        now[0] += THAW_S
        full_collection()
        assert old() is None  # thawed and walked again
    finally:
        collector.stop()
        gc.set_threshold(*saved)
    assert gc.get_freeze_count() == 0


def test_a_collector_told_collection_was_on_turns_it_back_on_at_stop() -> None:
    """Start-up turns automatic collection off before the collector exists and tells it so:
    stop turns it back on; by default the collector restores what it found."""
    owner = QObject()
    enabled = gc.isenabled()
    try:
        gc.disable()
        told = GuiThreadCollector(owner, was_enabled=True)
        told.stop()
        assert gc.isenabled()
        gc.disable()
        found = GuiThreadCollector(owner)
        found.stop()
        assert not gc.isenabled()
    finally:
        if enabled:
            gc.enable()
        else:
            gc.disable()
