"""``run`` follows its profiles file (``cli.follow``) without holding the monitors' loop."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from tcpmonitor_gui.cli.follow import Follower
from tcpmonitor_gui.core.profile import Profile
from tests.helpers import make_profile
from tests.unit._cli_process import DEADLINE_S


async def test_reading_the_profiles_again_leaves_the_loop_free_for_the_monitors(
    tmp_path: Path,
) -> None:
    """The profiles were read again on the loop that runs every monitor: 5,000 of them held
    it 0.37 s at each change of the file (a FIN read that late is timed from when it was
    read), and a file on a network mount that hung held it, and every monitor, for as
    long. The loop now runs on while the file is read: here the read waits for the loop to
    run a callback, and it ran none before (the read gave up at its deadline)."""
    path = tmp_path / "profiles.json"
    path.write_text("{}")
    wanted = [make_profile("127.0.0.1", 1, name="new")]
    loop_ran = threading.Event()
    ran_during_read: list[bool] = []

    def load() -> list[Profile]:  # a read that lasts as long as the loop stays still
        ran_during_read.append(loop_ran.wait(DEADLINE_S))
        return wanted

    applied: list[list[Profile]] = []

    async def apply(profiles: list[Profile]) -> str:
        applied.append(profiles)
        return "1 added, 0 changed, 0 removed"

    follower = Follower(path, load, apply)
    reading = asyncio.create_task(follower.reload("SIGHUP"))
    asyncio.get_running_loop().call_soon(loop_ran.set)  # a monitor's turn, after the read's
    try:
        await asyncio.wait_for(reading, 2 * DEADLINE_S)
    finally:
        follower.close()
    assert ran_during_read == [True]
    assert applied == [wanted]
