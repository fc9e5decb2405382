"""Run by dunst for each notification it shows: ``record_notification.py LOG``.

dunst passes the notification in ``DUNST_*`` variables; this appends them to LOG as one JSON
line, with ``received`` set to this moment on the system's monotonic clock (the same clock as
``time.monotonic()`` in the test process). ``dunstctl history`` cannot replace this: it lists
only notifications that were closed or expired, not the ones on screen.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> int:
    record: dict[str, object] = {
        key.removeprefix("DUNST_").lower(): value
        for key, value in os.environ.items()
        if key.startswith("DUNST_")
    }
    record["received"] = time.monotonic()
    line = (json.dumps(record) + "\n").encode()
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)  # one write: concurrent runs never interleave within a line
    finally:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
