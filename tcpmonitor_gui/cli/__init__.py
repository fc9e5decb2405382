"""The ``tcpmonitor`` command: headless, scriptable, and never imports a widget.

Contract (DESIGN.md): exit 0 on success, 1 when the checked thing failed, 2 on bad usage or
bad input, with one line on stderr naming the field and the value, and nothing written.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
