"""The notification policy and this computer's own network: said once, then one "Back online".

The events are the engine's (``network`` offline/online, drops with cause ``local_network``);
that the engine makes them for a pulled cable is tested in ``tests/unit/test_local_network.py``
and, window and all, in ``tests/gui/test_local_network_window.py``.
"""

from __future__ import annotations

import dataclasses
import time

from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import Cause, Event, State, condition
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.settings import Settings
from tcpmonitor_gui.ui.notify.policy import Notice, NotificationPolicy
from tests.gui.test_notify import T0, Harness, down, profiles, state, up

NAMES = [f"S{i}" for i in range(20)]
OFFLINE = condition(State.OFFLINE, "this computer's network is down (no link is up)")
ONLINE = condition(State.ONLINE, "")


def test_offline_is_told_once_and_its_drops_are_not_told_one_by_one(qtbot: QtBot) -> None:
    h = Harness(qtbot, NAMES)
    [notice] = h.at(0, OFFLINE)
    assert notice.title == "This computer is offline"
    assert notice.body.startswith("this computer's network is down (no link is up)")
    assert notice.urgent
    assert h.policy.is_local_offline()
    assert h.at(0.5, OFFLINE) == []  # said once
    drops = [down(h[n], cause=Cause.LOCAL_NETWORK) for n in NAMES]
    assert h.at(1, *drops[:10]) == []
    assert h.at(3, *drops[10:]) == []
    assert not h.policy.is_offline()  # no guess either: the evidence is at hand


def test_a_drop_that_is_not_the_network_is_told_even_while_offline(qtbot: QtBot) -> None:
    """A server on this computer (loopback) that refuses is news, offline or not."""
    h = Harness(qtbot, NAMES)
    h.at(0, OFFLINE)
    [notice] = h.at(1, down(h["S3"], cause=Cause.REFUSED))
    assert notice.title == "Connection down: S3"


def test_back_online_is_one_notice_once_every_local_drop_is_back(qtbot: QtBot) -> None:
    h = Harness(qtbot, NAMES)
    h.at(0, OFFLINE, *(down(h[n], cause=Cause.LOCAL_NETWORK) for n in NAMES))
    assert h.at(5, ONLINE) == []  # the recoveries are awaited
    assert not h.policy.is_local_offline()
    assert h.at(5.5, *(up(h[n], 5.5) for n in NAMES[:12])) == []
    [back] = h.at(6, *(up(h[n], 6) for n in NAMES[12:]))
    assert back.title == "Back online"
    assert back.body == "20 of 20 connections are up."
    assert not back.urgent
    assert h.at(7, down(h["S1"], 7, cause=Cause.REFUSED))[0].title == "Connection down: S1"


def test_back_online_names_what_is_still_down_after_the_grace(qtbot: QtBot) -> None:
    made = profiles(*NAMES)
    policy = NotificationPolicy(made, Settings(), back_grace_s=0.3, clock=lambda: T0)
    notices: list[Notice] = []
    policy.notification.connect(notices.append)
    policy.handle([OFFLINE, *(down(p, cause=Cause.LOCAL_NETWORK) for p in made.values())])
    policy.flush()
    policy.handle([ONLINE, *(up(p) for p in list(made.values())[:18])])
    policy.flush()
    assert [n.title for n in notices] == ["This computer is offline"]
    with qtbot.waitSignal(policy.notification, timeout=5000) as told:
        pass
    back = told.args[0]
    assert back.title == "Back online"
    assert back.body == "18 of 20 connections are up. Still down: S18, S19."
    # The two that come back later are news of their own, told as usual.
    policy.handle([up(made["p18"])])
    policy.flush()
    assert notices[-1].title == "Connection back up: S18"


def test_back_online_with_nothing_down_is_told_at_once(qtbot: QtBot) -> None:
    h = Harness(qtbot, NAMES)
    h.at(0, OFFLINE)
    [back] = h.at(10, ONLINE)
    assert back.body == "20 of 20 connections are up."


def test_the_switches_hold_both_network_notices(qtbot: QtBot) -> None:
    quiet = Settings(notify_on_down=False, notify_on_up=False)
    h = Harness(qtbot, NAMES, quiet)
    assert h.at(0, OFFLINE) == []
    assert h.at(1, ONLINE) == []


# -- asleep and waking -------------------------------------------------------------------

