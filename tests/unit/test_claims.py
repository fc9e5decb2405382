"""One recorder per profile (``core/claims.py``): two programs monitoring the same profiles
into one data dir (the window and ``tcpmonitor run``, two ``run``s) each wrote every change
and each ran every action."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import stat
import sys
import time
from pathlib import Path

import pytest

from tcpmonitor_gui.core import claims
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import STOPPED, Cause, Event, Kind, State, utc_now
from tcpmonitor_gui.lab import FaultProxy

from ._cli_process import Home, Running, tcpmonitor
from .test_eventlog import at, sample, state_event, wait_until


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "events.sqlite3"


def now_sample(cause: Cause | None) -> Event:
    """A check made now (a take-over records the state as of when it came)."""
    return dataclasses.replace(sample(at(0), None, cause), ts=utc_now())


#: Appends one line to the file it is given: an action that says how often it ran.
APPEND = "import sys; open(sys.argv[1], 'a').write('ran\\n')"


def states(path: Path, pid: str = "db") -> list[tuple[State, State | None, str]]:
    """Its state changes as stored (not its actions' rows)."""
    stored = EventLog(path).events(profile=pid)
    return [(e.state, e.previous, e.detail) for e in stored if e.kind is Kind.STATE]


def test_of_two_logs_of_one_file_one_records_a_profile_and_the_other_takes_over_after_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Open-file-description locks conflict between two opens of the file even in one
    process: two logs here stand for two programs."""
    monkeypatch.setattr(claims, "RETRY_S", 0.05)
    first = EventLog(db_path).start()
    second = EventLog(db_path).start()
    try:
        first.submit([state_event(at(0), State.DOWN, cause=Cause.REFUSED)])
        second.submit([state_event(at(0, 1), State.DOWN, cause=Cause.REFUSED)])
        second.submit([state_event(at(0, 2), State.UP, pid="web", name="web")])  # its own
        assert first.flush() and second.flush()
        assert [e.profile_id for e in first.events()] == ["db", "web"]
        first.submit([state_event(at(1), State.UNKNOWN, previous=State.DOWN)])
    finally:
        first.close()
    # The second one still sees it down: the first of its checks after it gets the claim
    # records that from then on.
    wait_until(lambda: second.flush() and second.submit([now_sample(Cause.REFUSED)]) > 0
               and claims.TAKEN_OVER in states(db_path)[-1][2])  # fmt: skip
    second.close()
    *_, (state, previous, detail) = states(db_path)
    assert (state, previous) == (State.DOWN, State.UNKNOWN)
    assert detail.startswith(claims.TAKEN_OVER)
    mode = os.stat(claims.claims_path(db_path)).st_mode
    assert stat.S_ISREG(mode) and stat.S_IMODE(mode) == 0o600


def test_a_takeover_after_a_recorder_killed_while_down_goes_on_with_its_outage(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recorder was killed while the target was down (no "unknown"): the outage goes on."""
    monkeypatch.setattr(claims, "RETRY_S", 0.05)
    first = EventLog(db_path).start()
    with EventLog(db_path) as second:
        first.submit([state_event(at(0), State.DOWN, cause=Cause.REFUSED)])
        assert first.flush()
        second.submit([state_event(at(0, 1), State.DOWN, cause=Cause.REFUSED)])
        first.close()  # no word: as a SIGKILL leaves it
        wait_until(lambda: second.claims.holds("db"))
        second.submit([now_sample(Cause.REFUSED)])
        assert second.flush()
        assert [(s, p) for s, p, _ in states(db_path)] == [
            (State.DOWN, None), (State.DOWN, State.DOWN)]  # fmt: skip
        assert len(second.outages()) == 1


def stopped(previous: State) -> Event:
    return state_event(utc_now(), State.UNKNOWN, previous=previous, detail="monitoring stopped")


@pytest.mark.parametrize("taken_over", [True, False], ids=["then-the-other", "both-at-once"])
def test_a_program_that_stops_beside_another_watching_leaves_it_the_outage_unended(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, taken_over: bool
) -> None:
    """The recorder stopped mid-outage while another program watched the profile: its
    "monitoring stopped" ended the outage and the other's take-over began a second one. It
    stores nothing now and lets go; the one left, watching alone, says it stopped as ever,
    also when it stops before its take-over (a logout stopping both): its last word gets the
    claim, and the outage is not left open."""
    monkeypatch.setattr(claims, "RETRY_S", 0.05 if taken_over else 3600.0)
    first = EventLog(db_path).start()
    try:
        with EventLog(db_path) as second:
            first.submit([state_event(at(0), State.DOWN, cause=Cause.REFUSED)])
            second.submit([state_event(at(0, 1), State.DOWN, cause=Cause.REFUSED)])
            assert first.flush() and second.flush()
            first.submit([stopped(State.DOWN)])
            first.close()
            if taken_over:
                wait_until(lambda: claims.TAKEN_OVER in states(db_path)[-1][2])
                assert [o.end for o in second.outages()] == [None]  # one, going on
            second.submit([stopped(State.DOWN)])
    finally:
        first.close()
    assert [(s, p) for s, p, _ in states(db_path)] == [
        (State.DOWN, None), (State.DOWN, State.DOWN), (State.UNKNOWN, State.DOWN)]  # fmt: skip
    assert [o.ended_by for o in EventLog(db_path).outages()] == ["monitoring stopped"]


def test_a_program_that_stops_beside_one_that_paused_the_profile_says_it_stopped(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A profile paused in the window is not watched there: the service's stop ends it."""
    monkeypatch.setattr(claims, "RETRY_S", 0.05)
    with EventLog(db_path) as service, EventLog(db_path) as window:
        service.submit([state_event(at(0), State.DOWN, cause=Cause.REFUSED)])
        window.submit([state_event(at(0, 1), State.DOWN, cause=Cause.REFUSED)])
        window.submit([state_event(at(0, 2), State.PAUSED, previous=State.DOWN)])
        assert window.flush()
        service.submit([stopped(State.DOWN)])
        assert service.flush()
        assert [(s, p) for s, p, _ in states(db_path)] == [
            (State.DOWN, None), (State.UNKNOWN, State.DOWN)]  # fmt: skip


def test_a_profile_paused_in_one_program_is_recorded_by_another_that_watches_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Pause all" in the window beside the service: the service still watches, and the
    history said "paused" for as long as the window did; then, with a drop going on, "paused"
    ended the outage and the service's take-over began a second one. The service goes on
    with the history as it was."""
    monkeypatch.setattr(claims, "RETRY_S", 0.05)
    with EventLog(db_path) as window, EventLog(db_path) as service:
        for log in (window, service):
            log.submit([dataclasses.replace(
                state_event(at(0), State.DOWN, cause=Cause.REFUSED), ts=utc_now())])  # fmt: skip
        window.submit([dataclasses.replace(
            state_event(at(0), State.PAUSED, previous=State.DOWN), ts=utc_now())])  # fmt: skip
        assert window.flush()
        wait_until(lambda: service.flush() and service.submit([now_sample(Cause.REFUSED)]) > 0
                   and claims.TAKEN_OVER in states(db_path)[-1][2])  # fmt: skip
        assert [(s, p) for s, p, _ in states(db_path)] == [
            (State.DOWN, None), (State.DOWN, State.DOWN)]  # fmt: skip
        assert [o.end for o in service.outages()] == [None]  # one, going on


def test_a_removed_profile_is_released_for_another_to_record(db_path: Path) -> None:
    with EventLog(db_path) as first, EventLog(db_path) as second:
        first.submit([state_event(at(0), State.UP)])
        assert not second.claims.holds("db")
        first.release("db")
        assert first.flush()
        wait_until(lambda: (second.claims.release("db"), second.claims.holds("db"))[1])


def test_a_file_where_the_claims_go_that_is_not_a_file_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir()
    os.symlink(db_path.parent / "elsewhere", claims.claims_path(db_path))
    with EventLog(db_path) as log:  # it records everything, as before
        log.submit([state_event(at(0), State.UP)])
        assert log.flush()
        assert [e.state for e in log.events()] == [State.UP]
    assert not (db_path.parent / "elsewhere").exists()


def ended_by(home: Home) -> list[str]:
    """How each outage that ``tcpmonitor outages`` lists ended ("" while it lasts)."""
    listed = tcpmonitor(home, "outages", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    return [json.loads(line)["ended_by"] for line in listed.stdout.splitlines()]


def _state(line: str, state: str) -> bool:
    event = json.loads(line)
    return bool(event["kind"] == "state" and event["state"] == state)


def one_probe_that_acts_on_down(home: Home, proxy: FaultProxy, ran: Path) -> None:
    """Profile "db" through ``proxy``, every 0.2 s; its drops append a line to ``ran``."""
    host, port = proxy.address
    home.config.mkdir(parents=True)
    (home.config / "profiles.json").write_text(json.dumps({"version": 1, "profiles": [
        {"name": "db", "host": host, "port": port, "fail_after": 1,
         "detector": {"kind": "probe", "interval_s": 0.2},
         "actions": [{"on": "down", "run": [sys.executable, "-c", APPEND, str(ran)]}]},
    ]}))  # fmt: skip


def test_two_runs_record_each_outage_once_run_each_action_once_and_hand_over(
    tmp_path: Path, proxy: FaultProxy
) -> None:
    """Two ``tcpmonitor run`` on one config and data dir (as the user service beside the
    window does): ``outages`` listed each outage twice, each action ran twice, and the one
    that stopped ended an outage the other still saw: the drop seen through the hand-over
    was two outages, the first "monitoring stopped". The second printed changes it did not
    store, and said nothing of it."""
    home = Home(tmp_path / "config", tmp_path / "data")
    ran = tmp_path / "ran"
    one_probe_that_acts_on_down(home, proxy, ran)
    with Running(home, "run", "--json") as first:
        first.read_until(lambda line: _state(line, "up"))  # stored: it records "db"
        with Running(home, "run", "--json") as second:
            second.read_until(lambda line: _state(line, "up"))
            for mode in ("refuse", "pass", "refuse"):
                proxy.set_mode(mode)
                news = "up" if mode == "pass" else "down"
                for run in (first, second):  # both monitor it, and see it live
                    run.read_until(lambda line, news=news: _state(line, news))
            first.read_until(lambda line: '"kind":"action"' in line)  # the second drop's
            assert ended_by(home) == ["recovered", ""]  # once each, as both stored them
            first.send_signal(signal.SIGTERM)
            assert first.wait() == 0, first.stderr
            log = home.data / "events.sqlite3"
            wait_until(lambda: claims.TAKEN_OVER in states(log)[-1][2], 10)
            proxy.set_mode("pass")
            second.read_until(lambda line: _state(line, "up"))
            wait_until(lambda: states(log)[-1][0] is State.UP, 10)
            second.send_signal(signal.SIGTERM)
            assert second.wait() == 0, second.stderr
    assert ran.read_text() == "ran\n" * 2  # once per drop
    # The second printed changes it did not store, without a word: said, once, and its
    # take-over too.
    elsewhere = "db: recorded by another program that watches it with this event log"
    assert second.stderr.count(elsewhere) == 1, second.stderr
    assert f"db: {claims.TAKEN_OVER}" in second.stderr, second.stderr
    assert elsewhere not in first.stderr, first.stderr
    stored = [(s, p) for s, p, _ in states(home.data / "events.sqlite3")]
    assert stored == [
        (State.UP, State.UNKNOWN), (State.DOWN, State.UP), (State.UP, State.DOWN),
        (State.DOWN, State.UP),
        (State.DOWN, State.DOWN),  # the first one stopped; the second one goes on with it
        (State.UP, State.DOWN),
        (State.UNKNOWN, State.UP),  # the second one stopped, no one else watching
    ]  # fmt: skip
    assert ended_by(home) == ["recovered", "recovered"]


def stopped_by_the_kernel(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2] == "T"


def test_a_run_suspended_with_ctrl_z_leaves_its_profiles_to_the_one_beside_it(
    tmp_path: Path, proxy: FaultProxy
) -> None:
    """A ``tcpmonitor run`` in a terminal, Ctrl-Z'd beside another (the window, the service):
    stopped, it held its claims, so a drop meanwhile was recorded by neither and its actions
    ran nowhere, though the other watched it. It lets go before it stops, and takes up
    watching again at ``fg``, the other recording from then on: each change stored once."""
    home = Home(tmp_path / "config", tmp_path / "data")
    ran, log = tmp_path / "ran", home.data / "events.sqlite3"
    one_probe_that_acts_on_down(home, proxy, ran)
    with Running(home, "run", "--json") as first:
        first.read_until(lambda line: _state(line, "up"))  # stored: it records "db"
        with Running(home, "run", "--json") as second:
            second.read_until(lambda line: _state(line, "up"))
            first.send_signal(signal.SIGTSTP)
            wait_until(lambda: stopped_by_the_kernel(first.pid), 10)
            proxy.set_mode("refuse")
            second.read_until(lambda line: _state(line, "down"))
            wait_until(lambda: states(log)[-1][0] is State.DOWN, 10)  # recorded: by the second
            first.send_signal(signal.SIGCONT)
            first.read_until(lambda line: _state(line, "down"))  # watching again
            proxy.set_mode("pass")
            for run in (first, second):
                run.read_until(lambda line: _state(line, "up"))
            wait_until(lambda: states(log)[-1][0] is State.UP, 10)
            for run in (first, second):
                run.send_signal(signal.SIGTERM)
                assert run.wait() == 0, run.stderr
    assert ran.read_text() == "ran\n"  # by the second, once
    assert ended_by(home) == ["recovered"]
    stored = [(s, p) for s, p, _ in states(log)]
    assert stored[-3:] == [
        (State.DOWN, State.UP),
        (State.UP, State.DOWN),
        (State.UNKNOWN, State.UP),
    ]


def test_a_quiet_profile_is_taken_over_without_waiting_for_its_next_event(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A watch that stays up samples hourly: the take-over waited for its next event, and the
    history said "monitoring stopped" until then while the other program watched it."""
    monkeypatch.setattr(claims, "RETRY_S", 0.05)
    first = EventLog(db_path).start()
    second = EventLog(db_path).start()
    try:
        first.submit([state_event(at(0), State.UP)])
        second.submit([state_event(at(0, 1), State.UP)])  # watched here too, recorded there
        assert first.flush() and second.flush()
        first.submit([state_event(at(1), State.UNKNOWN, previous=State.UP)])
        first.close()
        # nothing more is submitted here: the writer asks for the claim by itself
        wait_until(lambda: claims.TAKEN_OVER in states(db_path)[-1][2])
    finally:
        first.close()
        second.close()
    assert [(s, p) for s, p, _ in states(db_path)] == [
        (State.UP, None), (State.UNKNOWN, State.UP), (State.UP, State.UNKNOWN)
    ]  # fmt: skip


def test_a_flush_after_a_takeover_waits_for_what_was_submitted(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The take-over row the writer added by itself was counted as one of the submitted
    events committed: the next flush said a sample was stored that was still queued."""
    monkeypatch.setattr(claims, "RETRY_S", 0.05)
    first = EventLog(db_path).start()
    second = EventLog(db_path, flush_interval_s=3600.0).start()
    try:
        first.submit([state_event(at(0), State.UP)])
        second.submit([state_event(at(0, 1), State.UP)])  # watched here, recorded there
        assert first.flush() and second.flush()
        first.close()
        wait_until(lambda: claims.TAKEN_OVER in states(db_path)[-1][2])
        second.submit([sample(at(2), 5.0, pid="web")])
        assert second.flush()
        assert [m.ok for m in second.latency_per_minute("web", at(0), at(10))] == [1]
    finally:
        first.close()
        second.close()


def test_a_claim_got_at_an_event_is_recorded_without_waiting_for_the_next_one(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim was got by a check of the profile (or of its actions) rather than by the
    writer's own asking: its state was recorded only at the profile's next event, an hour on
    for a watch that stays up, and the history said "monitoring stopped" until then."""
    monkeypatch.setattr(claims, "RETRY_S", 0.0)
    db_path.parent.mkdir()
    first, second = claims.Claims.open(db_path), claims.Claims.open(db_path)
    try:
        assert list(first.keep([state_event(at(0), State.UP)]))
        assert not list(second.keep([state_event(at(0, 1), State.UP)]))  # recorded there
        first.close()
        assert second.holds("db")  # as the check of its actions asks
        rows = second.overdue()  # the writer's next asking
    finally:
        first.close()
        second.close()
    assert [(e.state, e.detail) for e in rows] == [(State.UP, claims.TAKEN_OVER)]


def test_a_takeover_row_is_known_by_what_it_is_not_by_which_object(db_path: Path) -> None:
    """Take-over rows were known by their objects' ids: a row remade on its way to the disk (the
    event log folds a full disk's waiting changes, remaking the latest) was never given the
    state before it, and the id, free again, could be another event's, whose ``previous``
    was then overwritten. A take-over row is known by what it says now."""
    with EventLog(db_path) as log:
        log.submit([state_event(at(0), State.DOWN, cause=Cause.REFUSED)])
        assert log.flush()
    holder = claims.Claims(None)
    row = holder._take_over(state_event(at(1), State.DOWN, cause=Cause.REFUSED), at(1))
    remade = dataclasses.replace(row, detail=f"{row.detail}; 3 changes before it not stored")
    other = state_event(at(2), State.UP, previous=State.DOWN)
    conn = sqlite3.connect(db_path)
    try:
        settled = holder.settle(conn, [remade, other])
    finally:
        conn.close()
    assert [e.previous for e in settled] == [State.DOWN, State.DOWN]
    assert settled[1] is other


def now_state(state: State, previous: State | None = None, **extra: object) -> Event:
    cause = Cause.REFUSED if state is State.DOWN else None
    return state_event(utc_now(), state, previous=previous, cause=cause, **extra)


def test_an_action_outcome_after_a_pause_beside_another_takes_no_claim(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window paused a profile beside the service while the command run for its drop was
    still running: the command's outcome, stored after, took the profile's claim again (and
    said it was watched there), so the service, which watched it, recorded nothing of it
    from then on: its recovery was in no history and its actions ran nowhere."""
    monkeypatch.setattr(claims, "RETRY_S", 3600.0)  # only a change asks for a claim
    with EventLog(db_path) as window, EventLog(db_path) as service:
        window.submit([now_state(State.DOWN)])  # the window records it, runs its action
        service.submit([now_state(State.DOWN)])
        window.submit([now_state(State.PAUSED, State.DOWN)])  # left to the service
        assert window.flush()
        outcome = dataclasses.replace(now_state(State.DOWN), kind=Kind.ACTION, detail="exit 0")
        window.submit([outcome])
        assert window.flush()
        service.submit([now_state(State.UP, State.DOWN)])
        assert service.flush()
        assert [(s, p) for s, p, _ in states(db_path)] == [
            (State.DOWN, None), (State.DOWN, State.DOWN), (State.UP, State.DOWN)]  # fmt: skip
        assert [e.detail for e in service.events(profile="db") if e.kind is Kind.ACTION] == [
            "exit 0"
        ]  # the outcome of what ran in the window is still its record


def test_a_flush_waits_for_the_claim_let_go_before_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim of a profile paused here is let go by the writer just after its commit:
    flush() returned at the commit, and the other program, asking for the claim at once
    (its next change), was refused, so that change was recorded by no one (the test above
    failed about once in ten). A flush now returns once what was asked before it is done."""
    monkeypatch.setattr(claims, "RETRY_S", 3600.0)
    let_go: list[str] = []
    with EventLog(db_path) as window:
        release = window.claims.release

        def slowly(profile_id: str) -> int:
            time.sleep(0.3)  # ok-sleep: a writer slow to let go, so that the race is won
            let_go.append(profile_id)
            return release(profile_id)

        monkeypatch.setattr(window.claims, "release", slowly)
        window.submit([now_state(State.DOWN)])
        window.submit([now_state(State.PAUSED, State.DOWN)])  # its claim let go after it
        assert window.flush()
        assert let_go == ["db"]


@pytest.mark.parametrize("how", ["paused", "removed"])
def test_a_profile_no_longer_watched_here_is_not_taken_over_when_its_recorder_stops(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """Paused (or removed) in the window while the service recorded it, the profile was taken
    over by the window when the service stopped ("paused", or a second "monitoring stopped",
    recorded from then on), and its claim was held there: the service, started again (the
    profile resumed there, or imported again with its id), recorded nothing of it and ran
    none of its actions. A removed one's "monitoring stopped" comes from the window's worker
    after the engine let go of it, and was refused the claim like a pause."""
    monkeypatch.setattr(claims, "RETRY_S", 0.0)
    db_path.parent.mkdir()
    window, service = claims.Claims.open(db_path), claims.Claims.open(db_path)
    again = None
    try:
        assert list(service.keep([now_state(State.DOWN)]))
        assert not list(window.keep([now_state(State.DOWN)]))  # recorded by the service
        if how == "paused":
            assert not list(window.keep([now_state(State.PAUSED, State.DOWN)]))
        else:
            window.release("db")  # the engine's, as the registry says it is removed
            assert not list(window.keep([now_state(State.UNKNOWN, State.DOWN, detail=STOPPED)]))
        assert list(service.keep([now_state(State.UNKNOWN, State.DOWN, detail=STOPPED)]))
        service.close()
        assert window.overdue() == []  # the window's writer asking: not watched there
        again = claims.Claims.open(db_path)  # the service started again
        assert list(again.keep([now_state(State.DOWN)]))
        assert again.holds("db")
    finally:
        for one in (window, service, again):
            if one is not None:
                one.close()
