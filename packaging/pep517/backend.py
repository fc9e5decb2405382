"""setuptools' build backend, asking for PySide6 only when a wheel is built.

The wheel compiles the translations with Qt's ``lrelease``, which comes with PySide6
(``setup.py``); an sdist or an editable install (``make run``, ``make test``) needs no Qt to
build, so they do not pay for it.
"""

from __future__ import annotations

from typing import Any

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403 - the whole backend interface

#: As the program's own dependency (pyproject.toml), for the same reason.
QT = "PySide6-Essentials>=6.6,!=6.12.0"


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    return [*build_meta.get_requires_for_build_wheel(config_settings), QT]