SLEEP = condition(State.SLEEP, "this computer is going to sleep")
WAKE = condition(State.WAKE, "this computer woke up after 1 h 0 min")


class Waking:
    """A policy on the real clock with short waits, fed as the engine feeds it."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.profiles = profiles(*NAMES[:5])
        self.policy = NotificationPolicy(
            self.profiles, settings, wake_settle_s=0.2, back_grace_s=0.2, change_settle_s=0.2
        )
        self.notices: list[Notice] = []
        self.policy.notification.connect(self.notices.append)

    def feed(self, *events: object) -> None:
        self.policy.handle(events)  # type: ignore[arg-type]
        self.policy.flush()

    def p(self, i: int) -> object:
        return self.profiles[f"p{i}"]

    def wait_out(self, qtbot: QtBot) -> None:
        """Until the wait after waking is over (and anything it held is told)."""
        qtbot.waitUntil(lambda: not self.policy.computer.active(), timeout=5000)


def test_drops_across_a_sleep_that_recover_soon_after_waking_are_never_told(
    qtbot: QtBot,
) -> None:
    w = Waking()
    w.feed(SLEEP)
    w.feed(*(down(p, cause=Cause.RESET) for p in w.profiles.values()))  # the NIC going down
    w.feed(WAKE)
    w.feed(*(down(p, cause=Cause.CONNECT_TIMEOUT) for p in list(w.profiles.values())[:2]))
    w.feed(*(up(p) for p in w.profiles.values()))
    w.wait_out(qtbot)
    assert w.notices == []


def test_what_is_still_down_after_waking_is_told_once_together(qtbot: QtBot) -> None:
    w = Waking()
    w.feed(SLEEP, WAKE)
    w.feed(*(down(p, cause=Cause.CONNECT_TIMEOUT) for p in w.profiles.values()))
    w.feed(*(up(p) for p in list(w.profiles.values())[:3]))
    assert w.notices == []
    with qtbot.waitSignal(w.policy.notification, timeout=5000) as told:
        pass
    assert told.args[0].title == "2 connections down: S3, S4"
    w.wait_out(qtbot)
    assert len(w.notices) == 1


def test_a_network_that_returns_within_the_wait_after_waking_is_not_news(
    qtbot: QtBot,
) -> None:
    """Wi-Fi rejoining after a resume: offline for a moment, then back; no notice at all."""
    w = Waking()
    w.feed(SLEEP, WAKE, OFFLINE)
    w.feed(*(down(p, cause=Cause.LOCAL_NETWORK) for p in w.profiles.values()))
    w.feed(ONLINE)
    w.feed(*(up(p) for p in w.profiles.values()))
    w.wait_out(qtbot)
    assert w.notices == []


def test_a_network_still_down_after_the_grace_is_told_then_its_return(qtbot: QtBot) -> None:
    w = Waking(Settings(wake_grace_s=1))
    w.feed(SLEEP, WAKE, OFFLINE)
    woke = time.monotonic()
    w.feed(*(down(p, cause=Cause.LOCAL_NETWORK) for p in w.profiles.values()))
    with qtbot.waitSignal(w.policy.notification, timeout=5000) as told:
        pass
    assert time.monotonic() - woke >= 0.9  # the grace, not just the settling wait
    assert [n.title for n in w.notices] == ["This computer is offline"]
    assert told.args[0].urgent
    w.feed(ONLINE)
    w.feed(*(up(p) for p in w.profiles.values()))
    assert [n.title for n in w.notices] == ["This computer is offline", "Back online"]
    assert w.notices[-1].body == "5 of 5 connections are up."


# -- the network changed -------------------------------------------------------------------

CHANGED = condition(State.CHANGED, "this computer's network changed: new route 10.8.0.0/16")


def cut(p: Profile) -> Event:
    """A drop as the engine reports one it finds cut by the change (``core/monitor.py``)."""
    event = down(p, cause=Cause.RESET)
    return dataclasses.replace(event, detail=f"{event.detail}; right after {CHANGED.detail}")


def test_drops_that_reconnect_right_after_a_network_change_are_not_told(qtbot: QtBot) -> None:
    w = Waking()
    w.feed(CHANGED)
    w.feed(*(cut(p) for p in w.profiles.values()))
    w.feed(*(up(p) for p in w.profiles.values()))
    w.wait_out(qtbot)
    assert w.notices == []


def test_a_drop_after_a_network_change_that_lasts_is_told(qtbot: QtBot) -> None:
    w = Waking()
    w.feed(CHANGED)
    w.feed(cut(w.profiles["p0"]), cut(w.profiles["p1"]))
    w.feed(up(w.profiles["p1"]))
    with qtbot.waitSignal(w.policy.notification, timeout=5000) as told:
        pass
    assert told.args[0].title == "Connection down: S0"
    w.wait_out(qtbot)
    assert len(w.notices) == 1


def test_a_drop_the_engine_does_not_tie_to_a_network_change_is_told_at_once(
    qtbot: QtBot,
) -> None:
    """A route came for a container (or a test's namespace); then a server on this computer
    closed. The engine does not say the change cut it (no route leads to loopback): it was
    held all the same, up to 5 s, and an end-to-end test waited 2 s for its notice in vain."""
    w = Waking()
    w.feed(CHANGED)
    w.feed(down(w.profiles["p0"], cause=Cause.CLOSED_BY_PEER))
    assert [n.title for n in w.notices] == ["Connection down: S0"]
    w.feed(cut(w.profiles["p1"]))  # one it does tie to the change: held, as before
    assert len(w.notices) == 1
    w.feed(up(w.profiles["p1"]))
    w.wait_out(qtbot)
    assert len(w.notices) == 1


def test_after_waking_every_drop_is_held_even_with_a_network_change(qtbot: QtBot) -> None:
    """A sleep's wait holds every drop (the computer was away); a change within it (the
    Wi-Fi coming back) does not make it hold fewer."""
    w = Waking()
    w.feed(SLEEP)
    w.feed(WAKE)
    w.feed(CHANGED)
    w.feed(down(w.profiles["p0"], cause=Cause.CLOSED_BY_PEER))
    assert w.notices == []
    w.feed(up(w.profiles["p0"]))
    w.wait_out(qtbot)
    assert w.notices == []


# -- DNS -----------------------------------------------------------------------------------


def by_name_and_address() -> dict[str, Profile]:
    """Four profiles by name, one by address."""
    made = [
        Profile(name=f"N{i}", host=f"db{i}.example.internal", port=5432, id=f"n{i}")
        for i in range(4)
    ]
    made.append(Profile(name="A", host="192.0.2.10", port=5432, id="a"))
    return {p.id: p for p in made}


def test_every_name_failing_to_resolve_is_one_dns_notice_then_one_when_it_answers(
    qtbot: QtBot,
) -> None:
    made = by_name_and_address()
    policy = NotificationPolicy(made, Settings(), clock=lambda: T0)
    notices: list[Notice] = []
    policy.notification.connect(notices.append)
    names = [p for p in made.values() if p.id != "a"]
    policy.handle([down(p, cause=Cause.DNS_ERROR) for p in names])
    policy.flush()
    [out] = notices
    assert out.title == "DNS is not answering"
    assert out.body == (
        "4 connections cannot resolve their names: N0, N1, N2, N3. Connections by address work."
    )
    assert not policy.is_offline()  # not a guess about this computer's network either
    policy.handle([up(p) for p in names[:3]])
    policy.flush()
    [_, back] = notices
    assert back.title == "DNS answers again"
    assert back.body == "3 connections by name are back up. Still down: N3."
    policy.handle([up(names[3])])
    policy.flush()
    assert notices[-1].title == "Connection back up: N3"


def test_names_the_resolver_answered_are_not_found_are_not_dns_not_answering(
    qtbot: QtBot,
) -> None:
    """Off the VPN, the public resolver answers that every internal name does not exist: DNS
    answered. That was told as "DNS is not answering"; the drops are told as themselves."""
    made = by_name_and_address()
    policy = NotificationPolicy(made, Settings(), clock=lambda: T0)
    notices: list[Notice] = []
    policy.notification.connect(notices.append)
    names = [p for p in made.values() if p.id != "a"]
    policy.handle([
        state(p, State.DOWN, State.UP, cause=Cause.DNS_ERROR,
              detail=f"{p.host}: no such name (Name or service not known)")
        for p in names
    ])  # fmt: skip
    policy.flush()
    assert [n.title for n in notices] == ["4 connections down: N0, N1, N2 and 1 more"]


def test_one_name_failing_for_many_profiles_is_not_the_resolver(qtbot: QtBot) -> None:
    """Names are counted, not profiles: a name gone from its zone fails for every profile that
    uses it, and said "DNS is not answering" when two profiles used it."""
    made = {
        f"n{i}": Profile(name=f"N{i}", host="gone.example.internal", port=9000 + i, id=f"n{i}")
        for i in range(5)
    }
    made["m"] = Profile(name="M", host="Gone.example.internal.", port=22, id="m")
    policy = NotificationPolicy(made, Settings(), clock=lambda: T0)
    notices: list[Notice] = []
    policy.notification.connect(notices.append)
    policy.handle([down(p, cause=Cause.DNS_ERROR) for p in made.values()])
    policy.flush()
    assert [n.title for n in notices] == ["6 connections down: N0, N1, N2 and 3 more"]


def test_some_names_failing_to_resolve_are_told_as_themselves(qtbot: QtBot) -> None:
    made = by_name_and_address()
    policy = NotificationPolicy(made, Settings(), clock=lambda: T0)
    notices: list[Notice] = []
    policy.notification.connect(notices.append)
    policy.handle([down(made["n0"], cause=Cause.DNS_ERROR), down(made["n1"])])
    policy.flush()
    assert [n.title for n in notices] == ["2 connections down: N0, N1"]


# -- no route to them ----------------------------------------------------------------------


def no_route(p: Profile, cause: Cause = Cause.LOCAL_NETWORK) -> Event:
    """A drop as the engine makes it where the kernel has no route to ``p``'s server (the
    default route gone, the LAN's route still there: this computer's network is up)."""
    detail = f"this computer has no route to {p.host}; Network is unreachable"
    return dataclasses.replace(down(p, cause=cause), detail=detail)


def test_servers_this_computer_has_no_route_to_are_not_blamed_on_a_router_beyond_it(
    qtbot: QtBot,
) -> None:
    """The default route went (a DHCP lease lost, a VPN down) and the LAN's route stayed: the
    kernel says this computer's network is up, and that it has no route to the servers. The
    notice said "Most servers are not answering ... a router or link beyond it may be down",
    which blamed what lies beyond this computer for what the kernel said is this computer's."""
    h = Harness(qtbot, ["A", "B", "C", "D", "E"], network_up=True)
    [guess] = h.at(0, *(no_route(h[n]) for n in "ABCD"))
    assert guess.title == "This computer has no route to most servers", guess
    assert guess.body.splitlines() == [
        "4 of 5 connections went down at once (local network): A, B, C, D.",
        "This computer's network is up, but it has no route to them: "
        "a default route or a VPN may be gone.",
    ]
    assert "beyond" not in guess.body


