"""Saves two different profile lists alternately, as fast as it can, until it is killed.

Used by ``test_profile_store.py``'s crash test: after each save it prints the number of saves
done so far on stdout (flushed), so the test can kill it at a known point without sleeping.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore


def two_lists() -> tuple[list[Profile], list[Profile]]:
    """Two valid lists of different sizes (and so of different file lengths)."""

    def make(i: int, prefix: str) -> Profile:
        return Profile.from_dict(
            {
                "id": f"{prefix}-{i}",
                "name": f"{prefix} server {i}",
                "host": f"host{i}.example",
                "port": 1000 + i,
                "notes": prefix * (50 * i),
                "detector": {"kind": ("probe", "heartbeat", "watch")[i % 3]},
            }
        )

    return [make(i, "a") for i in range(3)], [make(i, "b") for i in range(17)]


def main() -> None:
    store = ProfileStore(Path(sys.argv[1]))
    lists = two_lists()
    print("ready", flush=True)
    n = 0
    while True:
        store.save(lists[n % 2])
        n += 1
        print(n, flush=True)


if __name__ == "__main__":
    main()
