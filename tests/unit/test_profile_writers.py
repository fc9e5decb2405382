"""profiles.json has many writers (the window, scripts running ``tcpmonitor profiles add``);
no writer may erase another's change."""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import subprocess
import time
from pathlib import Path

import pytest

from tcpmonitor_gui.core.actions import Action
from tcpmonitor_gui.core.actions import parse as parse_actions
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_merge import merge
from tcpmonitor_gui.core.profile_store import ProfileStore
from tests.unit._cli_process import Home, command, tcpmonitor


def p(name: str, port: int = 1, pid: str | None = None) -> Profile:
    return Profile(name=name, host="127.0.0.1", port=port, id=pid or f"id-{name}")


def names(profiles: list[Profile]) -> list[str]:
    return [q.name for q in profiles]


def test_changes_on_each_side_are_both_kept() -> None:
    base = [p("a"), p("b"), p("c")]
    ours = [p("a", 2), p("b"), p("ours")]  # edited a, removed c, added ours
    theirs = [p("a"), p("b", 3), p("c"), p("theirs")]  # edited b, added theirs
    assert merge(base, ours, theirs) == [p("a", 2), p("b", 3), p("theirs"), p("ours")]


def test_an_edit_beats_a_removal_on_the_other_side() -> None:
    base = [p("a"), p("b")]
    assert merge(base, [p("a", 2)], [p("a"), p("b", 9)]) == [p("a", 2), p("b", 9)]
    assert merge(base, [p("a"), p("b", 9)], [p("a")]) == [p("a"), p("b", 9)]


def test_a_name_taken_on_both_sides_stays_loadable() -> None:
    merged = merge([], [p("db", pid="mine")], [p("DB", pid="theirs")])
    assert names(merged) == ["DB", "db (2)"]


def test_a_long_name_taken_on_both_sides_gets_a_number_it_can_save() -> None:
    """The window and a script each added a connection of one 100-character name (as long
    as a name may be): the number made it 104, and every later save of the file failed
    ("not saved: ... too long") until someone renamed it."""
    long = "n" * 100
    merged = merge([], [p(long, pid="mine")], [p(long.upper(), pid="theirs")])
    assert names(merged) == [long.upper(), "n" * 95 + "… (2)"]
    for profile in merged:
        Profile.from_dict(profile.to_dict(), files=False)  # loadable: every save works


@pytest.mark.slow
def test_parallel_adds_and_removes_lose_nothing(tmp_path: Path) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    assert tcpmonitor(home, "profiles", "add", "keep", "127.0.0.1:1").returncode == 0
    for i in range(4):
        assert tcpmonitor(home, "profiles", "add", f"gone-{i}", "127.0.0.1:1").returncode == 0

    def writer(w: int) -> list[int]:
        codes = []
        for i in range(12):
            codes.append(tcpmonitor(home, "profiles", "add", f"w{w}-{i}", "127.0.0.1:1").returncode)
        codes.append(tcpmonitor(home, "profiles", "remove", f"gone-{w}").returncode)
        return codes

    with concurrent.futures.ThreadPoolExecutor(4) as pool:  # four processes at once
        results = list(pool.map(writer, range(4)))
    assert all(code == 0 for codes in results for code in codes), results
    stored = set(names(ProfileStore(home.config).load()))
    expected = {"keep"} | {f"w{w}-{i}" for w in range(4) for i in range(12)}
    assert stored == expected, (expected - stored, stored - expected)


def test_one_profile_changed_on_both_sides_keeps_each_sides_fields() -> None:
    """The window acknowledged a drop while a script added a maintenance window to the same
    profile: the whole profile was taken from the side writing last, and the other's change
    was lost without a word."""
    base = [p("a")]
    ours = [dataclasses.replace(p("a"), acknowledged="2026-12-05T10:00:00+00:00")]
    theirs = [dataclasses.replace(p("a"), group="db", port=5)]
    merged = merge(base, ours, theirs)
    assert merged == [dataclasses.replace(ours[0], group="db", port=5)]
    # A field changed on both sides: ours, the change just made here.
    assert merge(base, [p("a", 7)], [p("a", 5)]) == [p("a", 7)]


