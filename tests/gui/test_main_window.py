"""The main window wired to a real engine, real files and real servers on loopback."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import gc
import itertools
import json
import os
import re
import socket
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import Cause, Kind, State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_set import Change
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.core.session import Problem, ProblemKind
from tcpmonitor_gui.core.settings import SettingsFileError, SettingsStore
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer
from tcpmonitor_gui.ui.common.screen import FRAME_ROOM, screen_size
from tcpmonitor_gui.ui.log.model import Role as LogRole
from tcpmonitor_gui.ui.log_opening import monitor_once_logged
from tcpmonitor_gui.ui.main_window import MainWindow
from tcpmonitor_gui.ui.notify.notice import Notice
from tcpmonitor_gui.ui.profiles.actions import IMPORT_PER_TURN
from tcpmonitor_gui.ui.profiles.tested import summary_text
from tcpmonitor_gui.ui.status.model import Column, Role
from tests.gui.windows import Opened, open_window
from tests.helpers import fill, make_profile
from tests.unit._cli_process import Home, tcpmonitor


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "config", tmp_path / "data"


@pytest.fixture
def opened(qtbot: QtBot, dirs: tuple[Path, Path]) -> Iterator[Opened]:
    o = open_window(qtbot, *dirs)
    yield o
    o.close()


@pytest.fixture
def window(opened: Opened) -> MainWindow:
    return opened.window


def state_of(window: MainWindow, profile_id: str) -> State | None:
    row = window.model.row_of(profile_id)
    if row is None:
        return None
    return State(window.model.index(row, 0).data(Role.STATE))


def stored(dirs: tuple[Path, Path]) -> list[Profile]:
    return ProfileStore(dirs[0]).load()


def test_an_added_connection_is_saved_shown_and_monitored(
    qtbot: QtBot, window: MainWindow, dirs: tuple[Path, Path], echo_server: LineEchoServer
) -> None:
    profile = make_profile(*echo_server.address, "heartbeat", interval_s=0.2)
    window.profiles.apply(profile, new=True)
    qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)
    qtbot.waitUntil(lambda: [p.id for p in stored(dirs)] == [profile.id], timeout=5000)
    qtbot.waitUntil(lambda: "1 up" in window.counts_label.text(), timeout=2000)
    assert window.windowTitle() == "TCP Monitor"


def test_a_month_of_notices_is_not_kept_for_ever(window: MainWindow) -> None:
    """Every notice told was kept in the window for as long as it ran: a link that flaps
    every minute tells about 1,400 a day, and the window grew by each one for weeks."""

    def tell(count: int) -> None:
        for i in range(count):
            title = f"Connection down: flap {i}"
            body = f"flap {i} is down: reset — connection reset by peer " + "x" * 200
            window.policy.notification.emit(Notice(title, body, True, (f"id-{i}",)))

    def alive() -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, Notice))

    tell(500)
    after_500 = alive()
    tell(500)
    assert alive() <= after_500  # was 500 more
    assert window.notices[-1].title == "Connection down: flap 499"  # the newest still there


def test_a_drop_turns_the_row_down_logs_it_and_tells_the_user(
    qtbot: QtBot, window: MainWindow, proxy: FaultProxy
) -> None:
    profile = make_profile(*proxy.address, "watch")
    window.profiles.apply(profile, new=True)
    qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)
    proxy.set_mode("reset")
    qtbot.waitUntil(lambda: state_of(window, profile.id) is State.DOWN, timeout=2000)
    qtbot.waitUntil(lambda: bool(window.notices), timeout=3000)
    assert "reset" in window.notices[-1].body
    assert window.banner.isVisible()  # no tray and no qasync loop here: the banner
    # Up, then down (the log takes its lines a moment after the first notice, told at once).
    qtbot.waitUntil(lambda: window.log_pane.model.rowCount() >= 2, timeout=2000)
    assert window.tray.tooltip().startswith("TCP Monitor")


def test_a_stalled_peer_gives_one_drop_notice_and_no_false_recoveries(
    qtbot: QtBot, window: MainWindow, proxy: FaultProxy
) -> None:
    profile = make_profile(*proxy.address, "heartbeat", interval_s=0.2, timeout_s=0.3,
                           max_backoff_s=1)  # fmt: skip
    window.profiles.apply(profile, new=True)
    qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)
    proxy.set_mode("blackhole")  # accepts every reconnect, never answers
    qtbot.waitUntil(lambda: bool(window.notices), timeout=5000)
    failed = [0]
    window.engine.eventsReady.connect(
        lambda batch: failed.__setitem__(0, failed[0] + sum(e.cause is not None for e in batch
                                                            if e.kind is Kind.SAMPLE))
    )  # fmt: skip
    qtbot.waitUntil(lambda: failed[0] >= 5, timeout=20000)  # five reconnects, five chances
    window.policy.flush()
    assert [n.title for n in window.notices] == [f"Connection down: {profile.name}"]
    assert state_of(window, profile.id) is State.DOWN


def test_the_cause_shown_is_the_drops_and_a_different_retry_cause_is_shown_beside_it(
    qtbot: QtBot, window: MainWindow, proxy: FaultProxy
) -> None:
    profile = make_profile(*proxy.address, "watch", interval_s=0.2, max_backoff_s=1)
    window.profiles.apply(profile, new=True)
    qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)
    proxy.set_mode("close")  # a FIN on the held connection...
    qtbot.waitUntil(lambda: state_of(window, profile.id) is State.DOWN, timeout=5000)
    proxy.set_mode("refuse")  # ...then every reconnect is refused

    def cells() -> tuple[str, str]:
        row = window.model.row_of(profile.id)
        assert row is not None
        return (
            window.model.index(row, Column.CAUSE).data(),
            window.model.index(row, Column.DETAIL).data(),
        )

    qtbot.waitUntil(lambda: cells()[0] == "closed by peer; now refused", timeout=5000)
    assert re.fullmatch(r"peer closed the connection \(FIN\) after \d+\.\d s", cells()[1])
    proxy.set_mode("pass")
    qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)
    assert cells()[0] == "closed by peer"  # the last drop's cause, muted now


def test_pausing_a_selected_connection_is_remembered(
    qtbot: QtBot, window: MainWindow, dirs: tuple[Path, Path], echo_server: LineEchoServer
) -> None:
    profile = make_profile(*echo_server.address, "watch")
    window.profiles.apply(profile, new=True)
    qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)
    window.table.select_ids([profile.id])
    window.commands["toggle"].trigger()
    qtbot.waitUntil(lambda: state_of(window, profile.id) is State.PAUSED, timeout=5000)
    qtbot.waitUntil(lambda: [p.enabled for p in stored(dirs)] == [False], timeout=5000)
    window.commands["toggle"].trigger()
    qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)


def test_start_pause_on_rows_some_paused_pauses_them_all_then_starts_them_all(
    qtbot: QtBot, window: MainWindow, dirs: tuple[Path, Path], echo_server: LineEchoServer
) -> None:
    """Every row selected, one of them paused, and "Start/Pause selected" to pause them: it
    started the paused one while it paused the others, never all alike, however often
    pressed. With any running it pauses them all; all paused, it starts them all."""
    running = [make_profile(*echo_server.address, "watch", name=f"run {i}") for i in range(2)]
    paused = dataclasses.replace(make_profile(*echo_server.address, "watch"), enabled=False)
    window.profiles.profiles.add([*running, paused])
    everyone = (*running, paused)

    def all_in(state: State, profiles: Iterable[Profile]) -> bool:
        return all(state_of(window, p.id) is state for p in profiles)

    qtbot.waitUntil(lambda: all_in(State.UP, running), timeout=5000)
    window.table.select_ids([p.id for p in everyone])
    window.commands["toggle"].trigger()
    qtbot.waitUntil(lambda: [p.enabled for p in stored(dirs)] == [False] * 3, timeout=5000)
    qtbot.waitUntil(lambda: all_in(State.PAUSED, everyone), timeout=5000)
    window.commands["toggle"].trigger()
    qtbot.waitUntil(lambda: [p.enabled for p in stored(dirs)] == [True] * 3, timeout=5000)
    qtbot.waitUntil(lambda: all_in(State.UP, everyone), timeout=5000)


def test_pause_all_and_resume_all_restore_each_connection_as_it_was(
    qtbot: QtBot, window: MainWindow, dirs: tuple[Path, Path], echo_server: LineEchoServer
) -> None:
    mine = make_profile(*echo_server.address, "watch", name="mine")
    theirs = make_profile(*echo_server.address, "watch", name="paused by hand")
    window.profiles.apply(mine, new=True)
    window.profiles.apply(theirs, new=True)
    qtbot.waitUntil(lambda: state_of(window, theirs.id) is State.UP, timeout=5000)
    window.table.select_ids([theirs.id])
    window.commands["toggle"].trigger()  # paused one by one: saved as disabled
    qtbot.waitUntil(lambda: state_of(window, theirs.id) is State.PAUSED, timeout=5000)
    for _ in range(2):
        window.commands["pause_all"].trigger()
        qtbot.waitUntil(lambda: state_of(window, mine.id) is State.PAUSED, timeout=5000)
        window.commands["pause_all"].trigger()  # now "Resume all"
        qtbot.waitUntil(lambda: state_of(window, mine.id) is State.UP, timeout=5000)
        assert state_of(window, theirs.id) is State.PAUSED
    assert [p.enabled for p in stored(dirs)] == [True, False]
    window.session.eventlog.flush()  # type: ignore[union-attr]
    paused = [e for e in window.session.eventlog.events() if e.state is State.PAUSED]  # type: ignore[union-attr]
    assert {e.detail for e in paused} == {"paused"}  # one wording, whoever paused
    assert {e.profile_name for e in paused} == {"mine", "paused by hand"}


def test_removing_keeps_history_and_forgets_the_profile(
    qtbot: QtBot, window: MainWindow, dirs: tuple[Path, Path], echo_server: LineEchoServer
) -> None:
    profile = make_profile(*echo_server.address, "watch")
    window.profiles.apply(profile, new=True)
    qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)
    window.profiles.remove([profile.id])
    assert window.model.rowCount() == 0
    assert window.table.empty_panel.isVisible()
    qtbot.waitUntil(lambda: stored(dirs) == [], timeout=5000)
    assert echo_server.wait_for_idle(timeout=5)
    eventlog = window.session.eventlog
    assert eventlog is not None and eventlog.flush()
    assert eventlog.events(profile=profile.id)


def test_a_connection_removed_while_down_ends_its_outage_in_the_history(
    qtbot: QtBot, window: MainWindow, dirs: tuple[Path, Path], proxy: FaultProxy
) -> None:
    """Removed while its drop lasted, a connection's outage stayed "ongoing" in the stored
    history for as long as the window ran (``tcpmonitor outages``, the report: its duration
    growing, a connection nobody watched), though ``tcpmonitor run`` ends it on a removal.
    The window says it stopped watching it, as at quit: "monitoring stopped"."""
    proxy.set_mode("refuse")
    profile = make_profile(*proxy.address, "watch", name="gone", interval_s=0.2)
    window.profiles.apply(profile, new=True)
    qtbot.waitUntil(lambda: state_of(window, profile.id) is State.DOWN, timeout=5000)
    window.profiles.remove([profile.id])
    home = Home(*dirs)

    def listed() -> list[dict[str, object]]:
        done = tcpmonitor(home, "outages", "--json")
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]

    qtbot.waitUntil(
        lambda: [o["ended_by"] for o in listed()] == ["monitoring stopped"], timeout=10_000
    )


def test_import_adds_new_profiles_and_skips_present_ones(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, echo_server: LineEchoServer
) -> None:
    first = make_profile(*echo_server.address, "watch", name="first")
    window.profiles.apply(first, new=True)
    second = make_profile(*echo_server.address, "watch", name="second")
    path = tmp_path / "import.json"
    path.write_text(json.dumps({"version": 1, "profiles": [first.to_dict(), second.to_dict()]}))
    assert len(window.profiles.import_file(path).result(5)) == 2
    qtbot.waitUntil(lambda: state_of(window, second.id) is State.UP, timeout=5000)
    qtbot.waitUntil(lambda: "1 skipped" in window.statusBar().currentMessage(), timeout=2000)
    out = tmp_path / "export.json"
    assert window.profiles.export_file(out).result(5) == 2
    assert {p["name"] for p in json.loads(out.read_text())["profiles"]} == {"first", "second"}


def test_an_imported_files_actions_are_shown_and_taken_only_when_the_user_says(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """A file from someone else whose profiles had commands ran them here at the first
    change: the import took them without a word. The user is shown them and chooses."""
    ran = tmp_path / "ran"
    command = ["/bin/sh", "-c", f"touch {ran}"]

    def imported(name: str, answer: str) -> QMessageBox:
        profile = {"name": name, "host": "127.0.0.1", "port": 1, "enabled": False,
                   "actions": [{"on": "change", "run": command}]}  # fmt: skip
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"version": 1, "profiles": [profile]}))
        window.profiles.import_file(path).result(5)
        qtbot.waitUntil(lambda: bool(window.findChildren(QMessageBox)), timeout=5000)
        [box] = window.findChildren(QMessageBox)
        assert f"{name} — change: /bin/sh -c touch {ran}" in box.text()
        [button] = [b for b in box.buttons() if b.text() == answer]
        button.click()
        qtbot.waitUntil(lambda: not window.findChildren(QMessageBox), timeout=5000)
        return box  # answered: what it adds, it adds then

    imported("left", "Import without actions")
    qtbot.waitUntil(lambda: window.registry.profiles.find("left") is not None, timeout=5000)
    assert window.registry.profiles.find("left").actions == ()  # type: ignore[union-attr]
    imported("taken", "Import with actions")
    qtbot.waitUntil(lambda: window.registry.profiles.find("taken") is not None, timeout=5000)
    taken = window.registry.profiles.find("taken")
    assert taken is not None and [a.run for a in taken.actions] == [tuple(command)]
    imported("cancelled", "Cancel")
    assert window.registry.profiles.find("cancelled") is None
    assert not ran.exists()


def test_importing_thousands_of_profiles_keeps_the_window_responsive(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file of 5,000 profiles (hostile or not: 16 MB holds far more) was added in one go:
    the GUI thread was gone for 2.5-4.7 s, 23 s for 20,000. It is added in pieces now, each
    in a turn of the event loop of its own, so the window answers between them (the pieces
    are counted, not the time: a timed bound failed on a loaded 2-core machine)."""
    count = 5000
    profiles = [make_profile("127.0.0.1", 1 + i, "probe", name=f"n{i}", enabled=False)
                for i in range(count)]  # fmt: skip
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"version": 1, "profiles": [p.to_dict() for p in profiles]}))
    turns = [0]
    timer = QTimer()
    timer.timeout.connect(lambda: turns.__setitem__(0, turns[0] + 1))
    timer.start(0)  # once per turn of the event loop
    pieces: list[tuple[int, int]] = []  # (profiles added, turns so far)
    registry = window.registry.profiles
    add = registry.add

    def counted(added: Iterable[Profile], **options: bool) -> list[Change]:
        piece = list(added)
        pieces.append((len(piece), turns[0]))
        return add(piece, **options)

    monkeypatch.setattr(registry, "add", counted)
    window.profiles.import_file(path)
    qtbot.waitUntil(lambda: "Imported 5000" in window.statusBar().currentMessage(), timeout=60000)
    timer.stop()
    assert len(window.registry.profiles) == count
    assert window.model.rowCount() == count
    assert max(n for n, _ in pieces) <= IMPORT_PER_TURN, [n for n, _ in pieces][:5]
    between = [b - a for (_, a), (_, b) in itertools.pairwise(pieces)]
    assert min(between) >= 1, "two pieces were added in one turn of the event loop"


