"""Times as people type them, in the zones and on the days that make them hard: a local time
that the clocks skipped or passed twice, named by ``--since`` or ``--until``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ._cli_process import Home, tcpmonitor


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "config", tmp_path / "data")


def _in_zone(home: Home, zone: str, *args: str) -> subprocess.CompletedProcess[str]:
    return tcpmonitor(home, *args, env={**home.env, "TZ": zone})


def _only_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


SKIPPED = [
    ("Europe/Berlin", "2026-03-29T02:30"),  # 02:00 -> 03:00
    ("America/St_Johns", "2026-03-08T02:15"),  # 02:00 -> 03:00, at -03:30
    ("Pacific/Chatham", "2026-09-27T03:00"),  # 02:45 -> 03:45
    ("Australia/Lord_Howe", "2026-10-04T02:10"),  # 02:00 -> 02:30
]
TWICE = [
    ("Europe/Berlin", "2026-10-25T02:30"),  # 03:00 -> 02:00
    ("Australia/Lord_Howe", "2026-04-05T01:45"),  # 02:00 -> 01:30
]


@pytest.mark.parametrize("command", ["events", "outages", "report"])
@pytest.mark.parametrize(("zone", "when"), SKIPPED)
def test_a_local_time_the_clocks_skipped_is_refused_naming_it(
    home: Home, command: str, zone: str, when: str
) -> None:
    """Taken before, as an hour (or half an hour) earlier than written: "--since 02:30"
    showed what happened at 01:45 by the same clock."""
    for option in ("--since", "--until"):
        line = _only_line(_in_zone(home, zone, command, option, when))
        assert f"{option}: {when!r}" in line and "skipped" in line
        assert "UTC offset" in line
    assert not home.data.exists()


@pytest.mark.parametrize(("zone", "when"), TWICE)
def test_a_local_time_that_came_twice_is_refused_with_both_offsets(
    home: Home, zone: str, when: str
) -> None:
    """Taken before as the first of the two, without a word."""
    line = _only_line(_in_zone(home, zone, "events", "--since", when))
    assert f"--since: {when!r}" in line and "twice" in line
    assert line.count(when + "+") == 2  # the two ways to say which


def test_the_same_time_with_its_offset_is_taken(home: Home) -> None:
    for when in ("2026-03-29T02:30+01:00", "2026-10-25T02:30+01:00", "2026-10-25T02:30Z"):
        result = _in_zone(home, "Europe/Berlin", "events", "--since", when)
        assert result.returncode == 0, result.stderr
    ordinary = _in_zone(home, "Asia/Kathmandu", "outages", "--since", "2026-03-29T02:30")
    assert ordinary.returncode == 0, ordinary.stderr


@pytest.mark.parametrize("zone", ["UTC+24", "<EAST>-24"])
def test_a_zone_a_day_from_utc_is_named_and_nothing_is_done(home: Home, zone: str) -> None:
    """POSIX lets TZ put the clock 24 hours from UTC and the C library takes it; Python's
    times do not: 'outages' and 'profiles snooze NAME tomorrow' ended in a traceback, and
    'events --since' with a local time said "no events" (taken as the end of time)."""
    assert tcpmonitor(home, "profiles", "add", "db", "127.0.0.1:1").returncode == 0
    stored = (home.config / "profiles.json").read_bytes()
    for args in (("outages",), ("events", "--since", "2026-12-05T08:00"),
                 ("profiles", "snooze", "db", "tomorrow")):  # fmt: skip
        line = _only_line(_in_zone(home, zone, *args))
        assert line.startswith(f"tcpmonitor: TZ={zone!r} puts the clock 24 hours or more"), line
    assert (home.config / "profiles.json").read_bytes() == stored
