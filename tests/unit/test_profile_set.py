"""The profile registry: one owner of the profiles, one notification and one write per change."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_set import Change, ChangeKind, ProfileConflict, ProfileSet
from tcpmonitor_gui.core.profile_store import ProfileFileError, ProfileStore, parse_document


def p(name: str, pid: str | None = None, *, enabled: bool = True) -> Profile:
    return Profile(name=name, host="127.0.0.1", port=9000, id=pid or f"id-{name}", enabled=enabled)


class Writes:
    """A ``save`` that records each list it is given; ``gate`` holds the first write."""

    def __init__(self) -> None:
        self.lists: list[list[str]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.fail: Exception | None = None

    def __call__(self, profiles: list[Profile], base: list[Profile]) -> None:
        self.entered.set()
        assert self.gate.wait(5)
        if self.fail is not None:
            raise self.fail
        self.lists.append([q.name for q in profiles])


@pytest.fixture
def io() -> Iterator[concurrent.futures.ThreadPoolExecutor]:
    pool = concurrent.futures.ThreadPoolExecutor(1)
    yield pool
    pool.shutdown(wait=True)


def test_a_change_is_one_notification_and_one_write(
    io: concurrent.futures.ThreadPoolExecutor,
) -> None:
    writes = Writes()
    profiles = ProfileSet([p("a"), p("b"), p("c")], save=writes, executor=io)
    heard: list[Sequence[Change]] = []
    profiles.subscribe(heard.append)
    toggled = [dataclasses.replace(q, enabled=False) for q in profiles]
    profiles.update(toggled)
    profiles.flush().result(5)
    assert len(heard) == 1 and [c.kind for c in heard[0]] == [ChangeKind.CHANGED] * 3
    assert heard[0][0].previous is not None and heard[0][0].previous.enabled
    assert writes.lists == [["a", "b", "c"]]
    assert [q.enabled for q in profiles] == [False, False, False]


def test_changes_made_while_a_write_waits_join_it(
    io: concurrent.futures.ThreadPoolExecutor,
) -> None:
    writes = Writes()
    writes.gate.clear()
    profiles = ProfileSet(save=writes, executor=io)
    profiles.add([p("first")])  # its write starts and is held at the gate
    assert writes.entered.wait(5)
    for name in ("x", "y", "z"):  # these wait for the next write, which takes them all
        profiles.add([p(name)])
    writes.gate.set()
    profiles.flush().result(5)
    assert writes.lists == [["first"], ["first", "x", "y", "z"]]


def test_a_clash_changes_nothing_and_names_the_other_profile(
    io: concurrent.futures.ThreadPoolExecutor,
) -> None:
    writes = Writes()
    profiles = ProfileSet([p("Orders DB")], save=writes, executor=io)
    heard: list[Sequence[Change]] = []
    profiles.subscribe(heard.append)
    with pytest.raises(ProfileConflict, match=r"'orders db'.*'Orders DB'"):
        profiles.add([p("new"), p("orders db", "other-id")])  # all or none
    with pytest.raises(ProfileConflict, match="id 'id-Orders DB'"):
        profiles.add([p("renamed", "id-Orders DB")])
    with pytest.raises(ProfileConflict):
        profiles.add([p("twin", "t1"), p("TWIN", "t2")])  # within one change, too
    with pytest.raises(KeyError):
        profiles.update([p("nobody")])
    assert [q.name for q in profiles] == ["Orders DB"] and heard == []
    assert profiles.flush().result(5) is None and writes.lists == []


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("caf\u00e9", "cafe\u0301"),  # "é" as one character, and as "e" and an accent
        ("zz", "z\u200bz"),  # a zero-width space between
        ("db", "\ufeffDB\u00ad"),  # a BOM before, a soft hyphen after
    ],
    ids=["accent", "zero-width-space", "bom-and-soft-hyphen"],
)
def test_names_that_look_the_same_are_the_same_name(stored: str, typed: str) -> None:
    """Two profiles whose names look the same were stored as two, told apart by nobody
    reading a list or a notice."""
    profiles = ProfileSet([p(stored)])
    assert profiles.find(typed) is not None
    with pytest.raises(ProfileConflict):
        profiles.add([p(typed, "other-id")])
    with pytest.raises(ProfileFileError, match="names must differ"):
        parse_document(
            {"version": 1, "profiles": [p(stored, "a").to_dict(), p(typed, "b").to_dict()]}, "f"
        )


def test_two_profiles_may_swap_names_in_one_change() -> None:
    profiles = ProfileSet([p("left", "1"), p("right", "2")])
    profiles.update([p("right", "1"), p("left", "2")])
    assert [(q.id, q.name) for q in profiles] == [("1", "right"), ("2", "left")]
    assert profiles.find("LEFT") == p("left", "2")


def test_transient_profiles_are_shown_but_never_written(
    io: concurrent.futures.ThreadPoolExecutor,
) -> None:
    writes = Writes()
    profiles = ProfileSet([p("mine")], save=writes, executor=io)
    profiles.add([p("demo echo"), p("demo redis")], transient=True)
    profiles.update([p("demo echo", enabled=False)])
    profiles.remove(["id-demo redis"])
    profiles.flush().result(5)
    assert writes.lists == []  # nothing the user owns changed
    assert [q.name for q in profiles] == ["mine", "demo echo"]
    assert profiles.saved() == [p("mine")]
    profiles.add([p("another")])
    profiles.flush().result(5)
    assert writes.lists == [["mine", "another"]]


def test_a_failed_write_is_told_and_the_next_change_tries_again(
    io: concurrent.futures.ThreadPoolExecutor,
) -> None:
    writes = Writes()
    writes.fail = OSError("No space left on device")
    profiles = ProfileSet(save=writes, executor=io)
    told: list[Exception | None] = []
    profiles.watch_saves(told.append)
    profiles.add([p("a")])
    with pytest.raises(OSError, match="No space"):
        profiles.flush().result(5)
    writes.fail = None
    profiles.add([p("b")])
    profiles.flush().result(5)
    assert [type(e).__name__ if e else None for e in told] == ["OSError", None]
    assert writes.lists == [["a", "b"]]


def test_a_broken_listener_does_not_keep_the_news_from_the_others() -> None:
    profiles = ProfileSet()
    heard: list[int] = []

    def broken(changes: Sequence[Change]) -> None:
        raise RuntimeError("bug")

    profiles.subscribe(broken)
    profiles.subscribe(lambda changes: heard.append(len(changes)))
    profiles.add([p("a")])
    assert heard == [1]


def test_a_large_registry_is_changed_in_one_write_and_found_by_name(tmp_path: Path) -> None:
    many = [p(f"service-{i:04}") for i in range(5000)]
    profiles = ProfileSet(many, save=ProfileStore(tmp_path).sync)
    profiles.update(dataclasses.replace(q, enabled=False) for q in many)
    assert ProfileStore(tmp_path).load()[4999].enabled is False
    assert profiles.find("SERVICE-4999") is not None
