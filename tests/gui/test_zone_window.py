"""The window under a time zone a day or more from UTC (``TZ=UTC+24``): POSIX and the C
library take it, Python's datetime does not. The command refuses it in one line; the window
must watch all the same. Its details pane ended in a traceback, half drawn, and every other
time it showed was a day off from the command's; it shows UTC now, and says so."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.core import zone
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.core.session import Problem, ProblemKind
from tcpmonitor_gui.ui.common.problems import problem_text, problem_title
from tests.helpers import make_profile, stored_event

GUI = Path(sys.executable).parent / "tcpmonitor-gui"


@pytest.fixture
def zone_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield
    monkeypatch.undo()  # TZ as it was, then the C library told so
    time.tzset()


def test_the_window_shows_utc_and_says_why_instead_of_a_traceback(tmp_path: Path) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    db = make_profile("127.0.0.1", 1, name="db")
    ProfileStore(config).save([db])
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with EventLog(data / "events.sqlite3") as log:  # an outage: the details name its start
        log.submit([
            stored_event(db, now - dt.timedelta(hours=2), State.UP),
            stored_event(db, now - dt.timedelta(hours=1), State.DOWN, cause=Cause.REFUSED),
            stored_event(db, now - dt.timedelta(minutes=50), State.UP),
        ])  # fmt: skip
        assert log.flush()
    window = subprocess.run(
        [str(GUI), "--config-dir", str(config), "--data-dir", str(data), "--show", "db",
         "--quit-after", "8"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "TZ": "UTC+24"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert "Traceback" not in window.stderr, window.stderr
    assert window.returncode == 0, window.stderr
    assert "TZ='UTC+24' puts the clock 24 hours or more from UTC" in window.stderr
    assert "times are shown in UTC" in window.stderr


def test_an_unusable_zone_falls_back_to_utc(
    monkeypatch: pytest.MonkeyPatch, zone_restored: None
) -> None:
    monkeypatch.setenv("TZ", "<EAST>-24")
    time.tzset()
    assert zone.utc_if_unusable() == "TZ='<EAST>-24'"
    assert time.timezone == 0
    assert dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC).astimezone().utcoffset() == dt.timedelta()


def test_a_usable_zone_is_left_as_it_is(
    monkeypatch: pytest.MonkeyPatch, zone_restored: None
) -> None:
    monkeypatch.setenv("TZ", "UTC+23")
    time.tzset()
    assert zone.utc_if_unusable() is None
    assert time.timezone == 23 * 3600


def test_the_banner_names_the_setting_and_what_to_do() -> None:
    problem = Problem(ProblemKind.ZONE_UNUSABLE, "TZ='UTC+24'")
    assert problem_title(problem) == "Times are shown in UTC"
    text = problem_text(problem)
    assert text.startswith("TZ='UTC+24' puts the clock 24 hours or more from UTC")
    assert "Europe/Berlin" in text
    system = problem_text(Problem(ProblemKind.ZONE_UNUSABLE, ""))
    assert system.startswith("This computer's time zone puts the clock")


def test_the_banner_is_said_in_chinese(chinese: None) -> None:
    problem = Problem(ProblemKind.ZONE_UNUSABLE, "TZ='UTC+24'")
    system = Problem(ProblemKind.ZONE_UNUSABLE, "")
    said = [problem_title(problem), problem_text(problem), problem_text(system)]
    assert said[0] == "时间以 UTC 显示"
    assert said[1].startswith("TZ='UTC+24' 使时钟与 UTC 相差 24 小时或更多")
    leaks = {w for text in said for w in re.findall(r"[A-Za-z]+", text.replace("TZ='UTC+24'", ""))}
    assert leaks <= {"UTC", "TZ", "Europe", "Berlin", "TCP", "Monitor"}, leaks