@pytest.mark.slow
def test_parallel_edits_of_one_profile_each_keep_their_change(tmp_path: Path) -> None:
    """Ten `profiles maintenance t --add` at once kept 2 of the 10 windows, and ten
    `profiles add same` at once stored "same (2)" ... "same (9)" while each said it added
    "same": a command reads, changes and writes under the file's lock."""
    home = Home(tmp_path / "config", tmp_path / "data")
    assert tcpmonitor(home, "profiles", "add", "t", "127.0.0.1:1").returncode == 0
    windows = [f"daily 0{i}:00-0{i}:30" for i in range(6)]
    adds = [("add", "same", f"127.0.0.1:{2000 + i}") for i in range(6)]
    commands = [("maintenance", "t", "--add", w) for w in windows] + adds
    with concurrent.futures.ThreadPoolExecutor(6) as pool:  # six processes at once
        done = list(pool.map(lambda c: tcpmonitor(home, "profiles", *c), commands))
    assert all(d.returncode == 0 for d in done[: len(windows)]), done
    assert sorted(d.returncode for d in done[len(windows) :]) == [0] + [2] * 5, done
    refused = [d.stderr for d in done[len(windows) :] if d.returncode]
    assert all("'same' is already a stored profile" in e for e in refused), refused
    stored = {q.name: q for q in ProfileStore(home.config).load()}
    assert sorted(stored) == ["same", "t"]
    assert len(stored["t"].maintenance) == len(windows)


def test_a_deleted_file_is_written_again_from_the_profiles_we_have(tmp_path: Path) -> None:
    """The window's next write after `rm profiles.json` read the deletion as every profile
    removed, and wrote an empty file over the profiles it still had."""
    store = ProfileStore(tmp_path)
    store.save([p("a"), p("b")])
    base = store.load()
    store.path.unlink()
    assert names(store.sync([*base, p("c")], base)) == ["a", "b", "c"]
    assert names(store.load()) == ["a", "b", "c"]


