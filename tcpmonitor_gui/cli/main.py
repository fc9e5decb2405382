"""Argument parsing and dispatch for ``tcpmonitor``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TextIO, cast

from ..core.session import SessionError
from .actions import cmd_actions
from .arguments import Parser
from .check import cmd_check
from .errors import EXIT_INTERRUPTED, EXIT_OK, UsageError, die
from .events import cmd_events
from .outages import cmd_outages
from .parser import build_parser
from .profiles import cmd_profiles
from .report import cmd_report
from .run import cmd_run
from .stderr import Stderr
from .stdout import Stdout, carries_document
from .target import join_target


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The arguments, the common options given before the command merged into the
    command's own (given after it, they win)."""
    Parser.argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    join_target(args)
    for name in ("config_dir", "data_dir", "verbose"):  # the nearest the command wins
        nearest = (getattr(args, f"{where}{name}", None) for where in ("", "group_", "top_"))
        setattr(args, name, next((value for value in nearest if value), None))
    args.verbose = bool(args.verbose)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    err = Stderr(sys.stderr)  # a message that cannot be written never stops the command
    sys.stderr = cast(TextIO, err)
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C (``run`` and ``check`` take it): no traceback
        return EXIT_INTERRUPTED
    finally:
        sys.stderr = cast(TextIO, err.wrapped)


def _main(argv: Sequence[str] | None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    commands = {"check": cmd_check, "run": cmd_run, "profiles": cmd_profiles,
                "actions": cmd_actions, "outages": cmd_outages, "report": cmd_report}  # fmt: skip
    command = commands.get(args.command, cmd_events)
    out = Stdout(sys.stdout, document=carries_document(args))
    sys.stdout = cast(TextIO, out)
    try:
        code = command(args)
        if out.failed is None:  # (`run` says a failure itself, and monitors on)
            sys.stdout.flush()  # what is still buffered fails here, not at the exit
        return code
    except (UsageError, SessionError) as exc:  # a bad file is bad input too: named, exit 2
        return die(str(exc))
    except OSError as exc:
        if exc is not out.failed:
            raise
        if isinstance(exc, BrokenPipeError):  # `tcpmonitor events | head`: it has enough
            return EXIT_OK
        return die(f"cannot write the output: {exc.strerror or exc}")
    finally:
        sys.stdout = cast(TextIO, out.wrapped)
        if out.failed is not None:
            out.silence()
