"""Several programs starting at once on an empty data dir (``tcpmonitor run`` started four
times by a script, a service and the window at login) all create the event log together."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from tests.unit._at_once import open_each

PROCESSES = 6
ROUNDS = 40


def test_programs_creating_the_event_log_together_all_open_it(tmp_path: Path) -> None:
    """One in thirty starts of four ``run``s on an empty data dir ended one of them with "holds
    another program's tables, not an event log": it read the schema version (none yet) as
    another created the log, and then that log's tables, as two looks at two files."""
    spawn = multiprocessing.get_context("spawn")
    gate = spawn.Barrier(PROCESSES)
    said = spawn.Queue()
    paths = [str(tmp_path / f"data{n}" / "events.sqlite3") for n in range(ROUNDS)]
    workers = [spawn.Process(target=open_each, args=(paths, gate, said)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    problems: list[str] = []
    ended = 0
    while ended < PROCESSES:
        line = said.get(timeout=120)
        if line is None:
            ended += 1
        else:
            problems.append(line)
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert not problems, problems
