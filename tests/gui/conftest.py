"""Widget tests run on Qt's offscreen platform: no display needed."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from tcpmonitor_gui.ui.common.gc_thread import GuiThreadCollector
from tests.gui.chinese import chinese  # noqa: F401 - the fixture, for every test here


@pytest.fixture(scope="session")
def _collector(qapp: QApplication) -> Iterator[GuiThreadCollector]:
    """As in the program: cycles are collected in the GUI thread only, never in an engine
    worker's, where a widget freed with its cycle would be destroyed off its thread."""
    collector = GuiThreadCollector(qapp)
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def _application(qapp: QApplication, _collector: GuiThreadCollector) -> Iterator[QApplication]:
    """Every test here has the QApplication: models draw their state icons as rows arrive."""
    yield qapp
    _collector.check()  # what a test left in cycles, freed here when it is due
