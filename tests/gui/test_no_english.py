"""The Chinese window shows no English: a Chinese user met the Detector column's words, the
metrics banner and the core's details ("connection refused", "FIN 0.3 s after our request")
in English.

The window is opened in zh_CN with a connection of every detector and a drop of every cause,
each with its detail as the core words it, and this computer's network and power events; then
the text of every widget, menu and tooltip, the table's and the log's cells and tooltips, the
details dock, the banner and the notices told is read, and any run of Latin letters that is not
a name, a host, a peer's own words or a word kept in every language (TCP, TLS, ms...) is a leak.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import errno
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.claims import TAKEN_OVER
from tcpmonitor_gui.core.connect import tried
from tcpmonitor_gui.core.durations import duration
from tcpmonitor_gui.core.eventlog import EventLogHealth
from tcpmonitor_gui.core.events import Cause, Event, Kind, State, condition, utc_now
from tcpmonitor_gui.core.exchange import preview
from tcpmonitor_gui.core.failure import classify
from tcpmonitor_gui.core.localnet import Address, Route, describe_change
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.sample import Sample, Timings
from tcpmonitor_gui.core.settings import Settings, SettingsStore
from tcpmonitor_gui.core.shortage import out_of
from tcpmonitor_gui.core.untold import AGAIN
from tcpmonitor_gui.ui.about import show_about
from tcpmonitor_gui.ui.common.problems import eventlog_health_words
from tcpmonitor_gui.ui.log.cells import Role
from tcpmonitor_gui.ui.main_window import MainWindow
from tcpmonitor_gui.ui.profiles.dialog import ProfileDialog, describe_outcome
from tcpmonitor_gui.ui.settings.dialog import SettingsDialog
from tests.gui.windows import open_window
from tests.helpers import make_profile

#: Words that stay as they are in every language: names of protocols, products and units.
KEPT = frozenset(
    ("TCP", "TLS", "IP", "IPv4", "IPv6", "DNS", "HTTP", "HEAD", "SMTP", "FTP", "SSH", "NOOP",
     "PING", "Redis", "memcached", "Prometheus", "ms", "UTC", "CSV", "JSON", "HTML", "PEM",
     "CA", "FIN", "RST", "RTT", "FIFO", "URL", "Apprise", "ntfy", "Monitor", "ulimit", "dev", "via",
     "fs", "file-max", "ip_local_port_range")
)  # fmt: skip
#: What the dialogs show of what a user types (examples of a field's syntax, a preset's
#: command), a language's own name, and names in a formula: kept as they are, there only.
TYPED = frozenset(
    ("Sun", "Mon-Fri", "daily", "Europe", "Berlin", "down", "up", "change", "notify", "shell",
     "PONG", "NOAUTH", "com", "version", "xNN", "USER_TIMEOUT", "English", "Python", "CPU",
     "min")
)  # fmt: skip
LATIN = re.compile(r"[A-Za-z][A-Za-z'_-]*")
#: What a peer said, as the core quotes it ('-ERR max number of clients reached').
QUOTED = re.compile(r"'[^']*'")
#: Markup (the about box's) and its entities.
TAGS = re.compile(r"<[^>]*>|&\w+;")

PEER_SAID = b"-ERR max number of clients reached"


def _details(host: str) -> dict[Cause, list[str]]:
    """A detail of each cause, as the core words it (``classify`` where it words them)."""

    def why(exc: BaseException, *, held: bool = False) -> str:
        return classify(exc, held=held)[1]

    def os_error(code: int) -> OSError:
        return OSError(code, os.strerror(code))

    said = preview(PEER_SAID)
    return {
        Cause.REFUSED: [
            why(ConnectionRefusedError()) + " (1 of 2 failures)",
            why(os_error(errno.ECONNREFUSED)),
        ],
        Cause.RESET: [why(ConnectionResetError()) + " after 12.0 s, saying " + said],
        Cause.CLOSED_BY_PEER: [
            "peer closed the connection (FIN) 0.3 s after our request, unanswered",
            "peer closed the connection (FIN) after 1 min 5 s with nothing said, like the one "
            "before: likely an idle timeout, the server's own or on the way (a proxy, load "
            "balancer or firewall); a heartbeat keeps the connection busy",
            why(BrokenPipeError()),
        ],
        Cause.CONNECT_TIMEOUT: [
            "no answer to connect within 3 s (tried 192.0.2.1:80 connect_timeout; "
            "192.0.2.2:80 refused)",
            why(TimeoutError()),
        ],
        Cause.HEARTBEAT_TIMEOUT: [
            "reply: no reply within 2 s",
            f"reply: incomplete within 2 s, got {said}",
        ],
        Cause.KEEPALIVE_TIMEOUT: [why(os_error(errno.ETIMEDOUT), held=True)],
        Cause.UNEXPECTED_REPLY: [
            f"reply: reply {said} did not match",
            f"greeting: got {said}",
            f"reply: over 64 KiB with no match, starting {said}",
            f"reply: connection ended after {said}",
        ],
        Cause.DNS_ERROR: [
            f"{host}: no such name (Name or service not known)",
            f"{host}: no IPv6 address, or no such name (Name or service not known)",
            f"lookup of {host} got no answer within 5 s",
        ],
        Cause.UNREACHABLE: [why(os_error(errno.EHOSTUNREACH)), why(os_error(errno.ENETUNREACH))],
        Cause.TLS_ERROR: [f"TLS handshake failed: {said}"],
        Cause.LOCAL_ERROR: [
            why(os_error(errno.EMFILE)),
            "peer closed the connection (FIN); a new connection: connection refused",
        ],
        Cause.LOCAL_NETWORK: [
            "this computer has no route to 192.0.2.1; no answer to connect",
            "connection reset by peer; right after this computer's network changed: "
            "default route now 0.0.0.0/0 via 10.0.0.1 dev eth0",
        ],
    }


def _event(p: Profile, state: State, cause: Cause | None, detail: str, **more: object) -> Event:
    return Event(ts=utc_now(), profile_id=p.id, profile_name=p.name, kind=Kind.STATE,
                 state=state, previous=State.UP, cause=cause, detector=p.detector.kind,
                 latency_ms=None, detail=detail, address=f"{p.host}:{p.port}",
                 **more)  # type: ignore[arg-type]  # fmt: skip


def _events(profiles: list[Profile], host: str) -> list[list[Event]]:
    """In turns: drops of every cause and the actions they ran (told in notices), then the
    recoveries and the rest, then this computer's network and power."""
    drops = []
    for cause, details in _details(host).items():
        for at, detail in enumerate(details):
            p = profiles[at % len(profiles)]
            drops.append(_event(p, State.DOWN, cause, detail, detection_ms=4.2))
    for result in (
        "exit 0 in 0.2 s",
        "exit 1 in 0.1 s: 429",
        "timed out after 30 s (killed)",
        "cannot run: No such file or directory",
        "not sent: down was told 3 s ago (once in 60 s)",
        "sent in 0.3 s (one notice for 3 changes)",
    ):
        detail = f"down action '/usr/local/bin/page-me': {result}"
        drops.append(dataclasses.replace(_event(profiles[0], State.DOWN, None, detail),
                                         kind=Kind.ACTION))  # fmt: skip
    connected = "connected to 127.0.0.1:6379 (dns 0.10 ms, connect 0.31 ms, rtt 0.03 ms)"
    rest = [
        _event(profiles[0], State.DEGRADED, None, "latency 812.3 ms over 500 ms"),
        _event(profiles[1], State.UP, None, "recovered"),
        _event(profiles[2], State.UP, None, connected),
        _event(profiles[2], State.PAUSED, None, "paused"),
        _event(profiles[2], State.UNKNOWN, None, "monitoring stopped"),
    ]
    computer = [
        condition(State.OFFLINE, "this computer's network is down (no link is up)"),
        condition(
            State.ONLINE, "this computer's network is up (it went down at least 3 times in 2.5 s)"
        ),
        condition(
            State.CHANGED,
            "this computer's network changed: new route 10.0.0.0/8 dev "
            "eth0; address 10.0.0.7 dev eth0 gone (now 10.0.0.9 dev eth0)",
        ),
        condition(State.SLEEP, "this computer is going to sleep"),
        condition(State.WAKE, "this computer woke up after 5 min 3 s"),
    ]
    return [drops, rest, computer]


