"""The window on files a newer TCP Monitor wrote: told as a newer version's, in English and
in Chinese, and left as they are (``tests/unit/test_newer_files.py`` for the session)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.session import Problem, ProblemKind
from tcpmonitor_gui.ui.common.problems import problem_text
from tests.gui.windows import open_window
from tests.helpers import make_profile

NEWER = {"version": 2, "profiles": [{"id": "a1", "name": "Orders DB", "host": "db", "port": 1}]}


def test_the_window_says_a_newer_versions_profiles_are_left_as_they_are(
    qtbot: QtBot, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    original = json.dumps(NEWER).encode()
    (config / "profiles.json").write_bytes(original)
    o = open_window(qtbot, config, tmp_path / "data", monitor=False)
    try:
        said = o.window.banner.label_text()
        assert "Profiles could not be read" in said
        assert "written by a newer version of TCP Monitor and is left as it is" in said
        assert "corrupt" not in said
        o.session.profiles.add([make_profile("127.0.0.1", 1, "probe", name="new")])
        qtbot.waitUntil(lambda: "Profiles were not saved" in o.window.banner.label_text())
    finally:
        o.close()
    assert (config / "profiles.json").read_bytes() == original
    assert not list(config.glob("profiles.json.*"))  # no copy set aside, as if broken


def test_a_newer_versions_file_is_told_in_chinese(chinese: None) -> None:
    error = (
        "settings.json: version 2 is newer than this program understands (at most 1); "
        "upgrade TCP Monitor"
    )
    for kind in (ProblemKind.PROFILES_UNREADABLE, ProblemKind.SETTINGS_UNREADABLE):
        said = problem_text(Problem(kind, error, newer=2))
        words = re.sub(r"TCP Monitor|settings\.json", "", said)
        assert not re.search(r"[A-Za-z]", words), said
