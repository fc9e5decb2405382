"""Argument parsing and dispatch for ``tcpmonitor``."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO, cast

from .. import __version__
from ..core import validate as v
from ..core.actions import MAX_ACTIONS, TIMEOUT_RANGE_S
from ..core.actions import ON as ACTION_ON
from ..core.paths import named
from ..core.presets import PRESETS
from ..core.profile import DETECTOR_KINDS, field_range, parse_target
from ..core.session import SessionError
from ..core.validate import parse_listen
from .actions import cmd_actions
from .check import cmd_check
from .errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_STATUSES, EXIT_USAGE, UsageError, die
from .events import cmd_events
from .outages import cmd_outages
from .profiles import cmd_profiles
from .report import cmd_report
from .run import cmd_run
from .stderr import Stderr
from .stdout import Stdout, carries_document

_NUMBER = re.compile(r"-\d+(\.\d*)?([eE][-+]?\d+)?")
_NO_VALUE = re.compile(r"argument (-[^ :/]+)(?:/-[^ :]+)*: expected one argument")


class _Parser(argparse.ArgumentParser):
    """argparse, but bad usage is one line on stderr and exit 2 (the command's contract)."""

    #: The arguments parsed (``parse_args`` sets them): an error names one taken for an option.
    argv: Sequence[str] = ()

    def error(self, message: str) -> NoReturn:
        where = self.prog.removeprefix("tcpmonitor").strip()  # "" for the top level
        message = self._commands(message) or message
        print(
            f"tcpmonitor: {where + ': ' if where else ''}{message}{self._dash_hint(message)}",
            file=sys.stderr,
        )
        sys.exit(EXIT_USAGE)

    def _commands(self, message: str) -> str | None:
        """A missing or unknown command, said with the ones there are: argparse names its
        dest ("the following arguments are required: action", of 'tcpmonitor actions';
        "argument action: invalid choice: 'lst'", of 'tcpmonitor profiles lst')."""
        for action in self._actions:
            if not isinstance(action, argparse._SubParsersAction) or not action.choices:
                continue
            there = f"{', '.join(action.choices)} ('{self.prog} --help' says what each does)"
            if message == f"the following arguments are required: {action.dest}":
                return f"a command is needed: {there}"
            unknown = f"argument {action.dest}: invalid choice: "
            if message.startswith(unknown):
                value = message.removeprefix(unknown).split(" (choose from ", 1)[0]
                return f"{value} is not a command; they are {there}"
        return None

    def _dash_hint(self, message: str) -> str:
        """Why a value such as a NAME "-x" went missing: argparse reads anything that begins
        with '-' as an option, and says only that NAME is required."""
        if m := _NO_VALUE.fullmatch(message):
            return f" (a value that begins with '-' is written {m[1]}=VALUE)"
        if not message.startswith("the following arguments are required"):
            return ""
        words = list(self.argv)
        words = words[: words.index("--")] if "--" in words else words
        taken = [
            w
            for w in words
            if w.startswith("-")
            and not w.startswith("--")
            and w != "-"
            and w not in self._option_string_actions
            and not _NUMBER.fullmatch(w)
        ]
        if not taken:
            return ""
        return (
            f" ({v.show(taken[0])} was read as an option: a value that begins with '-' goes"
            " after '--')"
        )


def _ranged(lo: float, hi: float, *, integer: bool = False) -> Any:
    def parse(text: str) -> float:
        try:
            value: float = int(text) if integer else float(text)
        except ValueError:
            kind = "a whole number" if integer else "a number"
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {kind} (allowed {v.fmt(lo)} to {v.fmt(hi)})"
            ) from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                f"{text} is out of range (allowed {v.fmt(lo)} to {v.fmt(hi)})"
            )
        return value

    return parse


def _field(path: str) -> Any:
    """The check of an option that sets the profile field ``path`` (its range declared once,
    in ``core.profile``)."""
    spec = field_range(path)
    return _ranged(spec.lo, spec.hi, integer=spec.integer)


