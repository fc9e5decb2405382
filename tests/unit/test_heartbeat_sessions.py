"""A heartbeat's sessions as real servers keep them: counted, limited and ended in good order.

The servers are real: aiosmtpd (a full SMTP server) with its per-session command limit, and
small asyncio servers that do to a kept-alive connection what an HTTP server's idle timeout
does. What they do is the protocol, not an outage, and was told as one.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tcpmonitor_gui.core.events import Event, Kind, State
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.lab.link import set_rst_on_close
from tcpmonitor_gui.lab.targets import ServerThread
from tests.helpers import Collector, make_profile


class Counting:
    """An aiosmtpd handler that counts each session's NOOPs and the QUITs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.noops: collections.Counter[int] = collections.Counter()
        self.quits = 0

    async def handle_NOOP(self, server: Any, session: Any, envelope: Any, arg: str) -> str:
        with self.lock:
            if not hasattr(session, "serial"):  # never id(session): a freed one's is reused
                session.serial = len(self.noops)
            self.noops[session.serial] += 1
        return "250 OK"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.quits += 1
        return "221 Bye"


def smtp_server(limit: int) -> Iterator[tuple[Counting, int]]:
    with socket.socket() as sock:  # aiosmtpd needs a port number before it listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Counting()
    # As Postfix ends a session with "421 ... too many errors" once NOOPs pass its limits.
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, command_call_limit={"NOOP": limit, "*": 100}
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def strict_smtp() -> Iterator[tuple[Counting, int]]:
    yield from smtp_server(20)


@pytest.fixture
def stricter_smtp() -> Iterator[tuple[Counting, int]]:
    yield from smtp_server(3)


def samples(collector: Collector) -> int:
    return sum(e.kind is Kind.SAMPLE for _, e in collector.events)


async def test_an_smtp_heartbeat_asks_a_session_its_share_and_says_quit(
    monitors: MonitorSet, collector: Collector, strict_smtp: tuple[Counting, int]
) -> None:
    """A session that asked NOOP 20 times is ended by the server with 421 (Postfix after its
    junk command limit and error limit; Sendmail slows down after 20): it was told as down,
    every 100 s at 5 s. Now each session asks 15 and says QUIT."""
    handler, port = strict_smtp
    monitors.add(make_profile("127.0.0.1", port, "heartbeat", preset="smtp", interval_s=0.1))
    await collector.wait_for(lambda _e: samples(collector) >= 45, timeout=20)
    assert [e.state for e in collector.states()] == [State.CONNECTING, State.UP]
    with handler.lock:
        assert len(handler.noops) >= 3 and max(handler.noops.values()) <= 15, handler.noops
        assert handler.quits >= len(handler.noops) - 1


async def test_a_421_after_answers_is_the_server_ending_the_session(
    monitors: MonitorSet, collector: Collector, stricter_smtp: tuple[Counting, int]
) -> None:
    """A server stricter still ends the session itself: its 421 ("closing transmission
    channel") is what a FIN between questions is, answered by a new session at once."""
    handler, port = stricter_smtp
    monitors.add(make_profile("127.0.0.1", port, "heartbeat", preset="smtp", interval_s=0.1))
    await collector.wait_for(lambda _e: len(handler.noops) >= 4, timeout=20)
    assert [e.state for e in collector.states()] == [State.CONNECTING, State.UP]
    with handler.lock:
        assert max(handler.noops.values()) == 3


class ClosingOnTheSecondQuestion(ServerThread):
    """Answers a connection's first line, and closes it when the second comes, unanswered:
    what a client sees when its question crosses the server's idle close (HTTP's kept-alive
    race, when the server's timeout and the client's interval are the same 5 s)."""

    def __init__(self, *, answer_none: bool = False, reset: bool = False) -> None:
        super().__init__()
        self.connections = 0
        self.answer_none = answer_none
        self.reset = reset  # as a server that closes with the question unread: an RST

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        for n in range(2):
            if not await reader.readline():
                return
            if n == 1 or self.answer_none:
                if self.reset:
                    set_rst_on_close(writer.transport)
                return  # closed, the question unanswered
            writer.write(b"tcpmonitor ping\n")
            await writer.drain()