def test_no_export_from_the_window_goes_over_the_programs_own_files(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, dirs: tuple[Path, Path]
) -> None:
    """The report, the profiles and the log's CSV: a file of the config or the data dir, by
    any name (here ``..`` and a symlink), is refused and left as it was."""
    window.profiles.apply(make_profile("127.0.0.1", 9, "watch", name="db"), new=True)
    profiles_json = dirs[0] / "profiles.json"
    qtbot.waitUntil(profiles_json.exists, timeout=5000)
    (tmp_path / "link.csv").symlink_to(dirs[1] / "events.sqlite3")
    kept = {p: p.read_bytes() for p in dirs[0].iterdir() if p.is_file()}  # the log changes
    assert profiles_json in kept and (dirs[1] / "events.sqlite3").exists()
    via_dots = dirs[0] / ".." / "config" / "profiles.json"
    for write in (
        lambda: window.profiles.export_file(via_dots),
        lambda: window.log_pane.export_csv(tmp_path / "link.csv"),
        lambda: window.reports.write(via_dots, 1),
        lambda: window.reports.write(dirs[1] / "events.sqlite3-wal", 1),
    ):
        with pytest.raises(OSError, match="is TCP Monitor's own"):
            write().result(5)
    assert {p: p.read_bytes() for p in kept} == kept
    assert (dirs[1] / "events.sqlite3").read_bytes().startswith(b"SQLite format 3\0")


