"""The translations: complete, current with the sources, safe to format, and used by the window.

The English window needs no file (the sources are English). For each ``.ts``: every message
has a translation, the sources hold no string the ``.ts`` lacks (``pyside6-lupdate`` is run
over them into a temporary file), each translation keeps its source's ``{placeholders}`` (a
missing or renamed one would raise in ``str.format`` at run time), and the main window built
with the compiled catalogue installed shows that language.
"""

from __future__ import annotations

import os
import re
import string
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.jsonfile import JsonFileError
from tcpmonitor_gui.ui.common import i18n
from tcpmonitor_gui.ui.common.labels import cause_text, preset_text, state_text
from tcpmonitor_gui.ui.notify.wording import join_names
from tcpmonitor_gui.ui.profiles.dialog import ProfileDialog
from tcpmonitor_gui.ui.tray import count_text
from tests.gui.chinese import I18N, run_tool
from tests.gui.windows import open_window

REPO = Path(__file__).resolve().parents[2]
#: English's catalogue holds only the plural forms of counted messages (the sources are English).
ENGLISH = I18N / "tcpmonitor_en.ts"
#: The languages the window is translated into.
CATALOGUES = sorted(ts for ts in I18N.glob("tcpmonitor_*.ts") if ts != ENGLISH)
CJK = re.compile(r"[\u4e00-\u9fff]")

#: (context, source) -> the translation's forms (one, or one per plural form), None where
#: unfinished or any form is empty.
Messages = dict[tuple[str, str], list[str] | None]


def messages(ts: Path) -> Messages:
    out: Messages = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            plural = translation.findall("numerusform")
            forms = [f.text or "" for f in plural] if plural else [translation.text or ""]
            unfinished = translation.get("type") in ("unfinished", "obsolete", "vanished")
            done = not unfinished and all(f.strip() for f in forms)
            out[name, message.findtext("source", "")] = forms if done else None
    return out


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


def test_there_is_a_chinese_catalogue() -> None:
    assert [ts.name for ts in CATALOGUES] == ["tcpmonitor_zh_CN.ts"]
    assert ET.parse(CATALOGUES[0]).getroot().get("language") == "zh_CN"


@pytest.mark.parametrize("ts", [*CATALOGUES, ENGLISH], ids=lambda p: p.stem)
def test_every_message_is_translated(ts: Path) -> None:
    missing = [key for key, forms in messages(ts).items() if forms is None]
    assert not missing, f"{ts.name}: no translation for {missing}"


@pytest.mark.parametrize("ts", [*CATALOGUES, ENGLISH], ids=lambda p: p.stem)
def test_translations_keep_their_placeholders(ts: Path) -> None:
    wrong = [
        (context, source, text)
        for (context, source), forms in messages(ts).items()
        for text in forms or ()
        if fields(text) != fields(source)
    ]
    assert not wrong, f"{ts.name}: placeholders differ: {wrong}"


@pytest.mark.parametrize("ts", CATALOGUES, ids=lambda p: p.stem)
def test_catalogue_holds_exactly_the_strings_of_the_sources(ts: Path, tmp_path: Path) -> None:
    fresh = tmp_path / ts.name
    sources = sorted(str(p) for p in (REPO / "tcpmonitor_gui" / "ui").rglob("*.py"))
    run_tool("pyside6-lupdate", "-no-obsolete", "-locations", "none", *sources,
             str(REPO / "tcpmonitor_gui" / "app.py"), "-ts", str(fresh))  # fmt: skip
    in_sources, in_catalogue = set(messages(fresh)), set(messages(ts))
    assert not in_sources - in_catalogue, (
        f"strings not in {ts.name} (run `make lupdate`, then translate them): "
        f"{sorted(in_sources - in_catalogue)}"
    )
    assert not in_catalogue - in_sources, (
        f"strings in {ts.name} that the sources no longer use (run `make lupdate`): "
        f"{sorted(in_catalogue - in_sources)}"
    )


def _catalogue(ts: Path, tmp_path: Path) -> Path:
    """``ts`` compiled into a temporary folder (not the package's .qm, which may be older)."""
    qm_dir = tmp_path / "qm"
    qm_dir.mkdir(exist_ok=True)
    run_tool("pyside6-lrelease", str(ts), "-qm", str(qm_dir / ts.with_suffix(".qm").name))
    return qm_dir


