"""How an event is written as text. Its line of JSON (``run --json``, ``events --json``, an
action's stdin) is written out directly; it must be, character for character, what the JSON
encoder makes of ``to_dict``, whatever the event holds. What a peer said, quoted in a
detail, is escaped once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json

from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.exchange import preview

BEIJING = dt.timezone(dt.timedelta(hours=8))
ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

BASE = Event(
    ts=dt.datetime(2026, 12, 5, 4, 30, 1, 234567, tzinfo=dt.UTC),
    profile_id="p1",
    profile_name="Orders DB",
    kind=Kind.SAMPLE,
    state=State.UP,
    previous=None,
    cause=None,
    detector="probe",
    latency_ms=0.0123456,
)

NAMES = ['Orders "DB"', "back\\slash", "tab\tnew\nline\x00nul\x1f", "订单数据库",
         "e\u0301 \u202e rtl", "\ud800 lone surrogate", "emoji 🦊", "",
         "=cmd|' /C calc'!A0", "100 %s %d %% {0} {}"]  # fmt: skip
NUMBERS = [None, 0.0, 0.0004, 1.23456789, 12345.6789, 1e16, 1e-7, 7, 10**20, float("inf"),
           float("-inf"), float("nan")]  # fmt: skip


def expected(event: Event) -> str:
    return ENCODER.encode(event.to_dict())


def test_every_field_as_the_encoder_writes_it() -> None:
    events = [BASE]
    events += [dataclasses.replace(BASE, profile_name=n, detail=n, address=n, profile_id=n)
               for n in NAMES]  # fmt: skip
    events += [dataclasses.replace(BASE, latency_ms=a, detection_ms=b)
               for a, b in itertools.product(NUMBERS, NUMBERS)]  # fmt: skip
    events += [
        dataclasses.replace(BASE, kind=Kind.STATE, state=State.DOWN, previous=State.UP,
                            cause=Cause.REFUSED, detection_ms=1.25, address=None,
                            maintenance=True),
        dataclasses.replace(BASE, ts=dt.datetime(2026, 1, 1, tzinfo=BEIJING)),
    ]  # fmt: skip
    for event in events:
        assert event.to_json() == expected(event)


def test_a_line_is_one_line_that_reads_back() -> None:
    event = dataclasses.replace(BASE, profile_name="two\nlines\u2028and a separator")
    line = event.to_json()
    assert "\n" not in line
    assert Event.from_dict(json.loads(line)) == dataclasses.replace(
        event, ts=event.ts.replace(microsecond=234000), latency_ms=0.012
    )


def test_what_a_peer_said_is_shown_escaped_once() -> None:
    """A reply quoted in a detail ("got '...'"): control characters, bytes that are not
    UTF-8 and a backslash escaped once each, text left as it is. ``\\r\\n`` was shown as
    ``\\\\r\\\\n``: escaped by hand, then again by ``repr``."""
    assert preview(b"-ERR max number of clients reached\r\n") == (
        "'-ERR max number of clients reached\\r\\n'"
    )
    assert preview(b"\xff\x00\t\x1b[2J\xc2\x85 C:\\dir \xe8\xae\xa2\xe5\x8d\x95 \xe2\x80\xa8") == (
        "'\\xff\\x00\\t\\x1b[2J\\x85 C:\\\\dir 订单 \\u2028'"
    )
    assert preview(b"x" * 61) == "'" + "x" * 60 + "...'"


def test_a_peer_cannot_turn_a_notice_around() -> None:
    """A peer's right-to-left override (U+202E) in what it said last turned the rest of the
    notice around in the window ("(noticed 0.3 ms after ...)" read backwards): the
    bidirectional controls a profile name may not hold are shown as escapes."""
    said = "订单\u202eevil\u2066x\u2069 שלום".encode()
    assert preview(said) == "'订单\\u202eevil\\u2066x\\u2069 שלום'"
