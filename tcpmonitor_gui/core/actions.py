"""Actions on state changes: a command the user chose, run with the event, never in a shell.

A profile's ``actions`` (and the global ones in the settings) are a list of::

    {"on": "down" | "up" | "change", "run": ["/usr/local/bin/restart-tunnel", "db"],
     "timeout_s": 30}

``down``: the connection went down; ``up``: it came back after being down; ``change``: any
change among up, degraded and down (not watching starting, pausing or stopping). The command
gets the event in environment variables (``TCPMONITOR_PROFILE``, ``_PROFILE_ID``, ``_STATE``,
``_PREVIOUS``, ``_CAUSE``, ``_DETAIL``, ``_TARGET``, ``_DETECTION_MS``, ``_TS``) and as one JSON
object on its stdin. Commands run on a thread and loop of their own, at most ``MAX_RUNNING``
at once and ``MAX_RUNNING_PER_PROFILE`` for one profile (more wait, up to ``MAX_WAITING``;
beyond that one is skipped and said so): a command that hangs is killed with its process
group at its timeout, and none can delay detection. Each run is recorded as an ``action``
event: what ran, its exit code or why it did not finish, how long it took, and the start of
its output. Changes inside a maintenance window run nothing (like notices, they are expected).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import shlex
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import validate as v
from .events import Event, Kind, State, utc_now

ON = ("down", "up", "change")
TARGET_STATES = (State.UP, State.DEGRADED, State.DOWN)
MAX_ACTIONS = 10
MAX_ARGS = 64
MAX_ARG_LEN = 4096
#: Commands running at once, in all and for one profile (so that one profile whose commands
#: hang cannot hold up another's).
MAX_RUNNING = 8
MAX_RUNNING_PER_PROFILE = 2
MAX_WAITING = 100
#: Output kept for the record (the rest is read and dropped, so the command never blocks).
OUTPUT_KEPT = 1000
#: The same change of a profile is told to a service at most once in this long.
REPEAT_S = 30.0
#: After SIGTERM at the timeout, this long before SIGKILL.
KILL_GRACE_S = 2.0


@dataclasses.dataclass(frozen=True)
class Action:
    """A command to run (``run``) or a notification service to tell (``notify``, an Apprise
    URL): one of the two."""

    on: str
    run: tuple[str, ...] = ()
    timeout_s: float = 30.0
    notify: str = ""

    def to_dict(self) -> dict[str, Any]:
        what: dict[str, Any] = {"notify": self.notify} if self.notify else {"run": list(self.run)}
        return {"on": self.on, **what, "timeout_s": self.timeout_s}

    def shown(self) -> str:
        """What it does, safe to print: a notification URL is cut to its service and host
        (tokens, passwords and headers stay out of logs and terminals)."""
        if self.notify:
            return f"notify {redact(self.notify)}"
        shown = " ".join(self.run)
        return shown if len(shown) <= 120 else shown[:119] + "…"

    def wants(self, event: Event) -> bool:
        if event.kind is not Kind.STATE or event.maintenance:
            return False
        if self.on == "change":  # the target's own states, not watching starting or stopping
            return event.state in TARGET_STATES and event.previous is not event.state
        if self.on == "down":
            return event.state is State.DOWN and event.previous is not State.DOWN
        return event.state in (State.UP, State.DEGRADED) and event.previous is State.DOWN


def parse(field: str, value: object) -> tuple[Action, ...]:
    """A stored ``actions`` list, checked; raises ``validate.FieldError`` naming the item."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        v.fail(field, value, 'is not a list of actions ({"on": "down", "run": ["command"]})')
    if len(value) > MAX_ACTIONS:
        v.fail(field, f"{len(value)} actions", f"are more than {MAX_ACTIONS}")
    actions = []
    for i, item in enumerate(value):
        where = f"{field}[{i}]"
        data = v.mapping(where, item)
        v.no_unknown_keys(where, data, ("on", "run", "notify", "timeout_s"))
        on = v.choice(f"{where}.on", data.get("on"), ON)
        if ("run" in data) == ("notify" in data):
            v.fail(where, data, 'needs "run" (a command) or "notify" (a notification URL)')
        run: Any = ()
        notify = ""
        if "notify" in data:
            notify = _notify_url(f"{where}.notify", data["notify"])
        else:
            run = _command(f"{where}.run", data["run"])
        timeout = data.get("timeout_s", 30.0)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            v.fail(f"{where}.timeout_s", timeout, "is not a number (0.1 to 3600)")
        if not 0.1 <= timeout <= 3600:
            v.fail(f"{where}.timeout_s", timeout, "is out of range (allowed 0.1 to 3600)")
        actions.append(Action(on, tuple(run), float(timeout), notify))
    return tuple(actions)


