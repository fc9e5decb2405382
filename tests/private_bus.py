"""A private ``dbus-daemon`` for one test: a system or session bus nobody else uses, on which
a test's stand-in (logind, a notification service) owns the well-known name."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>{kind}</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""


@contextlib.contextmanager
def private_bus(directory: Path, kind: str = "system") -> Iterator[str]:
    """Run a ``dbus-daemon`` of ``kind`` ("system" or "session") in ``directory``; yields
    its address. Skipped where dbus-daemon is missing, failed where CI must have it."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:  # a peer like redis-server: CI installs it, and there it must be
        if os.environ.get("TCPMONITOR_REQUIRE_PEERS") == "1":
            pytest.fail("dbus-daemon is not installed (TCPMONITOR_REQUIRE_PEERS=1)")
        pytest.skip("dbus-daemon is not installed")
    config = directory / f"{kind}-bus.conf"
    config.write_text(BUS_CONFIG.format(kind=kind, socket=directory / f"{kind}_bus_socket"))
    proc = subprocess.Popen(
        [daemon, f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
