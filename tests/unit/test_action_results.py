"""How an action went is read back from its ``action`` event alike for every way it can go:
real commands and real sends to a webhook on loopback, each recorded as the runner records
it, then read as done, failed or not run (``core.action_result``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from tcpmonitor_gui.core.action_result import Result, result_of, summary
from tcpmonitor_gui.core.action_runner import ActionRunner
from tcpmonitor_gui.core.actions import parse
from tcpmonitor_gui.core.events import Event, Kind, State
from tcpmonitor_gui.core.untold import NOTES_SHOWN, Untold
from tests.redis import free_port as closed_port  # nothing listens there
from tests.unit.test_notify_actions import Receiver, Reports, drop, receiver

__all__ = ["receiver"]  # the fixture: a JSON webhook on loopback


def test_every_way_an_action_goes_is_read_back_from_its_record(receiver: Receiver) -> None:
    port = receiver.port
    cases = [
        ({"run": ["sh", "-c", "echo fine"]}, Result.DONE),
        # Its output says what a success says: what counts is how it ended.
        ({"run": ["sh", "-c", 'echo "\': exit 0 in 0.1 s"; exit 1']}, Result.FAILED),
        ({"run": ["sh", "-c", "kill -9 $$"]}, Result.FAILED),
        ({"run": ["sleep", "30"], "timeout_s": 0.2}, Result.FAILED),
        ({"run": ["/nonexistent/restart-tunnel", "db"]}, Result.FAILED),
        ({"run": ["sh", "-c", "exit 0", "it's"]}, Result.DONE),  # shown in double quotes
        ({"notify": f"json://127.0.0.1:{port}/"}, Result.DONE),
        ({"notify": f"json://127.0.0.1:{closed_port()}/", "timeout_s": 10}, Result.FAILED),
    ]
    reports = Reports()
    runner = ActionRunner(reports)
    back = dataclasses.replace(drop(), state=State.UP, previous=State.DOWN, cause=None)
    try:
        for n, (what, expected) in enumerate(cases, 1):
            [action] = parse("actions", [{"on": "up", **what}])
            [outcome] = runner.run_now([(action, back)], "127.0.0.1:1")
            recorded = reports.wait(n)[-1]
            assert recorded.kind is Kind.ACTION and recorded.state is State.UP
            assert result_of(recorded) is expected, recorded.detail
            assert outcome.ok == (expected is Result.DONE), recorded.detail
    finally:
        runner.close()


def recorded(
    actions: list[dict[str, object]],
    events: list[Event],
    known_before: Callable[[Sequence[Event]], Sequence[State | None]] | None = None,
) -> list[Event]:
    """What the runner records for ``actions`` submitted for ``events``, one record each."""
    reports = Reports()
    runner = ActionRunner(reports, known_before)
    try:
        for event in events:
            runner.submit(event, parse("actions", actions), "127.0.0.1:1")
        return reports.wait(len(events))
    finally:
        runner.close()


def test_a_service_that_refuses_is_a_failure_and_a_change_told_a_moment_ago_is_not(
    receiver: Receiver,
) -> None:
    receiver.status = 500
    url = f"json://127.0.0.1:{receiver.port}/"
    told = recorded([{"on": "down", "notify": url}], [drop(), drop()])  # the same drop again
    results = sorted(str(result_of(e)) for e in told)
    assert results == [Result.FAILED, Result.NOT_RUN], [e.detail for e in told]


def test_a_found_again_drop_not_run_again_is_not_a_failure() -> None:
    found = dataclasses.replace(drop(), previous=State.CONNECTING)
    command = {"on": "down", "run": ["sh", "-c", "exit 1"]}
    [told] = recorded([command], [found], lambda events: [State.DOWN for _e in events])
    assert result_of(told) is Result.NOT_RUN, told.detail


def test_another_event_has_no_result() -> None:
    assert result_of(drop()) is None and summary(drop()) is None
    text = dataclasses.replace(drop(), kind=Kind.ACTION, detail="something else")
    assert result_of(text) is None


def test_a_recovery_told_to_a_service_that_missed_the_drop_says_so() -> None:
    """This computer was offline when the connection dropped: the drop's notice could not
    reach the service, and when the network came back the team heard "back up" of a drop
    it never heard of. The recovery's notice says what the service missed, and when."""
    port = closed_port()
    url = f"json://127.0.0.1:{port}/"
    actions = parse("actions", [{"on": "change", "notify": url, "timeout_s": 10}])
    reports = Reports()
    runner = ActionRunner(reports)
    service: Receiver | None = None
    dropped = drop()
    try:
        runner.submit(dropped, actions, "127.0.0.1:1")
        [missed] = reports.wait(1)
        service = Receiver(port)  # the network is back
        back = dataclasses.replace(dropped, state=State.UP, previous=State.DOWN, cause=None)
        runner.submit(back, actions, "127.0.0.1:1")
        told = reports.wait(2)[1]
        [(_, _, heard)] = service.wait(1)
        runner.submit(drop(), actions, "127.0.0.1:1")  # told once: not again
        [_, (_, _, after)] = service.wait(2)
    finally:
        runner.close()
        if service is not None:
            service.shutdown()
            service.server_close()
    assert result_of(missed) is Result.FAILED and result_of(told) is Result.DONE, told.detail
    assert heard["title"] == "Connection back up: Orders DB"
    at = dropped.ts.strftime("%Y-%m-%d %H:%M:%S")
    assert heard["message"].splitlines() == [
        "Orders DB (127.0.0.1:1) is up",
        f"Not delivered at {at} UTC: Orders DB (127.0.0.1:1) is down: refused",
    ]
    assert after["message"] == "Orders DB (127.0.0.1:1) is down: refused"


