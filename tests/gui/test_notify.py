"""The notification policy (when and what to tell) and the chain of ways to tell it.

The policy is driven with an explicit clock and ``flush()`` instead of waiting for its 2 s
timer, except in the one test that pins the timer itself.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import ipaddress
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.durations import duration
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.profile import Notify, Profile
from tcpmonitor_gui.core.sample import Sample
from tcpmonitor_gui.core.settings import Settings
from tcpmonitor_gui.core.state import StateMachine
from tcpmonitor_gui.ui.common.text import duration_text
from tcpmonitor_gui.ui.notify import policy as policy_module
from tcpmonitor_gui.ui.notify.backends import (
    BackendUnavailable,
    BannerBackend,
    DesktopBackend,
    FallbackChain,
    TrayBackend,
    choose_backend,
)
from tcpmonitor_gui.ui.notify.banner import Banner
from tcpmonitor_gui.ui.notify.notice import NO_OFFER, Offer
from tcpmonitor_gui.ui.notify.policy import Notice, NotificationPolicy
from tcpmonitor_gui.ui.notify.wording import MAX_LINES, NAME_SHOWN, join_names
from tcpmonitor_gui.ui.tray import TrayIcon

T0 = 1000.0
TS0 = dt.datetime(2025, 3, 4, 14, 2, tzinfo=dt.UTC)


def profiles(*names: str) -> dict[str, Profile]:
    """Profiles ``p0``, ``p1``, ... named ``names``, each on a host of its own.

    The hosts are documentation addresses (RFC 5737): nothing here connects anywhere."""
    made = [
        Profile(name=n, host=f"192.0.2.{i % 250 + 1}", port=9000 + i // 250, id=f"p{i}")
        for i, n in enumerate(names)
    ]
    return {p.id: p for p in made}


def state(
    p: Profile,
    new: State,
    previous: State,
    at: float = 0.0,
    *,
    cause: Cause | None = None,
    detail: str = "",
    detection_ms: float | None = None,
) -> Event:
    """A state event ``at`` seconds after ``TS0``."""
    return Event(
        ts=TS0 + dt.timedelta(seconds=at),
        profile_id=p.id,
        profile_name=p.name,
        kind=Kind.STATE,
        state=new,
        previous=previous,
        cause=cause,
        detector="watch",
        latency_ms=None,
        detail=detail,
        detection_ms=detection_ms,
    )


def down(p: Profile, at: float = 0.0, cause: Cause = Cause.RESET) -> Event:
    return state(p, State.DOWN, State.UP, at, cause=cause, detail="connection reset by peer")


def up(p: Profile, at: float = 0.0) -> Event:
    return state(p, State.UP, State.DOWN, at, detail="recovered")


class Harness:
    """A policy, its profiles and what it said; ``at(t, events)`` feeds at ``T0 + t``."""

    def __init__(
        self,
        qtbot: QtBot,
        names: Sequence[str],
        settings: Settings | None = None,
        network_up: bool | None = None,
    ):
        self.profiles = profiles(*names)
        self.by_name = {p.name: p for p in self.profiles.values()}
        self.policy = NotificationPolicy(
            self.profiles, settings, clock=lambda: T0, network_up=lambda: network_up
        )
        self.notices: list[Notice] = []
        self.policy.notification.connect(self.notices.append)

    def __getitem__(self, name: str) -> Profile:
        return self.by_name[name]

    def at(self, t: float, *events: Event, flush: bool = True) -> list[Notice]:
        before = len(self.notices)
        self.policy.handle(events, now=T0 + t)
        if flush:
            self.policy.flush()
        return self.notices[before:]


@pytest.fixture
def ten(qtbot: QtBot) -> Harness:
    return Harness(qtbot, [f"DB{i}" for i in range(10)])


# -- what is said ------------------------------------------------------------------------


def test_a_drop_is_told_with_cause_detail_and_detection_delay(ten: Harness) -> None:
    event = dataclasses.replace(down(ten["DB1"]), detection_ms=0.4, profile_name="Orders DB")
    [notice] = ten.at(0, event)
    assert notice.title == "Connection down: Orders DB"
    assert notice.body == (
        "Orders DB is down: reset — connection reset by peer"
        " (noticed 0.4 ms after the last good sign)"
    )
    assert notice.urgent
    assert notice.profile_ids == (ten["DB1"].id,)


def test_recovery_is_told_with_how_long_the_outage_lasted(ten: Harness) -> None:
    ten.at(0, down(ten["DB1"], at=0))
    [notice] = ten.at(125, up(ten["DB1"], at=125))
    assert notice.title == "Connection back up: DB1"
    assert notice.body == "DB1 is back up after 2 min 5 s (reset)"
    assert not notice.urgent


def test_coming_up_at_start_is_not_a_recovery(ten: Harness) -> None:
    assert ten.at(0, state(ten["DB1"], State.UP, State.CONNECTING)) == []


def test_degraded_after_down_is_a_recovery_told_as_slow(ten: Harness) -> None:
    ten.at(0, down(ten["DB1"]))
    slow = state(ten["DB1"], State.DEGRADED, State.DOWN, 40, detail="latency 612.0 ms over 500 ms")
    [notice] = ten.at(40, slow)
    assert (
        notice.body == "DB1 is back up after 40 s (reset), but slow: latency 612.0 ms over 500 ms"
    )


def test_samples_and_unknown_profiles_are_ignored(ten: Harness) -> None:
    sample = dataclasses.replace(down(ten["DB1"]), kind=Kind.SAMPLE)
    stranger = dataclasses.replace(down(ten["DB2"]), profile_id="gone")
    assert ten.at(0, sample, stranger) == []


# -- coalescing --------------------------------------------------------------------------


def test_drops_within_two_seconds_make_one_notice_naming_them(ten: Harness) -> None:
    ten.at(0.0, down(ten["DB1"]), flush=False)
    ten.at(0.7, down(ten["DB2"], cause=Cause.CONNECT_TIMEOUT), flush=False)
    [notice] = ten.at(1.9, down(ten["DB3"]))
    assert notice.title == "3 connections down: DB1, DB2, DB3"
    assert notice.body.splitlines()[1] == "DB2 is down: connect timeout — connection reset by peer"
    assert notice.profile_ids == tuple(ten[n].id for n in ("DB1", "DB2", "DB3"))


def test_the_first_drop_waits_at_most_two_seconds(ten: Harness) -> None:
    ten.at(0, down(ten["DB1"]), flush=False)
    assert ten.notices == []
    assert 0 < ten.policy.remaining_ms() <= 2000
    ten.at(1.5, down(ten["DB2"]), flush=False)
    assert ten.policy.remaining_ms() <= 2000, "a later drop must not restart the timer"


def test_the_timer_tells_without_a_flush(qtbot: QtBot) -> None:
    p = profiles("A", "B", "C", "D")
    policy = NotificationPolicy(p, coalesce_s=0.05)
    with qtbot.waitSignal(policy.notification, timeout=5000) as blocker:
        policy.handle([down(p["p0"])])
    assert blocker.args is not None
    assert blocker.args[0].title == "Connection down: A"
    assert policy.remaining_ms() == -1


def test_a_lone_drop_is_told_at_once_and_once(qtbot: QtBot) -> None:
    p = profiles("A", "B", "C", "D")
    policy = NotificationPolicy(p)
    notices: list[Notice] = []
    policy.notification.connect(notices.append)
    started = time.monotonic()
    with qtbot.waitSignal(policy.notification, timeout=3000):
        policy.handle([down(p["p0"])])
    took = time.monotonic() - started
    assert 0.03 < took < 0.4, f"told after {took:.2f} s"
    qtbot.waitUntil(lambda: policy.remaining_ms() == -1, timeout=3000)  # the window closed
    assert [n.title for n in notices] == ["Connection down: A"]  # said it all: not again


def test_drops_arriving_together_update_the_first_notice(qtbot: QtBot) -> None:
    p = profiles("A", "B", "C", "D")
    policy = NotificationPolicy(p)
    notices: list[Notice] = []
    policy.notification.connect(notices.append)
    QTimer.singleShot(300, lambda: policy.handle([down(p["p1"])]))  # inside the quiet gap
    policy.handle([down(p["p0"])])
    qtbot.waitUntil(lambda: len(notices) == 2, timeout=3000)
    assert [n.title for n in notices] == ["Connection down: A", "2 connections down: A, B"]
    assert notices[0].key is not None and notices[1].key == notices[0].key  # one, updated
    assert not notices[1].sound  # an update is heard once, if at all


def test_drops_after_the_window_join_the_drop_notice_still_on_screen(ten: Harness) -> None:
    [first] = ten.at(0, down(ten["DB1"]))
    [joined] = ten.at(0.6, down(ten["DB2"], 0.6), down(ten["DB3"], 0.6))
    # A balloon or the banner shows one notice: the newest must not say 2 while 3 are down.
    assert joined.title == "3 connections down: DB1, DB2, DB3"
    assert joined.key == first.key  # it replaces the first where the first is shown
    assert joined.body.splitlines()[0] == first.body
    assert joined.profile_ids == tuple(ten[n].id for n in ("DB1", "DB2", "DB3"))


def test_a_drop_notice_is_joined_only_while_it_is_the_last_told_and_on_screen(
    ten: Harness,
) -> None:
    [first] = ten.at(0, down(ten["DB1"]))
    [later] = ten.at(10.5, down(ten["DB2"], 10.5))
    assert later.title == "Connection down: DB2", "the first notice has left the screen"
    assert later.key != first.key
    ten.at(12, up(ten["DB2"], 12))
    [after_up] = ten.at(13, down(ten["DB3"], 13))
    assert after_up.title == "Connection down: DB3", "a recovery was told in between"
    joined, back = ten.at(14, down(ten["DB4"], 14), up(ten["DB3"], 14.5))
    assert joined.title == "Connection down: DB4", "DB3 is up again: no longer named"
    assert joined.key == after_up.key
    assert back.title == "Connection back up: DB3"


def test_recoveries_after_the_window_join_the_recovery_notice_still_on_screen(
    ten: Harness,
) -> None:
    """300 probes recovering over 3 s made "131 connections back up", then "169 connections
    back up" in its place, while 300 were (seen in a screenshot): recoveries join as drops do."""
    names = ("DB1", "DB2", "DB3", "DB4")
    ten.at(0, *(down(ten[n]) for n in names))
    [first] = ten.at(5, up(ten["DB1"], 5), up(ten["DB2"], 5))
    [joined] = ten.at(7.6, up(ten["DB3"], 7.6))
    assert joined.title == "3 connections back up: DB1, DB2, DB3"
    assert joined.key == first.key and not joined.urgent
    assert joined.body.splitlines()[:2] == first.body.splitlines()
    ten.at(8, down(ten["DB1"], 8))  # a drop told in between: the next recovery stands alone
    [alone] = ten.at(9, up(ten["DB4"], 9))
    assert alone.title == "Connection back up: DB4" and alone.key != first.key
    [later] = ten.at(9.6, up(ten["DB1"], 9.6))  # joins DB4's notice, still on screen
    assert later.title == "2 connections back up: DB4, DB1" and later.key == alone.key
    assert len(ten.at(30, down(ten["DB2"], 30), down(ten["DB3"], 30))) == 1
    [back] = ten.at(45, up(ten["DB2"], 45))
    assert back.title == "Connection back up: DB2"  # not joined to the drop notice
    [much_later] = ten.at(56, up(ten["DB3"], 56))
    assert much_later.title == "Connection back up: DB3", "the last one has left the screen"
    assert much_later.key != back.key