def _logged(window: MainWindow) -> list[Event]:
    """The events that are lines of the window's log."""
    model = window.log_pane.model
    return [model.index(row, 0).data(Role.EVENT) for row in range(model.rowCount())]


def _paused_by_engine(window: MainWindow) -> set[str]:
    return {e.profile_id for e in _logged(window) if e.state is State.PAUSED}


def _model_texts(model: QAbstractItemModel) -> Iterator[str]:
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
    for column in range(model.columnCount()):
        for role in roles:
            yield str(model.headerData(column, Qt.Orientation.Horizontal, role) or "")
        for row in range(model.rowCount()):
            for role in roles:
                value = model.index(row, column).data(role)
                if isinstance(value, str):
                    yield value


def _menu_texts(actions: list[QAction]) -> Iterator[str]:
    for action in actions:
        yield action.text()
        yield action.toolTip()
        yield action.statusTip()
        if (menu := action.menu()) is not None and isinstance(menu, QMenu):
            yield from _menu_texts(menu.actions())


def _widget_texts(top: QWidget) -> Iterator[str]:
    for widget in [top, *top.findChildren(QWidget)]:
        yield widget.toolTip()
        yield widget.windowTitle()
        if isinstance(widget, QLabel | QAbstractButton):
            yield widget.text()
        if isinstance(widget, QLineEdit):
            yield widget.text()
            yield widget.placeholderText()
        if isinstance(widget, QComboBox):
            yield from (widget.itemText(i) for i in range(widget.count()))
        yield from _menu_texts(widget.actions())


