"""What the window's first frame needs of ``settings.json`` (its language; whether it starts in
the tray), read with ``json`` alone: the settings' own module and its checks are a session's
imports, which come after the first frame (issue #12).

Only a hint: the session reads the file for real after the first frame and says what is wrong
with it. Where it decides otherwise (the file set aside for another field's fault: the defaults
in force), the window keeps, for this run, the language the file named (all of it in one
language: its first frame's words are already shown); start-in-the-tray is decided here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

#: The file and the languages, declared here (``settings`` reads them from here).
FILE_NAME = "settings.json"
#: The languages the window can be shown in; "system" follows the system locale.
LANGUAGES = ("system", "en", "zh_CN")


class FirstLook(NamedTuple):
    language: str = "system"
    start_minimized: bool = False


def first_look(config_dir: Path) -> FirstLook:
    """The language and start-in-the-tray of ``config_dir``'s settings; the defaults for
    each that the file does not say in a form the settings would take."""
    path = Path(config_dir) / FILE_NAME
    try:
        if not path.is_file():  # a pipe would wait for ever: not read (as the store does)
            return FirstLook()
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return FirstLook()
    if not isinstance(data, dict):
        return FirstLook()
    language = data.get("language", "system")
    minimized = data.get("start_minimized", False)
    return FirstLook(
        language if language in LANGUAGES else "system",
        minimized if isinstance(minimized, bool) else False,
    )