def test_a_bad_import_file_is_reported_and_changes_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(Exception, match="not valid JSON"):
        window.profiles.import_file(path).result(5)
    qtbot.waitUntil(window.banner.isVisible, timeout=2000)
    assert "bad.json" in window.banner.label_text()
    assert len(window.registry.profiles) == 0


def test_a_named_pipe_chosen_for_import_is_refused_and_saving_goes_on(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, dirs: tuple[Path, Path]
) -> None:
    fifo = tmp_path / "profiles.fifo"
    os.mkfifo(fifo)
    with pytest.raises(Exception, match="named pipe"):
        window.profiles.import_file(fifo).result(5)  # read on the I/O thread, which goes on
    qtbot.waitUntil(window.banner.isVisible, timeout=2000)
    window.profiles.apply(make_profile("127.0.0.1", 9, "probe", name="after"), new=True)
    window.session.profiles.flush().result(5)
    assert [p.name for p in stored(dirs)] == ["after"]


def test_an_unreadable_profiles_file_is_kept_and_reported(
    qtbot: QtBot, dirs: tuple[Path, Path]
) -> None:
    dirs[0].mkdir(parents=True)
    (dirs[0] / "profiles.json").write_text('{"version": 1, "profiles": [{"name": ""')  # cut short
    o = open_window(qtbot, *dirs)
    try:
        (problem,) = o.session.problems
        assert problem.kind == "profiles_unreadable"
        assert "Profiles could not be read" in o.window.banner.label_text()
        copies = list(dirs[0].glob("profiles.json.corrupt-*"))
        assert len(copies) == 1
        assert str(copies[0]) in o.window.banner.label_text()
        assert o.window.model.rowCount() == 0
    finally:
        o.close()


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_a_profiles_file_that_cannot_be_set_aside_gives_a_banner_not_a_crash(
    qtbot: QtBot, dirs: tuple[Path, Path], kind: str
) -> None:
    dirs[0].mkdir(parents=True)
    target = dirs[0] / "profiles.json"
    target.mkdir() if kind == "directory" else os.mkfifo(target)
    o = open_window(qtbot, *dirs)
    try:
        (problem,) = o.session.problems
        assert problem.kept == ""  # no copy could be made: left as it is, never written over
        assert "left as it is" in o.window.banner.label_text()
        assert o.window.model.rowCount() == 0
    finally:
        o.close()
    assert target.is_dir() if kind == "directory" else stat.S_ISFIFO(os.stat(target).st_mode)


