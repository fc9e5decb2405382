"""``ui.ini``, the window's layout, when it is not a file: a named pipe in its place held the
window's start for ever (QSettings opens it to read and waits for a writer), with nothing on
screen and nothing said; one put there while the window ran held the I/O thread at the next
save of the layout, and with it every save of the profiles and the close."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.ui.window_state import FILE_NAME
from tests.gui.windows import open_window
from tests.helpers import make_profile

#: Opens the pipe to read and to write and closes it, every second for a minute: whoever
#: waits on it (the window before the fix) goes on. Another process, because QSettings
#: waits holding the GIL: no thread of the test's own could run.
_LET_GO = """
import contextlib, os, sys, time
for _ in range(60):
    time.sleep(1)  # ok-sleep: a rescue for a test failing, not a wait for an outcome
    for how in (os.O_RDONLY, os.O_WRONLY):
        with contextlib.suppress(OSError):  # no one waits (ENXIO), or no pipe: nothing held
            os.close(os.open(sys.argv[1], how | os.O_NONBLOCK))
"""


@contextlib.contextmanager
def _never_held(path: Path) -> Iterator[None]:
    """Whatever waits to read ``path`` is let go within a second: the program held on the
    pipe (before the fix) fails its test instead of hanging it."""
    rescue = subprocess.Popen([sys.executable, "-c", _LET_GO, str(path)])
    try:
        yield
    finally:
        rescue.kill()
        rescue.wait()


def _plant(path: Path, kind: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()


@pytest.mark.parametrize(
    ("kind", "said"), [("fifo", "a named pipe (FIFO)"), ("dir", "a directory")]
)
def test_a_layout_file_that_is_no_file_is_named_and_left_and_the_window_starts(
    qtbot: QtBot, tmp_path: Path, kind: str, said: str
) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    path = config / FILE_NAME
    _plant(path, kind)
    with _never_held(path):
        opened = open_window(qtbot, config, data)  # held here, before
        try:
            title, text, severity = opened.window.banner.message()
            assert title == "The window's layout could not be read", (title, text)
            assert f"{path}: is {said}, not a file; not read" in text
            assert "left as it is" in text and severity == "warning"
            opened.window.profiles.apply(make_profile("127.0.0.1", 1, name="db"), new=True)
        finally:
            opened.close()  # saves the layout: not over the pipe or the folder
    assert [p.name for p in ProfileStore(config).load()] == ["db"]
    assert path.is_dir() if kind == "dir" else path.is_fifo()


@pytest.mark.parametrize("name", [FILE_NAME, f"{FILE_NAME}.lock"])  # QSettings' lock
def test_a_pipe_put_in_place_of_the_layout_holds_no_save_and_no_close(
    qtbot: QtBot, tmp_path: Path, name: str
) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    path = config / name
    opened = open_window(qtbot, config, data)
    with _never_held(path):
        try:
            assert opened.window.banner.isHidden()
            path.unlink(missing_ok=True)
            os.mkfifo(path)
            opened.window.state.put({"told_about_tray": True}).result(timeout=30)
            opened.window.profiles.apply(make_profile("127.0.0.1", 1, name="db"), new=True)
            assert opened.session.profiles.flush().result(timeout=30) is None
        finally:
            opened.close()
    assert [p.name for p in ProfileStore(config).load()] == ["db"]
    assert path.is_fifo()


def test_the_layout_file_that_is_no_file_is_said_in_chinese(
    chinese: None, qtbot: QtBot, tmp_path: Path
) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    _plant(config / FILE_NAME, "dir")
    opened = open_window(qtbot, config, data, monitor=False)
    try:
        title, text, _severity = opened.window.banner.message()
        assert title == "无法读取窗口布局"
        assert text.startswith(f"{config / FILE_NAME}：是目录，不是文件；未读取\n\n它保持原样")
    finally:
        opened.close()
