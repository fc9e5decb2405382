"""``tcpmonitor actions test NAME``: a test event through a profile's actions (and the global
ones), each result reported; nothing is recorded in the event log."""

from __future__ import annotations

import argparse
import sys

from ..core.action_runner import ActionRunner
from ..core.actions import test_event
from ..core.validate import show
from .errors import EXIT_FAILED, EXIT_OK, UsageError
from .options import open_session
from .run import printable


def cmd_actions(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        profile = session.profiles.find(args.name)
        if profile is None:
            raise UsageError(f"NAME|ID: {show(args.name)} is not a stored profile")
        actions = (*profile.actions, *session.settings.actions)
        if not actions:
            print(f"{profile.name!r} has no actions, and there are no global ones",
                  file=sys.stderr)  # fmt: skip
            return EXIT_FAILED
        runs = [(a, test_event(profile.id, profile.name, profile.detector.kind, a.on))
                for a in actions]  # fmt: skip
        runner = ActionRunner(lambda _event: None)
        try:
            outcomes = runner.run_now(runs, profile.target)
        finally:
            runner.close()
    finally:
        session.close()
    for outcome in outcomes:
        # What the command wrote is its own: it must not drive this terminal.
        print(f"{'ok' if outcome.ok else 'FAILED':6}  {printable(outcome.detail())}")
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_FAILED
