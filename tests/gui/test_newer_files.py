"""The window on files a newer TCP Monitor wrote: told as a newer version's, in English and
in Chinese, and left as they are (``tests/unit/test_newer_files.py`` for the session)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QTableView
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import Cause
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.core.session import Problem, ProblemKind
from tcpmonitor_gui.ui.common.labels import cause_text
from tcpmonitor_gui.ui.common.problems import problem_text
from tcpmonitor_gui.ui.status.cells import Column
from tests.gui.windows import open_window
from tests.helpers import (
    NEWER_CAUSE_OUTAGE,
    NEWER_STATE_OUTAGE,
    Change,
    make_profile,
    recorded_by_a_newer_version,
)

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
        assert "may come from a newer version of TCP Monitor, so it is left as it is" in said
        assert "corrupt" not in said
        o.session.profiles.add([make_profile("127.0.0.1", 1, "probe", name="new")])
        qtbot.waitUntil(lambda: "Profiles were not saved" in o.window.banner.label_text())
    finally:
        o.close()
    assert (config / "profiles.json").read_bytes() == original
    assert not list(config.glob("profiles.json.*"))  # no copy set aside, as if broken


def test_the_window_monitors_what_it_can_read_of_a_newer_versions_profiles(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """One connection a newer version added (a detector this one does not know) and the
    window started with none: nothing was monitored. Now the others are, and it says which
    one is not."""
    config = tmp_path / "config"
    config.mkdir()
    cache = make_profile("127.0.0.1", 1, "probe", name="Cache").to_dict()
    newer = {"id": "n1", "name": "Cert", "host": "db", "port": 1, "detector": {"kind": "tls"}}
    original = json.dumps({"version": 1, "profiles": [newer, cache]}).encode()
    (config / "profiles.json").write_bytes(original)
    o = open_window(qtbot, config, tmp_path / "data", monitor=False)
    try:
        assert [p.name for p in o.session.profiles] == ["Cache"]
        assert o.window.model.rowCount() == 1
        said = o.window.banner.label_text()
        assert "Profiles were not read in full" in said
        assert "1 connection is left out: this version cannot read it" in said
        assert "profiles[0].detector.kind: 'tls' is not one of" in said
        assert "the connections read are monitored" in said
        o.session.profiles.add([make_profile("127.0.0.1", 2, "probe", name="new")])
        qtbot.waitUntil(lambda: "Profiles were not saved" in o.window.banner.label_text())
    finally:
        o.close()
    assert (config / "profiles.json").read_bytes() == original


def test_connections_left_out_are_told_in_chinese(chinese: None) -> None:
    for error in (
        "profiles.json: 1 connection is left out: this version cannot read it "
        "(profiles[0].detector.kind: 'tls' is not one of probe, heartbeat, watch)",
        "profiles.json: 3 connections are left out: this version cannot read them "
        "(profiles[0].tags: ['prod'] is not a known field (known: detector, host); and 2 more)",
    ):
        said = problem_text(Problem(ProblemKind.PROFILES_NOT_ALL_READ, error, newer=True))
        said += problem_text(Problem(ProblemKind.SETTINGS_NOT_ALL_READ, "settings.json: sound: "
                                     "3 is not true or false (and 2 more this version cannot "
                                     "read)", newer=True))  # fmt: skip
        words = re.sub(
            r"TCP Monitor|(profiles|settings)\.json|sound|true|false|profiles\[0\]\.\w+(\.\w+)?"
            r"|'tls'|\['prod'\]|probe, heartbeat, watch|detector, host",
            "",
            said,
        )
        assert not re.search(r"[A-Za-z]", words), said


def test_a_newer_versions_file_is_told_in_chinese(chinese: None) -> None:
    error = (
        "settings.json: version 2 is newer than this program understands (at most 1); "
        "upgrade TCP Monitor"
    )
    for kind in (ProblemKind.PROFILES_UNREADABLE, ProblemKind.SETTINGS_UNREADABLE):
        said = problem_text(Problem(kind, error, newer=True))
        words = re.sub(r"TCP Monitor|settings\.json", "", said)
        assert not re.search(r"[A-Za-z]", words), said


def test_a_cause_a_newer_version_recorded_is_named_as_one(chinese: None) -> None:
    """The log pane and the details read it from the log; looked up in the labels, it
    raised KeyError."""
    cause = Cause.stored("proxy_error")
    assert cause_text(cause) == "proxy error（此版本不认识的原因）"
    assert cause_text(Cause.RESET) == "连接被重置"


def _outages_listed(qtbot: QtBot, tmp_path: Path, changes: list[Change]) -> list[list[str]]:
    """The details' outages of a profile whose ``changes`` a newer version recorded."""
    config, data = tmp_path / "config", tmp_path / "data"
    profile = make_profile("127.0.0.1", 1, "watch", id="p1", name="Orders DB", enabled=False)
    ProfileStore(config).save([profile])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    recorded_by_a_newer_version(data / "events.sqlite3", "p1", start, changes)
    o = open_window(qtbot, config, data, monitor=False)
    try:
        table = o.details_of(qtbot, "p1").outage_table
        return [
            [table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())
        ]
    finally:
        o.close()


