"""Reports of the stored history over a period, for all or some profiles: a CSV table (one
row per profile) and a self-contained HTML page (the uptime table, each profile's latency as
an inline SVG chart with its outages shaded, and the outages listed). Nothing in the HTML
loads anything from elsewhere; every name and detail in it is escaped.

Built by ``build`` from the event log on the caller's thread (the desktop program's I/O
thread, or the command line); ``tcpmonitor report`` and the window's "Export report…" share it.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import html
import io
from collections.abc import Sequence

from . import eventqueries as q
from .durations import duration
from .eventlog import EventLog
from .eventqueries import Uptime
from .events import csv_cells, csv_writer
from .outages import Outage, Shade, each_outage, shade
from .profile import Profile
from .profile_history import Bucket, bucket_width, gather
from .uptime_text import cut_percent, percent_text
from .wall_time import with_offset

#: A chart draws at most this many buckets (a month: about 3 h each).
CHART_BUCKETS = 240
#: The HTML lists at most this many outages per profile (the newest).
MAX_LISTED = 200
#: The chart's width and its left margin (the latency axis), in pixels.
CHART_WIDTH, CHART_LEFT = 800, 48


@dataclasses.dataclass(frozen=True)
class ProfileReport:
    profile: Profile
    uptime: Uptime
    #: The newest ``MAX_LISTED`` of the outages overlapping the period, oldest first.
    outages: list[Outage]
    #: How many outages overlap the period: all of them, and the target's own (``counted``:
    #: not only this computer's, not only planned).
    outage_count: int
    own_outages: int
    #: The outages as the chart shades them (``outages.Shade``), those less than a pixel
    #: apart drawn as one: the target's own, and the others (this computer's, planned).
    shaded: list[Shade]
    shaded_other: list[Shade]
    buckets: list[Bucket]
    bucket_s: float
    #: The target's own downtime in the period (not this computer's, not planned, not while
    #: it slept): the time counted that was not up, so that it and ``uptime`` tell one story.
    downtime_s: float
    mean_recovery_s: float | None
    longest_s: float
    latency_avg_ms: float | None
    latency_max_ms: float | None
    checks: int
    failed: int


@dataclasses.dataclass(frozen=True)
class Report:
    since: dt.datetime
    until: dt.datetime
    profiles: list[ProfileReport]


@dataclasses.dataclass
class _Tally:
    """One profile's outages, added one at a time (oldest first): what the report says of
    them, in the same memory for ten outages as for a million."""

    since: dt.datetime
    until: dt.datetime
    pixel_s: float
    count: int = 0
    own: int = 0
    ended_s: float = 0.0
    ended: int = 0
    longest_s: float = 0.0
    newest: collections.deque[Outage] = dataclasses.field(
        default_factory=lambda: collections.deque(maxlen=MAX_LISTED)
    )
    shaded: list[Shade] = dataclasses.field(default_factory=list)
    shaded_other: list[Shade] = dataclasses.field(default_factory=list)

    def add(self, o: Outage) -> None:
        self.count += 1
        self.newest.append(o)
        own = o.counted
        start = max(o.start, self.since).timestamp()
        end = max(start, min(o.end or self.until, self.until).timestamp())
        shade(self.shaded if own else self.shaded_other, start, end, self.pixel_s, o.cause)
        if not own:
            return
        self.own += 1
        self.longest_s = max(self.longest_s, o.duration_s(self.until))
        if o.recovered:
            self.ended_s += o.duration_s(self.until)
            self.ended += 1


def build(
    log: EventLog, profiles: Sequence[Profile], since: dt.datetime, until: dt.datetime
) -> Report:
    """The report of ``profiles`` between ``since`` and ``until`` (UTC); the outages are
    read one at a time, never all held."""
    window = until - since
    width = bucket_width(window.total_seconds() * 1500 / CHART_BUCKETS)
    ids = [p.id for p in profiles]
    uptimes = log.uptimes(ids, window, until) if ids else {}
    pixel_s = max(1.0, window.total_seconds()) / (CHART_WIDTH - CHART_LEFT)
    tallies = {pid: _Tally(since, until, pixel_s) for pid in ids}
    if ids:
        every = q.stream(log.path, lambda conn: each_outage(conn, None, since, until))
        for o in every:
            if (tally := tallies.get(o.profile_id)) is not None:
                tally.add(o)
    rows = []
    for p in profiles:
        t = tallies[p.id]
        uptime = uptimes.get(p.id, Uptime(None))
        minutes = log.latency_per_minute(p.id, since, until)
        answered = sum(m.ok for m in minutes if m.lat_avg is not None)
        total = sum((m.lat_avg or 0.0) * m.ok for m in minutes if m.lat_avg is not None)
        highs = [m.lat_max for m in minutes if m.lat_max is not None]
        rows.append(
            ProfileReport(
                profile=p,
                uptime=uptime,
                outages=list(t.newest),
                outage_count=t.count,
                own_outages=t.own,
                shaded=t.shaded,
                shaded_other=t.shaded_other,
                buckets=gather(minutes, width),
                bucket_s=width,
                downtime_s=max(0.0, uptime.known_s - uptime.up_s),
                mean_recovery_s=t.ended_s / t.ended if t.ended else None,
                longest_s=t.longest_s,
                latency_avg_ms=total / answered if answered else None,
                latency_max_ms=max(highs) if highs else None,
                checks=sum(m.ok + m.fail for m in minutes),
                failed=sum(m.fail for m in minutes),
            )
        )
    return Report(since, until, rows)


CSV_FIELDS = ("profile", "group", "target", "uptime_percent", "not_counted_s", "maintenance_s",
              "outages", "downtime_s", "mean_time_to_recover_s", "longest_outage_s",
              "latency_avg_ms", "latency_max_ms", "checks", "failed_checks",
              "since", "until")  # fmt: skip


def to_csv(report: Report) -> str:
    """One row per profile; numbers plain (seconds, milliseconds, percent), times ISO 8601."""
    out = io.StringIO()
    writer = csv_writer(out, CSV_FIELDS)
    writer.writeheader()
    for r in report.profiles:
        p = r.profile
        pct = r.uptime.percent
        values = (p.name, p.group, p.target, _num(None if pct is None else cut_percent(pct, 3), 3),
                  _num(r.uptime.not_counted_s, 0), _num(r.uptime.maintenance_s, 0),
                  r.own_outages,
                  _num(r.downtime_s, 1), _num(r.mean_recovery_s, 1), _num(r.longest_s, 1),
                  _num(r.latency_avg_ms, 3), _num(r.latency_max_ms, 3), r.checks, r.failed,
                  _iso(report.since), _iso(report.until))  # fmt: skip
        writer.writerow(csv_cells(dict(zip(CSV_FIELDS, values, strict=True))))
    return out.getvalue()


def _num(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local(when: dt.datetime) -> str:
    """On the clock of the computer that wrote the report, with its UTC offset: a report
    mailed to another zone, or an outage in the hour the clocks pass twice, reads one way."""
    return with_offset(when, "%Y-%m-%d %H:%M")


_STYLE = """
body{font:14px system-ui,sans-serif;margin:2em;color:#222;max-width:70em}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}
th,td{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b00020}.muted{color:#777}svg{display:block;margin:.5em 0}
"""


def to_html(report: Report, title: str = "TCP Monitor report") -> str:
    """A self-contained page: no script, no link, no image from elsewhere."""
    e = html.escape
    period = f"{_local(report.since)} – {_local(report.until)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1><p class=muted>{e(period)} (times on the clock of the computer"
        " that wrote the report, with their offset from UTC)</p>",
        "<table><tr><th>Connection</th><th>Target</th><th class=n>Uptime</th>"
        "<th class=n>Outages</th><th class=n>Down</th><th class=n>Mean time to recover</th>"
        "<th class=n>Longest</th><th class=n>Mean latency</th></tr>",
    ]
    for r in report.profiles:
        pct = r.uptime.percent
        shown = "–" if pct is None else percent_text(pct)
        own = r.own_outages
        parts.append(
            f"<tr><td><a href='#p{e(r.profile.id)}'>{e(r.profile.name)}</a></td>"
            f"<td>{e(r.profile.target)}</td>"
            f"<td class='n{' bad' if pct is not None and pct < 99 else ''}'>{shown}</td>"
            f"<td class=n>{own}</td>"
            f"<td class=n>{duration(r.downtime_s) if r.downtime_s else '–'}</td>"
            f"<td class=n>{'–' if r.mean_recovery_s is None else duration(r.mean_recovery_s)}</td>"
            f"<td class=n>{duration(r.longest_s) if own else '–'}</td>"
            f"<td class=n>{_ms(r.latency_avg_ms)}</td></tr>"
        )
    parts.append("</table>")
    for r in report.profiles:
        parts.append(f"<h2 id='p{e(r.profile.id)}'>{e(r.profile.name)} "
                     f"<span class=muted>{e(r.profile.target)}</span></h2>")  # fmt: skip
        parts.append(chart_svg(r, report.since, report.until))
        parts.append(
            f"<p class=muted>{r.checks} checks, {r.failed} failed; latency mean "
            f"{_ms(r.latency_avg_ms)}, highest {_ms(r.latency_max_ms)}</p>"
        )
        if r.outages:
            parts.append("<table><tr><th>Start</th><th class=n>Duration</th><th>Cause</th>"
                         "<th>Ended</th><th>Note</th></tr>")  # fmt: skip
            for o in r.outages[::-1]:
                parts.append(
                    f"<tr><td>{_local(o.start)}</td>"
                    f"<td class=n>{duration(o.duration_s(report.until))}</td>"
                    f"<td title='{e(o.detail)}'>{e(o.cause.label if o.cause else '–')}</td>"
                    f"<td>{e(o.ended_by or 'ongoing')}</td><td class=muted>{o.note}</td></tr>"
                )
            parts.append("</table>")
            if r.outage_count > len(r.outages):
                parts.append(f"<p class=muted>… and {r.outage_count - len(r.outages)} older</p>")
        else:
            parts.append("<p>No outages in this period.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} ms" if value < 10 else f"{value:,.1f} ms"


def chart_svg(r: ProfileReport, since: dt.datetime, until: dt.datetime) -> str:
    """The profile's mean latency per bucket as a line over its min–max band, with its
    outages shaded: an inline SVG, 800 × 160."""
    w, h, left, bottom = CHART_WIDTH, 160, CHART_LEFT, 20
    t0, t1 = since.timestamp(), until.timestamp()
    span = max(1.0, t1 - t0)
    highs = [b.lat_max for b in r.buckets if b.lat_max is not None]
    top = max(highs) * 1.1 if highs else 1.0

    def x(t: float) -> float:
        return left + (t - t0) / span * (w - left)

    def y(v: float) -> float:
        return (h - bottom) * (1 - v / top)

    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' "
           f"viewBox='0 0 {w} {h}' role='img' aria-label='latency'>",
           f"<rect x='{left}' y='0' width='{w - left}' height='{h - bottom}' "
           "fill='#fafafa'/>"]  # fmt: skip
    lanes = [*((s, "#999") for s in r.shaded_other), *((s, "#d33") for s in r.shaded)]
    for shaded, color in lanes:  # the target's own over the others
        a, b = x(shaded.start), x(shaded.end)
        out.append(f"<rect x='{a:.1f}' y='0' width='{max(1.0, b - a):.1f}' "
                   f"height='{h - bottom}' fill='{color}' fill-opacity='0.3'/>")  # fmt: skip
    half = r.bucket_s / 2
    for run in _runs(r.buckets):
        band = [(x(b.start + half), y(b.lat_max or 0)) for b in run]
        band += [(x(b.start + half), y(b.lat_min or 0)) for b in reversed(run)]
        out.append(f"<polygon points='{_pts(band)}' fill='#2878dc' fill-opacity='0.25'/>")
        line = [(x(b.start + half), y(b.lat_avg or 0)) for b in run]
        out.append(f"<polyline points='{_pts(line)}' fill='none' stroke='#2878dc'/>")
    out.append(f"<text x='{left - 4}' y='12' text-anchor='end' font-size='11'>"
               f"{top:.3g} ms</text>")  # fmt: skip
    out.append(f"<text x='{left - 4}' y='{h - bottom}' text-anchor='end' font-size='11'>0</text>")
    for t in (t0, (t0 + t1) / 2, t1):
        anchor = "start" if t == t0 else "end" if t == t1 else "middle"
        label = _local(dt.datetime.fromtimestamp(t, dt.UTC))
        out.append(f"<text x='{x(t):.1f}' y='{h - 4}' text-anchor='{anchor}' "
                   f"font-size='11'>{label}</text>")  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def _runs(buckets: Sequence[Bucket]) -> list[list[Bucket]]:
    """Buckets with a latency, in runs broken where none answered (a gap, not a dive to 0)."""
    runs: list[list[Bucket]] = [[]]
    for b in buckets:
        if b.lat_avg is None or b.lat_min is None or b.lat_max is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(b)
    return [run for run in runs if run]


def _pts(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{a:.1f},{b:.1f}" for a, b in points)
