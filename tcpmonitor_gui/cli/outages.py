"""``tcpmonitor outages``: the stored history as outages (start, end, how long, why, how it
ended), as a table, CSV or JSON lines."""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
from collections.abc import Iterator

from ..core.durations import duration
from ..core.events import csv_cells, csv_writer
from ..core.outages import FIELDS, Outage, each_outage
from ..core.wall_time import with_offset
from .columns import print_rows, widths
from .errors import EXIT_OK
from .events import each_row, known_profile, parse_period, profile_key
from .options import open_session
from .run import printable

#: The table's columns are as wide as these first rows need (the rest are not held).
TABLE_WIDTHS_FROM = 10_000


def cmd_outages(args: argparse.Namespace) -> int:
    since, until = parse_period(args.since, args.until)
    session = open_session(args, partial=True)
    profile = profile_key(session, args.profile)
    rows = each_row(session, lambda conn: each_outage(conn, profile, since, until))
    first = next(rows, None)
    if first is None:
        known_profile(session, args.profile)
    found = itertools.chain([] if first is None else [first], rows)
    now = dt.datetime.now(dt.UTC)
    out = sys.stdout
    if args.format == "csv":
        writer = csv_writer(out, FIELDS)
        writer.writeheader()
        for outage in found:
            writer.writerow(csv_cells(outage.to_dict(now)))
    elif args.format == "json":
        for outage in found:
            out.write(_json(outage.to_dict(now)) + "\n")
    else:
        _table(found, now)
    out.flush()
    return EXIT_OK


def _json(data: dict[str, object]) -> str:
    import json  # noqa: PLC0415

    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _table(found: Iterator[Outage], now: dt.datetime) -> None:
    """The columns are as wide as the first ``TABLE_WIDTHS_FROM`` rows need: rows past them
    are printed as they are read (a wider cell there pushes the rest of its line)."""
    header = ("START", "DURATION", "PROFILE", "CAUSE", "ENDED", "NOTE")
    rows = (_cells(o, now) for o in found)
    first = [header, *itertools.islice(rows, TABLE_WIDTHS_FROM)]
    if len(first) == 1:
        print("no outages", file=sys.stderr)
        return
    print_rows(itertools.chain(first, rows), widths(first))


def _cells(o: Outage, now: dt.datetime) -> tuple[str, ...]:
    return (
        with_offset(o.start),
        duration(o.duration_s(now)),
        printable(o.profile_name),
        "-" if o.cause is None else o.cause.label,
        printable(o.ended_by or "ongoing"),  # an old or hand-made log may hold anything
        o.note,
    )