def test_servers_whose_route_leads_through_a_link_without_carrier_are_told_so(
    qtbot: QtBot,
) -> None:
    """The cable out beside a Wi-Fi that is up: the kernel still takes the ethernet's routes,
    and says so (``local_failure``: "goes through eth0, which has no carrier"). The notice
    said "This computer has no route to most servers ... a default route or a VPN may be
    gone": it has routes, and neither is gone; the link they go through is down."""
    h = Harness(qtbot, ["A", "B", "C", "D", "E"], network_up=True)
    drops = [
        dataclasses.replace(
            down(h[n], cause=Cause.LOCAL_NETWORK),
            detail=f"this computer's route to {h[n].host} goes through eth0, which has no "
            "carrier; no answer to connect within 0.5 s",
        )
        for n in "ABCD"
    ]
    [guess] = h.at(0, *drops)
    assert guess.title == "This computer's link to most servers is down", guess
    assert guess.body.splitlines()[1] == (
        "This computer's network is up, but its route to them goes through eth0, which has no"
        " carrier: a cable may be out."
    )


def test_some_servers_without_a_route_and_some_not_answering_are_each_said(
    qtbot: QtBot,
) -> None:
    h = Harness(qtbot, ["A", "B", "C", "D", "E"], network_up=True)
    drops = [no_route(h["A"]), no_route(h["B"]), down(h["C"], cause=Cause.CONNECT_TIMEOUT)]
    [guess] = h.at(0, *drops, down(h["D"], cause=Cause.CONNECT_TIMEOUT))
    assert guess.title == "Most servers are not answering", guess
    assert guess.body.splitlines()[1] == (
        "This computer's network is up, but it has no route to some of them;"
        " for the others a router or link beyond it may be down."
    )