def _window_texts(window: MainWindow) -> Iterator[str]:
    yield from _widget_texts(window)
    yield from _menu_texts(window.menuBar().actions())
    yield from _menu_texts(window.tray.menu().actions())
    yield from _model_texts(window.model)
    yield from _model_texts(window.log_pane.model)
    yield window.banner.label_text()
    for notice in window.notices:
        yield notice.title
        yield notice.body


def english_in(texts: Iterator[str], kept: frozenset[str]) -> set[str]:
    """The runs of Latin letters in ``texts`` that are not ``kept`` nor inside quotes."""
    found = set()
    for text in texts:
        bare = QUOTED.sub("", TAGS.sub(" ", text))
        for name in sorted(kept, key=len, reverse=True):
            bare = re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", " ", bare)
        found |= {w for w in LATIN.findall(bare) if w not in kept and len(w) > 1}
    return found


def _dialog_texts(window: MainWindow, profiles: list[Profile]) -> Iterator[str]:
    """The dialogs a user opens from the window: each profile's, the settings, the about box,
    and a test's outcome (connected, and failed)."""
    for p in profiles:
        dialog = ProfileDialog(window, profile=p)
        yield from _widget_texts(dialog)
        dialog.deleteLater()
    settings = SettingsDialog(window.session.settings, window)
    yield from _widget_texts(settings)
    settings.deleteLater()
    show_about(window)
    for box in window.findChildren(QMessageBox):
        yield from _widget_texts(box)
        yield box.text()
        box.close()
    timings = Timings(dns_ms=0.1, connect_ms=0.31, tls_ms=2.5, reply_ms=0.2, kernel_rtt_ms=0.03)
    for sample in (
        Sample(True, None, 0.31, "", "127.0.0.1:6379", timings),
        Sample.failure(Cause.REFUSED, "connection refused", "127.0.0.1:6379"),
    ):
        done: concurrent.futures.Future[Sample] = concurrent.futures.Future()
        done.set_result(sample)
        yield describe_outcome(done, "db.example:6379")[1]


