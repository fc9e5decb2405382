"""When to tell the user, and in how few words: the notification policy.

The policy is fed the engine's event batches and emits ``Notice`` objects; it knows nothing
about trays, D-Bus or windows (``notify_backends`` does the showing), so every rule below is
testable with a fake clock and no display.

- A profile going ``down`` is told, and so is its recovery: ``up`` — or ``degraded``, which
  after ``down`` can only mean "answers again, but slowly" — after ``down``. Both honour the
  global settings (``notify_on_down``/``notify_on_up``) and the profile's ``notify`` switches.
  Pausing a profile that is down ends its outage silently: the user did it.
- Transitions are held until ``quiet_s`` (0.5 s) pass without another, or ``coalesce_s``
  (2 s) after the first at the latest, so several profiles going down together (a server
  restart, a switch) make one notice that names them. The first drops are told at once
  anyway (``first_s``, 0.05 s, gathers those that come together): that notice is then
  updated in place (same ``key``) with what the window gathered ("Orders DB and 3 others
  down", or the question whether this computer is offline), and left as it is when nothing
  more came. The program promises to tell at once.
- Drops told while the last notice told is a drop notice still on screen (``SHOWN_S``, as
  long as every way of showing keeps one) join that notice, which is updated to name its
  profiles still down as well, and recoveries likewise (``notice.Joining``): a tray balloon
  shows one notice at a time (the banner lists them), and must not say "2 connections down"
  while 3 are, nor "131 connections back up" while 300 are.
- When most monitored hosts are down (``OFFLINE_FRACTION`` of the hosts of the enabled, unpaused
  profiles), at least ``OFFLINE_MIN`` of them gone at once (``computer.at_once``: within a
  minute of the latest drop), and no drop among those proves the network works (a refusal, a
  reset, a close or a wrong reply all do), our own network may be the cause: one notice asks so,
  with the causes seen, instead of the flood; the outage's further changes are held back, and
  one "Back online" notice ends it when fewer than half of those hosts remain down. Hosts, not
  profiles: sixty profiles on one server that stopped answering are one server down
  (``host_counts``: every profile on it down; loopback hosts never count). Drops that prove the
  network works are told as what they are, grouped. Where the kernel says our network is up
  (``network_up``): "Most servers are not answering", or that it has no route to them.
- When the engine says this computer's network is down (a ``network`` event: the kernel has
  no route out, ``core.localnet``), that is told once, "This computer is offline", and the
  drops it causes (cause ``local_network``) are recorded but not told one by one. When it is
  back, their recoveries make one "Back online: 18 of 20 connections up" notice, as soon as
  they are all back or after ``back_grace_s`` with what is still down. The guess above is
  never made while the evidence is at hand.
- A snoozed profile (``snooze_until``) is never told about; its changes are still recorded.
- A drop inside one of the profile's maintenance windows (``"maintenance": true``) is told to
  nobody and counts towards no "offline" guess, nor is its recovery told; if it is still down
  when the window closes, the engine says so again (``still down after its maintenance
  window``) and that is told as a drop.
- A check this computer could not make (``local_error``, the state unknown) is told as that,
  "Could not check Orders DB: ...", under the drops' switches; it is no drop, counted nowhere.
- A drop found at a start or a resume that was down when last watched (before the restart
  or the pause) is no news: one quiet "Still down" notice tells them (``still``).
- A connection given another target (``TARGET_CHANGED``) ends its outage there, silently:
  the user did it. The new target is a new thing: its drop is told, its being up is not
  (it was told "back up after" the old one's outage, with the old one's cause).
- Flapping protection, see ``repeats.Repeats``. Actions that failed: ``failed_actions``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QObject, Signal, Slot

from ...core.eventqueries import KNOWN_STATES
from ...core.events import NO_SUCH_NAME, TARGET_CHANGED, Cause, Event, Kind, State
from ...core.last_seen import LastSeen
from ...core.profile import Profile
from ...core.settings import Settings
from ..common.labels import cause_text
from ..common.text import duration_text
from . import computer, wording
from .computer import ComputerNotices, host_counts, single_shot
from .dns import DnsNotices
from .failed_actions import FailedActions
from .notice import Change, Joining, Notice, Transition, net
from .repeats import Repeats
from .still import StillDown
from .wording import down_line, join_names, lines_text, shown_name, unchecked_words, up_line

__all__ = ["Notice", "NotificationPolicy"]

COALESCE_S = 2.0
QUIET_S = 0.5
FIRST_S = 0.05
REPEAT_S = 30.0
OFFLINE_FRACTION = 0.8
OFFLINE_MIN = 3
#: Causes that prove the network works (a peer answered, if only to refuse): drops with these
#: are never taken for this computer being offline.
NETWORK_WORKS = frozenset(
    {Cause.REFUSED, Cause.RESET, Cause.CLOSED_BY_PEER, Cause.UNEXPECTED_REPLY, Cause.TLS_ERROR}
)


class NotificationPolicy(QObject):
    """Turns state events into ``Notice`` objects, emitted by ``notification``."""

    notification = Signal(object)

    def __init__(
        self,
        profiles: Mapping[str, Profile],
        settings: Settings | None = None,
        parent: QObject | None = None,
        *,
        coalesce_s: float = COALESCE_S,
        quiet_s: float = QUIET_S,
        first_s: float = FIRST_S,
        repeat_s: float = REPEAT_S,
        back_grace_s: float = computer.BACK_GRACE_S,
        wake_settle_s: float = computer.WAKE_SETTLE_S,
        change_settle_s: float = computer.CHANGE_SETTLE_S,
        clock: Callable[[], float] = time.monotonic,
        network_up: Callable[[], bool | None] = lambda: None,
    ) -> None:
        """``profiles``: the registry's profiles by id (a live view: the policy looks up a
        profile's name and switches as they are now, and forgets the removed). ``network_up``:
        whether the kernel says this computer's network is up (None: unknown), for the guess."""
        super().__init__(parent)
        self._settings = settings or Settings()
        self._clock = clock
        self._network_up = network_up
        # A coarse timer may fire 5% late; the promise is "at most 2 s".
        self._timer = single_shot(self, coalesce_s, self.flush)
        self._quiet = single_shot(self, min(quiet_s, coalesce_s), self.flush)
        self._first = single_shot(self, min(first_s, quiet_s), self.preview)
        #: The notice told at once for the window being gathered.
        self._previewed: Notice | None = None
        self._joining = Joining()
        self._profiles = profiles
        self._pending: list[Change] = []
        #: Profiles in an outage, with the event that began it.
        self._down: dict[str, Event] = {}
        self._paused: set[str] = set()
        #: Down since a drop inside a maintenance window: told to nobody, counted nowhere.
        self._planned: set[str] = set()
        self._repeats = Repeats(repeat_s)
        self._last, self._outage_of = self._repeats.last, self._repeats.outage_of
        #: Set while most profiles are down: the profiles the outage has taken.
        self._offline: set[str] | None = None
        self._stopped = False
        settle = {"wake_settle_s": wake_settle_s, "change_settle_s": change_settle_s}
        self.computer = ComputerNotices(self, self, back_grace_s=back_grace_s, **settle)
        self.dns, self.still = DnsNotices(self, self), StillDown()
        self.failed = FailedActions(profiles, self.tell, self)

    def set_settings(self, settings: Settings) -> None:
        self._settings = settings

    def is_offline(self) -> bool:
        """Whether most profiles are down, so that one outage notice stands for them."""
        return self._offline is not None

    def is_local_offline(self) -> bool:
        """Whether this computer's network is down (told by the engine, not guessed)."""
        return self.computer.offline is not None

    def remaining_ms(self) -> int:
        """Milliseconds until held transitions are told; -1 when nothing is held."""
        if not self._timer.isActive():
            return -1
        return min(self._timer.remainingTime(), self._quiet.remainingTime())

    def handle(self, events: Sequence[Event], now: float | None = None) -> None:
        """Take a batch of events (samples are ignored); ``now`` is a ``monotonic()`` time."""
        if self._stopped:
            return
        now = self._clock() if now is None else now
        profiles, moved = self._profiles, self._repeats.moved  # (a new target's drop: news)
        held = len(self._pending)
        for event in events:
            pid = event.profile_id
            if event.kind in (Kind.NETWORK, Kind.POWER):
                self.computer.handle(event, now)
                continue
            if event.kind is Kind.ACTION:
                self.failed.take(event)
            if event.kind is not Kind.STATE or pid not in profiles:
                continue
            if event.maintenance and event.state is State.DOWN:
                if pid not in self._down:  # expected; an outage already told goes on
                    self._planned.add(pid)
                continue
            self._planned.discard(pid)  # back, or still down when the window closed: told
            if event.state is State.PAUSED:
                self._paused.add(pid)
                self.still.paused(pid, self._down.pop(pid, None) is not None, profiles[pid])
                continue
            self._paused.discard(pid)
            if event.state in KNOWN_STATES and self.still.found(event, now, profiles[pid]):
                self._down[pid] = event  # held, or down before too: no news (``still``)
                self._repeats.began(profiles[pid])
            elif event.state is State.DOWN and (pid not in self._down or moved(profiles[pid])):
                self._down[pid] = event
                self._repeats.began(profiles[pid])
                self._pending.append(Change(Transition.DOWN, event, now))
            elif event.state in (State.UP, State.DEGRADED) and pid in self._down:
                down = self._down.pop(pid)
                self._pending.append(Change(Transition.UP, event, now, down))
            elif event.state is State.UNKNOWN and event.cause is Cause.LOCAL_ERROR:
                self._pending.append(Change(Transition.UNCHECKED, event, now))
            elif event.state is State.UNKNOWN and event.detail == TARGET_CHANGED:
                self._down.pop(pid, None)
        if (self._pending and len(self._pending) > held) or self.still.still or self.still.held:
            self._arm()

    def _arm(self) -> None:
        self._quiet.start()  # restarted by every new transition
        if not self._timer.isActive():
            self._timer.start()  # never restarted: the bound on the wait
            self._first.start()  # the first drops are told at once, then updated

    def found_before(self, seen: Mapping[str, LastSeen]) -> None:
        """What the event log last knew at the start: drops found again are no news."""
        down = [pid for pid, last in seen.items() if last.state is State.DOWN]
        self._pending += (news := self.still.left(down))
        if news or self.still.still:  # the news at once (a preview of no drops says nothing)
            self._arm()
            self._first.start()

    def stop(self) -> None:
        """At quit: drop what is held and take no more (the drops the engine reports as it
        shuts down are not news, and a notice posted after the loop's last turn would be
        stepped with no event loop running)."""
        for timer in (self._timer, self._quiet, self._first):
            timer.stop()
        self.computer.stop()
        self.failed.stop()  # a failed action's notice held for its turn: not told either
        self._pending = []
        self._stopped = True

    @Slot()
    def preview(self) -> None:
        """Tell the drops held so far at once, in a notice that ``flush`` updates."""
        if self._stopped or self._previewed is not None or not self._pending:
            return
        if self.computer.active() or self._offline is not None or self.dns.out is not None:
            return  # those notices speak for the whole window, at its end
        changes = self._net(list(self._pending))
        downs = [
            c for c in changes
            if c.transition is Transition.DOWN and self._allowed(c, record=False)
        ]  # fmt: skip
        if not downs:
            return
        self._previewed = self._drop_notice(downs)
        self._emit(self._previewed)

    @Slot()
    def flush(self) -> None:
        """Tell what is held now (the timer calls this; tests call it to skip the wait)."""
        self._timer.stop()
        self._quiet.stop()
        self._first.stop()
        news, still = self.still.take(self._clock())
        pending, self._pending = self._pending + news, []
        for table in (self._down, self._last, self._outage_of):
            for gone in [pid for pid in table if pid not in self._profiles]:
                del table[gone]
        self._paused &= self._profiles.keys()
        self._planned &= self._profiles.keys()
        self.still.forget(self._profiles.keys())
        changes = self._net(pending)
        notices = self.computer.take(changes) if self.computer.active() else []
        notices += self.dns.take(changes)
        notices += self._outage(changes)
        downs = [c for c in changes if c.transition is Transition.DOWN and self._allowed(c)]
        ups = [c for c in changes if c.transition is Transition.UP and self._allowed(c)]
        if downs:
            notices.append(self._drop_notice(downs))
        if unchecked := [c for c in changes if c.transition is Transition.UNCHECKED]:
            notices += self._unchecked_notice(unchecked)
        notices += self.still.notices(
            self, [c for c in still if c.event.profile_id in self._profiles]
        )
        if ups:
            key, ups = self._joining.join(Transition.UP, ups, self._down, self._profiles)
            notices.append(dataclasses.replace(self._up_notice(ups), key=key))
        for notice in self._updating(notices):
            self._emit(notice)
        self.computer.flushed()

    def _drop_notice(self, downs: list[Change]) -> Notice:
        """The notice telling ``downs``, joined to the drop notice still on screen."""
        key, downs = self._joining.join(Transition.DOWN, downs, self._down, self._profiles)
        return dataclasses.replace(self.down_notice(downs), key=key)

    def _emit(self, notice: Notice) -> None:
        self._joining.told(notice)
        self.notification.emit(notice)

    def _updating(self, notices: list[Notice]) -> list[Notice]:
        """The window's notices, the first of them (its drops, if any) updating the one told
        at once; that one, if it already said it all, is not told again."""
        previewed, self._previewed = self._previewed, None
        if previewed is None or not notices:
            return notices
        at = next((i for i, n in enumerate(notices) if n.snoozable and n.urgent), 0)
        first = notices[at]
        if (first.title, first.body) == (previewed.title, previewed.body):
            return notices[:at] + notices[at + 1 :]
        notices[at] = dataclasses.replace(first, key=previewed.key, sound=False)  # heard once
        return notices

    def _net(self, pending: Sequence[Change]) -> list[Change]:
        return net(pending, lambda pid: pid not in self._paused and pid in self._profiles)

    def _unchecked_notice(self, changes: list[Change]) -> list[Notice]:
        """Connections this computer could not check: one notice, not a drop."""
        told = [c for c in changes if self._allowed(c)]
        if not told:
            return []
        title, body = unchecked_words([c.event for c in told])
        profiles = [self._profiles[c.event.profile_id] for c in told]
        return [self.notice(title, body, True, profiles)]

    def _allowed(self, change: Change, *, record: bool = True) -> bool:
        """The switches and the flapping protection (``repeats``) let this change be told."""
        p = self._profiles[change.event.profile_id]
        return self._repeats.allowed(change, p, self._settings, record=record)

    def _outage(self, changes: list[Change]) -> list[Notice]:
        """Enter or leave "offline"; removes from ``changes`` what the outage notices cover."""
        monitored = self.monitored()
        down = [p for p in monitored if p.id in self._down]
        hosts, hosts_down = host_counts(monitored, self._down)
        now = max((c.at for c in changes), default=self._clock())
        notices: list[Notice] = []
        if self._offline is None:
            if self.computer.active() or self.dns.out is not None:
                return notices  # the evidence is at hand: no guess
            together = host_counts(monitored, recent := computer.at_once(self._down))[1]
            if together < OFFLINE_MIN or hosts_down < OFFLINE_FRACTION * hosts:
                return notices
            down = [p for p in down if p.id in recent]
            causes = {self._down[p.id].cause for p in down}
            answered = any(NO_SUCH_NAME in self._down[p.id].detail for p in down)  # DNS did
            if causes & NETWORK_WORKS or answered:
                return notices  # a refusal proves the network works: each drop is news
            self._offline = {p.id for p in down}
            if self._settings.notify_on_down and any(p.notify.on_down for p in down):
                names = join_names([p.name for p in down], 8)
                seen = ", ".join(sorted(cause_text(c) for c in causes if c is not None))
                body = self.tr(
                    "{down} of {total} connections went down at once ({causes}): {names}.",
                    "",
                    len(down),
                ).format(down=len(down), total=len(monitored), causes=seen, names=names)
                title = self.tr("Is this computer's network down?")
                if self._network_up():  # it is not: what failed lies beyond it, or no route
                    title = self.tr("Most servers are not answering")
                    beyond = self.tr(
                        "This computer's network is up: a router or link beyond it may be down."
                    )
                    details = [self._down[p.id].detail for p in down]
                    said, beyond = self.computer.no_route(causes, details) or (title, beyond)
                    title, body = said or title, f"{body}\n{beyond}"
                notices.append(self.notice(title, body, True, down))
                for p in down:
                    self._repeats.told(p, Transition.DOWN, now)
        else:
            self._offline.update(p.id for p in down)
            if hosts_down * 2 >= hosts and hosts:
                changes.clear()
                return notices
            back = [p for p in monitored if p.id in self._offline and p.id not in self._down]
            self._offline = None
            if self._settings.notify_on_up and any(p.notify.on_up for p in back):
                body = (
                    self.tr("1 connection is back up.")
                    if len(back) == 1
                    else self.tr("{n} connections are back up.", "", len(back)).format(n=len(back))
                )
                if down:
                    still = join_names([p.name for p in down], 8)
                    body += self.tr(" Still down: {names}.").format(names=still)
                up_ = self._network_up() and self.tr("Servers answer again")
                notices.append(self.notice(up_ or self.tr("Back online"), body, False, back))
                for p in back:
                    self._repeats.told(p, Transition.UP, now)
        changes.clear()
        return notices

    # -- for ``ComputerNotices`` ----------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def down(self) -> Mapping[str, Event]:
        """Profiles in an outage, with the event that began it."""
        return self._down

    def monitored(self) -> list[Profile]:
        """The profiles that are enabled and not paused."""
        return [p for pid, p in self._profiles.items() if p.enabled and pid not in self._paused]

    def now(self) -> float:
        return self._clock()

    def forget_guess(self) -> None:
        """The evidence replaces the guess: "Is this computer's network down?" is over."""
        self._offline = None

    def told(self, profile: Profile, transition: Transition, now: float) -> None:
        """The user has heard of ``transition`` (by a notice standing for many)."""
        self._repeats.told(profile, transition, now)

    def allowed(self, change: Change) -> bool:
        return not self._stopped and self._allowed(change)

    def tell(self, notices: Sequence[Notice]) -> None:
        if not self._stopped:
            for notice in notices:
                self._emit(notice)

    def notice(
        self, title: str, body: str, urgent: bool, about: Sequence[Profile], snoozable: bool = False
    ) -> Notice:
        ids = tuple(p.id for p in about)
        return Notice(title, body, urgent, ids, sound=self._settings.sound, snoozable=snoozable)

    def down_notice(self, downs: Sequence[Change]) -> Notice:
        lines = []
        for c in downs[: wording.MAX_LINES]:
            line = down_line(c.event)
            if c.other is not None:
                back = (c.other.ts - c.event.ts).total_seconds()
                line += self.tr("; back up {duration} later").format(duration=duration_text(back))
            lines.append(line)
        names = [c.event.profile_name for c in downs]
        title = self.tr("Connection down: {name}").format(name=shown_name(names[0]))
        if len(downs) > 1:
            title = self.tr("{n} connections down: {names}", "", len(downs)).format(
                n=len(downs), names=join_names(names)
            )
        profiles = [self._profiles[c.event.profile_id] for c in downs]
        return self.notice(title, lines_text(lines, len(downs)), True, profiles, snoozable=True)

    def _up_notice(self, ups: Sequence[Change]) -> Notice:
        names = [c.event.profile_name for c in ups]
        title = self.tr("Connection back up: {name}").format(name=shown_name(names[0]))
        if len(ups) > 1:
            title = self.tr("{n} connections back up: {names}", "", len(ups)).format(
                n=len(ups), names=join_names(names)
            )
        body = lines_text([up_line(c.event, c.other) for c in ups[: wording.MAX_LINES]], len(ups))
        profiles = [self._profiles[c.event.profile_id] for c in ups]
        return self.notice(title, body, False, profiles, snoozable=True)
