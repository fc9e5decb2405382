"""``tcpmonitor outages``: the stored history as outages (start, end, how long, why, how it
ended), as a table, CSV or JSON lines."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys

from ..core.durations import duration
from ..core.events import csv_cells
from ..core.outages import FIELDS, Outage
from .errors import EXIT_OK
from .events import known_profile, parse_period, read_log
from .options import open_session
from .run import printable


def cmd_outages(args: argparse.Namespace) -> int:
    since, until = parse_period(args.since, args.until)
    session = open_session(args)
    found: list[Outage] = read_log(session, lambda log: log.outages(args.profile, since, until), [])
    if not found:
        known_profile(session, args.profile)
    now = dt.datetime.now(dt.UTC)
    out = sys.stdout
    if args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
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


def _table(found: list[Outage], now: dt.datetime) -> None:
    if not found:
        print("no outages", file=sys.stderr)
        return
    rows = [("START", "DURATION", "PROFILE", "CAUSE", "ENDED", "NOTE")]
    for o in found:
        note = "maintenance" if o.maintenance else "this computer offline" if o.local else ""
        rows.append(
            (
                f"{o.start.astimezone():%Y-%m-%d %H:%M:%S}",
                duration(o.duration_s(now), tenths=True),
                printable(o.profile_name),
                "-" if o.cause is None else o.cause.label,
                o.ended_by or "ongoing",
                note,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
