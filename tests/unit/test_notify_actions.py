"""Actions that notify services through Apprise, against real receivers on loopback: a JSON
webhook, an ntfy-style endpoint, an SMTP server (aiosmtpd); a service that cannot be reached
is recorded with its reason; secrets in the URLs never reach output or the log; snooze and
the once-in-30-s rule hold."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import email
import http.server
import json
import logging
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tcpmonitor_gui.core import action_runner, apprise_send
from tcpmonitor_gui.core.action_runner import ActionRunner
from tcpmonitor_gui.core.actions import MAX_WAITING, parse, scrubbed
from tcpmonitor_gui.core.events import Cause, Event, Kind, State, utc_now
from tcpmonitor_gui.core.validate import FieldError
from tests.unit._cli_process import Home, tcpmonitor

SECRET = "S3CRET-pass"
TOKEN = "T0KEN-value"


class Receiver(http.server.ThreadingHTTPServer):
    """Takes POSTs and keeps (path, headers, JSON body); answers as ntfy does."""

    daemon_threads = True

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.got: list[tuple[str, dict[str, str], Any]] = []
        self.arrived = threading.Condition()
        self.status = 200  # what it answers
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with owner.arrived:
                    owner.got.append((self.path, dict(self.headers), json.loads(body)))
                    owner.arrived.notify_all()
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"id": "1", "event": "message"}')

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__((host, port), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def wait(self, n: int, timeout: float = 10.0) -> list[tuple[str, dict[str, str], Any]]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.got) >= n, timeout), self.got
            return list(self.got)


class Mailbox:
    def __init__(self) -> None:
        self.mail: list[Any] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.mail.append(envelope)
        return "250 OK"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with socket.socket() as probe:  # aiosmtpd needs a port number before it listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def store(home: Home, actions: list[dict[str, Any]], name: str = "Orders DB") -> None:
    home.config.mkdir(parents=True, exist_ok=True)
    profile = {"name": name, "host": "127.0.0.1", "port": 1, "actions": actions}
    (home.config / "profiles.json").write_text(json.dumps({"version": 1, "profiles": [profile]}))


def test_a_test_event_reaches_a_webhook_ntfy_and_mail_and_a_dead_service_is_named(
    tmp_path: Path, receiver: Receiver, smtp: tuple[Mailbox, int]
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    box, smtp_port = smtp
    port = receiver.port
    mail = (f"mailto://example.com?smtp=127.0.0.1&port={smtp_port}&mode=insecure"
            "&from=monitor@example.com&to=ops@example.com")  # fmt: skip
    store(home, [
        {"on": "down", "notify": f"json://hook:{SECRET}@127.0.0.1:{port}/hook?+X-Token={TOKEN}"},
        {"on": "down", "notify": f"ntfy://127.0.0.1:{port}/alerts"},
        {"on": "down", "notify": mail},
        {"on": "down", "notify": "json://127.0.0.1:1/nobody-listens", "timeout_s": 10},
    ])  # fmt: skip
    result = tcpmonitor(home, "actions", "test", "Orders DB")
    assert result.returncode == 1  # one of them failed
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["ok", "ok", "ok", "FAILED"]
    assert lines[0].startswith(f"ok      down action 'notify json://127.0.0.1:{port}/…': sent")
    assert "not sent" in lines[3] and "Connection error" in lines[3]
    assert SECRET not in result.stdout + result.stderr and TOKEN not in result.stdout

    got = receiver.wait(2)
    by_path = {path: (headers, body) for path, headers, body in got}
    headers, hook = by_path["/hook"]
    assert hook["title"] == "Connection down: Orders DB"
    assert hook["message"].startswith("Orders DB (127.0.0.1:1) is down")
    assert headers["X-Token"] == TOKEN  # the URL's secrets went where they were meant to
    assert base64.b64decode(headers["Authorization"].split()[1]) == f"hook:{SECRET}".encode()
    assert by_path["/"][1]["topic"] == "alerts"
    assert by_path["/"][1]["title"] == "Connection down: Orders DB"
    [letter] = box.mail
    assert letter.rcpt_tos == ["ops@example.com"]
    assert b"Connection down: Orders DB" in letter.content


def test_a_name_that_looks_like_markup_reaches_a_mail_as_text(
    tmp_path: Path, smtp: tuple[Mailbox, int]
) -> None:
    """The notice is plain text and Apprise is told so: an e-mail (HTML by default) showed
    "R&D  db (127.0.0.1:1) is down", its "<core>" and line breaks gone."""
    home = Home(tmp_path / "config", tmp_path / "data")
    box, smtp_port = smtp
    mail = (f"mailto://example.com?smtp=127.0.0.1&port={smtp_port}&mode=insecure"
            "&from=monitor@example.com&to=ops@example.com")  # fmt: skip
    store(home, [{"on": "down", "notify": mail}], name="R&D <core> db")
    result = tcpmonitor(home, "actions", "test", "R&D <core> db")
    assert result.returncode == 0, result.stdout + result.stderr
    [letter] = box.mail
    message = email.message_from_bytes(letter.content)
    assert message["Subject"] == "Connection down: R&D <core> db"
    texts = [part.get_payload(decode=True).decode() for part in message.walk()
             if part.get_content_maintype() == "text"]  # fmt: skip
    assert texts and all("R&D <core> db (127.0.0.1:1) is down" in text for text in texts)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (f"bogus://user:{SECRET}@host/", "is not a notification URL Apprise knows"),
        ("", "is not a notification URL"),
        (42, "is not a notification URL"),
        # Pasted with its line's end, or a tab: the whole URL was shown, password and all.
        (f"json://user:{SECRET}@127.0.0.1/\n", "contains a control character (U+000A)"),
        (f"ntfy://ntfy.sh/{SECRET}\t", "contains a control character (U+0009)"),
        (f"ntfy://ntfy.sh/{SECRET}" + "x" * 5000, "is too long (5026 characters, allowed at"),
    ],
)
def test_a_bad_notification_url_is_refused_without_its_secret(url: object, problem: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse("actions", [{"on": "down", "notify": url}])
    assert problem in str(caught.value) and SECRET not in str(caught.value)


def test_an_action_is_a_command_or_a_notice_not_both() -> None:
    with pytest.raises(FieldError, match='needs "run"'):
        parse("actions", [{"on": "down", "run": ["x"], "notify": "json://127.0.0.1/"}])


def drop(previous: State = State.UP) -> Event:
    return Event(ts=utc_now(), profile_id="p1", profile_name="Orders DB", kind=Kind.STATE,
                 state=State.DOWN, previous=previous, cause=Cause.REFUSED, detector="probe",
                 latency_ms=None)  # fmt: skip


class Reports:
    """The runner's ``action`` events, waited for with a deadline."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._arrived = threading.Condition()

    def __call__(self, event: Event) -> None:
        with self._arrived:
            self.events.append(event)
            self._arrived.notify_all()

    def wait(self, n: int, timeout: float = 10.0) -> list[Event]:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.events) >= n, timeout)
            return list(self.events)


