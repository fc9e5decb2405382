"""Widget tests run on Qt's offscreen platform: no display needed."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QApplication


@pytest.fixture(autouse=True)
def _application(qapp: QApplication) -> QApplication:
    """Every test here has the QApplication: models draw their state icons as rows arrive."""
    return qapp