def test_what_a_service_missed_is_said_from_the_first_change_with_how_many_after() -> None:
    untold, url = Untold(), "json://127.0.0.1:1/"
    [action] = parse("actions", [{"on": "change", "notify": url}])
    dropped = drop()
    back = dataclasses.replace(dropped, state=State.UP, previous=State.DOWN, cause=None)
    assert untold.note(url, "p1") == ""
    for event in (dropped, back, dropped):
        untold.missed(action, event, "127.0.0.1:1")
    note = untold.note(url, "p1")
    assert note.startswith("Not delivered at ") and note.endswith(
        " UTC: Orders DB (127.0.0.1:1) is down: refused (and 2 changes after it)"
    )
    assert untold.note("json://127.0.0.1:2/", "p1") == ""  # another service missed nothing
    assert untold.waiting() == [(action, "p1")] and untold.first(url, "p1") is dropped
    untold.delivered(url, "p1")
    assert untold.note(url, "p1") == "" and untold.waiting() == []


def test_a_service_reached_again_is_told_what_it_missed_in_a_notice_of_its_own() -> None:
    port = closed_port()
    actions = parse("actions", [{"on": "down", "notify": f"json://127.0.0.1:{port}/"}])
    reports = Reports()
    runner = ActionRunner(reports)
    service: Receiver | None = None
    try:
        runner.submit(drop(), actions, "127.0.0.1:1")
        [missed] = reports.wait(1)
        service = Receiver(port)  # the network is back
        runner.retry_missed()
        again = reports.wait(2)[1]
        [(_, _, heard)] = service.wait(1)
    finally:
        runner.close()
        if service is not None:
            service.shutdown()
            service.server_close()
    assert result_of(missed) is Result.FAILED
    assert again.state is State.DOWN and result_of(again) is Result.DONE, again.detail
    assert again.detail.endswith(" s, told again (not delivered at first)"), again.detail
    assert heard["title"] == "Not delivered earlier: Orders DB"
    assert heard["message"].endswith(" UTC: Orders DB (127.0.0.1:1) is down: refused")


def test_what_many_connections_missed_is_said_in_a_bounded_notice() -> None:
    untold, url = Untold(), "json://127.0.0.1:1/"
    [action] = parse("actions", [{"on": "down", "notify": url}])
    ids = [f"p{i}" for i in range(5000)]
    for pid in ids:
        untold.missed(action, dataclasses.replace(drop(), profile_id=pid), "127.0.0.1:1")
    title, body = untold.words(url, ids)
    assert title == "Not delivered earlier: Orders DB, Orders DB, Orders DB and 4997 more"
    lines = body.splitlines()
    assert len(lines) == NOTES_SHOWN + 1 and lines[-1] == "…and 4980 more not delivered earlier"


def test_a_network_back_after_the_actions_closed_is_nothing_to_tell() -> None:
    runner = ActionRunner(lambda _event: None)
    runner.close()
    runner.retry_missed()  # (the loop closed: raised RuntimeError into the watcher's news)
