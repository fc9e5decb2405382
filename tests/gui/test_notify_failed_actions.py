"""An action that failed is told: one quiet notice naming the connection, the action and why,
failures that come together in one notice, at most one such notice a gap (``GAP_S``) with
none lost, never for a snoozed connection nor for an action that went as it should. The
actions are real commands run by the runner, as the engine runs them."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.action_runner import ActionRunner
from tcpmonitor_gui.core.actions import parse
from tcpmonitor_gui.core.actions import test_event as change
from tcpmonitor_gui.core.events import Event, State
from tcpmonitor_gui.core.snooze import FOREVER
from tcpmonitor_gui.ui.notify.failed_actions import QUIET_S
from tcpmonitor_gui.ui.notify.policy import Notice, NotificationPolicy
from tests.gui.test_notify import profiles

#: Waits for what the policy's own timers tell, with room for a loaded machine.
DEADLINE_MS = 10_000


def ran(on: str, command: Sequence[str], *names: str) -> list[Event]:
    """The ``action`` events the runner records for ``command`` run ``on`` a change of each
    of the profiles ``p0``, ``p1``... named ``names``."""
    recorded: list[Event] = []
    runner = ActionRunner(recorded.append)
    try:
        [action] = parse("actions", [{"on": on, "run": list(command)}])
        runs = [(action, change(f"p{i}", name, "probe", on)) for i, name in enumerate(names)]
        runner.run_now(runs, "127.0.0.1:1")
    finally:
        runner.close()
    return sorted(recorded, key=lambda e: e.profile_id)


def policy_of(*names: str, snooze_until: str = "") -> tuple[NotificationPolicy, list[Notice]]:
    known = {
        k: dataclasses.replace(p, snooze_until=snooze_until) for k, p in profiles(*names).items()
    }
    policy = NotificationPolicy(known)
    told: list[Notice] = []
    policy.notification.connect(told.append)
    return policy, told


def test_an_up_action_that_failed_is_told_with_its_reason(qtbot: QtBot) -> None:
    """The tunnel's restart script failed on the recovery: only the log said so."""
    policy, told = policy_of("Orders DB")
    [failed] = ran("up", ["sh", "-c", "echo tunnel: permission denied; exit 1"], "Orders DB")
    with qtbot.waitSignal(policy.notification, timeout=DEADLINE_MS):
        policy.handle([failed])
    [notice] = told
    assert notice.title == "Action failed: Orders DB"
    assert notice.body.startswith("up action 'sh -c")
    assert "exit 1 in " in notice.body and notice.body.endswith(": tunnel: permission denied")
    assert notice.urgent and not notice.sound and notice.profile_ids == ("p0",)


def test_actions_that_went_as_they_should_are_not_told(qtbot: QtBot) -> None:
    policy, told = policy_of("Orders DB")
    [done] = ran("down", ["true"], "Orders DB")
    not_again = dataclasses.replace(
        done, detail="down action 'true': " + "not run: down when last watched too (before "
        "the restart or a pause), not a new drop"
    )  # fmt: skip
    policy.handle([done, not_again])
    assert not policy.failed.quiet.isActive() and not policy.failed.bound.isActive()
    policy.failed.flush()
    assert told == []


def test_failures_that_come_together_are_one_notice(qtbot: QtBot) -> None:
    names = ("Orders DB", "Cache", "Broker", "Search")
    policy, told = policy_of(*names)
    failed = ran("down", ["sh", "-c", "exit 3"], *names)
    with qtbot.waitSignal(policy.notification, timeout=DEADLINE_MS):
        for event in failed:
            policy.handle([event])
    [notice] = told
    assert notice.title == "4 actions failed: Orders DB, Cache, Broker and 1 more"
    lines = notice.body.splitlines()
    assert len(lines) == 4 and lines[0].startswith("Orders DB: down action 'sh -c exit 3'")
    assert notice.profile_ids == ("p0", "p1", "p2", "p3")


def test_failures_after_a_notice_wait_for_its_gap_and_none_is_lost(qtbot: QtBot) -> None:
    """A script that fails at every flap of its connection: one notice a gap, not one each,
    and what failed in the gap is told at its end."""
    policy, told = policy_of("Orders DB", "Cache")
    gap_s = 1.5
    policy.failed.gap.setInterval(round(gap_s * 1000))
    first, second = ran("down", ["false"], "Orders DB", "Cache")
    with qtbot.waitSignal(policy.notification, timeout=DEADLINE_MS):
        policy.handle([first])
    told_at = time.monotonic()
    policy.handle([second])
    assert policy.failed.gap.isActive() and not policy.failed.quiet.isActive()
    with qtbot.waitSignal(policy.notification, timeout=DEADLINE_MS):
        pass
    waited = time.monotonic() - told_at
    assert waited >= gap_s - 0.1 > QUIET_S  # at the gap's end, not the burst's quiet
    assert [n.title for n in told] == ["Action failed: Orders DB", "Action failed: Cache"]


def test_a_snoozed_connection_s_failed_action_is_not_told(qtbot: QtBot) -> None:
    policy, told = policy_of("Orders DB", snooze_until=FOREVER)
    [failed] = ran("down", ["false"], "Orders DB")
    policy.handle([failed])
    policy.failed.flush()
    assert told == [] and failed.state is State.DOWN