def as_line(action: Action) -> str:
    """One action as the profile dialog writes it: ``down: restart-tunnel db``,
    ``up 5s: notify ntfy://ntfy.sh/ops`` (the timeout only when not the default)."""
    timeout = "" if action.timeout_s == 30.0 else f" {action.timeout_s:g}s"
    what = f"notify {action.notify}" if action.notify else shlex.join(action.run)
    return f"{action.on}{timeout}: {what}"


def from_lines(text: str) -> list[dict[str, Any]]:
    """The dialog's lines as the file's ``actions`` (checked afterwards by ``parse``); a line
    that is not ``ON[ TIMEOUTs]: COMMAND|notify URL`` is kept as is, for ``parse`` to name."""
    found: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        head, sep, rest = line.partition(":")
        words = head.split()
        if not sep or not 1 <= len(words) <= 2 or not rest.strip():
            found.append({"on": line.strip(), "run": []})  # "... is not one of ..." follows
            continue
        item: dict[str, Any] = {"on": words[0]}
        if len(words) == 2:
            seconds = words[1].removesuffix("s")
            try:
                item["timeout_s"] = float(seconds)
            except ValueError:
                item["timeout_s"] = words[1]
        rest = rest.strip()
        if rest.startswith("notify "):
            item["notify"] = rest.removeprefix("notify ").strip()
        else:
            try:
                item["run"] = shlex.split(rest)
            except ValueError:  # an unclosed quote
                item["run"] = [rest, "\0"]  # "... is not a word" follows
        found.append(item)
    return found


def _command(field: str, run: object) -> tuple[str, ...]:
    if not isinstance(run, list | tuple) or not run or len(run) > MAX_ARGS:
        v.fail(field, run, f"is not a command: a list of 1 to {MAX_ARGS} words")
    for arg in run:
        if not isinstance(arg, str) or len(arg) > MAX_ARG_LEN or "\0" in arg:
            v.fail(field, arg, f"is not a word (text, up to {MAX_ARG_LEN})")
    if not run[0].strip():
        v.fail(field, run[0], "is not a program")
    return tuple(run)


def _notify_url(field: str, url: object) -> str:
    """An Apprise URL that Apprise takes (``ntfy://…``, ``mailto://…``, ``json://…``, …)."""
    if not isinstance(url, str) or not url or len(url) > MAX_ARG_LEN or not url.isprintable():
        v.fail(field, url, "is not a notification URL (e.g. ntfy://ntfy.sh/topic)")
    import apprise  # noqa: PLC0415 - only where a profile notifies a service

    quiet = logging.getLogger("apprise")  # it would log the URL it refuses, secret and all
    level, quiet.level = quiet.level, logging.CRITICAL + 1
    try:
        known = apprise.Apprise().add(url)
    finally:
        quiet.setLevel(level)
    if not known:
        # The URL may hold a secret: the message shows its service and host only.
        v.fail(field, redact(url), "is not a notification URL Apprise knows (see its wiki)")
    return url


