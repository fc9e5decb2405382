"""This computer's own network and sleep in the Prometheus metrics: with them a team's rules
can tell "the target is down" from "the computer that watches it is offline" (a laptop that
lost its Wi-Fi showed every target down, and paged for each)."""

from __future__ import annotations

import json
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tcpmonitor_gui.core.events import Cause, Kind, State, condition
from tcpmonitor_gui.core.localnet import LocalNetwork
from tcpmonitor_gui.core.metrics import Metrics
from tests.unit._cli_process import Home, Running
from tests.unit.test_metrics import event, fetch, profile, value


def computer(text: str) -> dict[str, float]:
    """The page's samples of this computer (they have no labels)."""
    return {
        s.name: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name in ("tcpmonitor_network_online", "tcpmonitor_asleep")
    }


def test_this_computers_network_and_sleep_are_gauges() -> None:
    metrics = Metrics([profile()])
    metrics.set_computer(online=True, asleep=False)  # as read at the start: no event yet
    text = metrics.render().decode()
    assert computer(text) == {"tcpmonitor_network_online": 1, "tcpmonitor_asleep": 0}
    assert "# HELP tcpmonitor_network_online " in text
    assert "# TYPE tcpmonitor_network_online gauge" in text
    assert "# TYPE tcpmonitor_asleep gauge" in text

    metrics.feed(condition(State.OFFLINE, "this computer's network is down (no route leaves it)"))
    drop = {"cause": Cause.LOCAL_NETWORK}
    metrics.feed(event("p1", Kind.STATE, State.DOWN, **drop))  # type: ignore[arg-type]
    text = metrics.render().decode()
    assert computer(text)["tcpmonitor_network_online"] == 0
    assert value(text, "tcpmonitor_state", state="down") == 1  # what the rules hold back
    metrics.feed(condition(State.CHANGED, "this computer's network changed: new route"))
    assert computer(metrics.render().decode())["tcpmonitor_network_online"] == 0
    metrics.feed(condition(State.ONLINE))
    assert computer(metrics.render().decode())["tcpmonitor_network_online"] == 1

    metrics.feed(condition(State.SLEEP, "this computer is going to sleep"))
    assert computer(metrics.render().decode())["tcpmonitor_asleep"] == 1
    metrics.feed(condition(State.WAKE, "this computer woke up after 5 min"))
    assert computer(metrics.render().decode())["tcpmonitor_asleep"] == 0


def test_a_network_that_cannot_be_known_has_no_sample() -> None:
    """Not Linux, or not read yet: "unknown" is no sample, never a 1 or a 0 that is not so
    (a rule that holds target alerts back while it is 0 then holds none back)."""
    metrics = Metrics([profile()])
    assert computer(metrics.render().decode()) == {"tcpmonitor_asleep": 0}
    metrics.set_computer(online=None, asleep=False)
    text = metrics.render().decode()
    assert computer(text) == {"tcpmonitor_asleep": 0}
    assert "# TYPE tcpmonitor_network_online gauge" in text  # the family is still declared


def test_this_computers_changes_are_not_held_while_the_event_log_is_read() -> None:
    """The window's metrics hold the profiles' events until they know what the log knew;
    this computer's own say nothing of the log, and count at once."""
    metrics = Metrics([profile()], waits=True)
    metrics.set_computer(online=True, asleep=False)
    metrics.feed(condition(State.OFFLINE, "this computer's network is down (no link is up)"))
    assert computer(metrics.render().decode())["tcpmonitor_network_online"] == 0
    metrics.know({})
    metrics.feed(condition(State.ONLINE))
    assert computer(metrics.render().decode())["tcpmonitor_network_online"] == 1


def test_run_says_whether_this_computer_is_online_from_its_first_scrape(tmp_path: Path) -> None:
    """No change of the network since the start, so no event told it: the page said nothing
    of this computer's network until its first change (none, for days, on a server)."""
    here = LocalNetwork().start()  # what the run will find: this machine's network
    here.close()
    home = Home(tmp_path / "config", tmp_path / "data")
    file = tmp_path / "profiles.json"
    db = profile("db", "p1", port=1)
    file.write_text(json.dumps({"version": 1, "profiles": [db.to_dict()]}))
    with Running(home, "run", "--json", "--metrics-listen", "0", "--profiles", str(file)) as run:
        line = run.wait_stderr(lambda text: text.startswith("metrics on http://"))
        url = line.split("metrics on ", 1)[1].strip()
        run.read_until(lambda line: '"kind":"state"' in line)  # monitoring has begun
        text = fetch(url)[2]
        told = [json.loads(x)["state"] for x in run.lines if '"kind":"network"' in x]
    # An offline start is told, an online one is not news ("changed": another program's
    # namespace on this machine, say, which changes nothing of this).
    assert [state for state in told if state != "changed"] in ([], ["offline"])
    expected = {"tcpmonitor_asleep": 0.0}
    if here.online is not None:  # else not known here (no netlink): no sample
        expected["tcpmonitor_network_online"] = float(here.online)
    assert computer(text) == expected


def test_a_target_this_computer_has_no_route_to_is_down_for_this_computers_network() -> None:
    """The VPN that carried a target went away while the rest of the network stayed up: the
    target is down with cause local_network ("this computer has no route to 10.8.0.5"), not
    counted against it by the program, and the page showed it down like any other. The
    cause is the last check's: once the route is back, a refusal is the target's."""
    metrics = Metrics([profile(), profile("Cache", "p2")])
    metrics.set_computer(online=True, asleep=False)
    no_route = {"cause": Cause.LOCAL_NETWORK, "detail": "this computer has no route to 10.8.0.5"}
    metrics.feed(event("p1", Kind.STATE, State.DOWN, **no_route))  # type: ignore[arg-type]
    metrics.feed(event("p1", Kind.SAMPLE, State.DOWN, **no_route))  # type: ignore[arg-type]
    refused = {"cause": Cause.REFUSED}
    metrics.feed(event("p2", Kind.STATE, State.DOWN, **refused))  # type: ignore[arg-type]
    metrics.feed(event("p2", Kind.SAMPLE, State.DOWN, **refused))  # type: ignore[arg-type]
    text = metrics.render().decode()
    assert value(text, "tcpmonitor_down_local_network", profile="Orders DB") == 1
    assert value(text, "tcpmonitor_down_local_network", profile="Cache") == 0
    assert "# TYPE tcpmonitor_down_local_network gauge" in text

    metrics.feed(event("p1", Kind.SAMPLE, State.DOWN, **refused))  # type: ignore[arg-type]
    text = metrics.render().decode()  # still down (no event: the same state), now the target's
    assert value(text, "tcpmonitor_state", profile="Orders DB", state="down") == 1
    assert value(text, "tcpmonitor_down_local_network", profile="Orders DB") == 0
    metrics.feed(event("p1", Kind.SAMPLE, State.DOWN, **no_route))  # type: ignore[arg-type]
    metrics.feed(event("p1", Kind.STATE, State.PAUSED))  # nothing checked: no cause
    assert (
        value(metrics.render().decode(), "tcpmonitor_down_local_network", profile="Orders DB") == 0
    )
