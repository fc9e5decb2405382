"""``core.snooze``: durations as people say them, and the stored value as validated."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tcpmonitor_gui.core import snooze
from tcpmonitor_gui.core.validate import FieldError

NOW = dt.datetime(2026, 12, 3, 13, 47, 12, 345_000, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "until"),
    [
        ("15m", "2026-12-03T14:02:12Z"),
        ("1h", "2026-12-03T14:47:12Z"),
        ("2h30m", "2026-12-03T16:17:12Z"),
        ("1d", "2026-12-04T13:47:12Z"),
        (" 1H ", "2026-12-03T14:47:12Z"),
        ("forever", "forever"),
    ],
)
def test_durations(text: str, until: str) -> None:
    assert snooze.until_for(text, NOW) == until


def test_tomorrow_is_eight_in_the_morning_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Shanghai")  # UTC+8: 13:47 UTC is 21:47 there

    time.tzset()
    try:
        assert snooze.until_for("tomorrow", NOW) == "2026-12-04T00:00:00Z"  # 08:00 +08:00
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("zone", "now", "until"),
    [
        # The night the clocks go forward (Berlin, 29 March 2026): 08:00 CEST is 06:00 UTC.
        ("Europe/Berlin", dt.datetime(2026, 3, 28, 19, 0, tzinfo=dt.UTC), "2026-03-29T06:00:00Z"),
        # ... and back (25 October 2026): 08:00 CET is 07:00 UTC.
        ("Europe/Berlin", dt.datetime(2026, 10, 24, 19, 0, tzinfo=dt.UTC), "2026-10-25T07:00:00Z"),
        # Lord Howe moves half an hour (4 October 2026, +10:30 to +11): 08:00 is 21:00 UTC.
        ("Australia/Lord_Howe", dt.datetime(2026, 10, 3, 9, 0, tzinfo=dt.UTC),
         "2026-10-03T21:00:00Z"),
    ],
)  # fmt: skip
def test_tomorrow_is_eight_by_tomorrows_clock_across_a_dst_change(
    monkeypatch: pytest.MonkeyPatch, zone: str, now: dt.datetime, until: str
) -> None:
    """Tomorrow's offset, not tonight's: with tonight's the snooze ended at 09:00 (or 07:00)
    the morning after the clocks changed."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert snooze.until_for("tomorrow", now) == until
    finally:
        monkeypatch.undo()
        time.tzset()


def test_snoozed_holds_until_the_time_and_forever_holds_always() -> None:
    until = snooze.until_for("15m", NOW)
    assert snooze.snoozed(until, NOW)
    assert not snooze.snoozed(until, NOW + dt.timedelta(minutes=16))
    assert snooze.snoozed("forever", NOW + dt.timedelta(days=9999))
    assert not snooze.snoozed("", NOW)


@pytest.mark.parametrize(
    "bad", ["tomorrow-ish", "2026-12-03T14:00", 42, "x" * 100, "2026-13-40T00:00Z"]
)
def test_a_stored_value_that_is_not_a_time_is_refused_with_its_field(bad: object) -> None:
    with pytest.raises(FieldError, match="snooze_until"):
        snooze.parse_until("snooze_until", bad)


def test_a_stored_time_is_kept_in_utc() -> None:
    got = snooze.parse_until("snooze_until", "2026-12-03T16:00:00+02:00")
    assert got == "2026-12-03T14:00:00Z"