def test_english_holds_exactly_the_counted_messages_of_the_sources(tmp_path: Path) -> None:
    fresh = tmp_path / ENGLISH.name
    sources = sorted(str(p) for p in (REPO / "tcpmonitor_gui" / "ui").rglob("*.py"))
    run_tool("pyside6-lupdate", "-no-obsolete", "-locations", "none", "-pluralonly", *sources,
             str(REPO / "tcpmonitor_gui" / "app.py"), "-ts", str(fresh))  # fmt: skip
    assert set(messages(fresh)) == set(messages(ENGLISH)), "run `make lupdate`, then fill them"
    assert ET.parse(ENGLISH).getroot().get("language") == "en_US"


@pytest.mark.parametrize("language", ["en", "en_GB", "C", "fr_FR"])
def test_english_and_unknown_languages_install_only_the_english_plurals(
    qapp: QApplication, tmp_path: Path, language: str
) -> None:
    """The window said "1 checks failed", "Remove 1 connection(s)", "1 days": one English
    text served every count. Unknown languages fall back to English (logged)."""
    translators = i18n.install_translators(qapp, language, _catalogue(ENGLISH, tmp_path))
    try:
        assert len(translators) == 1
        say = QCoreApplication.translate
        assert say("Chart", "%n checks failed", None, 1) == "1 check failed"
        assert say("Chart", "%n checks failed", None, 3) == "3 checks failed"
        remove = "Remove {count} connection(s): {names}?\nTheir stored history is kept."
        assert say("ProfileActions", remove, None, 1).startswith("Remove {count} connection:")
        assert say("ProfileActions", remove, None, 2).startswith("Remove {count} connections:")
        assert say("SettingsDialog", " days", None, 1) == " day"
        assert say("MainWindow", "&File") == "&File"  # the rest stays the source
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        QLocale.setDefault(QLocale.c())
    assert i18n.locale_for("system") == QLocale.system()


def test_without_the_english_catalogue_the_sources_are_shown(
    qapp: QApplication, tmp_path: Path
) -> None:
    assert i18n.install_translators(qapp, "en", tmp_path) == []
    QLocale.setDefault(QLocale.c())


def test_the_window_speaks_chinese_with_the_catalogue(
    chinese: None, qtbot: QtBot, tmp_path: Path
) -> None:
    opened = open_window(qtbot, tmp_path / "config", tmp_path / "data", monitor=False)
    window = opened.window
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
        assert count_text(3, State.UP) == "正常 3"
        assert preset_text("echo") == "行回显"
        assert window.tray.menu().actions()[0].text() == "显示/隐藏窗口"
    finally:
        opened.close()


def test_counted_messages_take_their_plural_form_from_the_catalogue(chinese: None) -> None:
    """Messages with a count are ``tr(text, "", n)`` calls (plural forms in the .ts); Chinese
    has one form, and the English source stays the text shown without a catalogue."""
    translate = QCoreApplication.translate
    back = translate("NotificationPolicy", "{n} connections are back up.", None, 3)
    assert back.format(n=3) == "3 个连接已恢复。"
    assert join_names(["A", "B", "C", "D", "E"]) == "A, B, C 等另外 2 个"


