"""The ``tcpmonitor-gui`` entry point and composition root.

Nothing is built at import: ``main()`` makes the QApplication, the qasync loop on the GUI
thread, the stores, the engine and the windows, wires them, and runs until the user quits.
"""

from __future__ import annotations

import argparse
import functools
import gc
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import APP_ID, __version__
from .core import paths
from .core.zone import utc_if_unusable

if TYPE_CHECKING:
    import concurrent.futures

    from .composition import Composed
    from .core.session import Problem, Session
    from .integration.autostart import Autostart
    from .ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: ``(phase, time.monotonic())`` as start-up reaches each phase's end: the benchmark's
#: start-up breakdown (``ui.bench_hooks`` reports them). A few appends, kept always.
STARTUP_MARKS: list[tuple[str, float]] = []


def _mark(phase: str) -> None:
    if len(STARTUP_MARKS) < 16:  # once per process start, not per test composing a window
        STARTUP_MARKS.append((phase, time.monotonic()))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tcpmonitor-gui",
        description="TCP Monitor: watches TCP connections and tells you when one drops, and why.",
    )
    parser.add_argument("--version", action="version", version=f"tcpmonitor-gui {__version__}")
    folder = functools.partial(parser.add_argument, type=paths.named("a folder"), metavar="DIR")
    folder("--config-dir", help="profiles and settings live here")
    folder("--data-dir", help="the event log lives here")
    parser.add_argument("--minimized", action="store_true", help="start in the tray")
    parser.add_argument("--demo", action="store_true", help="start demo servers and connections")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument(
        "--show",
        metavar="NAME|ID",
        help="open the window on this connection, with its details and history",
    )
    desktop = parser.add_mutually_exclusive_group()
    desktop.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="add TCP Monitor to this user's application menu (Linux, XDG) and exit",
    )
    desktop.add_argument(
        "--uninstall-desktop-entry",
        action="store_true",
        help="remove what --install-desktop-entry added and exit",
    )
    parser.add_argument(
        "--quit-after",
        type=float,
        metavar="S",
        help=argparse.SUPPRESS,  # tests and benchmarks: quit after S seconds
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _mark("python and this module")
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    zone = utc_if_unusable()  # before Qt reads the zone (it keeps the first it reads)
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        return _desktop_entry(install=args.install_desktop_entry)
    config_dir = paths.config_dir(args.config_dir)
    data_dir = paths.data_dir(args.data_dir)
    # Start-up's imports and window make almost no cycles, and the automatic collector walks
    # them all again and again (several ms before the first frame): off until the GUI
    # thread's own collector takes over, below.
    gc_was_enabled = gc.isenabled()
    gc.disable()

    # Qt only once the arguments are known to be good. PySide6 before qasync, and QT_API
    # said outright: qasync takes the first Qt binding it finds (PyQt5 if one is installed, or
    # whatever a QT_API left by another tool names), and this program is PySide6 only.
    from PySide6.QtCore import QTimer  # noqa: PLC0415
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    _mark("PySide6")
    from .ui.common.pyside_imports import skip_source_scan  # noqa: PLC0415

    skip_source_scan()  # before the many imports that follow

    os.environ["QT_API"] = "pyside6"

    # The first frame's modules only (issue #12): the session's come once it is on screen.
    from .core.first_look import first_look  # noqa: PLC0415
    from .ui import single_instance  # noqa: PLC0415
    from .ui.common.app_icon import app_icon  # noqa: PLC0415
    from .ui.common.gc_thread import GuiThreadCollector  # noqa: PLC0415
    from .ui.common.i18n import install_translators  # noqa: PLC0415
    from .ui.common.quit_signals import QuitOnSignals  # noqa: PLC0415
    from .ui.main_window import MainWindow  # noqa: PLC0415
    from .ui.window_state import FILE_NAME, WindowState  # noqa: PLC0415

    _mark("modules for the first frame")
    app = QApplication(sys.argv[:1])
    app.setApplicationName("TCP Monitor")
    app.setOrganizationName("tcpmonitor")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # closing hides to the tray; quitting is explicit
    # Before any other thread: Qt objects die here only (long-lived ones frozen, see there).
    collector = GuiThreadCollector(app, freeze=True, was_enabled=gc_was_enabled)

    _mark("QApplication")
    name = single_instance.server_name(config_dir)
    if (alone := single_instance.take_lock(name)) is not True:
        wait_s = single_instance.STARTING_WAIT_S if alone is False else 0.0
        asked = single_instance.asking(args.show)  # "show", or "show NAME"
        if (answer := single_instance.ask(name, asked, wait_s=wait_s)) is not None:
            print("TCP Monitor is already running; its window was brought to the front.")
            if answer == single_instance.UNKNOWN:
                log.error("--show: no connection is named %r", args.show)  # as at a start
                return 1
            return 0
        if alone is False:  # a live process holds it: a second window would monitor twice
            pid = single_instance.holder(name)
            who = f" (process {pid})" if pid is not None else ""
            print(
                f"tcpmonitor-gui: TCP Monitor is already running{who} but does not answer"
                " (stopped or hung); its window could not be brought to the front",
                file=sys.stderr,
            )
            return 1
    instance = single_instance.InstanceServer(name)  # listens once the window is on screen

    # The language and start-in-the-tray from settings.json with json alone: the session
    # reads it for real after the first frame (and says what is wrong with it).
    look = first_look(config_dir)
    translators = install_translators(app, look.language)  # before any window
    window = MainWindow(WindowState(config_dir / FILE_NAME))  # the first frame: "Loading…"
    _mark("window built")
    hooks = None
    if bench_report := os.environ.get("TCPMONITOR_BENCH_REPORT"):  # benchmarks only
        from .ui.bench_hooks import BenchHooks  # noqa: PLC0415

        hooks = BenchHooks(app, window, Path(bench_report), STARTUP_MARKS)  # owned by app

    def quit_app() -> None:
        window.quitting = True  # or closeEvent would hide to the tray and cancel the quit
        app.quit()

    window.quitRequested.connect(quit_app)
    signals = QuitOnSignals(quit_app)  # logout, kill, a closed terminal: quit, not die
    app.commitDataRequest.connect(lambda _manager: setattr(window, "quitting", True))
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), quit_app)
    # Starting in the tray needs to know whether there is one (the session's tray): the
    # window is shown once attached, then. Otherwise it shows at once, and the session's
    # parts are attached once its first frame is on screen.
    minimized = args.minimized or look.start_minimized
    if not minimized:
        window.show()
        _mark("shown")
        _until_next_frame(window)
    del translators  # owned by app from here on

    session, parts, opened = _attach(window, args, config_dir, data_dir, zone)
    engine, demo = parts.engine, parts.demo
    if hooks is not None:
        hooks.watch_complete()  # the next frame: the one with the table and the log
    instance.showRequested.connect(window.show_and_raise)
    instance.show_named = functools.partial(_show_named, window, session)

    def listen() -> None:
        if not instance.listen():
            log.warning("single-instance server %s could not listen", name)

    def shutdown() -> None:
        window.shutdown()
        if not engine.shutdown():
            log.error("some worker threads did not stop in time")
        demo.stop()  # after the engine: its servers closing is not news
        session.close()  # queued saves finish, then the event log closes
        instance.close()
        signals.close()
        collector.stop()

    app.aboutToQuit.connect(shutdown)
    window.show_problems()
    if args.demo:
        demo.start()  # once monitoring has started
    if minimized:
        window.tray.show()  # starting in the tray needs to know whether there is one
        painted = _show(window, minimized=True)
    else:
        window.tray.set_window_visible(True)
        painted = True
    _mark("wired")

    from .ui.log_opening import monitor_once_logged  # noqa: PLC0415

    if painted and not window.quitting:  # (a quit closed it: no frame is coming)
        # A thousand first connects, or the tray host embedding our icon, would compete with
        # the paint of the rows: paint first (before asyncio and qasync are loaded, too).
        _until_next_frame(window)
    monitor_once_logged(window, opened)  # at once if the log opened meanwhile (it mostly has)
    window.tray.show()
    listen()
    if args.show is not None:
        if (shown := session.profiles.find(args.show)) is None:
            log.error("--show: no connection is named %r", args.show)
        else:
            window.show_profile(shown.id)

    if window.quitting:  # asked while Qt's own loop ran: its quit ended that loop only
        QTimer.singleShot(0, app.quit)
    # asyncio and qasync (a fifth of a second's imports on a slow machine) after the first
    # frame: nothing before it needs an asyncio loop.
    import asyncio  # noqa: PLC0415

    import qasync  # noqa: PLC0415

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        # run_forever, not run_until_complete(an event set on aboutToQuit): qasync 0.28 then
        # processes events with no running loop, and a notice posted at quit would fail.
        loop.run_forever()
        loop.run_until_complete(_drain(window))
    if engine.lingering:
        # A worker is still running (stuck in a call that does not return): letting Python
        # tear down its QThread would abort the process ("Destroyed while thread is still
        # running"). Everything is saved and closed by now (shutdown ran), so leave at once.
        log.error("%d worker threads did not stop; leaving without waiting", len(engine.lingering))
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0