@pytest.mark.slow
def test_an_import_waiting_for_its_input_holds_up_no_other_writer(tmp_path: Path) -> None:
    """`profiles import -` read standard input under the folder's lock: while its input was
    slow to come, every other writer waited, then failed ("not saved")."""
    home = Home(tmp_path / "config", tmp_path / "data")
    document = tcpmonitor(home, "profiles", "export", "-").stdout  # no profiles yet
    importing = subprocess.Popen(
        command(home, ("profiles", "import", "-"), True),
        env=home.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reading_stdin(importing.pid), "the import never waited for its input"
        added = tcpmonitor(home, "profiles", "add", "meanwhile", "127.0.0.1:1")
        assert added.returncode == 0, added.stderr
        _, err = importing.communicate(document, timeout=60)
    finally:
        importing.kill()
        importing.wait()
    assert importing.returncode == 0, err
    assert names(ProfileStore(home.config).load()) == ["meanwhile"]


def reading_stdin(pid: int, within_s: float = 20.0) -> bool:
    """Whether process ``pid`` comes to wait in ``read(0, ...)`` (Linux x86-64's syscall 0)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/syscall").read_text().startswith("0 0x0 "):
                return True
        time.sleep(0.02)  # ok-sleep: polling another process's state, with a deadline
    return False


def test_a_list_changed_on_both_sides_keeps_what_each_added_and_removed() -> None:
    """A maintenance window added by `tcpmonitor profiles maintenance` while the window
    added another to the same profile was lost (the field was ours, whole), though the
    command said it was added; so were a detector's settings changed apart."""
    base = dataclasses.replace(p("a"), maintenance=("daily 01:00-02:00", "daily 05:00-06:00"))
    ours = dataclasses.replace(base, maintenance=("daily 01:00-02:00", "Sun 02:00-04:00"))
    theirs = dataclasses.replace(base, maintenance=(*base.maintenance, "Mon 02:00-04:00"))
    ours = dataclasses.replace(ours, detector=dataclasses.replace(ours.detector, timeout_s=1.0))
    theirs = dataclasses.replace(
        theirs, detector=dataclasses.replace(theirs.detector, interval_s=30.0)
    )
    [merged] = merge([base], [ours], [theirs])
    assert merged.maintenance == ("daily 01:00-02:00", "Sun 02:00-04:00", "Mon 02:00-04:00")
    assert (merged.detector.timeout_s, merged.detector.interval_s) == (1.0, 30.0)


def test_lists_that_would_pass_a_limit_together_are_ours() -> None:
    """Ten actions added on each side would be twenty, more than a profile may hold (and a
    file that would not load back is not written): the field is ours then."""

    def actions(tag: str) -> tuple[Action, ...]:
        runs = [{"on": "down", "run": ["/bin/echo", f"{tag}{i}"]} for i in range(10)]
        return parse_actions("actions", runs)

    base = p("a")
    ours = dataclasses.replace(base, actions=actions("ours"))
    theirs = dataclasses.replace(base, actions=actions("theirs"))
    assert merge([base], [ours], [theirs]) == [ours]


def test_a_rename_onto_a_name_they_took_gets_a_number() -> None:
    """Renamed here to "foo" while a terminal added "Foo": the merge gave two profiles of
    one name, the write was refused, and every later write after it."""
    base = [p("x"), p("y")]
    ours = [dataclasses.replace(p("x"), name="foo"), p("y")]
    theirs = [p("x"), p("y"), p("Foo")]
    assert names(merge(base, ours, theirs)) == ["foo (2)", "y", "Foo"]


@pytest.mark.slow
def test_commands_through_two_links_to_one_file_take_turns(tmp_path: Path) -> None:
    """Two config folders whose profiles.json links to one file: the lock was each link's
    folder's, so commands through the two did not take turns, and 8 of 20 changes were
    lost while every command said it made its change."""
    shared = Home(tmp_path / "shared", tmp_path / "data")
    assert tcpmonitor(shared, "profiles", "add", "t", "127.0.0.1:1").returncode == 0
    homes = [Home(tmp_path / f"c{i}", tmp_path / "data") for i in range(2)]
    for home in homes:
        home.config.mkdir()
        (home.config / "profiles.json").symlink_to(shared.config / "profiles.json")
    commands = [(homes[i % 2], f"daily {i:02d}:00-{i:02d}:30") for i in range(12)]

    def add(command: tuple[Home, str]) -> subprocess.CompletedProcess[str]:
        return tcpmonitor(command[0], "profiles", "maintenance", "t", "--add", command[1])

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        done = list(pool.map(add, commands))
    assert all(d.returncode == 0 for d in done), done
    [stored] = ProfileStore(shared.config).load()
    assert len(stored.maintenance) == len(commands)


@pytest.mark.parametrize("what", ["file", "broken-link"])
def test_a_config_folder_that_is_no_folder_is_named(tmp_path: Path, what: str) -> None:
    """`--config-dir` naming a file or a broken link said "not saved: profiles.json: File
    exists", which names neither the folder nor what is wrong with it."""
    config = tmp_path / "config"
    if what == "file":
        config.write_text("")
    else:
        config.symlink_to(tmp_path / "nowhere" / "config")
    added = tcpmonitor(Home(config, tmp_path / "data"), "profiles", "add", "x", "127.0.0.1:1")
    assert added.returncode == 2
    assert added.stderr == (
        f"tcpmonitor: not saved: profiles.json: {config} is not a folder (a file, or a broken"
        " link, is there)\n"
    )
