"""The bundle's entry point: the same ``main`` as the ``tcpmonitor-gui`` script."""

import sys

from tcpmonitor_gui.app import main

if __name__ == "__main__":
    sys.exit(main())