def test_the_chinese_window_shows_no_english(chinese: None, qtbot: QtBot, tmp_path: Path) -> None:
    config = tmp_path / "config"
    with socket.socket() as taken:  # the metrics' port: in use
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        metrics_at = f"127.0.0.1:{taken.getsockname()[1]}"
        SettingsStore(config).save(Settings(metrics_listen=metrics_at))
        opened = open_window(qtbot, config, tmp_path / "data", monitor=False)
        window = opened.window
        host = "db.example"  # never looked up: the profiles are paused, the events made here
        profiles = [
            make_profile(host, 5432, "probe", name="Orders DB", group="prod", enabled=False),
            make_profile(host, 6379, "heartbeat", name="Cache", preset="redis", tls=True,
                         enabled=False),
            make_profile(host, 22, "watch", name="Bastion", enabled=False),
        ]  # fmt: skip
        try:
            for p in profiles:
                window.profiles.apply(p, new=True)
            ids = [p.id for p in profiles]
            window.start_monitoring()
            # The engine's word first: its "paused", coming later, would end the drops made here.
            qtbot.waitUntil(lambda: _paused_by_engine(window) == set(ids), timeout=5000)
            qtbot.waitUntil(lambda: metrics_at in window.banner.label_text(), timeout=5000)
            texts = [window.banner.label_text()]
            # A second apart: the log keeps one event of a time, a profile and a state.
            start, shown = utc_now(), 0
            for turn, batch in enumerate(_events(profiles, host)):
                events = [
                    dataclasses.replace(e, ts=start + dt.timedelta(seconds=shown + at))
                    for at, e in enumerate(batch)
                ]
                shown += len(events)
                window.on_events(events)
                qtbot.waitUntil(lambda e=events: all(x in _logged(window) for x in e), timeout=5000)
                if turn == 0:  # the drops are told (within the notices' coalescing)
                    qtbot.waitUntil(lambda: bool(window.notices), timeout=10_000)

                    # and the actions that failed, gathered (``failed_actions``)
                    def failed() -> bool:
                        return any("个操作失败" in n.title for n in window.notices)

                    qtbot.waitUntil(failed, timeout=10_000)
            window.show_details(profiles[1].id)
            log_view = window.log_pane.view
            log_menu = window.log_pane.context_menu(log_view.model().index(0, 0))
            names = {p.name for p in profiles} | {"Orders", "DB", "Cache", "Bastion", "prod"}
            names |= {host, "db", "example", "eth"}  # the host's and a network device's names
            leaks = english_in(iter(texts), KEPT | names)
            leaks |= english_in(_window_texts(window), KEPT | names)
            leaks |= english_in(_widget_texts(window.details), KEPT | names)
            leaks |= english_in(_menu_texts(log_menu.actions()), KEPT | names)
            tray = [window.tray.tooltip(), *window.tray.recent_texts()]
            leaks |= english_in(iter(tray), KEPT | names)
            leaks |= english_in(_dialog_texts(window, profiles), KEPT | TYPED | names)
            assert not leaks, f"English in the Chinese window: {sorted(leaks)}"
            window.log_pane.proxy.set_text("请求未获应答")  # the log is searched as it reads
            assert window.log_pane.proxy.rowCount() == 1
        finally:
            opened.close()


def test_a_detail_not_known_is_shown_as_the_core_worded_it(chinese: None) -> None:
    from tcpmonitor_gui.ui.common.detail_text import detail_text

    assert detail_text("something new happened") == "something new happened"
    assert detail_text("") == ""