def test_a_profile_removed_while_its_notice_is_on_screen_is_not_joined_to_the_next(
    ten: Harness,
) -> None:
    """profiles.json replaced beside the window (``profiles import --replace``, another
    program's edit) removed a profile whose drop or recovery notice was still on screen: the
    next one joined to it raised KeyError in the window, and that notice was never told."""
    ten.at(0, down(ten["DB1"]), down(ten["DB2"]), down(ten["DB3"]))
    ten.at(5, up(ten["DB1"], 5))
    del ten.profiles[ten["DB1"].id]
    [back] = ten.at(5.6, up(ten["DB2"], 5.6))
    assert back.title == "Connection back up: DB2"
    ten.at(20, down(ten["DB2"], 20))
    del ten.profiles[ten["DB2"].id]
    ten.at(20.6, down(ten["DB4"], 20.6), flush=False)
    ten.policy.preview()  # told at once, then updated
    assert ten.notices[-1].title == "Connection down: DB4"


async def test_the_banner_names_every_connection_down_when_drops_come_apart(
    qtbot: QtBot,
) -> None:
    p = profiles("A", "B", "C", "D", "E")
    policy = NotificationPolicy(p)
    banner = Banner()
    qtbot.addWidget(banner)
    chain = choose_backend(None, None, BannerBackend(banner))
    notices: list[Notice] = []
    policy.notification.connect(notices.append)
    policy.handle([down(p["p0"])])
    qtbot.waitUntil(lambda: policy.remaining_ms() == -1, timeout=3000)  # its window closed
    policy.handle([down(p["p1"]), down(p["p2"])])
    qtbot.waitUntil(lambda: len(notices) == 2 and policy.remaining_ms() == -1, timeout=3000)
    for notice in notices:
        await chain.deliver(notice)
    assert banner.message()[0] == "3 connections down: A, B, C"