def test_the_details_list_an_outage_a_newer_version_recorded(qtbot: QtBot, tmp_path: Path) -> None:
    """It was left out of the list (and of the count): the profile looked never down."""
    [outage] = _outages_listed(qtbot, tmp_path, NEWER_CAUSE_OUTAGE)
    assert outage[1] == "5 min"
    assert outage[2] == "proxy error (a cause this version does not know)"


def _layout(config: Path, header: QHeaderView, columns: str | None) -> None:
    """ui.ini holding ``header``'s state (and the columns it is of, as this version says)."""
    config.mkdir(parents=True, exist_ok=True)
    settings = QSettings(str(config / "ui.ini"), QSettings.Format.IniFormat)
    settings.setValue("statusHeader", header.saveState())
    if columns is not None:
        settings.setValue("statusColumns", columns)
    settings.sync()


def test_a_newer_versions_column_layout_hides_none_of_these_columns(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A newer version's table had a column more ('address', before 'group'), and its user
    hid 'group': restored here by position, 'target' was hidden instead, a column the user
    never hid (and the table sorted by a column it does not have)."""
    names = [c.name.lower() for c in Column]
    newer = [*names[:2], "address", *names[2:]]
    model = QStandardItemModel(1, len(newer))
    view = QTableView()
    view.setModel(model)
    view.horizontalHeader().hideSection(newer.index("group"))
    _layout(tmp_path / "config", view.horizontalHeader(), ",".join(newer))
    assert hidden_columns(qtbot, tmp_path / "config", tmp_path / "data") == []


def hidden_columns(
    qtbot: QtBot, config: Path, data: Path, hide: Column | None = None
) -> list[Column]:
    """The columns hidden in a window opened on ``config`` (then ``hide`` hidden, and saved
    as the window closes)."""
    o = open_window(qtbot, config, data, monitor=False)
    try:
        header = o.window.table.table.horizontalHeader()
        hidden = [c for c in Column if header.isSectionHidden(c)]
        if hide is not None:
            header.hideSection(hide)
    finally:
        o.close()
    return hidden


def test_this_versions_column_layout_comes_back(qtbot: QtBot, tmp_path: Path) -> None:
    """Its own, and an older version's (which said nothing of its columns: the same)."""
    config, data = tmp_path / "config", tmp_path / "data"
    assert hidden_columns(qtbot, config, data, hide=Column.GROUP) == []
    assert hidden_columns(qtbot, config, data) == [Column.GROUP]
    view = QTableView()
    view.setModel(QStandardItemModel(1, len(Column)))
    view.horizontalHeader().hideSection(Column.TARGET)
    (config / "ui.ini").unlink()
    _layout(config, view.horizontalHeader(), None)  # as an older version wrote it
    assert hidden_columns(qtbot, config, data) == [Column.TARGET]


def test_a_typo_in_a_field_name_names_the_field_meant(
    chinese: None, qtbot: QtBot, tmp_path: Path
) -> None:
    """ "detector.interval: 5 is not a known field (known: ...)", and "It may come from a
    newer version": a typo read as a version problem. The line names the field meant, in
    the Chinese window too."""
    config = tmp_path / "config"
    config.mkdir()
    profile = make_profile("127.0.0.1", 1, "watch", interval_s=5).to_dict()
    profile["detector"]["interval"] = profile["detector"].pop("interval_s")
    typo = {"version": 1, "profiles": [profile]}
    (config / "profiles.json").write_text(json.dumps(typo))
    o = open_window(qtbot, config, tmp_path / "data", monitor=False)
    try:
        said = o.window.banner.label_text()
        assert (
            "profiles[0].detector.interval: 5.0 不是此版本认识的字段；是否想写 'interval_s'？"
            in said
        )
    finally:
        o.close()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "quarantined (a state this version does not know)"),
        ("zh_CN", "quarantined（此版本不认识的状态）"),
    ],
)
def test_an_outage_ended_by_a_state_a_newer_version_wrote_says_so(
    request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path, language: str, said: str
) -> None:
    """The details said how it ended as "quarantined", the newer version's word, unexplained
    (in the Chinese window too), where a cause of a newer version is said to be one."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    [outage] = _outages_listed(qtbot, tmp_path, NEWER_STATE_OUTAGE)
    assert outage[3] == said


def test_a_value_not_shown_is_said_so_in_chinese(chinese: None) -> None:
    """What a newer version's field holds is not shown (``validate.HIDDEN``): said in the
    user's language, as the rest of the line."""
    from tcpmonitor_gui.core import validate
    from tcpmonitor_gui.ui.common import field_problems
    from tcpmonitor_gui.ui.common.file_problems import file_problem_text

    assert field_problems.HIDDEN == validate.HIDDEN  # the core's words, recognised
    said = file_problem_text(
        f"settings.json: smtp: {validate.HIDDEN} is not a known field (known: actions, sound)"
    )
    words = re.sub(r"settings\.json|smtp|actions|sound", "", said)
    assert not re.search(r"[A-Za-z]", words), said
