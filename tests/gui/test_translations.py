"""The translations: complete, current with the sources, safe to format, and used by the window.

The English window needs no file (the sources are English). For each ``.ts``: every message
has a translation, the sources hold no string the ``.ts`` lacks (``pyside6-lupdate`` is run
over them into a temporary file), each translation keeps its source's ``{placeholders}`` (a
missing or renamed one would raise in ``str.format`` at run time), and the main window built
with the compiled catalogue installed shows that language.
"""

from __future__ import annotations

import re
import shutil
import string
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tcpmonitor_gui import assets
from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.ui import i18n
from tcpmonitor_gui.ui.context import AppContext
from tcpmonitor_gui.ui.labels import CAUSE_LABELS, STATE_WORDS, cause_text, state_text
from tcpmonitor_gui.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[2]
I18N = assets.resource_path(assets.I18N_DIR)
CATALOGUES = sorted(I18N.glob("tcpmonitor_*.ts"))
CJK = re.compile(r"[\u4e00-\u9fff]")

Messages = dict[tuple[str, str], str | None]


def tool(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (it comes with PySide6)")
    return found


def messages(ts: Path) -> Messages:
    """(context, source) -> translation, None where unfinished or empty."""
    out: Messages = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            text = translation.text or "".join(n.text or "" for n in translation)
            unfinished = translation.get("type") in ("unfinished", "obsolete", "vanished")
            out[name, message.findtext("source", "")] = None if unfinished or not text else text
    return out


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


def test_there_is_a_chinese_catalogue() -> None:
    assert [ts.name for ts in CATALOGUES] == ["tcpmonitor_zh_CN.ts"]


@pytest.mark.parametrize("ts", CATALOGUES, ids=lambda p: p.stem)
def test_every_message_is_translated(ts: Path) -> None:
    missing = [key for key, text in messages(ts).items() if text is None]
    assert not missing, f"{ts.name}: no translation for {missing}"


@pytest.mark.parametrize("ts", CATALOGUES, ids=lambda p: p.stem)
def test_translations_keep_their_placeholders(ts: Path) -> None:
    wrong = [
        (context, source, text)
        for (context, source), text in messages(ts).items()
        if text is not None and fields(text) != fields(source)
    ]
    assert not wrong, f"{ts.name}: placeholders differ: {wrong}"


@pytest.mark.parametrize("ts", CATALOGUES, ids=lambda p: p.stem)
def test_catalogue_holds_exactly_the_strings_of_the_sources(ts: Path, tmp_path: Path) -> None:
    fresh = tmp_path / ts.name
    sources = sorted(str(p) for p in (REPO / "tcpmonitor_gui" / "ui").glob("*.py"))
    done = subprocess.run(
        [tool("pyside6-lupdate"), "-no-obsolete", "-locations", "none", *sources,
         str(REPO / "tcpmonitor_gui" / "app.py"), "-ts", str(fresh)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    in_sources, in_catalogue = set(messages(fresh)), set(messages(ts))
    assert not in_sources - in_catalogue, (
        f"strings not in {ts.name} (run `make lupdate`, then translate them): "
        f"{sorted(in_sources - in_catalogue)}"
    )
    assert not in_catalogue - in_sources, (
        f"strings in {ts.name} that the sources no longer use (run `make lupdate`): "
        f"{sorted(in_catalogue - in_sources)}"
    )


def test_labels_cover_every_state_and_cause_in_the_cores_english() -> None:
    assert set(STATE_WORDS) == set(State)
    assert set(CAUSE_LABELS) == set(Cause)
    assert all(STATE_WORDS[s] == str(s) for s in State)
    assert all(CAUSE_LABELS[c] == c.label for c in Cause)
    assert state_text(State.DOWN) == "down"  # no translator installed: the core's English
    assert cause_text(Cause.CLOSED_BY_PEER) == "closed by peer"
    assert cause_text(None) == ""


def test_english_and_unknown_languages_install_no_translator(qapp: QApplication) -> None:
    assert i18n.install_translators(qapp, "en") == []
    assert i18n.install_translators(qapp, "fr_FR") == []  # no catalogue: English, logged
    assert i18n.locale_for("system") == QLocale.system()
    QLocale.setDefault(QLocale.c())


@pytest.fixture
def chinese(qapp: QApplication, tmp_path: Path) -> Iterator[None]:
    """The zh_CN catalogue, compiled from the .ts into a temporary place, installed."""
    if not assets.resource_path(f"{assets.I18N_DIR}/tcpmonitor_zh_CN.qm").exists():
        pytest.fail("tcpmonitor_zh_CN.qm is not built: `make translations` (make test does)")
    translators = i18n.install_translators(qapp, "zh_CN")
    assert translators, "the zh_CN catalogue did not load"
    try:
        yield
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        QLocale.setDefault(QLocale.c())


def test_the_window_speaks_chinese_with_the_catalogue(
    chinese: None, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx = AppContext(tmp_path / "config", tmp_path / "data")
    window = MainWindow(ctx, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    try:
        menus = [a.text() for a in window.menuBar().actions()]
        assert menus[0] == "文件(&F)", menus
        assert all(CJK.search(m) for m in menus), menus
        assert window.model.headerData(0, Qt.Orientation.Horizontal) == "状态"
        assert window.table.add_button.text() == "添加连接"
        assert window.windowTitle() == "TCP Monitor"  # the product's name stays
        assert state_text(State.DOWN) == "断开"
        assert cause_text(Cause.REFUSED) == "连接被拒绝"
        assert QCoreApplication.translate("Duration", "{n} s").format(n=3) == "3 秒"
    finally:
        window.shutdown()
        ctx.shutdown()