def test_a_long_list_is_cut_in_the_title_and_the_body(qtbot: QtBot) -> None:
    h = Harness(qtbot, [f"S{i}" for i in range(20)])
    [notice] = h.at(0, *(down(h[f"S{i}"]) for i in range(7)))
    assert notice.title == "7 connections down: S0, S1, S2 and 4 more"
    assert notice.body.splitlines()[-1] == "…and 2 more"
    assert len(notice.body.splitlines()) == 6


def test_a_burst_of_thousands_is_weighed_once_per_host_and_worded_for_the_lines_shown(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """5,000 connections on 5,000 servers dropping and coming back together: each notice
    parsed every host's address again, three times (a cache of 4,096 forgot them all in
    turn), and worded all 5,000 lines for the five it shows: a third of a second of the
    GUI thread per notice, the window frozen at each step of the burst."""
    n = 5000
    h = Harness(qtbot, [f"S{i}" for i in range(n)])
    for i, (pid, p) in enumerate(h.profiles.items()):
        h.profiles[pid] = dataclasses.replace(p, host=f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
    parsed, worded, parse = [0], [0], ipaddress.ip_address

    def counted_parse(address: object) -> object:
        parsed[0] += 1
        return parse(address)  # type: ignore[arg-type]

    def counted(line: Callable[..., str]) -> Callable[..., str]:
        def wording(*args: object) -> str:
            worded[0] += 1
            return line(*args)

        return wording

    monkeypatch.setattr(ipaddress, "ip_address", counted_parse)
    monkeypatch.setattr(policy_module, "down_line", counted(policy_module.down_line))
    monkeypatch.setattr(policy_module, "up_line", counted(policy_module.up_line))
    ps = list(h.profiles.values())
    told = h.at(0, *(down(p) for p in ps)) + h.at(5, *(up(p, 5) for p in ps))
    told += h.at(40, *(down(p, 40) for p in ps))
    assert [t.title.split(":")[0] for t in told] == [
        "5000 connections down",
        "5000 connections back up",
        "5000 connections down",
    ]
    assert told[0].body.splitlines()[-1] == f"…and {n - MAX_LINES} more"
    assert parsed[0] <= 2 * n  # each host once: is it this computer, is it a name
    assert worded[0] <= 3 * MAX_LINES


def test_down_and_back_within_the_window_is_told_as_a_blip(ten: Harness) -> None:
    [notice] = ten.at(0.5, down(ten["DB1"], at=0), up(ten["DB1"], at=0.5))
    assert notice.urgent
    assert notice.body.endswith("; back up 500 ms later")


# -- offline -----------------------------------------------------------------------------


def test_most_connections_down_at_once_is_one_offline_notice_then_one_back_online(
    qtbot: QtBot,
) -> None:
    h = Harness(qtbot, ["A", "B", "C", "D", "E"])
    [offline] = h.at(0, *(down(h[n], cause=Cause.CONNECT_TIMEOUT) for n in "ABCD"))
    assert offline.title == "Is this computer's network down?"
    assert offline.body == "4 of 5 connections went down at once (connect timeout): A, B, C, D."
    assert offline.urgent
    assert h.policy.is_offline()
    assert h.at(1, down(h["E"], cause=Cause.UNREACHABLE)) == [], "further drops held back"
    assert h.at(5, up(h["A"], 5), up(h["B"], 5)) == [], "2 recovered, 3 of 5 still down"
    [back] = h.at(9, up(h["C"], 9))
    assert back.title == "Back online"
    assert back.body == "3 connections are back up. Still down: D, E."
    assert not back.urgent
    assert not h.policy.is_offline()
    [single] = h.at(60, up(h["D"], 60))
    assert single.title == "Connection back up: D"


def test_checks_this_computer_cannot_make_are_told_as_such_never_as_drops_or_offline(
    qtbot: QtBot,
) -> None:
    """Out of open files, the checks of four connections of five could not be made: each
    was told down ("A is down: local error — Too many open files"), and together they made
    "Is this computer's network down? 4 of 5 connections went down at once", where the
    network was fine. Their states, as the state machine makes them, are unknown, told in
    one notice that says the check could not be made, and why."""
    h = Harness(qtbot, ["A", "B", "C", "D", "E"])
    why = "this program is out of open files (its limit, ulimit -n: 64)"
    events = []
    for name in "ABCD":
        machine = StateMachine(dataclasses.replace(h[name], fail_after=1))
        machine.feed(Sample(True, latency_ms=1.0))
        events += machine.feed(Sample.failure(Cause.LOCAL_ERROR, why, "192.0.2.1:9000"))
    [notice] = h.at(0, *(e for e in events if e.kind is Kind.STATE))
    assert notice.title == "Could not check 4 connections: A, B, C and 1 more", notice
    assert notice.body.splitlines() == [
        *(f"{n}: {why}" for n in "ABCD"),
        "The trouble is on this computer, not the servers: their state is unknown until a"
        " check can be made.",
    ]
    assert not h.policy.is_offline()
    [drop] = h.at(10, down(h["E"], at=10))
    assert drop.title == "Connection down: E", "one server down of five is just that"


def test_most_servers_down_while_the_kernel_says_the_network_is_up_is_not_asked_as_offline(
    qtbot: QtBot,
) -> None:
    """A router beyond this computer died: every server times out, but the kernel says this
    computer's links and routes are up. "Is this computer's network down?" asked what is
    known to be untrue; the notice says what is known, and where the fault must be."""
    h = Harness(qtbot, ["A", "B", "C", "D", "E"], network_up=True)
    [guess] = h.at(0, *(down(h[n], cause=Cause.CONNECT_TIMEOUT) for n in "ABCD"))
    assert guess.title == "Most servers are not answering"
    assert guess.body.splitlines() == [
        "4 of 5 connections went down at once (connect timeout): A, B, C, D.",
        "This computer's network is up: a router or link beyond it may be down.",
    ]
    [back] = h.at(9, *(up(h[n], 9) for n in "ABC"))
    assert back.title == "Servers answer again", back
    assert back.body == "3 connections are back up. Still down: D."


def test_two_of_two_down_is_not_offline_it_needs_three(qtbot: QtBot) -> None:
    h = Harness(qtbot, ["A", "B"])
    [notice] = h.at(0, down(h["A"]), down(h["B"]))
    assert notice.title == "2 connections down: A, B"


def test_paused_and_disabled_profiles_do_not_count_as_monitored(qtbot: QtBot) -> None:
    h = Harness(qtbot, ["A", "B", "C", "D", "E", "F"])
    h.profiles[h["F"].id] = dataclasses.replace(h["F"], enabled=False)
    h.at(0, state(h["E"], State.PAUSED, State.UP))
    [notice] = h.at(1, *(down(h[n], cause=Cause.CONNECT_TIMEOUT) for n in "ABCD"))
    assert notice.title.startswith("Is this computer"), "4 of 4 monitored are down"


def test_refusals_never_read_as_this_computer_being_offline(qtbot: QtBot) -> None:
    """A refusal proves the network works: 3 of 3 profiles on one stopped server said "you
    may be offline"."""
    h = Harness(qtbot, [f"P{i}" for i in range(200)])
    profiles = list(h.profiles.values())
    notices = h.at(0, *(down(p, cause=Cause.REFUSED) for p in profiles))
    assert [n.title for n in notices] == ["200 connections down: P0, P1, P2 and 197 more"]
    assert not h.policy.is_offline()
    mixed = Harness(qtbot, ["A", "B", "C", "D"])
    [notice] = mixed.at(0, down(mixed["A"], cause=Cause.REFUSED),
                        *(down(mixed[n], cause=Cause.CONNECT_TIMEOUT) for n in "BCD"))  # fmt: skip
    assert "offline" not in notice.title and "network" not in notice.title.lower()


def test_many_profiles_on_one_server_that_stops_answering_are_one_server_down(
    qtbot: QtBot,
) -> None:
    """Hosts are counted, not profiles: 60 profiles on one server whose connects time out
    said "Is this computer's network down? 60 of 60 connections went down at once"."""
    h = Harness(qtbot, [f"P{i}" for i in range(60)])
    for pid, p in h.profiles.items():
        h.profiles[pid] = dataclasses.replace(p, host="db.example.net", port=9000 + int(pid[1:]))
    notices = h.at(0, *(down(p, cause=Cause.CONNECT_TIMEOUT) for p in h.profiles.values()))
    assert [n.title for n in notices] == ["60 connections down: P0, P1, P2 and 57 more"]
    assert not h.policy.is_offline()


def test_this_computers_own_hosts_never_make_the_guess(qtbot: QtBot) -> None:
    h = Harness(qtbot, ["A", "B", "C", "D", "E"])
    local = dict(
        zip("ABCDE", ["127.0.0.1", "localhost", "::1", "[::1]", "app.localhost"], strict=True)
    )
    for name, host in local.items():
        h.profiles[h[name].id] = dataclasses.replace(h[name], host=host)
    notices = h.at(0, *(down(h[n], cause=Cause.CONNECT_TIMEOUT) for n in "ABCDE"))
    assert [n.title for n in notices] == ["5 connections down: A, B, C and 2 more"]
    assert not h.policy.is_offline()


def test_servers_down_for_an_hour_and_one_more_now_did_not_go_down_at_once(
    qtbot: QtBot,
) -> None:
    """Three of five servers gone for an hour (told then, one by one), and a fourth drops:
    that is one server down, told as itself. Counted with the old drops it made "Is this
    computer's network down? 4 of 5 connections went down at once", which they had not."""
    h = Harness(qtbot, ["A", "B", "C", "D", "E"])
    h.at(0, down(h["A"], 0, cause=Cause.CONNECT_TIMEOUT))
    h.at(40, down(h["B"], 40, cause=Cause.CONNECT_TIMEOUT))
    h.at(80, down(h["C"], 80, cause=Cause.CONNECT_TIMEOUT))
    [notice] = h.at(3600, down(h["D"], 3600, cause=Cause.CONNECT_TIMEOUT))
    assert notice.title == "Connection down: D", notice
    assert not h.policy.is_offline()
    [joined] = h.at(3605, down(h["E"], 3605, cause=Cause.CONNECT_TIMEOUT))
    assert joined.title == "2 connections down: D, E", "two went down together, not most"
    assert not h.policy.is_offline()


def test_a_host_with_one_profile_still_up_is_not_down(qtbot: QtBot) -> None:
    """Three hosts, each with a profile down and one up: the network reaches all three."""
    h = Harness(qtbot, ["A1", "A2", "B1", "B2", "C1", "C2"])
    for name, p in [(n, h[n]) for n in ("A1", "A2", "B1", "B2", "C1", "C2")]:
        h.profiles[p.id] = dataclasses.replace(p, host=f"{name[0].lower()}.example.net")
    notices = h.at(0, *(down(h[n], cause=Cause.CONNECT_TIMEOUT) for n in ("A1", "B1", "C1")))
    assert [n.title for n in notices] == ["3 connections down: A1, B1, C1"]
    assert not h.policy.is_offline()
    [offline] = h.at(5, *(down(h[n], 5, cause=Cause.CONNECT_TIMEOUT) for n in ("A2", "B2", "C2")))
    assert offline.title == "Is this computer's network down?", "now all three hosts are down"
    [back] = h.at(9, up(h["A1"], 9), up(h["B2"], 9))
    assert back.title == "Back online", "2 of 3 hosts answer again, though 4 profiles are down"


# -- rate limit and "changes again" ------------------------------------------------------


def test_down_up_down_within_30_s_are_all_told_because_the_state_changed(ten: Harness) -> None:
    p = ten["DB1"]
    assert len(ten.at(0, down(p, 0))) == 1
    assert len(ten.at(5, up(p, 5))) == 1
    assert len(ten.at(10, down(p, 10))) == 1


def test_the_same_transition_again_within_30_s_is_held_back(ten: Harness) -> None:
    p = ten["DB1"]
    assert len(ten.at(0, down(p))) == 1
    ten.at(3, state(p, State.PAUSED, State.DOWN, 3), state(p, State.CONNECTING, State.PAUSED, 4))
    assert ten.at(10, down(p, 10)) == [], "down again 10 s after the last down notice"
    ten.at(20, state(p, State.PAUSED, State.DOWN, 20), state(p, State.CONNECTING, State.PAUSED))
    assert len(ten.at(31, down(p, 31))) == 1, "31 s after the last down notice"


def test_a_recurring_blip_is_told_once_per_30_s(ten: Harness) -> None:
    p = ten["DB1"]
    assert len(ten.at(0.2, down(p, 0), up(p, 0.2))) == 1
    assert ten.at(10.2, down(p, 10), up(p, 10.2)) == []
    assert len(ten.at(40.2, down(p, 40), up(p, 40.2))) == 1


def test_a_held_back_transition_does_not_reset_the_30_s(ten: Harness) -> None:
    p = ten["DB1"]
    ten.at(0.2, down(p, 0), up(p, 0.2))
    ten.at(20.2, down(p, 20), up(p, 20.2))
    assert len(ten.at(30.2, down(p, 30), up(p, 30.2))) == 1


def test_pausing_a_down_profile_ends_its_outage_silently(ten: Harness) -> None:
    p = ten["DB1"]
    ten.at(0, down(p))
    assert ten.at(5, state(p, State.PAUSED, State.DOWN)) == []
    assert ten.at(9, state(p, State.UP, State.CONNECTING)) == []


# -- switches ----------------------------------------------------------------------------


def test_a_profile_can_turn_off_its_down_or_up_notices(qtbot: QtBot) -> None:
    h = Harness(qtbot, ["A", "B"])
    for name, notify in (("A", Notify(on_down=False)), ("B", Notify(on_up=False))):
        h.profiles[h[name].id] = dataclasses.replace(h[name], notify=notify)
    [notice] = h.at(0, down(h["A"]), down(h["B"]))
    assert notice.title == "Connection down: B"
    [notice] = h.at(60, up(h["A"], 60), up(h["B"], 60))
    assert notice.title == "Connection back up: A"


def test_the_global_settings_turn_off_down_or_up_notices(ten: Harness) -> None:
    ten.policy.set_settings(Settings(notify_on_down=False))
    assert ten.at(0, down(ten["DB1"])) == []
    assert len(ten.at(40, up(ten["DB1"], 40))) == 1
    ten.policy.set_settings(Settings(notify_on_up=False))
    assert len(ten.at(80, down(ten["DB1"], 80))) == 1
    assert ten.at(120, up(ten["DB1"], 120)) == []


def test_the_sound_setting_travels_with_the_notice(ten: Harness) -> None:
    ten.policy.set_settings(Settings(sound=True))
    [notice] = ten.at(0, down(ten["DB1"]))
    assert notice.sound


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.0004, "0.4 ms"), (0.25, "250 ms"), (4.25, "4.2 s"), (42, "42 s"), (125, "2 min 5 s"),
     (3600, "1 h"), (5430, "1 h 30 min")],
)  # fmt: skip
def test_durations_read_as_a_person_would_say_them(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


@pytest.mark.parametrize(
    "seconds", [0.012, 0.25, 4.25, 9.97, 42, 59.6, 125, 3600, 5430, 47.9 * 3600, 76 * 3600, 9e6]
)
def test_the_window_writes_a_duration_as_the_command_line_and_report_do(seconds: float) -> None:
    """An outage of 76 h read "76 h" in the details view and "3 d 4 h" in ``tcpmonitor
    outages``; one of a quarter second "250 ms" there and "0 s" in the report."""
    assert duration_text(seconds) == duration(seconds)


def test_names_are_joined_and_cut() -> None:
    assert join_names(["A", "B"]) == "A, B"
    assert join_names(["A", "B", "C", "D", "E"]) == "A, B, C and 2 more"


def test_a_long_or_right_to_left_name_keeps_a_notice_readable(qtbot: QtBot) -> None:
    """A name of 100 characters made a balloon wider than the screen, its start off the
    left edge; a name with Arabic in it turned the words around it ("db 1 is down: ... the
    last قاعدة البيانات"). Names are cut, and right-to-left ones isolated."""
    long, rtl = "W" * 100, "قاعدة البيانات db 1"
    harness = Harness(qtbot, [long, rtl, "DB2"])
    told = harness.at(0, *(down(harness[n]) for n in (long, rtl, "DB2")))
    [notice] = told
    shown_long = "W" * (NAME_SHOWN - 1) + "…"
    assert notice.title == f"3 connections down: {shown_long}, \u2068{rtl}\u2069, DB2"
    lines = notice.body.split("\n")
    assert lines[0].startswith(f"{shown_long} is down: ")
    assert lines[1].startswith(f"\u200e\u2068{rtl}\u2069 is down: ")  # and kept left to right
    assert max(len(line) for line in [notice.title, *lines]) < 110
    [back] = harness.at(5, up(harness[rtl], at=5))
    assert back.title == f"Connection back up: \u2068{rtl}\u2069"


# -- the chain of backends ---------------------------------------------------------------


class FakeBackend:
    """Stands in for a way to the user whose absence the test decides."""

    def __init__(self, name: str, error: Exception | None = None) -> None:
        self.name = name
        self.error = error
        self.got: list[tuple[str, str, bool]] = []
        self.replaced: list[object] = []

    async def notify(
        self,
        title: str,
        body: str,
        *,
        urgent: bool,
        offer: Offer = NO_OFFER,
        replaces: object = None,
    ) -> object:
        if self.error is not None:
            raise self.error
        self.got.append((title, body, urgent))
        self.replaced.append(replaces)
        return len(self.got)  # what an update of this one is handed


NOTICE = Notice("Connection down: A", "A is down: refused", True, ("p0",))


async def test_an_update_replaces_its_notice_through_the_backend_that_showed_it() -> None:
    dead = FakeBackend("tray balloon", BackendUnavailable("no tray"))
    shown = FakeBackend("desktop notifications")
    chain = FallbackChain([dead, shown], beep=lambda: None)
    first = dataclasses.replace(NOTICE, key="window-1")
    chain.post(first)
    chain.post(dataclasses.replace(first, title="2 connections down: A, B"))
    chain.post(NOTICE)  # another notice: replaces nothing
    await chain.drain()
    titles = [t for t, _b, _u in shown.got]
    first_at, update_at = (
        titles.index("Connection down: A"),
        titles.index("2 connections down: A, B"),
    )
    assert first_at < update_at and len(titles) == 3  # an update comes after what it updates
    assert shown.replaced[update_at] == first_at + 1  # handed what the first one returned
    assert shown.replaced.count(None) == 2  # the others replace nothing


async def test_a_backend_that_raises_falls_back_to_the_next_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = FakeBackend("tray balloon", RuntimeError("boom"))
    banner = FakeBackend("banner")
    chain = FallbackChain([broken, banner], beep=lambda: None)
    with caplog.at_level(logging.DEBUG, logger="tcpmonitor_gui.ui.notify.backends"):
        assert await chain.deliver(NOTICE) is banner
        assert await chain.deliver(NOTICE) is banner
    assert banner.got == [("Connection down: A", "A is down: refused", True)] * 2
    levels = [r.levelno for r in caplog.records if r.name.endswith("notify.backends")]
    assert levels == [logging.WARNING, logging.DEBUG]


async def test_a_missing_way_is_routine_and_logged_as_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    chain = FallbackChain([FakeBackend("tray", BackendUnavailable("no tray")), FakeBackend("b")])
    with caplog.at_level(logging.DEBUG, logger="tcpmonitor_gui.ui.notify.backends"):
        await chain.deliver(NOTICE)
    ours = [r.levelno for r in caplog.records if r.name.endswith("notify.backends")]
    assert ours == [logging.INFO]


async def test_the_first_backend_that_works_is_the_only_one_used() -> None:
    first, second = FakeBackend("first"), FakeBackend("second")
    assert await FallbackChain([first, second]).deliver(NOTICE) is first
    assert second.got == []


async def test_sound_beeps_once_after_delivery() -> None:
    beeps: list[None] = []
    chain = FallbackChain([FakeBackend("b")], beep=lambda: beeps.append(None))
    await chain.deliver(NOTICE)
    await chain.deliver(dataclasses.replace(NOTICE, sound=True))
    assert len(beeps) == 1


async def test_post_delivers_in_the_background_on_the_running_loop() -> None:
    backend = FakeBackend("b")
    chain = FallbackChain([backend])
    chain.post(NOTICE)
    assert backend.got == []
    await chain.drain()
    assert len(backend.got) == 1


async def test_without_a_tray_the_chain_ends_at_the_banner(qtbot: QtBot) -> None:
    tray = TrayIcon()
    banner = Banner()
    qtbot.addWidget(banner)
    chain = choose_backend(TrayBackend(tray), None, BannerBackend(banner))
    with pytest.raises(BackendUnavailable):
        await chain.backends[0].notify("t", "b", urgent=False)
    delivered = await chain.deliver(NOTICE)
    assert delivered is chain.backends[-1]
    assert not banner.isHidden()
    assert banner.message() == ("Connection down: A", "A is down: refused", "warning")


@pytest.mark.parametrize("bus", ["nonexistent-socket", "no-address"])
async def test_desktop_backend_without_a_session_bus_reports_unavailable_quickly(
    bus: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    if bus == "no-address":
        monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
        monkeypatch.delenv("DISPLAY", raising=False)
    else:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    desktop = DesktopBackend(timeout_s=5)
    async with asyncio.timeout(10):
        assert await desktop.probe() is False
        assert desktop.available is False
        assert desktop.why_unavailable
        with pytest.raises(BackendUnavailable):
            await desktop.notify("t", "b", urgent=True)
        banner = Banner()
        qtbot.addWidget(banner)
        chain = choose_backend(None, desktop, BannerBackend(banner))
        assert await chain.deliver(NOTICE) is chain.backends[-1]
    assert not banner.isHidden()


async def test_a_desktop_backend_without_its_bus_asks_again_at_the_next_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bus or a service that is not there answers at once: asking costs nothing, and it may
    be back (a hung one is left alone: ``test_notice_buttons``)."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    now = [0.0]
    desktop = DesktopBackend(retry_s=60, clock=lambda: now[0])
    assert await desktop.probe() is False
    first_why = desktop.why_unavailable
    desktop.why_unavailable = "the first failure"
    assert await desktop.probe() is False
    assert desktop.why_unavailable == first_why, "a new attempt failed the same way"


# -- the banner --------------------------------------------------------------------------


def test_banner_is_hidden_until_a_message_and_lists_the_newest_first(qtbot: QtBot) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    assert banner.isHidden()
    banner.show_message("Connection down: A", "A is down: refused", "warning")
    assert not banner.isHidden()
    banner.show_message("Connection back up: A", "A is back up", "info")
    assert banner.label_text() == (
        "Connection back up: A\nA is back up\n\nConnection down: A\nA is down: refused"
    )
    assert banner.message()[2] == "info"


def test_banner_closes_with_its_button(qtbot: QtBot) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    banner.show_message("t", "b")
    banner.close_button().click()
    assert banner.isHidden()


def test_banner_hides_itself_after_a_while(qtbot: QtBot) -> None:
    banner = Banner(hide_after_ms=50)
    qtbot.addWidget(banner)
    banner.show_message("t", "b", "warning")
    qtbot.waitUntil(banner.isHidden, timeout=5000)


def test_a_stopped_policy_takes_no_more_and_drops_what_it_held() -> None:
    """At quit the engine reports every connection as it closes them: not news."""
    known = profiles("A")
    policy = NotificationPolicy(known)
    told: list[Notice] = []
    policy.notification.connect(told.append)
    (a,) = known.values()
    policy.handle([down(a)], now=0.0)
    policy.stop()
    policy.handle([down(a, at=1.0)], now=1.0)
    policy.flush()  # what its timers would do, had they not been stopped
    assert told == []


# -- maintenance -------------------------------------------------------------------------


def test_drops_in_maintenance_are_told_to_nobody_until_they_outlast_their_window(
    qtbot: QtBot,
) -> None:
    h = Harness(qtbot, ["A", "B", "C", "D", "E"])
    planned = [
        dataclasses.replace(down(h[n], cause=Cause.CONNECT_TIMEOUT), maintenance=True)
        for n in "ABCD"
    ]
    assert h.at(0, *planned) == [], "expected drops: no notice, no 'offline' guess"
    assert not h.policy.is_offline()
    [drop] = h.at(1, down(h["E"], at=1, cause=Cause.CONNECT_TIMEOUT))
    assert drop.title == "Connection down: E"  # one drop among five, not four plus one
    assert h.at(2, dataclasses.replace(up(h["B"], 2), maintenance=True)) == []
    still = state(h["A"], State.DOWN, State.DOWN, 3, cause=Cause.CONNECT_TIMEOUT,
                  detail="still down after its maintenance window")  # fmt: skip
    [late] = h.at(3, still)
    # E's notice is still on screen and E still down: it is updated to name both.
    assert late.title == "2 connections down: E, A"
    assert late.key == drop.key
    assert "still down after its maintenance window" in late.body
    [back] = h.at(4, up(h["A"], 4))
    assert back.title == "Connection back up: A"  # an outage from the window's end


def resumed_down(resumed: Sequence[Profile], t: float) -> list[Event]:
    """``resumed`` resumed at ``t``, each checked afresh and found down."""
    return [
        e
        for p in resumed
        for e in (
            state(p, State.UNKNOWN, State.PAUSED, t, detail="resumed"),
            state(p, State.CONNECTING, State.UNKNOWN, t),
            state(p, State.DOWN, State.CONNECTING, t, cause=Cause.REFUSED),
        )
    ]


def test_resume_all_tells_a_drop_it_paused_as_still_down_not_as_news(qtbot: QtBot) -> None:
    """Pause all, then Resume all a minute later: each connection is checked afresh (resumed,
    connecting, down). One down when paused is still down, quietly; one up then is news."""
    h = Harness(qtbot, ["Orders DB", "Cache"], Settings(sound=True))
    db, cache = h["Orders DB"], h["Cache"]
    assert [n.title for n in h.at(0, down(db))] == ["Connection down: Orders DB"]
    h.at(1, state(db, State.PAUSED, State.DOWN), state(cache, State.PAUSED, State.UP))
    told = h.at(60, *resumed_down([db, cache], 60))
    assert [(n.title, n.urgent, n.sound) for n in told] == [
        ("Connection down: Cache", True, True),
        ("Still down: Orders DB", False, False),
    ]
    assert [n.title for n in h.at(61, up(db, 61))] == ["Connection back up: Orders DB"]