@pytest.mark.parametrize("reset", [False, True], ids=["fin", "rst"])
async def test_a_question_that_crosses_the_servers_close_is_asked_again(
    monitors: MonitorSet, collector: Collector, reset: bool
) -> None:
    """The server's close crossed the question: a FIN, or, from a server that closed with
    the question unread in its socket, an RST (Linux answers such a close with one). The
    RST was a drop: a keep-alive HTTP server closing idle connections after the heartbeat's
    interval was told down 4 times in 9 minutes (found by an attack)."""
    with ClosingOnTheSecondQuestion(reset=reset) as server:
        monitors.add(make_profile(*server.address, "heartbeat", interval_s=0.1))

        def third_connection(_e: Event) -> bool:
            return server.connections >= 3

        await collector.wait_for(third_connection, timeout=10)
    assert [e.state for e in collector.states()] == [State.CONNECTING, State.UP]


async def test_a_connection_that_never_answered_is_told_when_it_closes(
    monitors: MonitorSet, collector: Collector
) -> None:
    """Only a server that has answered on a connection is taken to end it in good order: one
    that closes on the first question (the wrong protocol, a crash) is down at once."""
    with ClosingOnTheSecondQuestion(answer_none=True) as server:
        monitors.add(make_profile(*server.address, "heartbeat", interval_s=0.1))
        _, down = await collector.wait_state(State.DOWN, timeout=5)
    assert down.cause is not None and "closed" in down.detail, down


class SwallowingEveryOtherQuestion(ServerThread):
    """Answers a connection's first line; takes the second, and closes the connection a
    while later without answering it: half the questions go unanswered."""

    def __init__(self, after_s: float) -> None:
        super().__init__()
        self.after_s = after_s
        self.swallowed = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not await reader.readline():
            return
        writer.write(b"tcpmonitor ping\n")
        await writer.drain()
        if await reader.readline():
            self.swallowed += 1
            await asyncio.sleep(self.after_s)  # ok-sleep: the server's own delay, the fault


@pytest.mark.parametrize("after_s", [0.5, 1.5])
async def test_a_server_that_takes_a_question_and_closes_unanswered_is_down(
    monitors: MonitorSet, collector: Collector, after_s: float
) -> None:
    """A FIN long after the question did not cross it: the server took the question and
    went away without answering. Seen by an attack: up at 100 %, with half the questions
    never answered; it is told as down, saying so."""
    with SwallowingEveryOtherQuestion(after_s) as server:
        monitors.add(make_profile(*server.address, "heartbeat", interval_s=0.2, timeout_s=2))
        _, down = await collector.wait_state(State.DOWN, timeout=10)
    assert down.cause is not None and down.cause.value == "closed_by_peer", down
    assert "after our request, unanswered" in down.detail, down.detail
    told = float(down.detail.split(" s after our request")[0].rsplit(" ", 1)[1])
    assert after_s <= told < after_s + 0.5, down.detail


class HalfClosingAtAccept(ServerThread):
    """Accepts, and at once ends its side (a FIN) without a word; reads what comes."""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write_eof()
        await reader.read()


async def test_a_peer_that_closed_before_the_question_is_not_said_to_have_after_it(
    monitors: MonitorSet, collector: Collector
) -> None:
    """A server that half-closes as it accepts: the drop said "peer closed the connection
    (FIN) 0.0 s after our request, unanswered" (every time, measured), as if the server had
    read the question and gone. It says what is known: the FIN waited, unread, as the
    question went out (before it), or it was read with it, too soon to say which came first."""
    with HalfClosingAtAccept() as server:
        monitors.add(make_profile(*server.address, "heartbeat", interval_s=0.2, preset="echo"))
        _, down = await collector.wait_state(State.DOWN, timeout=5)
    assert down.detail in (
        "peer closed the connection (FIN) before our request",
        "peer closed the connection (FIN) as our request went out, unanswered",
    ), down


async def test_a_fin_that_waited_unread_as_the_question_went_out_came_before_it(
    monitors: MonitorSet, collector: Collector
) -> None:
    """A server that greets and closes in one segment (its greeting and its FIN together,
    corked): the FIN waits in our kernel as the question goes out after the greeting, and
    is said to have come before it, whatever the loop's timing."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):  # the listener closed: done
            while True:
                conn, _ = listener.accept()
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
                conn.sendall(b"220 ready\r\n")
                conn.shutdown(socket.SHUT_WR)  # the FIN goes with the corked greeting
                held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        monitors.add(make_profile("127.0.0.1", port, "heartbeat", interval_s=0.2, preset="smtp"))
        _, down = await collector.wait_state(State.DOWN, timeout=5)
    finally:
        listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(5)
        for conn in held:
            conn.close()
    assert down.detail == "peer closed the connection (FIN) before our request", down
