"""``tcpmonitor events``: the stored log of state changes, as text, CSV or JSON lines."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import itertools
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from typing import TypeVar

from ..core import eventqueries as q
from ..core.eventdb import refuse_special
from ..core.eventlog import EventFilter, EventLog, EventLogError
from ..core.events import FIELDS, csv_writer
from ..core.session import Session
from ..core.validate import ascii_digits, show
from .errors import EXIT_OK, UsageError
from .options import open_session, say_unread
from .run import describe

T = TypeVar("T")
_AGE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


def parse_when(option: str, text: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """An ISO 8601 time (no offset: local time) or an age such as ``90m``, ``2h``, ``7d``.

    Times before the epoch (the log holds nothing older) or past the calendar's end are
    taken as the epoch and the calendar's end: "since 0001-01-01" means everything."""
    if text is None:
        return None
    now = now or dt.datetime.now(dt.UTC)
    typed = ascii_digits(text.strip())  # digits in any script, as every number option takes
    if m := _AGE.match(typed):
        try:
            return max(EPOCH, now - dt.timedelta(seconds=float(m[1]) * _UNIT_S[m[2]]))
        except (OverflowError, ValueError):  # further back than any calendar: all of it
            return EPOCH
    try:
        when = dt.datetime.fromisoformat(typed)
    except ValueError:
        raise UsageError(
            f"{option}: {text!r} is not an ISO 8601 time (2026-11-26T08:00Z) or an age (2h, 7d)"
        ) from None
    try:
        if when.tzinfo is None:
            when = _local(option, text.strip(), when)  # what a person types is their own clock
        return min(max(when.astimezone(dt.UTC), EPOCH), END)
    except (OverflowError, ValueError, OSError):
        return EPOCH if when.year < 1970 else END


def _local(option: str, text: str, when: dt.datetime) -> dt.datetime:
    """``when`` (naive) on this computer's clock. A time the clocks skipped (spring's missing
    hour) or passed twice (autumn's) is refused, with the offsets that say it: taken as it
    came, "--since 02:30" began at 01:30 by the same clock, or at the first 02:30 unsaid."""
    first, second = when.replace(fold=0).astimezone(), when.replace(fold=1).astimezone()
    if first.replace(tzinfo=None) != when:
        raise UsageError(
            f"{option}: {text!r} is not a time on this computer's clock: it was skipped when"
            f" the clocks went forward (write it with its UTC offset, {_offset(when, first)})"
        )
    if first != second:
        raise UsageError(
            f"{option}: {text!r} came twice on this computer's clock, when the clocks went back"
            f" (write it with its UTC offset: {_offset(when, first)} or {_offset(when, second)})"
        )
    return first


def _offset(when: dt.datetime, zoned: dt.datetime) -> str:
    """``when`` as written, with the UTC offset of ``zoned``: 2026-10-25T02:30+02:00."""
    return when.replace(tzinfo=zoned.tzinfo).isoformat(timespec="minutes")


def parse_period(
    since_text: str | None, until_text: str | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``--since`` and ``--until`` (either may be left out); the one after the other is an
    error, as ``report`` says it, not an empty answer."""
    now = dt.datetime.now(dt.UTC)
    since, until = parse_when("--since", since_text, now), parse_when("--until", until_text, now)
    if since is not None and until is not None and since >= until:
        raise UsageError("--since must be before --until")
    return since, until


def profile_key(session: Session, name: str | None) -> str | None:
    """What ``--profile`` names: the stored profile of that name (or id), by its id, so that
    ``events``, ``outages`` and ``report`` tell the same profile's history (all of it, across a
    rename; not that of a removed one that had its name); else the name, for the log to find
    (``eventqueries.profile_id``: a removed profile's history is still there)."""
    if name is None:
        return None
    found = session.profiles.find(name)
    say_unread(session.profile_store.unread_error)
    return name if found is None else found.id


def known_profile(session: Session, name: str | None) -> None:
    """Refuse a ``--profile`` that is neither stored nor in the log (a removed profile's
    history is still there): "nosuch" would read as a profile with nothing to show."""
    if name is None:
        return
    if read_log(session, lambda log: bool(log.events(profile=name, limit=1)), False):
        return
    if session.profiles.find(name) is not None:
        return
    raise UsageError(f"--profile: no profile is named {show(name)}")


def read_log(session: Session, read: Callable[[EventLog], T], empty: T) -> T:
    """What ``read`` finds in the stored event log; ``empty`` when there is none (reading
    never creates one); a log that cannot be read is one line, exit 2."""
    path = session.eventlog_path
    try:
        refuse_special(path)  # a link into a folder that is gone is no "nothing happened"
        if not path.exists():
            return empty
        log = EventLog(path)
    except EventLogError as exc:
        raise UsageError(str(exc)) from None
    log.note = say_once
    try:
        return read(log)
    except EventLogError as exc:
        raise UsageError(str(exc)) from None
    finally:
        log.close()


def each_row(session: Session, query: Callable[[sqlite3.Connection], Iterator[T]]) -> Iterator[T]:
    """What ``query`` finds in the stored event log, one at a time as it is read (a million
    events are never held at once); nothing when there is no log; a log that cannot be read
    is one line, exit 2."""
    try:
        yield from q.stream(session.eventlog_path, query, say_once)
    except EventLogError as exc:
        raise UsageError(str(exc)) from None


@functools.cache
def say_once(note: str) -> None:
    """What a read of the log left out (``eventqueries.read``): on stderr, once."""
    print(f"tcpmonitor: note: {note}", file=sys.stderr, flush=True)


def cmd_events(args: argparse.Namespace) -> int:
    since, until = parse_period(args.since, args.until)
    session = open_session(args, partial=True)
    profile = profile_key(session, args.profile)
    filters = EventFilter(profile=profile, since=since, until=until, last=args.limit)
    found = (e for _, e in each_row(session, lambda conn: q.event_rows(conn, filters)))
    first = next(found, None)
    if first is None:
        known_profile(session, args.profile)
    rows = itertools.chain([] if first is None else [first], found)
    out = sys.stdout
    if args.format == "csv":
        writer = csv_writer(out, FIELDS)
        writer.writeheader()
        for event in rows:
            writer.writerow(event.to_csv_row())
    elif args.format == "json":
        for event in rows:
            out.write(event.to_json() + "\n")
    else:
        for event in rows:
            out.write(describe(event) + "\n")
        if first is None:
            print("no events", file=sys.stderr)
    out.flush()
    return EXIT_OK
