"""Where TCP Monitor keeps its files.

Every entry point takes ``--config-dir`` and ``--data-dir`` and honours
``TCPMONITOR_CONFIG_DIR`` / ``TCPMONITOR_DATA_DIR`` (DESIGN.md, Files), so that tests and a
second, experimental instance never touch the user's real profiles or event log. Resolving a
directory never creates it: a command that only reads (``tcpmonitor profiles list``) must not
leave empty folders behind; whoever writes calls ``ensure_dir`` first.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

import platformdirs

APP_NAME = "tcpmonitor"
CONFIG_ENV = "TCPMONITOR_CONFIG_DIR"
DATA_ENV = "TCPMONITOR_DATA_DIR"

StrPath = str | os.PathLike[str]


def config_dir(override: StrPath | None = None) -> Path:
    """The directory of ``profiles.json`` and ``settings.json``."""
    return _resolve(override, CONFIG_ENV, platformdirs.user_config_dir)


def data_dir(override: StrPath | None = None) -> Path:
    """The directory of the event log."""
    return _resolve(override, DATA_ENV, platformdirs.user_data_dir)


def _resolve(override: StrPath | None, env: str, default: Callable[[str], str]) -> Path:
    if override is not None and os.fspath(override) != "":
        return Path(override).expanduser()
    from_env = os.environ.get(env, "")
    if from_env:
        return Path(from_env).expanduser()
    return Path(default(APP_NAME))


def ensure_dir(path: StrPath) -> Path:
    """Create ``path`` (and its parents) if needed; the directory itself gets mode 0700.

    Profiles may hold host names and notes the user considers private, so the directory is
    private to the user. An existing directory is left as it is: the user may have chosen
    other permissions on purpose.
    """
    directory = Path(path)
    if not directory.is_dir():
        directory.parent.mkdir(parents=True, exist_ok=True)
        directory.mkdir(mode=0o700, exist_ok=True)
    return directory


def named(what: str) -> Callable[[str], str]:
    """An ``argparse`` type: a file or folder name, never empty. ``--config-dir "$DIR"`` with
    ``DIR`` unset would otherwise use the user's own folders, and ``--csv "$OUT"`` would
    write nothing and exit 0."""

    def parse(text: str) -> str:
        if not text:
            raise argparse.ArgumentTypeError(f"'' is empty (name {what})")
        return text

    return parse
