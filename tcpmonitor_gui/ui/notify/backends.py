"""How a notice reaches the user: a chain of adapters that falls back, after qutebrowser's.

Each adapter has one coroutine, ``notify(title, body, *, urgent)``, which returns once the
message is handed over and raises when its way to the user is missing. The chain tries them in
order — tray balloon, the desktop's notification service, the in-window banner — so a
notification is never lost to a missing tray (GNOME without AppIndicator) or a missing daemon
(a bare window manager). The desktop adapter speaks D-Bus through ``desktop-notifier`` on the
qasync loop of the GUI thread: PySide6's QtDBus marshals ``Notify`` with argument types that
notification daemons reject.
"""

from __future__ import annotations

import contextlib
import html
import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QApplication

from ..tray import TrayIcon
from .banner import Banner
from .notice import NO_OFFER, SHOWN_S, Offer
from .policy import Notice

if TYPE_CHECKING:
    import asyncio

    from desktop_notifier import DesktopNotifier

log = logging.getLogger(__name__)

APP_NAME = "TCP Monitor"
#: Long enough for a busy session bus, short enough that the banner still comes in time.
DESKTOP_TIMEOUT_S = 3.0
#: A service that did not answer in time is left alone this long: each try would hold the
#: banner back by the timeout. One that is not there is asked again at the next notice.
DESKTOP_RETRY_S = 300.0
#: After monitoring starts, the desktop's service is connected to (``FallbackChain.warm_up``)
#: once this has passed: the first connects and the tray's docking go first.
WARM_UP_MS = 1000
#: How long a desktop notification stays (the daemon may keep it in its history).
NOTICE_S = SHOWN_S


class BackendUnavailable(RuntimeError):
    """This way to the user does not exist here (no tray, no session bus, no daemon)."""


class NotificationBackend(Protocol):
    name: str

    async def notify(
        self,
        title: str,
        body: str,
        *,
        urgent: bool,
        offer: Offer = NO_OFFER,
        replaces: object = None,
    ) -> object:
        """Show a notice; ``replaces``: what this returned for the notice it updates. Returns
        whatever a later update needs (None: nothing to replace, a new one covers it)."""
        ...


class TrayBackend:
    """Qt's balloon: no buttons, but a click on it does what clicking the notice does."""

    name = "tray balloon"

    def __init__(self, tray: TrayIcon) -> None:
        self._tray = tray

    async def notify(
        self,
        title: str,
        body: str,
        *,
        urgent: bool,
        offer: Offer = NO_OFFER,
        replaces: object = None,
    ) -> object:
        if not self.takes_notices():
            if not self._tray.can_show_messages():
                raise BackendUnavailable("no system tray shows our icon")
            # The service reads the body as markup: "R&D <core> db" lost "<core>", and a
            # peer's reply quoted in it could put a link there. Sent the desktop's way: escaped.
            raise BackendUnavailable("the tray would hand the notice on to the desktop as markup")
        self._tray.show_message(title, body, "warning" if urgent else "info", offer.clicked)
        return None  # a balloon replaces the one shown

    def takes_notices(self) -> bool:
        """Whether a notice now would be a balloon of its own (not handed to the desktop)."""
        return self._tray.can_show_messages() and not self._tray.hands_messages_to_desktop()


class BannerBackend:
    name = "in-window banner"

    def __init__(self, banner: Banner) -> None:
        self._banner = banner

    async def notify(
        self,
        title: str,
        body: str,
        *,
        urgent: bool,
        offer: Offer = NO_OFFER,
        replaces: object = None,
    ) -> object:
        return self._banner.show_message(title, body, "warning" if urgent else "info", replaces)