def test_a_service_hears_a_change_once_in_30_s_and_nothing_while_snoozed(
    receiver: Receiver,
) -> None:
    reports = Reports()
    runner = ActionRunner(reports)
    actions = parse("actions", [{"on": "change", "notify": f"json://127.0.0.1:{receiver.port}/"}])
    try:
        runner.submit(drop(), actions, "127.0.0.1:1")
        runner.submit(drop(), actions, "127.0.0.1:1")  # the same drop again, a moment later
        back = dataclasses.replace(drop(), state=State.UP, previous=State.DOWN, cause=None)
        runner.submit(back, actions, "127.0.0.1:1", snoozed=True)  # snoozed: not told
        runner.submit(back, actions, "127.0.0.1:1")  # another change: told
        details = sorted(e.detail for e in reports.wait(3))
    finally:
        runner.close()
    assert len(details) == 3
    assert sum("sent in " in d and "(one notice for 2 changes)" in d for d in details) == 2
    assert any("not sent: down was told 0 s ago (once in 30 s)" in d for d in details)
    [(_, _, told)] = receiver.wait(1)  # the drop and the return, gathered: one notice
    assert told["title"] == "Orders DB: 2 changes"
    assert told["message"].splitlines() == [
        "Orders DB (127.0.0.1:1) is down: refused",
        "Orders DB (127.0.0.1:1) is up",
    ]