def test_profiles_not_saved_on_a_full_disk_are_told_kept_and_written_once_there_is_room(
    qtbot: QtBot, small_disk: Path, tmp_path: Path
) -> None:
    o = open_window(qtbot, small_disk / "config", tmp_path / "data", monitor=False)
    window, banner = o.window, o.window.banner
    try:
        first, second, third = (
            make_profile("127.0.0.1", 5432 + n, name=f"db {n}") for n in (1, 2, 3)
        )
        with qtbot.waitSignal(window.registry.saved, timeout=5000) as first_save:
            window.profiles.apply(first, new=True)  # (each write's news comes queued)
        assert first_save.args == [""]
        filler = fill(small_disk)
        window.profiles.apply(second, new=True)
        qtbot.waitUntil(lambda: banner.message()[0] == "Profiles were not saved", timeout=5000)
        assert "No space left on device" in banner.message()[1]
        assert window.model.row_of(second.id) is not None  # kept here, and saved next time
        assert window.registry.save_retry.isActive()  # written again in 30 s, unasked
        window.registry.save_retry.setInterval(100)
        with qtbot.waitSignal(window.registry.saved, timeout=5000) as third_save:
            window.profiles.apply(third, new=True)  # fails too
        assert "No space left on device" in third_save.args[0]
        banner.dismiss()
        with qtbot.waitSignal(window.registry.saved, timeout=5000) as retried:
            pass  # a retry, failing the same way: not told again every 30 s
        assert retried.args == third_save.args and banner.isHidden()
        filler.unlink()  # room again, and no change: the retry writes them
        qtbot.waitUntil(lambda: banner.message()[0] == "Profiles are saved again", timeout=5000)
        names = {p.name for p in stored((small_disk / "config", tmp_path))}
        assert names == {"db 1", "db 2", "db 3"}
        assert not window.registry.save_retry.isActive()
    finally:
        o.close()