def _attach(
    window: MainWindow,
    args: argparse.Namespace,
    config_dir: Path,
    data_dir: Path,
    zone: str | None,
) -> tuple[Session, Composed, concurrent.futures.Future[Problem | None]]:
    """The session (its files read), and its parts built into ``window``: the second stage
    of the start, once the first frame is on screen; and the event log's opening, on the I/O
    thread meanwhile (monitoring starts once it is open and the rows are on screen)."""
    from .composition import compose  # noqa: PLC0415 - the session's modules
    from .core.session import Problem, ProblemKind, Session  # noqa: PLC0415

    _mark("modules for the session")
    session = Session(config_dir, data_dir, strict=False)  # bad files are set aside, and told
    if zone is not None:  # the window shows UTC and says why (the log said it on stderr)
        session.problems.append(Problem(ProblemKind.ZONE_UNUSABLE, zone))
    opened = session.open_eventlog_soon()  # now: the first frame is on screen
    parts = compose(
        session,
        autostart=_autostart,
        launch_args=functools.partial(_launch_args, args),
        window=window,
    )
    window.monitoringStarted.connect(lambda: _mark("monitoring started"))
    _mark("session attached")
    return session, parts, opened


def _desktop_entry(*, install: bool) -> int:
    from .integration import xdg  # noqa: PLC0415

    return xdg.command(remove=not install)


