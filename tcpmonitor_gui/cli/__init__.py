"""The ``tcpmonitor`` command: headless, scriptable, and never imports a widget.

Contract (DESIGN.md): exit 0 on success, 1 when the checked thing failed, 2 on bad usage or
bad input, with one line on stderr naming the field and the value, and nothing written;
130 when Ctrl-C ended it, and 141 when ``run`` ended because the reader of its output went.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point (the ``tcpmonitor`` script). A SIGHUP is held before anything else
    is imported (``hangup.py``); the command's own ``main`` comes after."""
    from .hangup import hold  # noqa: PLC0415 - first, before the 0.3 s of imports

    hold(sys.argv[1:] if argv is None else argv)
    from ..core.zone import unusable_zone  # noqa: PLC0415

    if (why := unusable_zone()) is not None:  # bad input: one line, exit 2
        print(f"tcpmonitor: {why}", file=sys.stderr, flush=True)
        return 2
    from .main import main as command  # noqa: PLC0415 - (the package's ``main`` is then
    # that module, as ``tcpmonitor_gui.cli.main`` names it; the script holds this function)

    return command(argv)


__all__ = ["main"]