def test_a_drop_not_told_because_the_service_failed_is_told_at_the_next_drop(
    receiver: Receiver,
) -> None:
    """The service failed the first drop's notice; the connection came back and dropped again
    within 30 s, and that notice was not even tried: "not sent: down was told 8 s ago", of a
    drop nobody was told about."""
    reports = Reports()
    runner = ActionRunner(reports)
    actions = parse("actions", [{"on": "down", "notify": f"json://127.0.0.1:{receiver.port}/"}])
    receiver.status = 500
    try:
        runner.submit(drop(), actions, "127.0.0.1:1")
        [failed] = reports.wait(1)
        receiver.status = 200
        runner.submit(drop(previous=State.UP), actions, "127.0.0.1:1")  # (up told to nobody)
        again = reports.wait(2)[1]
    finally:
        runner.close()
    assert "not sent (" in failed.detail and "500" in failed.detail
    assert "sent in " in again.detail, again.detail
    assert len(receiver.wait(2)) == 2


def test_connections_come_and_gone_leave_nothing_behind_in_the_runner(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every profile whose change was told to a service, or ran a command, was remembered
    by the runner for as long as it ran, removed or not: connections that come and go (a
    registry kept in step with a CMDB, a script adding and removing them) grew it for ever.
    What is kept now is what is still in use: the changes told within ``REPEAT_S`` (to say
    the same one again no sooner) and the profiles with actions under way."""
    monkeypatch.setattr(action_runner, "REPEAT_S", 0.05)  # a month's worth of churn, quickly
    reports = Reports()
    runner = ActionRunner(reports)
    actions = parse("actions", [
        {"on": "down", "notify": f"json://127.0.0.1:{receiver.port}/"},
        {"on": "down", "run": [sys.executable, "-c", ""]}])  # fmt: skip
    kept = []
    try:
        for count in (10, 20):
            for i in range(count):
                gone = dataclasses.replace(drop(), profile_id=f"gone-{count}-{i}")
                runner.submit(gone, actions, "127.0.0.1:1")
            reports.wait(len(reports.events) + 2 * count, timeout=60)
            time.sleep(0.06)  # ok-sleep: the changes told are older than REPEAT_S by the clock
            runner.submit(drop(), actions, "127.0.0.1:1")  # one more, now
            reports.wait(len(reports.events) + 2, timeout=30)
            kept.append((len(runner._told), len(runner._own_slots)))
    finally:
        runner.close()
    assert kept == [(1, 0), (1, 0)]  # was [(11, 11), (31, 31)]


def test_changes_told_from_two_threads_at_once_are_each_acted_on(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner starts changes on the caller's thread (the window's) and on its own (those
    after a state found again, and the states found again, a thousand at a start) at the
    same time, and both went over the changes told (``REPEAT_S``) unlocked, each dropping
    those older than that: one thread's removal in the other's look at the oldest raised
    "dictionary changed size during iteration" there, and that change's notice, and the
    rest of the window's batch, were never sent nor recorded. Thread switches at every
    chance, and changes told that are old at once, make it happen within a few rounds."""
    monkeypatch.setattr(action_runner, "REPEAT_S", 0.0005)
    reports = Reports()
    runner = ActionRunner(reports)
    actions = parse("actions", [{"on": "change", "notify": f"json://127.0.0.1:{receiver.port}/"}])
    count, errors = 10_000, []

    def tell(tag: str) -> None:
        try:
            for i in range(count):  # each profile down, then up, then down ...
                state, previous = ((State.DOWN, State.UP), (State.UP, State.DOWN))[i // 50 % 2]
                change = dataclasses.replace(drop(previous), profile_id=f"{tag}{i % 50}")
                runner.submit(dataclasses.replace(change, state=state), actions, "127.0.0.1:1")
        except Exception as exc:  # what the test is about
            errors.append(exc)

    before = sys.getswitchinterval()
    rounds = 0
    try:
        sys.setswitchinterval(1e-6)
        while rounds < 4 and not errors:
            rounds += 1
            threads = [threading.Thread(target=tell, args=(tag,)) for tag in "ab"]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        sys.setswitchinterval(before)
    try:
        assert errors == []
        assert len(reports.wait(2 * count * rounds, timeout=120)) == 2 * count * rounds
    finally:
        runner.close()


def test_changes_of_many_profiles_reach_a_service_as_one_notice(receiver: Receiver) -> None:
    reports = Reports()
    runner = ActionRunner(reports)
    actions = parse("actions", [{"on": "down", "notify": f"json://127.0.0.1:{receiver.port}/"}])
    names = ["Orders DB", "Cache", "Broker", "Search"]
    try:
        for i, name in enumerate(names):
            event = dataclasses.replace(drop(), profile_id=f"p{i}", profile_name=name)
            runner.submit(event, actions, f"10.0.0.{i}:5432")
        recorded = reports.wait(4)
    finally:
        runner.close()
    [(_, _, told)] = receiver.wait(1)
    assert told["title"] == "4 connections down: Orders DB, Cache, Broker and 1 more"
    assert len(told["message"].splitlines()) == 4
    assert all("(one notice for 4 changes)" in e.detail for e in recorded)


def test_the_command_line_adds_a_notice_and_never_prints_its_secret(tmp_path: Path) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    store(home, [])
    url = f"ntfy://user:{SECRET}@127.0.0.1:9/alerts"
    added = tcpmonitor(home, "profiles", "actions", "Orders DB", "--on", "down", "--notify", url)
    assert added.returncode == 0, added.stderr
    assert (
        added.stdout.splitlines()[1] == "  1. on down: notify ntfy://127.0.0.1:9/… (timeout 30 s)"
    )
    refused = tcpmonitor(home, "profiles", "actions", "Orders DB", "--on", "up", "--notify",
                         f"bogus://user:{SECRET}@host/")  # fmt: skip
    assert refused.returncode == 2 and "is not a notification URL Apprise knows" in refused.stderr
    assert SECRET not in added.stdout + added.stderr + refused.stdout + refused.stderr
    stored = json.loads((home.config / "profiles.json").read_text())["profiles"][0]
    assert stored["actions"] == [{"on": "down", "notify": url, "timeout_s": 30.0}]
    assert (home.config / "profiles.json").stat().st_mode & 0o077 == 0  # private to the user


def test_listing_profiles_shows_no_secret_but_an_export_keeps_it(tmp_path: Path) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    url = f"ntfy://user:{SECRET}@127.0.0.1:9/alerts"
    store(home, [{"on": "down", "notify": url}])
    listed = tcpmonitor(home, "profiles", "list", "--json")
    assert listed.returncode == 0 and SECRET not in listed.stdout
    assert json.loads(listed.stdout)["profiles"][0]["actions"][0]["notify"] == (
        "ntfy://127.0.0.1:9/…"
    )
    exported = tcpmonitor(home, "profiles", "export", str(tmp_path / "backup.json"))
    assert exported.returncode == 0
    backup = tmp_path / "backup.json"
    assert json.loads(backup.read_text())["profiles"][0]["actions"][0]["notify"] == url
    assert backup.stat().st_mode & 0o077 == 0


def test_without_a_working_apprise_profiles_still_load_and_sending_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bundle missing Apprise's plugins, say: the user's file must still load (and not be
    set aside as unreadable), and each notice says why it was not sent."""
    monkeypatch.setitem(sys.modules, "apprise", None)  # import apprise: ImportError
    [action] = parse("actions", [{"on": "down", "notify": "ntfy://127.0.0.1:9/alerts"}])
    reports = Reports()
    runner = ActionRunner(reports)
    try:
        runner.submit(drop(), [action], "127.0.0.1:1")
        [told] = reports.wait(1)
    finally:
        runner.close()
    assert "not sent: Apprise cannot be used" in told.detail


def test_past_its_waiting_actions_one_more_of_a_connection_is_skipped_and_said() -> None:
    """The runner's bound: one connection's commands that hang fill its share, and what
    comes then for it is recorded as skipped at once rather than queued without end."""
    reports = Reports()
    runner = ActionRunner(reports)
    hang = parse("actions", [{"on": "down", "run": ["sleep", "30"], "timeout_s": 20}])[0]
    try:
        runner.submit(drop(), [hang] * (MAX_WAITING + 5), "127.0.0.1:1")
        skipped = reports.wait(5, timeout=5)
    finally:
        runner.close(timeout=0.5)  # the two running ones are killed
    assert [e.detail for e in skipped] == [
        f"down action 'sleep 30': skipped: {MAX_WAITING} actions of this connection wait"
    ] * 5


def test_many_connections_dropping_at_once_each_run_their_actions() -> None:
    """250 connections through one switch, dropping together, each with a down action:
    past a hundred waiting in all, 135 of them were skipped ("skipped: 100 actions wait"),
    though each waited for nothing but its turn."""
    reports = Reports()
    runner = ActionRunner(reports)
    quick = parse("actions", [{"on": "down", "run": [sys.executable, "-c", "pass"]}])
    try:
        for i in range(250):
            runner.submit(dataclasses.replace(drop(), profile_id=f"p{i}"), quick, "127.0.0.1:1")
        told = reports.wait(250, timeout=120)
    finally:
        runner.close()
    assert [e.detail for e in told if "exit 0" not in e.detail] == []
    assert len({e.profile_id for e in told}) == 250


class Trickler:
    """An SMTP server that greets with half a line and then sends a byte every 0.2 s: no
    socket timeout ever fires on it, so a send to it never ends by itself."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                peer, _ = self.listener.accept()
                threading.Thread(target=self._trickle, args=(peer,), daemon=True).start()

    def _trickle(self, peer: socket.socket) -> None:
        with peer, contextlib.suppress(OSError):
            peer.sendall(b"220 ")
            while not self.stop.wait(0.2):
                peer.sendall(b"x")

    def url(self, to: str = "ops") -> str:
        return (f"mailto://example.com?smtp=127.0.0.1&port={self.port}&mode=insecure"
                f"&from=monitor@example.com&to={to}@example.com")  # fmt: skip

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.fixture
def trickler() -> Iterator[Trickler]:
    server = Trickler()
    yield server
    server.close()


def test_a_mail_server_that_never_finishes_holds_up_neither_the_exit_nor_later_notices(
    tmp_path: Path, trickler: Trickler, receiver: Receiver
) -> None:
    """A send given up at its timeout went on holding one of the few workers of the loop's
    executor: `actions test` never exited, and once a handful hung no notice was sent again."""
    home = Home(tmp_path / "config", tmp_path / "data")
    store(home, [{"on": "down", "notify": trickler.url(), "timeout_s": 0.5}])
    started = time.monotonic()
    result = tcpmonitor(home, "actions", "test", "Orders DB")
    assert time.monotonic() - started < 10  # it exits: it does not wait for the send
    assert result.returncode == 1
    assert result.stdout.startswith("FAILED  down action 'notify mailto://example.com/…': "
                                    "not sent within 0.5 s")  # fmt: skip

    hung = min(32, (os.cpu_count() or 1) + 4) + 1  # more than the loop's executor has workers
    stuck = [parse("actions", [{"on": "down", "notify": trickler.url(f"ops{i}"),
                                "timeout_s": 0.2}])[0] for i in range(hung)]  # fmt: skip
    told = parse("actions", [{"on": "down", "notify": f"json://127.0.0.1:{receiver.port}/",
                              "timeout_s": 5}])  # fmt: skip
    reports = Reports()
    runner = ActionRunner(reports)
    try:
        runner.submit(drop(), stuck, "127.0.0.1:1")
        reports.wait(hung)
        runner.submit(drop(), told, "127.0.0.1:1")
        last = reports.wait(hung + 1)[-1]
    finally:
        runner.close()
    assert "sent in " in last.detail, last.detail


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"tgram://123456789:{TOKEN}/12345", "tgram://…"),  # the bot token is the "host"
        (f"pbul://o.{TOKEN}", "pbul://…"),  # the access token
        (f"pover://user{SECRET}@{TOKEN}", "pover://…"),  # the user key @ the app token
        (f"ifttt://{SECRET}@{TOKEN}", "ifttt://…"),
        (f"ntfy://{TOKEN}", "ntfy://…"),  # a topic on ntfy.sh: who knows it can read it
        (
            f"mailto://u:{SECRET}@example.com?from=m@example.com&to={TOKEN}@example.com",
            "mailto://example.com/…",
        ),
        (f"ntfys://tk_{TOKEN}@ntfy.sh/topic", "ntfys://ntfy.sh/…"),
        (f"json://[::1]:8080/hook?+X-Token={TOKEN}", "json://[::1]:8080/…"),
    ],
)
def test_a_secret_in_the_place_of_a_host_is_never_shown(url: str, shown: str) -> None:
    """Showing "the service and host" showed Telegram's bot token, Pushbullet's access token,
    Pushover's app token: those services' URLs hold them where a host would be."""
    [action] = parse("actions", [{"on": "down", "notify": url}])
    assert action.shown() == f"notify {shown}"


