"""The wheel's one build step beyond setuptools' own: ``resources/`` goes in.

The sources of what ships (icons, the Linux desktop entry and metainfo templates, translations)
live in ``resources/`` at the top of the repository. Building a wheel copies them into the
package as ``tcpmonitor_gui/resources/``, compiling each translation (``.ts``) into the
``.qm`` that Qt loads, with Qt's own ``lrelease`` from PySide6 (which ``packaging/pep517``'s
backend asks for when, and only when, a wheel is built). So ``pip install .``, ``pipx install
.`` or ``python -m build`` from a clean checkout give the Chinese window with no ``make`` step.

A source checkout runs from ``resources/`` itself (``tcpmonitor_gui/assets.py``), where ``make``
compiles the translations; an editable install does not run this step.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
RESOURCES = ROOT / "resources"
#: Copied as they are (the .ico and .icns are for the bundles of Windows and macOS only).
SHIPPED = ("icons", "linux")
NOT_SHIPPED = ("*.ico", "*.icns", "README.md")


def lrelease() -> Path:
    try:
        import PySide6  # noqa: PLC0415 - only where a wheel is built
    except ImportError:
        sys.exit("building the wheel needs PySide6 (its lrelease compiles the translations)")
    base = Path(PySide6.__file__).resolve().parent
    for name in ("lrelease", "lrelease.exe"):
        if (base / name).is_file():
            return base / name
    sys.exit(f"no lrelease in {base}: the translations cannot be compiled")


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "tcpmonitor_gui" / "resources"
        for folder in SHIPPED:
            shutil.copytree(
                RESOURCES / folder,
                target / folder,
                ignore=shutil.ignore_patterns(*NOT_SHIPPED),
                dirs_exist_ok=True,
            )
        (target / "i18n").mkdir(parents=True, exist_ok=True)
        for ts in sorted((RESOURCES / "i18n").glob("*.ts")):
            qm = target / "i18n" / ts.with_suffix(".qm").name
            command = [str(lrelease()), "-silent", str(ts), "-qm", str(qm)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0 or not qm.is_file():
                sys.exit(f"{ts.name} did not compile: {done.stdout}{done.stderr}")


setup(cmdclass={"build_py": BuildWithResources})