def _autostart() -> Autostart:
    from .integration.autostart import Autostart  # noqa: PLC0415 - when Settings opens

    return Autostart()


def _launch_args(args: argparse.Namespace) -> list[str]:
    """The command that starts this program with the same files (for start at login)."""
    from .integration.xdg import launcher_command  # noqa: PLC0415

    argv = launcher_command()
    for option, value in (("--config-dir", args.config_dir), ("--data-dir", args.data_dir)):
        if value:
            argv += [option, str(Path(value).expanduser().resolve())]
    return argv


def _show_named(window: MainWindow, session: Session, name: str) -> bool:
    """A later launch's ``--show NAME|ID``: the window on that connection; False if none."""
    if (shown := session.profiles.find(name)) is not None:
        window.show_profile(shown.id)
    return shown is not None


def _show(window: MainWindow, *, minimized: bool) -> bool:
    """Start in the tray only when there is one (a window nobody can reach helps nobody);
    True if the window is to be painted."""
    if minimized and window.tray.is_visible():
        window.tray.set_window_visible(False)
        return False
    if minimized:
        window.showMinimized()
    else:
        window.show()
    window.tray.set_window_visible(not minimized)  # "Show window" for a minimized one
    return not minimized


#: The longest a frame is waited for before the program goes on without it.
FIRST_FRAME_WAIT_MS = 2000


def _until_next_frame(window: MainWindow) -> None:
    """Run Qt's own event loop until ``window``'s next frame is on screen (at most
    ``FIRST_FRAME_WAIT_MS``), so that the window shows before the modules it does not need
    to show are loaded: its first frame before the session's, its rows before asyncio's."""
    from PySide6.QtCore import QEventLoop, QTimer  # noqa: PLC0415

    from .ui.common.first_paint import AfterFirstPaint  # noqa: PLC0415

    local = QEventLoop()
    AfterFirstPaint(window, local.quit)
    QTimer.singleShot(FIRST_FRAME_WAIT_MS, local.quit)
    local.exec()


async def _drain(window: MainWindow) -> None:
    import asyncio  # noqa: PLC0415

    try:
        async with asyncio.timeout(2):
            await window.chain.drain()
    except TimeoutError:
        log.warning("a notification was still being delivered at quit")