def _core_details() -> list[str]:
    """Details as the core's own functions word them, where a function words them alone."""
    r1, r2 = Route("0.0.0.0/0", "10.0.0.1", "eth0"), Route("0.0.0.0/0", "10.0.0.254", "wlan0")
    a1, a2 = Address("10.0.0.7", "eth0"), Address("10.0.0.9", "eth0")
    net = Route("10.0.0.0/8", None, "eth0")
    changes = [
        describe_change(frozenset({r1}), frozenset({r2})),
        describe_change(frozenset({r1, r2}), frozenset({r1})),
        describe_change(frozenset({r1}), frozenset()),
        describe_change(frozenset({r1, a1}), frozenset({r1, a2, net})),
    ]
    failures = [(f"192.0.2.{n}:80", Cause.REFUSED if n % 2 else Cause.RESET) for n in range(8)]
    errors: list[BaseException] = [
        ConnectionRefusedError(), ConnectionResetError(), BrokenPipeError(), TimeoutError(),
        *(OSError(code, os.strerror(code)) for code in (
            errno.ECONNREFUSED, errno.ECONNRESET, errno.EHOSTUNREACH, errno.ENETUNREACH,
            errno.ENETDOWN, errno.EADDRNOTAVAIL, errno.ETIMEDOUT, errno.EMFILE)),
    ]  # fmt: skip
    return [
        *(classify(exc)[1] for exc in errors),
        classify(OSError(errno.ETIMEDOUT, os.strerror(errno.ETIMEDOUT)), held=True)[1],
        f"connection refused ({tried(failures[:2])})",
        f"connection refused ({tried(failures)})",
        *changes,
        f"connection reset by peer; right after {changes[0]}",
        f"peer closed the connection (FIN) after {duration(3725, tenths=True)}",
        f"this computer woke up after {duration(200_000)}",
        # A VPN whose uplink is gone (``local_verdict.judge``).
        "this computer's network is down (only the tunnel tun0 is up, with no link out under it)",
        # A cable out, its routes still taken (``LocalNetwork.local_failure``).
        "this computer's route to 192.0.2.7 goes through eth0, which has no carrier",
        "cut: this computer's address 10.0.0.7 is on eth0, which is down, right after "
        "this computer's network changed: default route 0.0.0.0/0 via 10.0.0.1 dev eth0 gone",
        f"{TAKEN_OVER}; connection refused",
        *(f"could not check: {out_of(code)}" for code in _SHORT),
        "could not check: this program is out of open files, to look up db.example",
        "could not check: this program is out of open files, to read the CA file /etc/ca.pem",
        "peer closed the connection (FIN) before our request",
        "peer closed the connection (FIN) as our request went out, unanswered",
        # A notice a service missed, told again (``core.untold``).
        f"down action 'notify json://…': {AGAIN.format(summary='sent in 0.1 s')}",
        f"up action 'notify json://…': {AGAIN.format(summary='not sent (0.2 s)')}: 500",
    ]


#: What this computer can run out of, a check then not made (``core.shortage``).
_SHORT = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM, errno.EADDRNOTAVAIL)


def test_the_cores_details_are_said_in_chinese(chinese: None) -> None:
    from tcpmonitor_gui.ui.common.detail_text import detail_text

    kept = KEPT | {"eth", "wlan", "tun", "db", "example", "etc", "ca", "pem"}  # names and paths
    left = {d: detail_text(d) for d in _core_details() if english_in(iter([detail_text(d)]), kept)}
    assert not left, left


def test_the_demos_connections_are_named_in_chinese(
    chinese: None, qtbot: QtBot, tmp_path: Path
) -> None:
    """ "Try the demo" listed "Demo flaky link" in group "demo", noted "Part of the demo: not
    saved..." in the Chinese window (the lab's English)."""
    opened = open_window(qtbot, tmp_path / "config", tmp_path / "data")
    window = opened.window
    try:
        window.commands["demo"].trigger()
        demo = opened.demo.demo
        assert demo is not None
        ids = {p.id for p in demo.profiles}
        qtbot.waitUntil(lambda: ids <= set(window.registry.profiles.by_id), timeout=5000)
        shown = [window.registry.profiles.by_id[pid] for pid in ids]
        words = [text for p in shown for text in (p.name, p.group, p.notes)]
        words.append(window.statusBar().currentMessage())
        assert not english_in(iter(words), KEPT), words
    finally:
        opened.close()