def test_a_service_that_refuses_is_named_without_the_secret_of_its_url(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    """ntfy's topic is its secret (who knows it reads every notice) and is never shown; but
    Apprise's warning named it ("Failed to send ntfy notification to topic '...'"), and the
    warning was the reason recorded in the event log, and went to stderr as well."""
    receiver.status = 403
    url = f"ntfy://127.0.0.1:{receiver.port}/{TOKEN}"
    reports = Reports()
    runner = ActionRunner(reports)
    try:
        runner.submit(drop(), parse("actions", [{"on": "down", "notify": url}]), "127.0.0.1:1")
        [told] = reports.wait(1)
    finally:
        runner.close()
    assert "not sent" in told.detail
    assert "error=403" in told.detail  # the reason is still said
    assert TOKEN not in told.detail
    assert "error=403" in caplog.text
    assert TOKEN not in caplog.text


def test_sends_that_never_finish_are_bounded_and_the_next_is_refused_and_said(
    trickler: Trickler, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each send given up at its timeout keeps its thread and socket until the service lets
    go: a mail server that never finishes took one more with every notice, without end."""
    monkeypatch.setattr(apprise_send, "MAX_SENDING", 3)
    stuck = parse("actions", [{"on": "down", "notify": trickler.url(f"ops{i}"), "timeout_s": 0.2}
                              for i in range(3)])  # fmt: skip
    told = parse("actions", [{"on": "down", "notify": f"json://127.0.0.1:{receiver.port}/"}])
    reports = Reports()
    runner = ActionRunner(reports)
    try:
        runner.submit(drop(), stuck, "127.0.0.1:1")
        reports.wait(3)
        runner.submit(drop(), told, "127.0.0.1:1")
        last = reports.wait(4)[-1]
    finally:
        runner.close()
    assert last.detail.endswith("not sent: 3 notices are still being sent, unfinished")
    assert receiver.got == []


def test_a_record_whose_arguments_do_not_fit_is_left_to_logging() -> None:
    """The filter that cuts a URL's secrets out of what Apprise logs read every record's
    message, and one whose arguments did not fit raised out of it into Apprise's send."""
    record = logging.LogRecord("apprise", logging.WARNING, __file__, 1, "%s, %s", ("one",), None)
    with scrubbed(f"ntfy://ntfy.sh/{TOKEN}"):
        assert logging.getLogger("apprise").filter(record)  # logging reports it as ever


class Refuser:
    """An SMTP server that refuses every recipient."""

    async def handle_RCPT(self, server: object, session: object, envelope: object,
                          address: str, options: object) -> str:  # fmt: skip
        return "550 5.1.1 no such user here"


def test_each_notice_not_sent_says_its_own_service_s_reason_and_its_cause(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two notices failing at once: the mail's record said "A Connection error occurred
    sending JSON notification to …" (the webhook's words, heard while it sent), and neither
    said why: not that the port refused, nor the mail server's 550 (Apprise says those
    only in its debug lines)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(Refuser(), hostname="127.0.0.1", port=port)
    smtp.start()
    mail = (f"mailto://example.com?smtp=127.0.0.1&port={port}&mode=insecure"
            "&from=monitor@example.com&to=ops@example.com")  # fmt: skip
    hook = "json://127.0.0.1:1/hook"
    actions = parse("actions", [{"on": "down", "notify": url} for url in (mail, hook)])
    runner = ActionRunner(Reports())
    try:
        told = runner.run_now([(action, drop()) for action in actions], "127.0.0.1:1")
    finally:
        runner.close()
        smtp.stop()
    said = {outcome.action.notify: outcome.detail() for outcome in told}
    assert "550 5.1.1 no such user here" in said[mail]
    assert "JSON" not in said[mail] and "Connection refused" not in said[mail]
    assert "Connection refused" in said[hook]
    assert "mail" not in said[hook]
    # What was heard for the reasons went no further: Apprise's warnings only, as ever.
    heard = [r for r in caplog.records if r.name.startswith("apprise")]
    assert heard and all(r.levelno >= logging.WARNING for r in heard)


def test_checking_a_notification_url_says_nothing_of_it_after_apprise_has_warned(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Apprise is kept quiet while a URL is checked (it would log one it refuses, secret and
    all), by a level set on its logger, which Python's logging no longer asked once Apprise
    had warned (a notice that failed): its words about the URL went to stderr."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("apprise").warning("a notice failed")
    with pytest.raises(FieldError):
        parse("actions", [{"on": "down", "notify": f"json://u:{SECRET}@host/?method=BOGUS"}])
    assert [r.getMessage() for r in caplog.records] == ["a notice failed"]


class HeldMailbox(Mailbox):
    """A mail server that takes a letter only once ``release`` is set (slow, greylisting)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return await super().handle_DATA(server, session, envelope)


def test_a_notice_given_up_at_its_timeout_that_arrives_after_all_is_said_so() -> None:
    """A slow mail server took the letter after the notice's timeout: the record said "not
    sent within 1 s" for good, of a letter that was in the team's inbox."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = HeldMailbox()
    smtp = Controller(box, hostname="127.0.0.1", port=port)
    smtp.start()
    mail = (f"mailto://example.com?smtp=127.0.0.1&port={port}&mode=insecure"
            "&from=monitor@example.com&to=ops@example.com")  # fmt: skip
    reports = Reports()
    runner = ActionRunner(reports)
    try:
        runner.submit(drop(), parse("actions", [{"on": "down", "notify": mail, "timeout_s": 1}]),
                      "127.0.0.1:1")  # fmt: skip
        [given_up] = reports.wait(1)
        box.release.set()
        later = reports.wait(2)[1]
    finally:
        runner.close()
        box.release.set()
        smtp.stop()
    assert given_up.detail.endswith("not sent within 1 s")
    assert len(box.mail) == 1
    assert re.fullmatch(
        r"down action 'notify mailto://example.com/…': sent after all in [0-9.]+ s,"
        r" past its timeout",
        later.detail,
    )
