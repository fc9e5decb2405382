"""PySide6 no longer reads the source of every module imported after it (start-up, #12)."""

from __future__ import annotations

import linecache
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tcpmonitor_gui.ui.common.pyside_imports import skip_source_scan, uses_pyside


def test_a_module_imported_after_pyside_is_not_read_for_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import PySide6.QtCore  # noqa: F401 - installs PySide's import hook

    feature = sys.modules["shibokensupport.feature"]
    assert skip_source_scan(), "PySide6's feature module moved: start-up reads every source"
    name = "tcpmonitor_scan_probe"
    source = tmp_path / f"{name}.py"
    source.write_text("VALUE = 1  # never read by PySide6\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    linecache.clearcache()
    module = __import__(name)  # the import statement's way: PySide's hook sees it
    assert module.VALUE == 1
    assert feature.pyside_feature_dict[name] == -1  # told it does not use PySide
    assert str(source) not in linecache.cache  # inspect.getsource would have put it there


def test_the_answer_comes_from_the_name() -> None:
    assert uses_pyside(ModuleType("tcpmonitor_gui.ui.main_window"))
    assert uses_pyside(ModuleType("PySide6.QtWidgets"))
    assert not uses_pyside(ModuleType("asyncio.base_events"))
    assert not uses_pyside(ModuleType("json"))