def redact(url: str) -> str:
    """``ntfy://ntfy.sh/…``: the service and the host of a notification URL, nothing else."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1].split("?", 1)[0]
    return f"{scheme}://{host}/…" if rest else f"{scheme}://…"


def environment(event: Event, target: str) -> dict[str, str]:
    e = event.to_dict()
    extra = {
        "TCPMONITOR_PROFILE": event.profile_name,
        "TCPMONITOR_PROFILE_ID": event.profile_id,
        "TCPMONITOR_STATE": str(event.state),
        "TCPMONITOR_PREVIOUS": "" if event.previous is None else str(event.previous),
        "TCPMONITOR_CAUSE": "" if event.cause is None else str(event.cause),
        "TCPMONITOR_DETAIL": event.detail,
        "TCPMONITOR_TARGET": target,
        "TCPMONITOR_DETECTION_MS": "" if e["detection_ms"] is None else str(e["detection_ms"]),
        "TCPMONITOR_TS": e["ts"],
    }
    return {**os.environ, **extra}


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How one run went: ``ok`` when the command exited 0."""

    action: Action
    ok: bool
    summary: str  # "exit 0 in 0.2 s", "timed out after 30 s (killed)", "cannot run: ..."
    output: str

    def detail(self) -> str:
        text = f"{self.action.on} action {self.action.shown()!r}: {self.summary}"
        return f"{text}: {self.output}" if self.output else text


async def run_one(action: Action, event: Event, target: str) -> Outcome:
    """Run ``action`` for ``event``: its output read as it comes (the first ``OUTPUT_KEPT``
    characters kept), killed with its process group at the timeout."""
    if action.notify:
        return await _tell(action, event, target)
    started = time.monotonic()
    try:
        proc = await asyncio.create_subprocess_exec(
            *action.run,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=environment(event, target),
            start_new_session=True,  # its own process group: killed whole at the timeout
        )
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        return Outcome(action, False, f"cannot run: {why}", "")
    kept = bytearray()

    async def talk() -> None:
        assert proc.stdin is not None and proc.stdout is not None
        with contextlib.suppress(OSError):  # it need not read its stdin
            proc.stdin.write(event.to_json().encode() + b"\n")
            await proc.stdin.drain()
            proc.stdin.close()
        while chunk := await proc.stdout.read(65536):
            if len(kept) < OUTPUT_KEPT * 4:
                kept.extend(chunk[: OUTPUT_KEPT * 4 - len(kept)])
        await proc.wait()

    try:
        await asyncio.wait_for(talk(), action.timeout_s)
    except TimeoutError:
        await _kill(proc)
        summary, ok = f"timed out after {action.timeout_s:g} s (killed)", False
    except asyncio.CancelledError:  # the program is quitting: the command goes with it
        await _kill(proc)
        raise
    else:
        code = proc.returncode
        took = time.monotonic() - started
        if code is not None and code < 0:
            summary = f"killed by signal {-code} after {took:.1f} s"
        else:
            summary = f"exit {code} in {took:.1f} s"
        ok = code == 0
    text = kept.decode("utf-8", "replace")
    text = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return Outcome(action, ok, summary, text[:OUTPUT_KEPT])


def notice_words(event: Event, target: str) -> tuple[str, str]:
    """The title and body a notification service is sent, as the desktop's notices say it."""
    name = event.profile_name
    if event.state is State.DOWN:
        title = f"Connection down: {name}"
    elif event.previous is State.DOWN:
        title = f"Connection back up: {name}"
    else:
        title = f"{name}: {event.state}"
    cause = "" if event.cause is None else f": {event.cause.label}"
    body = f"{name} ({target}) is {event.state}{cause}"
    if event.detail:
        body += f" — {event.detail}"
    if event.detection_ms is not None and event.state is State.DOWN:
        body += f" (noticed {event.detection_ms:.1f} ms after the last good sign)"
    return title, body


async def _tell(action: Action, event: Event, target: str) -> Outcome:
    """Send the notice through Apprise, on a thread (it is synchronous), within the timeout;
    what Apprise warned of is the reason when it fails."""
    import apprise  # noqa: PLC0415 - only where a profile notifies a service

    title, body = notice_words(event, target)
    started = time.monotonic()

    def send() -> tuple[bool, str]:
        with apprise.LogCapture(level=apprise.logging.WARNING) as logs:  # type: ignore[no-untyped-call]
            service = apprise.Apprise()
            service.add(action.notify)
            sent = bool(service.notify(body=body, title=title))
        said = [line.split(" - ", 2)[-1] for line in logs.getvalue().splitlines()]
        return sent, " / ".join(said)[:OUTPUT_KEPT]

    try:
        sent, said = await asyncio.wait_for(asyncio.to_thread(send), action.timeout_s)
    except TimeoutError:
        return Outcome(action, False, f"not sent within {action.timeout_s:g} s", "")
    took = time.monotonic() - started
    if sent:
        return Outcome(action, True, f"sent in {took:.1f} s", "")
    return Outcome(action, False, f"not sent ({took:.1f} s)", said)


