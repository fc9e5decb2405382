"""``python -m tcpmonitor_gui``: the desktop program (what the ``tcpmonitor-gui`` script runs)."""

import sys

from .app import main

sys.exit(main())
