"""The ``tcpmonitor`` command's parser: its commands and their options."""

from __future__ import annotations

import argparse

from .. import __version__
from ..core.actions import MAX_ACTIONS, TIMEOUT_RANGE_S
from ..core.actions import ON as ACTION_ON
from ..core.paths import named
from ..core.profile import DETECTOR_KINDS
from .arguments import Once, Parser, common_options, listen_address, probe_options, ranged
from .errors import EXIT_STATUSES
from .target import target_arguments


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tcpmonitor",
        description="Watch TCP connections; be told at once, with the cause, when one drops.",
        epilog=EXIT_STATUSES,
    )
    parser.add_argument("--version", action="version", version=f"tcpmonitor {__version__}")
    # Also before the command ("tcpmonitor --config-dir DIR events"), as many tools take
    # them: unknown there, the folder was read as the command ("invalid choice: 'DIR'").
    common_options(parser, "top_")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    check = sub.add_parser("check", help="connect now, like tcping (exit 0 if the last worked)")
    target_arguments(check)
    check.add_argument(
        "--count",
        "-c",
        type=ranged(0, 1_000_000, integer=True),
        default=4,
        metavar="N",
        help="attempts (0: until interrupted; default 4)",
    )
    probe_options(check, "seconds between attempts (default 1)", "default 3")
    check.add_argument("--json", action="store_true", help="one JSON object per attempt")
    common_options(check)

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
        type=listen_address,
        metavar="[HOST:]PORT",
        help="serve Prometheus metrics on /metrics (host 127.0.0.1 unless given)",
    )
    common_options(run)

    profiles = sub.add_parser(
        "profiles", help="list, add, remove, import, export, snooze profiles; maintenance, ack"
    )
    common_options(profiles, "group_")  # "tcpmonitor profiles --config-dir DIR list" too
    psub = profiles.add_subparsers(dest="action", required=True, parser_class=Parser)
    plist = psub.add_parser("list", help="the stored profiles")
    plist.add_argument("--json", action="store_true", help="the profile file's format")
    common_options(plist)
    padd = psub.add_parser("add", help="add a profile")
    padd.add_argument("name", metavar="NAME")
    target_arguments(padd)
    padd.add_argument(
        "--detector",
        choices=DETECTOR_KINDS,
        default="probe",
        help="default: probe (connects each interval); heartbeat holds one connection and "
        "asks (echo unless --preset); watch holds one, silent",
    )
    padd.add_argument("--group", default="")
    padd.add_argument("--disabled", action="store_true", help="store it without monitoring")
    probe_options(padd, "seconds between checks (default 5)", "default 3; a heartbeat's 2")
    common_options(padd)
    prm = psub.add_parser("remove", help="remove a profile by name or id")
    prm.add_argument("name", metavar="NAME|ID")
    common_options(prm)
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
    common_options(pimp)
    pexp = psub.add_parser("export", help="write the profiles to FILE (stdout without one)")
    pexp.add_argument(
        "file", nargs="?", type=named("a file, or '-' for standard output"), metavar="FILE"
    )
    common_options(pexp)
    psnooze = psub.add_parser(
        "snooze", help="hold back one connection's notices (it is still watched and logged)"
    )
    psnooze.add_argument("name", metavar="NAME|ID")
    psnooze.add_argument("duration", metavar="DURATION", help="15m, 1h, 2h30m, tomorrow, forever")
    common_options(psnooze)
    punsnooze = psub.add_parser("unsnooze", help="turn one connection's notices on again")
    punsnooze.add_argument("name", metavar="NAME|ID")
    common_options(punsnooze)
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
    common_options(pmaint)
    pact = psub.add_parser(
        "actions",
        help="list, add or remove the commands run on a connection's changes",
        description="Without options: list them. Add one: --on down --run COMMAND [ARG ...] "
        "(last: every word after --run is the command's)",
    )
    pact.add_argument("name", metavar="NAME|ID")
    pact.add_argument("--on", choices=ACTION_ON, help="add a command run on this change")
    pact.add_argument("--timeout", type=ranged(*TIMEOUT_RANGE_S), default=30.0, metavar="S",
                      help="(default 30)")  # fmt: skip
    pact.add_argument("--remove", type=ranged(1, MAX_ACTIONS, integer=True), action="append",
                      metavar="N", help="the Nth, from 1")  # fmt: skip
    pact.add_argument("--clear", action="store_true", help="remove every action first")
    pact.add_argument("--notify", metavar="URL", help="add a notice to this Apprise URL")
    common_options(pact)
    pact.add_argument(
        "--run", dest="argv", nargs=argparse.REMAINDER, metavar="COMMAND", help="(last)"
    )
    pack = psub.add_parser(
        "ack", help="acknowledge a connection's drop (the window stops marking it)"
    )
    pack.add_argument("name", nargs="?", metavar="NAME|ID")
    pack.add_argument("--all", action="store_true", help="every profile")
    pack.add_argument("--undo", action="store_true", help="no longer acknowledged")
    common_options(pack)

    actions = sub.add_parser("actions", help="the commands run on state changes")
    common_options(actions, "group_")
    asub = actions.add_subparsers(dest="action", required=True, parser_class=Parser)
    atest = asub.add_parser(
        "test", help="run a profile's actions (and the global ones) for a test event"
    )
    atest.add_argument("name", metavar="NAME|ID")
    common_options(atest)

    outages = sub.add_parser("outages", help="the stored history as outages")
    outages.add_argument("--profile", action=Once, metavar="NAME|ID")
    outages.add_argument("--since", metavar="ISO8601|AGE", help="e.g. 7d (default: all)")
    outages.add_argument("--until", metavar="ISO8601|AGE")
    _formats(outages)
    common_options(outages)
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
    common_options(report)

    events = sub.add_parser("events", help="the stored event log")
    events.add_argument("--profile", action=Once, metavar="NAME|ID")
    events.add_argument("--since", metavar="ISO8601|AGE", help="e.g. 2026-11-26T08:00Z or 2h")
    events.add_argument("--until", metavar="ISO8601|AGE")
    events.add_argument("--limit", type=ranged(1, 10_000_000, integer=True), metavar="N",
                        help="only the newest N (oldest first, as tail shows them)")  # fmt: skip
    _formats(events)
    common_options(events)
    return parser


def _formats(parser: argparse.ArgumentParser) -> None:
    """``--format`` and its shorthands ``--json`` and ``--csv`` (as check and run take --json)."""
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--format", choices=("text", "csv", "json"), default="text")
    shape.add_argument("--json", dest="format", action="store_const", const="json",
                       help="the same as --format json")  # fmt: skip
    shape.add_argument("--csv", dest="format", action="store_const", const="csv",
                       help="the same as --format csv (yes or no: true or false)")  # fmt: skip