async def _kill(proc: asyncio.subprocess.Process) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            await asyncio.wait_for(proc.wait(), KILL_GRACE_S)
            return
        except TimeoutError:
            continue


def record(event: Event, outcome: Outcome) -> Event:
    """The ``action`` event that says how a run for ``event`` went."""
    return Event(
        ts=utc_now(),
        profile_id=event.profile_id,
        profile_name=event.profile_name,
        kind=Kind.ACTION,
        state=event.state,
        previous=event.previous,
        cause=event.cause,
        detector=event.detector,
        latency_ms=None,
        detail=outcome.detail(),
    )


class ActionRunner:
    """Runs actions on a thread and loop of its own; ``report`` gets each ``action`` event
    (on that thread). ``submit`` may be called from any thread and never waits."""

    def __init__(self, report: Callable[[Event], None]) -> None:
        self._report = report
        self._loop = asyncio.new_event_loop()
        self._slots = asyncio.Semaphore(MAX_RUNNING)
        self._own_slots: dict[str, asyncio.Semaphore] = {}  # by profile id, on the loop
        #: The last change told to each (profile, service), and when (``submit``'s thread).
        self._told: dict[tuple[str, str], tuple[State, float]] = {}
        self._waiting = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop.run_forever, name="actions", daemon=True)
        self._thread.start()

    def submit(
        self, event: Event, actions: Iterable[Action], target: str, *, snoozed: bool = False
    ) -> None:
        """Start what ``actions`` want done for ``event``. Notices to services follow the
        desktop's rules: none while the profile is ``snoozed``, and the same change of one
        profile is told to one service at most once in ``REPEAT_S`` (a flapping connection)."""
        for action in actions:
            if not action.wants(event):
                continue
            if action.notify:
                if snoozed:
                    continue
                key, now = (event.profile_id, action.notify), time.monotonic()
                last = self._told.get(key)
                if last is not None and last[0] is event.state and now - last[1] < REPEAT_S:
                    ago = f"{event.state} was told {now - last[1]:.0f} s ago"
                    quiet = Outcome(action, False, f"not sent: {ago} (once in {REPEAT_S:g} s)", "")
                    self._report(record(event, quiet))
                    continue
                self._told[key] = (event.state, now)
            with self._lock:
                full = self._waiting >= MAX_WAITING
                if not full:
                    self._waiting += 1
            if full:
                skipped = Outcome(action, False, f"skipped: {MAX_WAITING} actions wait", "")
                self._report(record(event, skipped))
                continue
            asyncio.run_coroutine_threadsafe(self._run(action, event, target), self._loop)

    async def _run(self, action: Action, event: Event, target: str) -> Outcome:
        own = self._own_slots.setdefault(
            event.profile_id, asyncio.Semaphore(MAX_RUNNING_PER_PROFILE)
        )
        try:
            async with own, self._slots:
                outcome = await run_one(action, event, target)
        finally:
            with self._lock:
                self._waiting -= 1
        self._report(record(event, outcome))
        return outcome

    def run_now(self, event: Event, actions: Sequence[Action], target: str) -> list[Outcome]:
        """Run every one of ``actions`` for ``event`` whatever they are set off by, and wait
        (``tcpmonitor actions test``)."""

        async def every() -> list[Outcome]:
            return list(await asyncio.gather(*(self._run(a, event, target) for a in actions)))

        with self._lock:
            self._waiting += len(actions)
        return asyncio.run_coroutine_threadsafe(every(), self._loop).result()

    def close(self, timeout: float = 5.0) -> None:
        """Wait up to ``timeout`` for running actions; those still running then are killed
        (their whole process group) and recorded no more. Then the thread ends."""

        async def finish() -> None:
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if pending:
                _done, still = await asyncio.wait(pending, timeout=timeout)
                for task in still:
                    task.cancel()
                await asyncio.gather(*still, return_exceptions=True)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(finish(), self._loop).result(
                timeout + 2 * KILL_GRACE_S + 1
            )
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()
