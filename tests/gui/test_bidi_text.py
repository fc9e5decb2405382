"""A right-to-left name (or a peer's words) composed into a sentence with our words is set
apart from them (U+2068 ... U+2069), and cannot turn the words after it around: a notice,
the tray's tooltip and menu, the table's tooltip, the details' title, the status bar."""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QTextLayout, QTextOption

from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.sample import Sample
from tcpmonitor_gui.ui.common.bidi import balanced, isolated
from tcpmonitor_gui.ui.log import cells
from tcpmonitor_gui.ui.notify.wording import down_line, lines_text
from tcpmonitor_gui.ui.profiles.dialog import describe_outcome
from tcpmonitor_gui.ui.status.cells import Row
from tcpmonitor_gui.ui.status.tooltips import state_tooltip
from tcpmonitor_gui.ui.tray import event_text, tooltip_text
from tests.helpers import make_profile

FSI, PDI, LRM = "\u2068", "\u2069", "\u200e"
#: Names a profile may have that read right to left: Hebrew, Arabic, and ordinary letters
#: after a RIGHT-TO-LEFT MARK or an ARABIC LETTER MARK.
RTL_NAMES = ["שרת ראשי", "قاعدة البيانات 1", "\u200fdb 1", "\u061cdb 2"]
#: Names no profile may have (refused by core.validate) but an old log or a peer's words may
#: hold: an override, and closers that would end the isolate early.
HOSTILE = ["db \u202enwod", "\u2069\u202edb", "db \u2067x", "\u202c\u2069\u202eq"]


def event(name: str, detail: str = "connection refused") -> Event:
    ts = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)
    return Event(ts=ts, profile_id="p1", profile_name=name, kind=Kind.STATE,
                 state=State.DOWN, previous=State.UP, cause=Cause.REFUSED, detector="probe",
                 latency_ms=None, detail=detail)  # fmt: skip


def reads_in_order(text: str, words: str) -> bool:
    """Whether ``words`` (in ``text``) are laid out left to right, one after the other, on
    a left-to-right line: Qt's own bidirectional layout says where each character goes."""
    layout = QTextLayout(text, QFont())
    option = QTextOption()
    option.setTextDirection(Qt.LayoutDirection.LeftToRight)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    layout.endLayout()
    start = text.rindex(words)
    xs = [line.cursorToX(i)[0] for i in range(start, start + len(words))]
    return xs == sorted(xs) and len(set(xs)) == len(xs)


@pytest.mark.parametrize("name", RTL_NAMES)
def test_a_right_to_left_name_is_isolated_wherever_a_sentence_holds_it(name: str) -> None:
    shown = f"{FSI}{name}{PDI}"
    assert shown in down_line(event(name))
    recent = event_text(event(name), dt.UTC)
    assert recent == f"{LRM}12:00 {shown} down (refused)"  # the tray's recent events
    tooltip = tooltip_text({State.UP: 3, State.DOWN: 1}, [name])
    assert tooltip.endswith(f"1 down: {shown}")
    profile = make_profile("127.0.0.1", 80, name=name)
    row = Row(profile, State.DOWN, collections.deque(), "probe", detail=name)
    lines = state_tooltip(row).split("\n")
    assert lines[0] == f"{LRM}{shown}: down"
    assert lines[1] == f"{LRM}{shown}"  # the detail: a peer's words
    sample = Sample(ok=False, cause=Cause.UNEXPECTED_REPLY, detail=name)
    assert f"— {shown} (" in describe_outcome(_done(sample), "h:1")[1]


def test_a_long_right_to_left_name_cut_in_the_tooltip_keeps_its_isolate_whole() -> None:
    name = "ש" * 200
    tooltip = tooltip_text({State.DOWN: 2}, [name, "other"], max_len=80)
    assert len(tooltip) <= 80
    assert tooltip.count(FSI) == tooltip.count(PDI) == 1
    assert tooltip.index(FSI) < tooltip.index("…") < tooltip.index(PDI)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_name_with_its_own_controls_cannot_turn_the_words_after_it_around(name: str) -> None:
    line = down_line(event(name, detail=name))
    assert reads_in_order(line, " is down: refused — ")
    assert reads_in_order(lines_text([line, "after"]), "after")
    recent = event_text(event(name), dt.UTC)
    assert reads_in_order(recent, " down (refused)")
    tooltip = tooltip_text({State.UP: 3, State.DOWN: 2}, [name, "next one"])
    assert reads_in_order(tooltip, ", next one")


def test_what_a_name_opens_is_closed_and_a_stray_closer_left_out() -> None:
    assert isolated("db \u202enwod") == f"{FSI}db \u202enwod\u202c{PDI}"
    assert balanced("\u2069\u202c\u202ex\u2066y") == "\u202ex\u2066y\u2069\u202c"
    assert balanced("a\u2067b\u202ac\u2069d\u202c") == "a\u2067b\u202ac\u2069d"
    assert isolated("Orders DB") == "Orders DB"  # nothing to set apart: as written


def _done(sample: Sample) -> concurrent.futures.Future[Sample]:
    future: concurrent.futures.Future[Sample] = concurrent.futures.Future()
    future.set_result(sample)
    return future


def test_the_event_log_shows_an_old_names_override_instead_of_obeying_it() -> None:
    """An event log written before names refused them may hold "db \\u202epu si", which a cell
    showed as "db is up" (the override turned it around): the log shows the control."""
    spoof = event("db \u202epu si", detail="old \u202ereply")
    colors = {state: QColor() for state in State}
    shown = cells.values(spoof, None, 0, colors)
    assert shown[cells.Column.PROFILE][Qt.ItemDataRole.DisplayRole] == "db \\u202epu si"
    assert shown[cells.Column.DETAIL][Qt.ItemDataRole.DisplayRole] == "old \\u202ereply"
    assert (
        cells.values(event("שרת ראשי"), None, 0, colors)[cells.Column.PROFILE][
            Qt.ItemDataRole.DisplayRole
        ]
        == "שרת ראשי"
    )  # right-to-left text needs no control: as written
