"""Every install speaks every language: a wheel built from a clean copy, through an sdist as a
packager would, with no ``make`` step, carries the compiled catalogue, and the program installed
from it shows the Chinese window under ``LANG=zh_CN.UTF-8``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tcpmonitor_gui import assets

REPO = Path(__file__).resolve().parents[2]

#: Builds the main window as ``app.main()`` does and says what it shows (run with the wheel's
#: files first on ``sys.path``, from an empty directory).
SHOW_MENUS = r"""
import json, sys, tempfile
from pathlib import Path
from PySide6.QtWidgets import QApplication
import tcpmonitor_gui
from tcpmonitor_gui import assets
from tcpmonitor_gui.composition import compose
from tcpmonitor_gui.core.session import Session
from tcpmonitor_gui.ui.common.i18n import install_translators

app = QApplication(sys.argv[:1])
home = Path(tempfile.mkdtemp())
session = Session(home / "config", home / "data", strict=False)
translators = install_translators(app, session.settings.language)  # "system": LANG
window = compose(session).window
print(json.dumps({
    "package": tcpmonitor_gui.__file__,
    "resources": str(assets.resources_root()),
    "menus": [a.text() for a in window.menuBar().actions()],
}))
window.shutdown()
session.close()
"""


def run(args: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=300, check=False, **kwargs
    )  # type: ignore[call-overload]
    assert done.returncode == 0, done.stdout + done.stderr
    return done  # type: ignore[no-any-return]


def clean_copy(target: Path) -> Path:
    """The files git knows (tracked, or new and not ignored): what a fresh clone holds, so no
    compiled catalogue, no virtualenv, no build folder."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs a git checkout to take a clean copy from")
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO)
    for name in filter(None, listed.stdout.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    assert not list(target.rglob("*.qm")), "a clean copy has no compiled catalogue"
    return target


@pytest.mark.slow
def test_a_wheel_from_a_clean_copy_speaks_chinese(tmp_path: Path) -> None:
    source = clean_copy(tmp_path / "checkout")
    dist = tmp_path / "dist"
    sdist_name = run(
        [sys.executable, "-c",
         "import sys; sys.path.insert(0, 'packaging/pep517'); import backend; "
         "print(backend.build_sdist(sys.argv[1]))", str(dist)],
        source,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    with tarfile.open(dist / sdist_name) as sdist:
        in_sdist = {name.partition("/")[2] for name in sdist.getnames()}
    assert {"setup.py", "packaging/pep517/backend.py", "resources/i18n/tcpmonitor_zh_CN.ts",
            f"resources/{assets.DESKTOP_ENTRY_TEMPLATE}"} <= in_sdist  # fmt: skip
    assert not any(name.endswith(".qm") for name in in_sdist)

    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(dist / sdist_name)], tmp_path)  # fmt: skip
    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packaged = "tcpmonitor_gui/resources/"
    expected = {packaged + "i18n/tcpmonitor_zh_CN.qm", packaged + assets.APP_ICON_SVG,
                packaged + assets.STATE_TEMPLATE_SVG, packaged + assets.METAINFO_TEMPLATE,
                packaged + assets.DESKTOP_ENTRY_TEMPLATE}  # fmt: skip
    expected |= {packaged + f"icons/hicolor/{n}x{n}.png" for n in assets.APP_ICON_SIZES}
    assert expected <= names, sorted(expected - names)
    assert not [n for n in names if n.endswith((".ts", ".ico", ".icns"))]

    installed = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(installed)
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANGUAGE"))}
    env.update(LANG="zh_CN.UTF-8", PYTHONPATH=str(installed), QT_QPA_PLATFORM="offscreen")
    shown = json.loads(run([sys.executable, "-c", SHOW_MENUS], empty, env=env).stdout)
    assert Path(shown["package"]).is_relative_to(installed), shown
    assert Path(shown["resources"]) == installed / "tcpmonitor_gui" / "resources"
    assert shown["menus"][0] == "文件(&F)", shown["menus"]