def test_the_event_logs_problems_are_said_in_chinese(
    chinese: None, qtbot: QtBot, tmp_path: Path
) -> None:
    """The banner said "events.sqlite3: is a named pipe (FIFO), not a file; the event log was
    not opened" and "...: was deleted while in use; a new event log is started there" in the
    Chinese window."""
    data = tmp_path / "data"
    data.mkdir()
    log_path = data / "events.sqlite3"
    os.mkfifo(log_path)
    opened = open_window(qtbot, tmp_path / "config", data, monitor=False)
    try:
        said = [opened.window.banner.label_text()]
        assert str(log_path) in said[0]
    finally:
        opened.close()
    renewed = f"{log_path}: was deleted while in use; a new event log is started there"
    full = f"{log_path}: cannot be opened (disk I/O error; the disk is full)"
    locked = "events not written yet (another program holds the writers' lock; they wait for it)"
    for health in (
        EventLogHealth(renewed=renewed),
        EventLogHealth(error=f"{log_path}: events not written (database or disk is full)"),
        EventLogHealth(error=f"{full}; events wait in memory"),
        EventLogHealth(error=f"{log_path}: {locked}"),
        EventLogHealth(  # a newer version's, beside the copy it kept of this one's
            error=f"{log_path}: schema version 5 is newer than this program understands (at "
            "most 4); upgrade TCP Monitor (the log as it was before is kept as "
            "events.sqlite3.schema-4.bak)"
        ),
    ):
        words = eventlog_health_words(health)
        assert words is not None
        said += words
    kept = KEPT | {part for part in re.split(r"\W+", str(log_path)) if part}
    kept |= {"schema-", "bak"}  # a file's name
    assert not english_in(iter(said), kept), said


def test_the_charts_days_and_months_are_said_in_chinese(chinese: None, qtbot: QtBot) -> None:
    """pyqtgraph wrote the time axis's days and months with ``strftime``: "Fri 05", "Dec"."""
    from tcpmonitor_gui.ui.details.chart import LatencyChart

    chart = LatencyChart()
    qtbot.addWidget(chart)
    axis = chart.plot.getPlotItem().getAxis("bottom")
    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC).timestamp()
    said = []
    chart.resize(800, 300)
    for days in (2, 6, 200):  # days by name, days of the month, months
        chart.plot.setXRange(start, start + days * 86400, padding=0)
        chart.grab()  # painted: the axis picks its ticks for its width
        for spacing, values in axis.tickValues(start, start + days * 86400, axis.width()):
            said += axis.tickStrings(values, 1.0, spacing)
    assert any("周" in text for text in said), said  # a day's name
    assert any("月" in text for text in said), said  # a month's
    assert not english_in(iter(said), KEPT), said


def test_a_ca_file_that_cannot_be_read_is_said_in_chinese(
    chinese: None, qtbot: QtBot, tmp_path: Path
) -> None:
    """A CA file typed wrong read "ca.pem cannot be read (No such file or directory)" beside
    its field in the Chinese dialog."""
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    form = dialog.form
    form.name_edit.setText("Secure")
    form.host_edit.setText("127.0.0.1")
    form.port_spin.setValue(443)
    form.tls_check.setChecked(True)
    gone = tmp_path / "gone.pem"
    form.ca_edit.setText(str(gone))

    def answered() -> bool:  # not "being checked": the file's own problem
        return not dialog._ca_check._running and bool(form.error_text("detector.tls_ca_file"))

    qtbot.waitUntil(answered, timeout=3000)
    said = form.error_text("detector.tls_ca_file")
    problem = said.partition(" ")[2]  # after the path, shown cut short ('/tmp/pytest-...)
    assert problem, said
    assert not english_in(iter([problem]), KEPT), said


def test_a_check_that_could_not_be_made_is_told_in_chinese(chinese: None) -> None:
    """The notice for connections this computer could not check ("Could not check Orders
    DB") gave each one's reason as the core words it: "Orders DB: this program is out of open
    files (its limit, ulimit -n: 64)" in the Chinese window's notice."""
    from tcpmonitor_gui.core.state import StateMachine
    from tcpmonitor_gui.ui.notify.wording import unchecked_words

    for count in (1, 2):
        events: list[Event] = []
        for n in range(count):
            p = make_profile("db.example", 5432 + n, "probe", name=f"db{n}", fail_after=1)
            machine = StateMachine(p)
            machine.feed(Sample(True, latency_ms=1.0))
            for code in _SHORT[:2]:
                reason = out_of(code)
                assert reason is not None
                found = machine.feed(Sample.failure(Cause.LOCAL_ERROR, reason, "192.0.2.1:1"))
                events += [e for e in found if e.kind is Kind.STATE]
        assert events
        title, body = unchecked_words(events)
        assert not english_in(iter([title, body]), KEPT | {"db"}), body


