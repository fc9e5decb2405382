"""Write ``packaging/linux/``'s desktop entry and metainfo from the code that installs them.

    .venv/bin/python tools/linux_files.py

Distribution packagers take these files; ``tcpmonitor-gui --install-desktop-entry`` writes
the same text (with the absolute launcher path). A test fails when they differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tcpmonitor_gui.integration import xdg

TARGET = Path(__file__).resolve().parent.parent / "packaging" / "linux"


def expected() -> dict[Path, str]:
    return {
        TARGET / xdg.DESKTOP_FILE: xdg.desktop_entry(),
        TARGET / xdg.METAINFO_FILE: xdg.metainfo(),
    }


def main() -> int:
    for path, text in expected().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
