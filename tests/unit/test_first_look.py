"""The first frame's look at settings.json (language, start in the tray), with json alone: the
settings' own reading comes after it and says what is wrong; this one only never fails."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tcpmonitor_gui.core.first_look import FirstLook, first_look
from tcpmonitor_gui.core.settings import Settings, SettingsStore


def test_what_the_settings_say_is_what_the_first_frame_uses(tmp_path: Path) -> None:
    SettingsStore(tmp_path).save(Settings(language="zh_CN", start_minimized=True))
    assert first_look(tmp_path) == FirstLook("zh_CN", True)


@pytest.mark.parametrize(
    "text",
    [
        "{",  # not JSON
        "[]",  # not an object
        json.dumps({"language": "xx_YY", "start_minimized": "yes"}),  # not what settings take
        json.dumps({"language": 3, "start_minimized": 1}),
    ],
    ids=["broken", "list", "unknown-values", "wrong-types"],
)
def test_what_the_settings_would_not_take_is_the_default(tmp_path: Path, text: str) -> None:
    (tmp_path / "settings.json").write_text(text)
    assert first_look(tmp_path) == FirstLook()


def test_no_file_and_a_pipe_are_the_defaults_without_waiting(tmp_path: Path) -> None:
    assert first_look(tmp_path) == FirstLook()
    os.mkfifo(tmp_path / "settings.json")  # opened, it would wait for a writer for ever
    assert first_look(tmp_path) == FirstLook()