def test_counted_messages_are_plural_in_the_catalogue() -> None:
    """A count read through ``translate()`` would lose its plural forms in the .ts
    (lupdate marks only ``tr()`` calls); these are the ones that must keep them."""
    root = ET.parse(I18N / "tcpmonitor_zh_CN.ts").getroot()
    plural = {
        (context.findtext("name", ""), message.findtext("source", ""))
        for context in root.iter("context")
        for message in context.iter("message")
        if message.get("numerus") == "yes"
    }
    expected = {
        ("Notify", "{names} and {n} more"),
        ("Tray", "{n} {state}"),
        ("NotificationPolicy", "{n} connections down: {names}"),
        ("ProfileActions", "Imported {count} connections from {file}"),
        ("StatusTooltip", "Last {n} checks: {failed} failed"),
        ("SettingsDialog", " days"),
    }
    assert not expected - plural, f"no plural forms for {sorted(expected - plural)}"


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        ("name", "", "名称 为空（必填）"),
        ("port", "0", "端口 超出范围（允许 1 到 65535）"),
        ("host", "bad host!", "'bad host!' 不是有效的主机名或 IP 地址"),
        ("name", "a\x01b", "'a\\x01b' 含有控制字符（U+0001）"),
        ("detector.expect", "(", "'(' 不是有效的正则表达式（missing ): (）"),
    ],
)
def test_a_field_problem_is_said_in_chinese_beside_its_field(
    chinese: None, qtbot: QtBot, field: str, typed: str, expected: str
) -> None:
    """The core words its problems in English; the Chinese dialog showed "名称(N)： is empty
    (it is required)", its caption with the mnemonic and the problem untranslated."""
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    form = dialog.form
    form.name_edit.setText("Orders DB")
    form.host_edit.setText("127.0.0.1")
    form.port_spin.setValue(5432)
    if field == "port":
        form.port_spin.setValue(int(typed))
    elif field == "detector.expect":
        form.expect_edit.setText(typed)
    else:
        {"name": form.name_edit, "host": form.host_edit}[field].setText(typed)
    assert form.error_text(field).startswith(expected)


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        ("maintenance", "Sun 02:00-04:00 Mars/Base", "写的 'Mars/Base' 不是时区"),
        ("maintenance", "Sun 25:00-26:00", "中的 25:00 不是一天中的时间"),
        ("maintenance", "soon", "不是维护时段（例如 'Sun 02:00-04:00 Europe/Berlin' 或"),
        ("actions", "sometimes: /bin/true", "不是以下之一：down, up, change"),
        ("actions", "down: notify nothing://x", "不是 Apprise 认识的通知 URL"),
    ],
)
def test_a_maintenance_window_or_action_problem_is_said_in_chinese(
    chinese: None, qtbot: QtBot, field: str, typed: str, expected: str
) -> None:
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    form = dialog.form
    form.name_edit.setText("Orders DB")
    form.host_edit.setText("127.0.0.1")
    form.port_spin.setValue(5432)
    {"maintenance": form.maintenance_edit, "actions": form.actions_edit}[field].setPlainText(typed)
    assert expected in form.error_text(field)
    assert not re.search(r"\b(is|not|which|one of)\b", form.error_text(field))


def test_a_file_that_cannot_be_imported_is_said_in_chinese_in_the_banner(
    chinese: None, qtbot: QtBot, tmp_path: Path
) -> None:
    """The banner said "profiles.fifo: is a named pipe (FIFO), not a file; not read" in the
    Chinese window: the core's words, as worded."""
    fifo = tmp_path / "profiles.fifo"
    os.mkfifo(fifo)
    bad_port = tmp_path / "ports.json"
    bad_port.write_text('{"version": 1, "profiles": [{"name": "x", "host": "h", "port": 99999}]}')
    opened = open_window(qtbot, tmp_path / "config", tmp_path / "data", monitor=False)
    window = opened.window
    try:
        for path, said in (
            (fifo, f"{fifo}：是命名管道（FIFO），不是文件；未读取"),
            (bad_port, f"{bad_port}: profiles[0].port: 99999 超出范围（允许 1 到 65535）"),
        ):
            with pytest.raises(JsonFileError):
                window.profiles.import_file(path).result(5)
            qtbot.waitUntil(lambda said=said: said in window.banner.label_text(), timeout=3000)
    finally:
        opened.close()


def test_a_file_problem_not_listed_is_shown_as_worded(chinese: None) -> None:
    from tcpmonitor_gui.ui.common.file_problems import file_problem_text

    assert file_problem_text("x.json: something new") == "x.json: something new"
    assert file_problem_text("x.json: does not exist") == "x.json：不存在"


def test_the_settings_dialogs_ok_says_why_it_is_off_in_chinese(chinese: None, qtbot: QtBot) -> None:
    from tcpmonitor_gui.core.settings import Settings
    from tcpmonitor_gui.ui.settings.dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.spin("workers").setValue(100)
    assert not dialog.ok_button().isEnabled()
    assert dialog.ok_button().toolTip() == "workers: 100 超出范围（允许 0 到 64）"