def _target(text: str) -> tuple[str, int]:
    try:
        return parse_target(v.port_digits(text))
    except v.FieldError as exc:  # argparse names HOST:PORT already; "port" is not named
        shown = f"{v.show(exc.value)} {exc.problem}" if exc.field == "HOST:PORT" else str(exc)
        raise argparse.ArgumentTypeError(shown) from None


def _listen(text: str) -> tuple[str, int]:
    try:
        return parse_listen("--metrics-listen", v.port_digits(text))
    except v.FieldError as exc:
        raise argparse.ArgumentTypeError(f"{v.show(exc.value)} {exc.problem}") from None


def _common(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """The options every command takes; ``prefix`` names the top level's copies of them
    (before the command), which ``parse_args`` merges into the command's."""
    parser.add_argument(
        "--config-dir",
        dest=f"{prefix}config_dir",
        type=named("a folder"),
        metavar="DIR",
        help="profiles and settings live here",
    )
    parser.add_argument(
        "--data-dir",
        dest=f"{prefix}data_dir",
        type=named("a folder"),
        metavar="DIR",
        help="the event log lives here",
    )
    parser.add_argument(
        "-v", "--verbose", dest=f"{prefix}verbose", action="store_true", help="log what happens"
    )


class _Once(argparse.Action):
    """An option given once: a second ``--profile`` was taken in the first's place, and the
    first profile's outages read as none (``report`` takes several; these take one)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if (first := getattr(namespace, self.dest, None)) is not None:
            parser.error(
                f"{option_string}: one at a time here ({v.show(first)} and {v.show(values)} "
                "were given; 'tcpmonitor report' takes several)"
            )
        setattr(namespace, self.dest, values)


def _probe_options(parser: argparse.ArgumentParser, interval: str, timeout: str) -> None:
    parser.add_argument(
        "--interval", type=_field("detector.interval_s"), metavar="S", help=interval
    )
    parser.add_argument(
        "--timeout",
        type=_field("detector.timeout_s"),
        metavar="S",
        help=f"seconds to wait for the connect, and for a reply ({timeout})",
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), help="send/expect preset")
    parser.add_argument("--send", help="text to send (\\r \\n \\t \\xNN understood)")
    parser.add_argument(
        "--expect",
        help="regular expression the reply must match (with nothing to send: what the server "
        "sends first)",
    )
    parser.add_argument("--tls", action="store_true", help="TLS handshake after connect")
    parser.add_argument("--sni", metavar="NAME", help="TLS server name (default: the host)")
    parser.add_argument("--insecure", action="store_true", help="do not verify the certificate")
    parser.add_argument(
        "--ca-file", type=named("a file"), metavar="FILE", help="trust the CAs in this PEM file"
    )
    family = parser.add_mutually_exclusive_group()
    # No -4/-6: argparse would then read every negative number as an option, and
    # "--count -1" would fail without naming the value.
    family.add_argument("--ipv4", dest="ip_family", action="store_const", const="ipv4",
                        help="connect over IPv4 only")  # fmt: skip
    family.add_argument("--ipv6", dest="ip_family", action="store_const", const="ipv6",
                        help="connect over IPv6 only")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tcpmonitor",
        description="Watch TCP connections; be told at once, with the cause, when one drops.",
        epilog=EXIT_STATUSES,
    )
    parser.add_argument("--version", action="version", version=f"tcpmonitor {__version__}")
    # Also before the command ("tcpmonitor --config-dir DIR events"), as many tools take
    # them: unknown there, the folder was read as the command ("invalid choice: 'DIR'").
    _common(parser, "top_")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="connect now, like tcping (exit 0 if the last worked)")
    check.add_argument("target", type=_target, metavar="HOST:PORT")
    check.add_argument(
        "--count",
        "-c",
        type=_ranged(0, 1_000_000, integer=True),
        default=4,
        metavar="N",
        help="attempts (0: until interrupted; default 4)",
    )
    _probe_options(check, "seconds between attempts (default 1)", "default 3")
    check.add_argument("--json", action="store_true", help="one JSON object per attempt")
    _common(check)

    run = sub.add_parser("run", help="monitor every enabled profile until SIGINT/SIGTERM")
    run.add_argument(
        "--profiles",
        type=named("a file"),
        metavar="FILE",
        help="a profiles file instead of the stored ones",
    )
    run.add_argument("--json", action="store_true", help="print every event as a JSON line")
    run.add_argument(
        "--metrics-listen",
        type=_listen,
        metavar="[HOST:]PORT",
        help="serve Prometheus metrics on /metrics (host 127.0.0.1 unless given)",
    )
    _common(run)

    profiles = sub.add_parser(
        "profiles", help="list, add, remove, import, export, snooze profiles; maintenance, ack"
    )
    _common(profiles, "group_")  # "tcpmonitor profiles --config-dir DIR list" too
    psub = profiles.add_subparsers(dest="action", required=True, parser_class=_Parser)
    plist = psub.add_parser("list", help="the stored profiles")
    plist.add_argument("--json", action="store_true", help="the profile file's format")
    _common(plist)
    padd = psub.add_parser("add", help="add a profile")
    padd.add_argument("name", metavar="NAME")
    padd.add_argument("target", type=_target, metavar="HOST:PORT")
    padd.add_argument(
        "--detector",
        choices=DETECTOR_KINDS,
        default="probe",
        help="default: probe (connects each interval); heartbeat holds one connection and "
        "asks (echo unless --preset); watch holds one, silent",
    )
    padd.add_argument("--group", default="")
    padd.add_argument("--disabled", action="store_true", help="store it without monitoring")
    _probe_options(padd, "seconds between checks (default 5)", "default 3; a heartbeat's 2")
    _common(padd)
    prm = psub.add_parser("remove", help="remove a profile by name or id")
    prm.add_argument("name", metavar="NAME|ID")
    _common(prm)
    pimp = psub.add_parser("import", help="add the profiles of FILE ('-': stdin)")
    pimp.add_argument("file", type=named("a file, or '-' for standard input"), metavar="FILE")
    pimp.add_argument(
        "--replace", action="store_true", help="replace profiles with the same name or id"
    )
    taken = pimp.add_mutually_exclusive_group()
    taken.add_argument(
        "--with-actions",
        dest="actions",
        action="store_const",
        const="with",
        help="take the commands and notices the profiles have (they run on this computer)",
    )
    taken.add_argument(
        "--without-actions", dest="actions", action="store_const", const="without",
        help="leave them out",
    )  # fmt: skip
    _common(pimp)
    pexp = psub.add_parser("export", help="write the profiles to FILE (stdout without one)")
    pexp.add_argument(
        "file", nargs="?", type=named("a file, or '-' for standard output"), metavar="FILE"
    )
    _common(pexp)
    psnooze = psub.add_parser(
        "snooze", help="hold back one connection's notices (it is still watched and logged)"
    )
    psnooze.add_argument("name", metavar="NAME|ID")
    psnooze.add_argument("duration", metavar="DURATION", help="15m, 1h, 2h30m, tomorrow, forever")
    _common(psnooze)
    punsnooze = psub.add_parser("unsnooze", help="turn one connection's notices on again")
    punsnooze.add_argument("name", metavar="NAME|ID")
    _common(punsnooze)
    pmaint = psub.add_parser(
        "maintenance",
        help="list, add or remove the windows when a connection is expected to be down",
    )
    pmaint.add_argument("name", metavar="NAME|ID")
    pmaint.add_argument(
        "--add",
        action="append",
        metavar="WINDOW",
        help="'Sun 02:00-04:00 Europe/Berlin', 'Mon-Fri 12:00-12:30', "
        "'2026-12-24 18:00 - 2026-12-27 08:00 UTC' (a time zone at the end is optional: "
        "local time without one; repeatable)",
    )
    pmaint.add_argument("--remove", action="append", metavar="WINDOW", help="(repeatable)")
    pmaint.add_argument("--clear", action="store_true", help="remove every window first")
    _common(pmaint)
    pact = psub.add_parser(
        "actions",
        help="list, add or remove the commands run on a connection's changes",
        description="Without options: list them. Add one: --on down --run COMMAND [ARG ...] "
        "(last: every word after --run is the command's)",
    )
    pact.add_argument("name", metavar="NAME|ID")
    pact.add_argument("--on", choices=ACTION_ON, help="add a command run on this change")
    pact.add_argument("--timeout", type=_ranged(*TIMEOUT_RANGE_S), default=30.0, metavar="S",
                      help="(default 30)")  # fmt: skip
    pact.add_argument("--remove", type=_ranged(1, MAX_ACTIONS, integer=True), action="append",
                      metavar="N", help="the Nth, from 1")  # fmt: skip
    pact.add_argument("--clear", action="store_true", help="remove every action first")
    pact.add_argument("--notify", metavar="URL", help="add a notice to this Apprise URL")
    _common(pact)
    pact.add_argument(
        "--run", dest="argv", nargs=argparse.REMAINDER, metavar="COMMAND", help="(last)"
    )
    pack = psub.add_parser(
        "ack", help="acknowledge a connection's drop (the window stops marking it)"
    )
    pack.add_argument("name", nargs="?", metavar="NAME|ID")
    pack.add_argument("--all", action="store_true", help="every profile")
    pack.add_argument("--undo", action="store_true", help="no longer acknowledged")
    _common(pack)

    actions = sub.add_parser("actions", help="the commands run on state changes")
    _common(actions, "group_")
    asub = actions.add_subparsers(dest="action", required=True, parser_class=_Parser)
    atest = asub.add_parser(
        "test", help="run a profile's actions (and the global ones) for a test event"
    )
    atest.add_argument("name", metavar="NAME|ID")
    _common(atest)

    outages = sub.add_parser("outages", help="the stored history as outages")
    outages.add_argument("--profile", action=_Once, metavar="NAME|ID")
    outages.add_argument("--since", metavar="ISO8601|AGE", help="e.g. 7d (default: all)")
    outages.add_argument("--until", metavar="ISO8601|AGE")
    _formats(outages)
    _common(outages)
    report = sub.add_parser(
        "report", help="uptime, outages and latency of a period: a table, CSV or an HTML page"
    )
    report.add_argument("--since", metavar="ISO8601|AGE", help="e.g. 7d (default: 30d)")
    report.add_argument("--until", metavar="ISO8601|AGE", help="default: now")
    report.add_argument("--profile", action="append", metavar="NAME|ID",
                        help="only these profiles (repeat it); default: all")  # fmt: skip
    report.add_argument("--csv", type=named("a file, or '-' for standard output"),
                        metavar="FILE", help="write the table as CSV ('-': stdout)")  # fmt: skip
    report.add_argument("--html", type=named("a file, or '-' for standard output"),
                        metavar="FILE", help="write it as an HTML page ('-': stdout)")  # fmt: skip
    _common(report)

    events = sub.add_parser("events", help="the stored event log")
    events.add_argument("--profile", action=_Once, metavar="NAME|ID")
    events.add_argument("--since", metavar="ISO8601|AGE", help="e.g. 2026-11-26T08:00Z or 2h")
    events.add_argument("--until", metavar="ISO8601|AGE")
    events.add_argument("--limit", type=_ranged(1, 10_000_000, integer=True), metavar="N",
                        help="only the newest N (oldest first, as tail shows them)")  # fmt: skip
    _formats(events)
    _common(events)
    return parser


def _formats(parser: argparse.ArgumentParser) -> None:
    """``--format`` and its shorthands ``--json`` and ``--csv`` (as check and run take --json)."""
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--format", choices=("text", "csv", "json"), default="text")
    shape.add_argument("--json", dest="format", action="store_const", const="json",
                       help="the same as --format json")  # fmt: skip
    shape.add_argument("--csv", dest="format", action="store_const", const="csv",
                       help="the same as --format csv (yes or no: true or false)")  # fmt: skip


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The arguments, the common options given before the command merged into the
    command's own (given after it, they win)."""
    _Parser.argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
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
