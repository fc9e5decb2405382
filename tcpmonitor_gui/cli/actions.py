"""``tcpmonitor actions test NAME``: a test event through a profile's actions (and the global
ones), each result reported; nothing is recorded in the event log."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator

from ..core.action_runner import ActionRunner
from ..core.actions import test_event
from ..core.validate import show
from .errors import EXIT_FAILED, EXIT_OK, UsageError
from .options import open_session, say_unread
from .run import printable


def cmd_actions(args: argparse.Namespace) -> int:
    session = open_session(args, partial=True)
    try:
        profile = session.profiles.find(args.name)
        say_unread(session.profile_store.unread_error)
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
        interrupted: _Interrupted | None = None
        try:
            with _interruptible():
                outcomes = runner.run_now(runs, profile.target)
        except _Interrupted as exc:
            interrupted = exc
        finally:  # interrupted: what still runs is killed now, as at its timeout
            runner.close(timeout=0 if interrupted is not None else 5.0)
    finally:
        session.close()
    if interrupted is not None:
        print(f"tcpmonitor: interrupted ({interrupted}); the commands still running were "
              "stopped", file=sys.stderr)  # fmt: skip
        return EXIT_FAILED
    for outcome in outcomes:
        # What the command wrote is its own: it must not drive this terminal.
        print(f"{'ok' if outcome.ok else 'FAILED':6}  {printable(outcome.detail())}")
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_FAILED


class _Interrupted(Exception):
    """SIGINT or SIGTERM while the actions ran (``str()``: the signal's name)."""


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """Ctrl-C was a KeyboardInterrupt traceback, and SIGTERM ended the command at once,
    leaving the commands it started running on their own: both raise ``_Interrupted``
    instead; a second one while those are stopped is not heeded."""

    def interrupted(signum: int, _frame: object) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        raise _Interrupted(signal.Signals(signum).name)

    before = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    ending = False
    try:
        yield
    except _Interrupted:
        ending = True  # (they stay ignored: the command is ending)
        raise
    finally:
        for sig, handler in before.items() if not ending else ():
            signal.signal(sig, handler)