class DesktopBackend:
    """The freedesktop notification service (or the platform's own) via ``desktop-notifier``.

    ``desktop-notifier`` logs and swallows a failed send, so success is judged by its
    ``on_dispatched`` callback, and the service is probed (``get_capabilities``) before the
    first send so that a missing bus or daemon raises ``BackendUnavailable`` quickly.
    """

    name = "desktop notifications"

    def __init__(
        self,
        app_name: str = APP_NAME,
        *,
        timeout_s: float = DESKTOP_TIMEOUT_S,
        retry_s: float = DESKTOP_RETRY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._app_name = app_name
        self._timeout_s = timeout_s
        self._retry_s = retry_s
        self._clock = clock
        self._notifier: DesktopNotifier | None = None
        self._ready = False
        self._failed_at: float | None = None
        self._hung = False  # the last failure was a service that did not answer in time
        self._markup = False  # the service reads the body as markup ("body-markup")
        self._connecting: asyncio.Lock | None = None
        self.why_unavailable = ""

    @property
    def available(self) -> bool | None:
        """True once the service answered, False after it failed, None before either."""
        if self._failed_at is not None:
            return False
        return True if self._ready else None

    async def probe(self, *, ahead: bool = False) -> bool:
        """Connect to the service now (bounded by the timeout); whether it is there.
        ``ahead``: of any notice (``FallbackChain.warm_up``), which no notice waits for, so
        a service slow to answer it (started on demand at login, as the session starts) is
        asked again by the next notice, not left alone for ``retry_s`` as a hung one: its
        notices went to the window's banner for five minutes."""
        import asyncio  # noqa: PLC0415 - not before the first frame (app.main)

        try:
            async with asyncio.timeout(self._timeout_s):
                await self._connect()
        except BackendUnavailable:
            return False
        except Exception as exc:
            self._fail(exc)
            self._hung = self._hung and not ahead
            return False
        return True

    async def notify(
        self,
        title: str,
        body: str,
        *,
        urgent: bool,
        offer: Offer = NO_OFFER,
        replaces: object = None,
    ) -> object:
        import asyncio  # noqa: PLC0415 - not before the first frame (app.main)

        dispatched = False

        def on_dispatched() -> None:
            nonlocal dispatched
            dispatched = True

        try:
            async with asyncio.timeout(self._timeout_s):
                notifier = await self._connect()
                from desktop_notifier import Button, Urgency  # noqa: PLC0415 - imported

                if isinstance(replaces, str):  # the service has no update: the old one goes
                    with contextlib.suppress(Exception):
                        await notifier.clear(replaces)
                shown = await notifier.send(
                    title,
                    # A name like "R&D <core> db" is text: as markup, dunst dropped "<core>".
                    html.escape(body, quote=False) if self._markup else body,
                    # Critical would ask the daemon to keep it until dismissed: every notice
                    # has a bounded lifetime, so urgency is said by the words, not by this.
                    urgency=Urgency.Normal,
                    on_dispatched=on_dispatched,
                    timeout=NOTICE_S,
                    # Shown where the service has the "actions" capability; else left out.
                    buttons=[Button(title=text, on_pressed=call) for text, call in offer.buttons],
                    on_clicked=offer.clicked,
                )
        except BackendUnavailable:
            raise
        except Exception as exc:
            raise BackendUnavailable(self._fail(exc)) from exc
        if not dispatched:
            raise BackendUnavailable(self._fail(RuntimeError("the service refused the message")))
        return shown

    async def _connect(self) -> DesktopNotifier:
        import asyncio  # noqa: PLC0415 - not before the first frame (app.main)

        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:  # a notice while warm_up connects: one connection
            return await self._connect_now()

    async def _connect_now(self) -> DesktopNotifier:
        if self._failed_at is not None:
            if self._hung and self._clock() - self._failed_at < self._retry_s:
                raise BackendUnavailable(self.why_unavailable)
            self._failed_at = None
        if self._notifier is None:
            from desktop_notifier import DesktopNotifier  # noqa: PLC0415 - optional, slow

            self._notifier = DesktopNotifier(app_name=self._app_name, app_icon=None)
        if not self._ready:
            await self._notifier.get_capabilities()
            self._markup = await _reads_markup(self._notifier)
            self._ready = True
        return self._notifier

    def _fail(self, exc: BaseException) -> str:
        """Forget the connection; say why. A service that did not answer in time is tried
        again after ``retry_s``; one that was not there (dunst restarted to read its settings,
        or after a crash) at the next notice, which went to the banner for 5 minutes."""
        kind = type(exc).__name__
        self.why_unavailable = f"{kind}: {exc}" if str(exc) else kind
        self._failed_at = self._clock()
        self._hung = isinstance(exc, TimeoutError)
        self.close()
        return self.why_unavailable

    def close(self) -> None:
        """Drop the D-Bus connection (at exit, or after a failure)."""
        self._ready = False
        notifier, self._notifier = self._notifier, None
        # desktop-notifier has no close of its own and keeps even a half-made connection
        # (bus up, daemon missing), so reach for its bus or the socket leaks.
        bus = getattr(getattr(notifier, "_backend", None), "bus", None)
        disconnect = getattr(bus, "disconnect", None)
        if callable(disconnect):
            disconnect()


async def _reads_markup(notifier: DesktopNotifier) -> bool:
    """Whether the freedesktop notification service reads a notice's body as markup (its
    "body-markup" capability: dunst, GNOME, KDE, Xfce, mako). ``desktop-notifier`` does not
    say, so its D-Bus interface is asked; other platforms' services take plain text."""
    interface = getattr(getattr(notifier, "_backend", None), "interface", None)
    ask = getattr(interface, "call_get_capabilities", None)
    if not callable(ask):
        return False
    try:
        return "body-markup" in await ask()
    except Exception:  # no answer: plain text, as the specification's default
        log.debug("the notification service's capabilities could not be read", exc_info=True)
        return False


#: Shown notices remembered for their updates (the newest).
KEYS_KEPT = 64


class FallbackChain:
    """Tries each backend in turn until one takes the notice; logs each failure once."""

    def __init__(
        self,
        backends: Sequence[NotificationBackend],
        *,
        beep: Callable[[], None] | None = None,
        timeout_s: float = DESKTOP_TIMEOUT_S * 2,
    ) -> None:
        self.backends = tuple(backends)
        self._beep = beep if beep is not None else QApplication.beep
        self._timeout_s = timeout_s
        self._logged: set[str] = set()
        self._tasks: set[asyncio.Task[NotificationBackend | None]] = set()
        self._probes: set[asyncio.Task[bool]] = set()  # warm_up's (not waited for at quit)
        #: By notice key: the backend that showed it, what it returned, and the delivery
        #: under way (an update waits for the notice it updates).
        self._shown: dict[str, tuple[NotificationBackend, object]] = {}
        self._keyed: dict[str, asyncio.Task[NotificationBackend | None]] = {}
        #: What each notice offers (buttons, a click); the window sets it.
        self.offers: Callable[[Notice], Offer] = lambda _notice: NO_OFFER

    async def deliver(self, notice: Notice) -> NotificationBackend | None:
        """Show ``notice`` through the first backend that works; None if none did. A notice
        with the ``key`` of one shown replaces it (through the backend that showed it)."""
        import asyncio  # noqa: PLC0415 - not before the first frame (app.main)

        before, replaces = self._shown.get(notice.key, (None, None)) if notice.key else (None, None)
        for backend in self.backends:
            try:
                async with asyncio.timeout(self._timeout_s):
                    shown = await backend.notify(
                        notice.title,
                        notice.body,
                        urgent=notice.urgent,
                        offer=self.offers(notice),
                        replaces=replaces if backend is before else None,
                    )
            except Exception as exc:
                self._log_once(backend, exc)
                continue
            if notice.key:
                self._shown[notice.key] = (backend, shown)
                while len(self._shown) > KEYS_KEPT:
                    del self._shown[next(iter(self._shown))]
            if notice.sound:
                self._beep()
            return backend
        return None

    def post(self, notice: Notice) -> bool:
        """Deliver in the background on the running (qasync) loop: connect a signal to this.
        False, and nothing done, with no loop running (a window composed in a test)."""
        import asyncio  # noqa: PLC0415 - not before the first frame (app.main)

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        earlier = self._keyed.get(notice.key) if notice.key else None

        async def in_turn() -> NotificationBackend | None:
            if earlier is not None:  # an update: after the notice it updates
                await asyncio.wait({earlier})
            return await self.deliver(notice)

        task = loop.create_task(in_turn())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if notice.key:
            key = notice.key
            self._keyed[key] = task

            def forget(done: asyncio.Task[NotificationBackend | None]) -> None:
                if self._keyed.get(key) is done:
                    del self._keyed[key]

            task.add_done_callback(forget)
        return True

    def warm_up(self) -> None:
        """Connect to the desktop's notification service now, ahead of the first notice,
        where that notice would go there (no tray of our own takes it): the first drop's
        notice paid for the D-Bus modules, the connection and two questions to the service,
        0.2-0.3 s on this machine and seconds on a busy one. Needs the running loop; without
        one (a window composed in a test) the first notice connects, as before."""
        import asyncio  # noqa: PLC0415 - not before the first frame (app.main)

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        for backend in self.backends:
            if isinstance(backend, TrayBackend) and backend.takes_notices():
                return
            if isinstance(backend, DesktopBackend):
                if backend.available is None:
                    task = loop.create_task(backend.probe(ahead=True))
                    self._probes.add(task)
                    task.add_done_callback(self._probes.discard)
                return

    async def drain(self) -> None:
        """Wait for notices still being delivered (before the loop closes)."""
        import asyncio  # noqa: PLC0415 - not before the first frame (app.main)

        while self._tasks:  # including any posted while waiting
            await asyncio.wait(set(self._tasks))
        for probe in list(self._probes):  # a service still being asked: not waited for
            probe.cancel()
        if self._probes:
            await asyncio.wait(set(self._probes))

    def _log_once(self, backend: NotificationBackend, exc: BaseException) -> None:
        """A missing tray is routine (INFO); anything else is a bug somewhere (WARNING)."""
        expected = isinstance(exc, BackendUnavailable | TimeoutError)
        level = logging.INFO if expected else logging.WARNING
        if backend.name in self._logged:
            level = logging.DEBUG
        self._logged.add(backend.name)
        why = str(exc) or type(exc).__name__
        log.log(
            level,
            "Notification through the %s failed (%s); trying the next way",
            backend.name,
            why,
            exc_info=None if expected else exc,
        )


def choose_backend(
    tray: TrayBackend | None, desktop: DesktopBackend | None, banner: BannerBackend
) -> FallbackChain:
    """Tray balloon where a tray exists, else the desktop's service, else the banner.

    Every backend given is kept in the chain and asked in that order for each notice, because
    availability changes while the program runs: a tray host may start after us, a daemon
    may die; each raises ``BackendUnavailable`` at once when its way is missing.
    """
    backends: list[NotificationBackend] = [b for b in (tray, desktop) if b is not None]
    backends.append(banner)
    return FallbackChain(backends)