def test_a_tls_handshake_that_got_no_answer_is_said_in_chinese(chinese: None) -> None:
    """ "Test now" of a TLS connection whose server accepts and never answers said, in the
    Chinese dialog, "TLS 握手失败：SSL handshake is taking longer than 0.5 seconds: aborting
    the connection": asyncio's own words, as the core passed them on (the table, the log
    and the notices said them so too)."""
    import asyncio

    from tcpmonitor_gui.core.probe import probe_once
    from tcpmonitor_gui.core.resolver import Resolver
    from tcpmonitor_gui.lab import FaultProxy, LineEchoServer

    with LineEchoServer() as echo, FaultProxy(echo.address) as silent:
        silent.set_mode("blackhole")
        profile = make_profile(*silent.address, "probe", name="Secure", tls=True, timeout_s=0.5)
        sample = asyncio.run(probe_once(profile, Resolver()))
    assert sample.cause is Cause.TLS_ERROR, sample
    done: concurrent.futures.Future[Sample] = concurrent.futures.Future()
    done.set_result(sample)
    said = describe_outcome(done, profile.target)[1]
    assert not english_in(iter([said]), KEPT), said
    assert "0.5" in said, said


def test_tls_to_a_port_that_does_not_speak_it_is_said_in_chinese(chinese: None) -> None:
    """TLS turned on for a plain-text port (a server that greets in plain text): "Test now"
    said "TLS：WRONG_VERSION_NUMBER", OpenSSL's code for it, in the Chinese dialog as in the
    English one (and the table, log and notices)."""
    import asyncio

    from tcpmonitor_gui.core.probe import probe_once
    from tcpmonitor_gui.core.resolver import Resolver
    from tcpmonitor_gui.lab.targets import BannerServer

    with BannerServer(b"220 mail.example ESMTP\r\n") as plain:
        profile = make_profile(*plain.address, "probe", name="Mail", tls=True, timeout_s=2)
        sample = asyncio.run(probe_once(profile, Resolver()))
    assert sample.cause is Cause.TLS_ERROR, sample
    assert "TLS" in sample.detail and "WRONG_VERSION" not in sample.detail, sample.detail
    done: concurrent.futures.Future[Sample] = concurrent.futures.Future()
    done.set_result(sample)
    said = describe_outcome(done, profile.target)[1]
    assert not english_in(iter([said]), KEPT), said


def test_a_connection_left_out_for_its_name_is_said_in_chinese(
    chinese: None, tmp_path: Path
) -> None:
    """Two connections of one name, the second left out (read in part): the Chinese banner
    said why in English ("is also the name of profiles[0] ...; names must differ")."""
    import json

    from tcpmonitor_gui.core.session import Session
    from tcpmonitor_gui.ui.common.file_problems import file_problem_text
    from tcpmonitor_gui.ui.common.problems import problem_text

    one = {"id": "a1", "name": "Cache", "host": "127.0.0.1", "port": 6379}
    two = {"id": "a2", "name": "cache", "host": "127.0.0.1", "port": 6380}
    (tmp_path / "profiles.json").write_text(json.dumps({"version": 1, "profiles": [one, two]}))
    session = Session(tmp_path, tmp_path / "data", strict=False)
    try:
        assert [p.name for p in session.profiles] == ["Cache"]
        said = problem_text(session.problems[0])
        session.profiles.add([make_profile("127.0.0.1", 1, "probe", name="new")])
        with pytest.raises(Exception, match=r"^not saved") as refused:  # and why, in Chinese
            session.profiles.flush().result(10)
    finally:
        session.close()
    unsaved = file_problem_text(str(refused.value))
    assert not english_in(iter([said, unsaved]), KEPT | {"profiles", "json", "name"}), unsaved
