"""Sending a notice through Apprise (an action's ``notify`` URL), on a thread of its own
given up at the action's timeout, with what the service said when it failed and none of the
URL's secrets (``core.actions.scrub``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from . import apprise_log
from .actions import OUTPUT_KEPT, Action, Outcome, notice_words, scrub, scrubbed
from .events import Event

#: What a send given up at its timeout says when it goes through after all (``send``).
LATE = "sent after all in {took:.1f} s, past its timeout"


async def tell(
    action: Action, event: Event, target: str, late: Callable[[Outcome], None] | None = None
) -> Outcome:
    return await send(action, *notice_words(event, target), late=late)


async def send(
    action: Action, title: str, body: str, late: Callable[[Outcome], None] | None = None
) -> Outcome:
    """Send a notice through Apprise, on a thread (it is synchronous), within the action's
    timeout; what Apprise warned of, and why, is the reason when it fails. One given up at
    its timeout goes on: if it goes through after all, ``late`` is told so (on the loop; a
    slow mail server took the letter, recorded as "not sent within 30 s" for good)."""
    try:
        import apprise  # noqa: PLC0415 - only where a profile notifies a service
    except Exception as exc:  # missing or broken here: said, like any failure to send
        return Outcome(action, False, f"not sent: Apprise cannot be used ({exc})", "")
    if (sending := len(_SENDING)) >= MAX_SENDING:
        return Outcome(
            action, False, f"not sent: {sending} notices are still being sent, unfinished", ""
        )
    started = time.monotonic()

    def deliver() -> tuple[bool, str]:
        # What Apprise says on stderr without the URL's secrets, and what it says on this
        # thread as the reason.
        scrub(action.notify, "")  # its secrets found now: never by Apprise within its logging
        with apprise_log.hearing() as heard, scrubbed(action.notify):
            service = apprise.Apprise(asset=_own_thread_asset(apprise))
            service.add(action.notify)
            # Plain text, said so: a service that takes HTML or Markdown gets it escaped (an
            # e-mail lost "<core>" of "R&D <core> db", and its line breaks, without).
            sent = bool(service.notify(body=body, title=title, body_format="text"))
        return sent, _reason([(r.levelno, scrub(action.notify, _message(r))) for r in heard])

    def after(result: tuple[bool, str] | None) -> None:
        if late is not None and result is not None and result[0]:
            late(Outcome(action, True, LATE.format(took=time.monotonic() - started), ""))

    try:
        sent, said = await asyncio.wait_for(_on_own_thread(deliver, after), action.timeout_s)
    except TimeoutError:
        return Outcome(action, False, f"not sent within {action.timeout_s:g} s", "")
    except Exception as exc:  # Apprise itself failed (a plugin that cannot load, say)
        said = scrub(action.notify, repr(exc))
        return Outcome(action, False, f"not sent: Apprise failed ({said})", "")
    took = time.monotonic() - started
    if sent:
        return Outcome(action, True, f"sent in {took:.1f} s", "")
    return Outcome(action, False, f"not sent ({took:.1f} s)", said)


#: Apprise's debug lines that say why a send failed (the exception behind its warning).
_WHY = ("Socket Exception: ", "I/O Exception: ")


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # arguments that do not fit: logging says so, and it is no reason
        return ""


def _reason(heard: list[tuple[int, str]]) -> str:
    """Apprise's warnings on the send's thread, and the cause its debug lines name:
    'Connection error while submitting email to "…" (Connection refused)'."""
    said = " / ".join(line for level, line in heard if level >= logging.WARNING)
    causes = [_cause(line.partition(": ")[2]) for _, line in heard if line.startswith(_WHY)]
    causes = [c for c in dict.fromkeys(causes) if c and c not in said]
    reason = f"{said} ({'; '.join(causes)})" if said and causes else said or "; ".join(causes)
    return reason[:OUTPUT_KEPT]


def _cause(text: str) -> str:
    """The words of an exception that name its cause: the system's (``[Errno 111] Connection
    refused``), a mail server's answer (``(550, b'5.1.1 no such user')``), or its own."""
    if system := re.findall(r"\[Errno -?\d+\] ([^\]\)\"']+)", text):
        return str(system[-1]).strip()
    if server := re.findall(r"\((\d{3}), b?['\"](.*?)['\"]\)", text):
        return "; ".join(f"{code} {words}" for code, words in dict.fromkeys(server))
    text = re.sub(r"^\w*ConnectionPool\([^)]*\): ", "", text.strip())
    return text if len(text) <= 200 else text[:199] + "…"


def _own_thread_asset(apprise: Any) -> Any:
    """Apprise's settings for a send done on the calling thread, start to end: its own
    thread pool (a service with a timeout, which every one has by default) is one that the
    program's exit waits for, and a send that never ends is never given up there."""
    try:
        return apprise.AppriseAsset(async_mode=False, service_timeout=0)
    except (AttributeError, TypeError):  # an Apprise before service timeouts had no pool
        return apprise.AppriseAsset(async_mode=False)


def _on_own_thread(
    work: Callable[[], tuple[bool, str]], after: Callable[[tuple[bool, str] | None], None]
) -> asyncio.Future[tuple[bool, str]]:
    """``work`` on a daemon thread of its own, as a future of the loop, given up (never
    joined) at the action's timeout; ``after`` gets what one given up ends with. Not the
    loop's executor: a send that never ends (an SMTP server that trickles a byte every few
    seconds keeps Python's socket timeout from ever firing) held one of its few workers for
    good, so that later notices queued behind it, and the program's exit waited for it for
    ever."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[tuple[bool, str]] = loop.create_future()

    def settle(result: tuple[bool, str] | None, exc: BaseException | None) -> None:
        if done.done():  # given up on at its timeout
            after(result)
            return
        if exc is not None:
            done.set_exception(exc)
        else:
            assert result is not None
            done.set_result(result)

    def run() -> None:
        try:
            result, exc = work(), None
        except Exception as caught:
            result, exc = None, caught
        finally:
            _SENDING.discard(thread)
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
            loop.call_soon_threadsafe(settle, result, exc)

    thread = threading.Thread(target=run, name="notice", daemon=True)
    _SENDING.add(thread)
    thread.start()
    return done


#: The sends under way, those given up at their timeout included: each holds a thread and a
#: socket until its service lets go. Past ``MAX_SENDING`` a notice is not sent, and said so:
#: a service that never finishes (a mail server that trickles) would take one more each time.
MAX_SENDING = 64
_SENDING: set[threading.Thread] = set()