def test_a_profiles_file_broken_by_an_editor_meanwhile_is_told_and_moved_away_ends_it(
    qtbot: QtBot, opened: Opened, dirs: tuple[Path, Path]
) -> None:
    """The banner said to "set it aside first", which the window offers no way to do, and
    with the file moved away the window's profiles were refused until it started again."""
    window, path = opened.window, dirs[0] / "profiles.json"
    db = make_profile("127.0.0.1", 1, name="db")
    window.profiles.apply(db, new=True)
    assert opened.session.profiles.flush().result(10) is None
    path.write_text('{"version": 1, "profiles": [')  # an editor's save, half done
    qtbot.waitUntil(lambda: window.banner.message()[0] == "Profiles were not saved", timeout=5000)
    assert window.banner.message()[1].endswith("); fix it or move it away")
    path.rename(path.with_name("profiles.json.mine"))
    window.registry.save_retry.setInterval(100)
    window.registry.save_retry.start()
    qtbot.waitUntil(lambda: window.banner.message()[0] == "Profiles are saved again", timeout=5000)
    assert stored(dirs) == [db]


@pytest.mark.parametrize("written", ["by the retry", "at the quit"])
def test_settings_not_saved_on_a_full_disk_are_told_and_written_once_there_is_room(
    qtbot: QtBot, small_disk: Path, tmp_path: Path, written: str
) -> None:
    config = small_disk / "config"
    o = open_window(qtbot, config, tmp_path / "data", monitor=False)
    actions, banner = o.window.settings_actions, o.window.banner
    try:
        filler = fill(small_disk)
        with pytest.raises(SettingsFileError, match="No space left on device"):
            actions.apply(dataclasses.replace(o.session.settings, retention_days=30)).result(10)
        qtbot.waitUntil(lambda: banner.message()[0] == "Settings were not saved", timeout=5000)
        assert o.session.settings.retention_days == 30  # in force here, and saved next time
        assert actions.save_retry.isActive()  # written again in 30 s, unasked
        filler.unlink()
        if written == "by the retry":
            actions.save_retry.setInterval(100)
            actions.save_retry.start()
            qtbot.waitUntil(lambda: banner.message()[0] == "Settings are saved again", timeout=5000)
            assert not actions.save_retry.isActive()
    finally:
        o.close()  # room again before the retry's 30 s: the quit writes them
    assert SettingsStore(config).load().retention_days == 30


