"""An action's command: run in its own process group, its output kept (the start of it),
killed whole at its timeout or when the program quits (``action_runner`` runs these)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time

from .actions import KILL_GRACE_S, OUTPUT_AFTER_EXIT_S, OUTPUT_KEPT, Action, Outcome, environment
from .apprise_send import tell
from .events import Event
from .interpreter import missing_interpreter
from .validate import CONTROL_ESCAPES


class Command(asyncio.SubprocessProtocol):
    """A running command: the start of its output kept (the rest read and dropped, so that
    nothing writing to it ever blocks), and when it exited and when its output ended: not
    the same moment when a process it started goes on holding that output."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.kept = bytearray()
        self.exited: asyncio.Future[None] = loop.create_future()
        self.ended: asyncio.Future[None] = loop.create_future()  # its output's end
        self.finished: asyncio.Future[None] = loop.create_future()  # both, and all closed
        self.transport: asyncio.SubprocessTransport | None = None
        self.left: set[Command] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.SubprocessTransport)
        self.transport = transport

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.kept.extend(data[: max(0, OUTPUT_KEPT * 4 - len(self.kept))])

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd == 1:
            _settle(self.ended)

    def process_exited(self) -> None:
        _settle(self.exited)

    def connection_lost(self, exc: Exception | None) -> None:
        self.close()
        _settle(self.finished)

    def close(self) -> None:
        if self.left is not None:
            self.left.discard(self)
        if self.transport is not None:
            self.transport.close()


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def run_one(action: Action, event: Event, target: str, left: set[Command]) -> Outcome:
    """Run ``action`` for ``event``: its result is its own process's exit, and the first
    ``OUTPUT_KEPT`` characters of what it wrote until then are kept; at the timeout it is
    killed with its process group. Processes it started and left running when it exited are
    left alone (a tunnel it restarted): what they write to its output is read and dropped
    while they hold it, or until the runner closes the output (``left`` holds those)."""
    if action.notify:
        return await tell(action, event, target)
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    starting = asyncio.ensure_future(
        loop.subprocess_exec(
            lambda: Command(loop),
            *action.run,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=environment(event, target),
            start_new_session=True,  # its own process group: killed whole at the timeout
        )
    )
    try:
        transport, command = await asyncio.shield(starting)
    except asyncio.CancelledError:
        # Quitting while asyncio still connected its pipes: cancelled there, it killed the
        # command alone (what it started ran on), left the pipes open, and waited for them
        # for ever ('actions test' interrupted hung 5 s and left its 'sleep' running). The
        # start is let finish, then the whole group goes, as at a timeout.
        with contextlib.suppress(Exception):
            transport, command = await starting
            await _kill(transport.get_pid(), command)
            await close_command(command)
        raise
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        if isinstance(exc, FileNotFoundError) and (missing := missing_interpreter(action.run[0])):
            why = f"{missing}, named in its #! line: {why}"
        return Outcome(action, False, f"cannot run: {why}", "")
    lingers = False
    try:
        stdin = transport.get_pipe_transport(0)
        assert isinstance(stdin, asyncio.WriteTransport)
        stdin.write(event.to_json().encode() + b"\n")  # it need not read it
        stdin.close()
        exited = bool((await asyncio.wait({command.exited}, timeout=action.timeout_s))[0])
        if not exited:
            await _kill(transport.get_pid(), command)
            summary, ok = f"timed out after {action.timeout_s:g} s (killed)", False
        else:
            code = transport.get_returncode()
            took = time.monotonic() - started
            if code is not None and code < 0:
                summary = f"killed by signal {-code} after {took:.1f} s"
            else:
                summary = f"exit {code} in {took:.1f} s"
            ok = code == 0
        # What it wrote before it exited comes within a turn or two of the loop; the end of
        # its output is not waited for: a process it left running may hold that for days.
        await asyncio.wait({command.ended}, timeout=OUTPUT_AFTER_EXIT_S)
        lingers = exited and not command.ended.done()
        output = bytes(command.kept)
    except asyncio.CancelledError:  # the program is quitting: a running command goes with it
        if not command.exited.done():
            await _kill(transport.get_pid(), command)
        raise
    finally:
        if lingers:
            command.left = left
            left.add(command)
        else:
            await close_command(command)
    text = output.decode("utf-8", "replace")
    text = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    # Kept with its control characters as escapes: it may relay a remote's words (ssh, curl),
    # and the record is printed as it is by 'events --format csv' and 'run --json'.
    return Outcome(action, ok, summary, text.translate(CONTROL_ESCAPES)[:OUTPUT_KEPT])


async def _kill(pid: int, command: Command) -> None:
    """SIGTERM to its process group, then SIGKILL to what of it is left after
    ``KILL_GRACE_S`` (the command itself, or a process still holding its output)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        gone = {command.exited, command.ended}
        if not (await asyncio.wait(gone, timeout=KILL_GRACE_S))[1]:
            return


async def close_command(command: Command) -> None:
    """Close its output and wait (briefly) until the loop has let go of it: a transport left
    for the collector after the loop closed printed 'Event loop is closed'."""
    command.close()
    await asyncio.wait({command.finished}, timeout=KILL_GRACE_S)
