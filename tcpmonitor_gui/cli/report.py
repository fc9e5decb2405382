"""``tcpmonitor report``: the stored history of a period, per profile: uptime, outages, time
down, mean time to recover, longest outage, latency; as a table, and as a CSV file and a
self-contained HTML page (``core.report``)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..core.durations import duration
from ..core.outputs import write_output
from ..core.profile import Profile
from ..core.profile_set import ProfileSet
from ..core.report import Report, build, to_csv, to_html
from ..core.uptime_text import percent_text
from ..core.validate import show
from .columns import print_rows, widths
from .errors import EXIT_OK, UsageError
from .events import parse_when, read_log
from .options import open_session, refuse_own_output, say_unread
from .run import printable

DEFAULT_SINCE = "30d"


def cmd_report(args: argparse.Namespace) -> int:
    now = dt.datetime.now(dt.UTC)
    since = parse_when("--since", DEFAULT_SINCE if args.since is None else args.since, now)
    until = parse_when("--until", args.until, now) or now
    assert since is not None
    if since >= until:
        raise UsageError("--since must be before --until")
    session = open_session(args, partial=True)
    own = (session.config_dir, session.data_dir)
    for target in (args.csv, args.html):  # before anything is read or written
        refuse_own_output(target, own)
    _apart(args.csv, args.html)
    profiles = _chosen(session.profiles, args.profile or [])
    say_unread(session.profile_store.unread_error)
    empty = Report(since, until, [])
    report = read_log(session, lambda log: build(log, profiles, since, until), empty)
    for target, text in ((args.csv, to_csv(report) if args.csv else ""),
                         (args.html, to_html(report) if args.html else "")):  # fmt: skip
        if target:
            _write(target, text, own)
    if (not args.csv and not args.html) or "-" not in (args.csv, args.html):
        _table(report, profiles)
    return EXIT_OK


def _chosen(profiles: ProfileSet, wanted: list[str]) -> list[Profile]:
    """All profiles, or those named (a name in any case, or an id); an unknown one is named."""
    if not wanted:
        return list(profiles)
    chosen: list[Profile] = []
    for name in wanted:
        if (found := profiles.find(name)) is None:
            raise UsageError(f"--profile: no profile is named {show(name)}")
        if found not in chosen:
            chosen.append(found)
    return chosen


def _apart(csv_to: str | None, html_to: str | None) -> None:
    """The CSV and the page one after the other in one place is neither: refused."""
    if not csv_to or not html_to:
        return
    if csv_to == html_to == "-":
        raise UsageError("--csv and --html cannot both go to standard output")
    if "-" not in (csv_to, html_to) and Path(csv_to).resolve() == Path(html_to).resolve():
        raise UsageError(f"--csv and --html name the same file ({show(html_to)})")


def _write(target: str, text: str, own: tuple[Path, Path]) -> None:
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_output(Path(target), text, own, mode=0o644)
    except OSError as exc:
        raise UsageError(f"{target}: cannot write ({exc.strerror or exc})") from None
    print(f"report written to {target}", file=sys.stderr)


def _table(report: Report, profiles: list[Profile]) -> None:
    if not profiles:
        print("no profiles", file=sys.stderr)
        return
    rows = [("PROFILE", "UPTIME", "OUTAGES", "DOWN", "MTTR", "LONGEST", "LATENCY")]
    by_id = {r.profile.id: r for r in report.profiles}
    for p in profiles:
        r = by_id.get(p.id)
        if r is None or r.uptime.percent is None:
            rows.append((printable(p.name), "-", "-", "-", "-", "-", "-"))
            continue
        own = r.own_outages
        rows.append(
            (
                printable(p.name),
                percent_text(r.uptime.percent),
                str(own),
                duration(r.downtime_s) if r.downtime_s else "-",
                "-" if r.mean_recovery_s is None else duration(r.mean_recovery_s),
                duration(r.longest_s) if own else "-",
                "-" if r.latency_avg_ms is None else f"{r.latency_avg_ms:.2f} ms",
            )
        )
    print_rows(rows, widths(rows))