def test_an_export_of_the_event_log_that_fails_is_told(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """The log pane's "Export events..." that could not write (a full disk, a read-only
    folder, a folder where the file goes) said nothing at all: its problem reached no banner."""
    target = tmp_path / "events.csv"
    target.mkdir()
    with pytest.raises(OSError):
        window.log_pane.export_csv(target).result(10)
    qtbot.waitUntil(lambda: window.banner.message()[0] == "Export failed", timeout=5000)
    assert window.banner.message()[1].startswith(f"{target}: ")
    assert target.is_dir()


def test_window_state_is_remembered(qtbot: QtBot, dirs: tuple[Path, Path]) -> None:
    first = open_window(qtbot, *dirs)
    first.window.resize(first.window.minimumSizeHint().width(), 500)  # fits 800x600 offscreen
    size = first.window.size()
    first.close()
    again = open_window(qtbot, *dirs)
    try:
        assert again.window.size() == size
    finally:
        again.close()


def test_closing_without_a_tray_quits(qtbot: QtBot, window: MainWindow) -> None:
    assert not window.tray.is_visible()  # the offscreen platform has no tray
    with qtbot.waitSignal(window.quitRequested, timeout=1000):
        window.close()


def test_the_demo_shows_its_connections_and_saves_none(
    qtbot: QtBot, opened: Opened, dirs: tuple[Path, Path]
) -> None:
    window = opened.window
    window.commands["demo"].trigger()
    assert opened.demo.demo is not None
    ids = [p.id for p in opened.demo.demo.profiles]
    qtbot.waitUntil(lambda: all(state_of(window, i) is State.UP for i in ids), timeout=10000)
    assert opened.session.profiles.flush().result(5) is None
    assert not (dirs[0] / "profiles.json").exists()
    assert Cause  # the demo's flaky link is exercised in tests/unit/test_demo.py
    # Its events are shown, never stored: the user's history stays theirs.
    log = opened.session.eventlog
    assert log is not None and log.flush()
    assert [e for e in log.events() if e.profile_id in ids] == []
    assert window.commands["demo"].text() == "Stop the &demo"
    servers = [(p.host, p.port) for p in opened.demo.demo.profiles]
    stopped = opened.demo.stop_demo()
    qtbot.waitUntil(stopped.done, timeout=10_000)
    assert all(window.model.row_of(i) is None for i in ids)  # its rows,
    shown = [window.log_pane.proxy.index(r, 0).data(LogRole.EVENT)
             for r in range(window.log_pane.proxy.rowCount())]  # fmt: skip
    assert not [e for e in shown if e.profile_id in ids]  # its lines,
    for host, port in servers:  # and its servers are gone
        with pytest.raises(OSError):
            socket.create_connection((host, port), timeout=2).close()
    assert window.commands["demo"].text() == "Try the &demo"
    assert not window.notices  # nothing told for taking it away


def test_start_at_login_writes_and_removes_the_autostart_entry(
    qtbot: QtBot, dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    from tcpmonitor_gui.integration.autostart import Autostart
    from tcpmonitor_gui.ui.settings.dialog import SettingsDialog

    autostart = Autostart("linux", env={"XDG_CONFIG_HOME": str(tmp_path / "xdg")}, home=tmp_path)
    o = open_window(
        qtbot,
        *dirs,
        monitor=False,
        autostart=lambda: autostart,
        launch_args=lambda: ["/opt/tcpm", "-v"],
    )
    window = o.window
    try:
        window.settings_actions.set_start_at_login(True).result(5)
        assert "Exec=/opt/tcpm -v --minimized" in autostart.path.read_text()
        assert window.settings_actions.open_dialog().result(5) is True
        qtbot.waitUntil(lambda: window.findChild(SettingsDialog) is not None, timeout=2000)
        dialog = window.findChild(SettingsDialog)
        assert dialog is not None and dialog.start_at_login_checked()  # shows what is on disk
        dialog.reject()
        window.settings_actions.set_start_at_login(False).result(5)
        assert not autostart.path.exists()
        # One the user wrote under that name is theirs: left, and the banner says so.
        autostart.path.write_text("[Desktop Entry]\nType=Application\nExec=/my/own\n")
        window.settings_actions.set_start_at_login(False).exception(5)
        qtbot.waitUntil(lambda: window.banner.message()[0] == "Start at login was not changed")
        assert f"{autostart.path} was left: it is not the entry" in window.banner.message()[1]
        assert "Exec=/my/own" in autostart.path.read_text()
        # Nor is it replaced by turning it on (a link to nothing: the box showed off).
        autostart.path.unlink()
        autostart.path.symlink_to(tmp_path / "nowhere")
        window.settings_actions.set_start_at_login(True).exception(5)
        said = (
            f"{autostart.path} was left: it is not the entry TCP Monitor writes (your own, or"
            " changed, or a link). Move it away to have TCP Monitor start at login."
        )
        qtbot.waitUntil(lambda: window.banner.message()[1] == said)
        assert window.banner.message()[0] == "Start at login was not changed"
        assert autostart.path.is_symlink() and not (tmp_path / "nowhere").exists()
    finally:
        o.close()


def test_start_at_login_that_could_not_be_written_says_why_in_chinese(
    qtbot: QtBot, dirs: tuple[Path, Path], tmp_path: Path, chinese: None
) -> None:
    """Its folder a file: the Chinese banner said "could not write ...: [Errno 17] File
    exists: '...'", English and Python's own form of it."""
    from tcpmonitor_gui.integration.autostart import Autostart

    autostart = Autostart("linux", env={"XDG_CONFIG_HOME": str(tmp_path / "xdg")}, home=tmp_path)
    autostart.path.parent.parent.mkdir(parents=True)
    autostart.path.parent.write_text("a file where the folder goes\n")
    o = open_window(qtbot, *dirs, monitor=False, autostart=lambda: autostart)
    window = o.window
    try:
        window.settings_actions.set_start_at_login(True).exception(5)
        qtbot.waitUntil(
            lambda: window.banner.message()[0] == "未能更改登录时启动设置", timeout=5000
        )
        said = window.banner.message()[1]
        assert re.search("[A-Za-z]", said.replace(str(autostart.path), "")) is None, said
    finally:
        o.close()


def test_without_autostart_the_setting_is_offered_disabled(
    qtbot: QtBot, window: MainWindow
) -> None:
    from tcpmonitor_gui.ui.settings.dialog import SettingsDialog

    assert window.settings_actions.open_dialog().result(5) is None
    qtbot.waitUntil(lambda: window.findChild(SettingsDialog) is not None, timeout=2000)
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    assert not dialog.login_check.isEnabled()
    dialog.reject()


def test_the_views_watch_their_viewports_once_monitoring_starts(
    qtbot: QtBot, dirs: tuple[Path, Path]
) -> None:
    """Built, the window's log writes every line and its table the rows its frame covers
    (they watch their viewports only after the first frame, which then comes sooner);
    monitoring started, rows and lines off screen wait until they are painted."""
    opened = open_window(qtbot, *dirs, monitor=False)
    try:
        window = opened.window
        window.show()
        qtbot.waitExposed(window)
        assert not window.table._watching and not window.log_pane.model._lazy
        window.start_monitoring()
        assert window.table._watching and window.log_pane.model._lazy
    finally:
        opened.close()


def test_the_event_logs_health_is_told_once_per_log(qtbot: QtBot, dirs: tuple[Path, Path]) -> None:
    """The window hears of the log's health once (``app`` opens the log on the I/O thread and
    asks again when it is open): a banner while it cannot write, a word when it can again."""
    o = open_window(qtbot, *dirs, monitor=False)
    try:
        log = o.session.eventlog
        assert log is not None
        o.window.watch_eventlog()  # as app does once the log is open: not a second watcher
        log._set_error("disk I/O error")  # what the writer thread does when a commit fails
        banner = o.window.banner
        qtbot.waitUntil(lambda: banner.message()[0] == "Events are not being stored", timeout=2000)
        assert "disk I/O error" in banner.label_text()
        log._set_error(None)
        status = o.window.statusBar()
        qtbot.waitUntil(lambda: status.currentMessage() == "Events are stored again.", timeout=2000)
        assert len(log._watchers) == 1
    finally:
        o.close()


def test_monitoring_does_not_start_once_the_window_is_shut_down(
    qtbot: QtBot, dirs: tuple[Path, Path]
) -> None:
    """The event log may finish opening as the program quits; what waited for it must not
    start the engine again then."""
    o = open_window(qtbot, *dirs, monitor=False)
    try:
        o.window.shutdown()
        o.window.start_monitoring()
        assert not o.engine.running
    finally:
        o.close()


def test_a_slow_event_log_is_waited_for_in_words_and_then_monitoring_starts(
    qtbot: QtBot, dirs: tuple[Path, Path]
) -> None:
    """Another program holding the log's lock keeps it opening for up to 10 s: the rows
    stay "unknown", and the status bar says what the window waits for until it is open."""
    o = open_window(qtbot, *dirs, monitor=False)
    try:
        opened: concurrent.futures.Future[Problem | None] = concurrent.futures.Future()
        status = o.window.statusBar()
        monitor_once_logged(o.window, opened)
        qtbot.waitUntil(lambda: "Waiting for the event log" in status.currentMessage())
        assert not o.engine.running
        opened.set_result(None)
        qtbot.waitUntil(lambda: o.engine.running, timeout=3000)
        assert status.currentMessage() == ""
    finally:
        o.close()


def test_monitoring_starts_at_once_when_the_event_log_is_already_open(
    qtbot: QtBot, dirs: tuple[Path, Path]
) -> None:
    """At start-up the log mostly opens while the session is attached to the first frame;
    monitoring still waited for a later turn of the event loop, which comes only once asyncio
    and qasync are loaded (tens of milliseconds later)."""
    o = open_window(qtbot, *dirs, monitor=False)
    try:
        opened: concurrent.futures.Future[Problem | None] = concurrent.futures.Future()
        opened.set_result(None)
        monitor_once_logged(o.window, opened)
        assert o.engine.running
    finally:
        o.close()


def test_an_event_log_that_cannot_be_used_is_told_and_monitoring_starts_without_it(
    qtbot: QtBot, dirs: tuple[Path, Path]
) -> None:
    o = open_window(qtbot, *dirs, monitor=False)
    try:
        opened: concurrent.futures.Future[Problem | None] = concurrent.futures.Future()
        monitor_once_logged(o.window, opened)
        opened.set_result(Problem(ProblemKind.EVENTLOG_UNUSABLE, "events.sqlite3: locked"))
        qtbot.waitUntil(lambda: o.engine.running, timeout=3000)
        assert "The event log cannot be used" in o.window.banner.message()[0]
        assert [p.kind for p in o.session.problems] == [ProblemKind.EVENTLOG_UNUSABLE]
    finally:
        o.close()


def test_test_now_says_at_once_what_it_is_testing(
    qtbot: QtBot, window: MainWindow, proxy: FaultProxy
) -> None:
    """Test now on a connection that does not answer showed nothing until its timeout ran
    out: a click that seemed to do nothing for seconds (ten with a 10 s timeout). The status
    bar says at once what is being tested, then what came of it."""
    profile = make_profile(*proxy.address, "heartbeat", timeout_s=1, name="Stalled")
    window.profiles.apply(profile, new=True)
    qtbot.waitUntil(lambda: window.model.row_of(profile.id) is not None, timeout=5000)
    row = window.model.row_of(profile.id)
    assert row is not None
    # Selected as the program selects (not by setCurrentIndex, which follows the keyboard's
    # modifiers: a Ctrl left held by an earlier test's key click toggled the row off).
    window.table.select_ids([profile.id])
    assert window.table.selected_ids() == [profile.id]
    proxy.set_mode("blackhole")
    status = window.statusBar()
    window.commands["test"].trigger()
    assert status.currentMessage() == "Testing Stalled…"
    qtbot.waitUntil(lambda: "heartbeat timeout" in status.currentMessage(), timeout=10_000)
    assert status.currentMessage().startswith("Stalled: ")


def test_testing_several_names_each_that_failed_once_all_are_done(
    qtbot: QtBot, window: MainWindow, proxy: FaultProxy
) -> None:
    """Test now on several rows said each result in the status bar as it came, each in the
    place of the one before: a refusal, then a slower connection's success, and the bar said
    only "connected", the refusal never read. Once every one is done it says how many were
    tested and names each that failed, with why."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, not listening: refuses
        refused = make_profile("127.0.0.1", closed.getsockname()[1], name="Closed")
        slow = make_profile(*proxy.address, "heartbeat", timeout_s=5, name="Slow")
        window.profiles.profiles.add([refused, slow])
        qtbot.waitUntil(lambda: window.model.row_of(slow.id) is not None, timeout=5000)
        window.table.select_ids([refused.id, slow.id])
        proxy.set_mode("delay", delay_ms=300)  # the success comes last
        said: list[str] = []
        window.profiles.message.connect(said.append)
        window.commands["test"].trigger()

        def told(name: str) -> bool:  # its result (a name may be set apart by invisible marks)
            return any(f"{name}: " in m.replace("\u2069", "") for m in said)

        qtbot.waitUntil(lambda: told("Closed") and told("Slow"), timeout=10_000)
    shown = window.statusBar().currentMessage()
    assert "Closed" in shown and "refused" in shown, (shown, said)


def test_the_line_after_several_tests_is_said_in_chinese(chinese: None) -> None:
    assert summary_text(3, []) == "已测试 3 个连接：全部连接成功"
    assert summary_text(3, ["db (拒绝)"]) == "已测试 3 个连接，1 个失败：db (拒绝)"


def test_a_long_message_in_the_banner_scrolls_and_the_window_still_fits_its_screen(
    qtbot: QtBot, window: MainWindow
) -> None:
    """A notice's seven lines at 150 % on a 1024 x 600 screen made the window taller than
    the screen, its status line (the counts) below the screen's edge: the banner was as tall
    as its text. It now takes at most a fifth of the screen's height and scrolls the rest."""
    qtbot.waitExposed(window)
    lines = [f"svc-{n:04d} is down: refused — connection refused" for n in range(40)]
    window.banner.show_message("40 connections down", "\n".join(lines), "warning")
    free = screen_size(window)
    assert window.minimumSizeHint().height() + FRAME_ROOM.height() <= free.height()
    qtbot.waitUntil(lambda: window.banner.height() <= free.height() // 5 + 20, timeout=2000)
    assert window.banner.label_text().splitlines()[1:] == lines  # all of it, to scroll to
