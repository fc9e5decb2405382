"""The Chinese catalogue, compiled from its .ts and installed, for tests of what the Chinese
window shows; and the Qt tools that come with PySide6."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from tcpmonitor_gui import assets
from tcpmonitor_gui.ui.common import i18n

I18N = assets.resource_path(assets.I18N_DIR)


def tool(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (it comes with PySide6)")
    return found


def run_tool(name: str, *args: str) -> None:
    done = subprocess.run(
        [tool(name), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def chinese(qapp: QApplication, tmp_path: Path) -> Iterator[None]:
    """The zh_CN catalogue, compiled from the .ts into a temporary place (not the package's
    .qm, which may be older than the .ts), installed; removed afterwards."""
    qm_dir = tmp_path / "qm"
    qm_dir.mkdir()
    run_tool("pyside6-lrelease", str(I18N / "tcpmonitor_zh_CN.ts"),
             "-qm", str(qm_dir / "tcpmonitor_zh_CN.qm"))  # fmt: skip
    translators = i18n.install_translators(qapp, "zh_CN", qm_dir)
    assert translators, "the zh_CN catalogue did not load"
    try:
        yield
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        QLocale.setDefault(QLocale.c())
