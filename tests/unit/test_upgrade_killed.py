"""A program killed (SIGKILL, a power cut) while it kept a copy of an older event log before
bringing it up to date: the copy it was writing, ``.events.sqlite3.schema-N.bak.<pid>``, is
whole or not at all, and it was left there for good, as large as the log."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tcpmonitor_gui.core.eventdb import SCHEMA_VERSION
from tcpmonitor_gui.core.eventlog import EventLog
from tests.unit.test_older_eventlog import NOW, older_log, schema_of

#: A log this large takes the copy a while (0.1 s per 40 MB here): long enough to be seen.
ROWS = 60_000
DEADLINE_S = 30.0
START = "import sys; from pathlib import Path; from tcpmonitor_gui.core.eventlog import EventLog;"
START += " EventLog(Path(sys.argv[1])).start().close()"


def _partials(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".bak." in p.name)


def test_a_copy_left_half_made_by_a_killed_program_is_removed_at_the_next_start(
    tmp_path: Path,
) -> None:
    path = older_log(tmp_path / "data" / "events.sqlite3", 3)
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO events (ts, profile_id, profile_name, state, detector, detail)"
            " VALUES (?, 'db', 'Orders DB', 'up', 'probe', ?)",
            ((NOW.timestamp() - 90_000 + i, "x" * 1000) for i in range(ROWS)),
        )
    conn.close()
    upgrading = subprocess.Popen([sys.executable, "-c", START, str(path)])
    partial = path.with_name(f".events.sqlite3.schema-3.bak.{upgrading.pid}")
    try:
        deadline = time.monotonic() + DEADLINE_S
        while not (partial.exists() and partial.stat().st_size > 0):  # the copy under way
            assert upgrading.poll() is None, "the copy was made before it could be seen"
            assert time.monotonic() < deadline, "no copy was begun"
            time.sleep(0.001)  # ok-sleep: a file's appearance has no wake-up to wait on
        os.kill(upgrading.pid, signal.SIGKILL)
    finally:
        upgrading.kill()
        upgrading.wait(DEADLINE_S)
    assert partial.exists() and schema_of(path)[0] == 3  # killed in the middle of the copy
    # Another program's copy under way is left to it, whatever this one finds.
    alive = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)  # fmt: skip
    try:
        theirs = path.with_name(f".events.sqlite3.schema-3.bak.{alive.pid}")
        theirs.write_bytes(b"being copied")
        EventLog(path).start().close()
        assert schema_of(path)[0] == SCHEMA_VERSION
        assert schema_of(path.with_name("events.sqlite3.schema-3.bak"))[0] == 3
        assert _partials(path.parent) == [theirs]
        assert theirs.read_bytes() == b"being copied"
    finally:
        alive.communicate(b"")
