"""The composition root's wiring, apart from ``main``: the registry over a session's
profiles, the engine following it, the main window attached to them, and the demo.

``app.main`` imports it once the window's first frame is on screen (issue #12); tests and
tools build the whole window at once with ``compose(session)``.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from .core.paths import ensure_dir
from .core.session import Problem, ProblemKind, Session
from .engine.engine import Engine
from .engine.gui_thread import when_done
from .engine.registry import ProfileRegistry
from .ui.main_window import MainWindow
from .ui.window_parts import attach
from .ui.window_state import FILE_NAME, WindowState

if TYPE_CHECKING:
    from .core.profile_set import ProfileSet
    from .integration.autostart import Autostart
    from .lab.demo import Demo


@dataclasses.dataclass
class Composed:
    """The program's parts, wired: what ``compose`` builds over a session."""

    registry: ProfileRegistry
    engine: Engine
    window: MainWindow
    demo: DemoRunner


def compose(
    session: Session,
    *,
    autostart: Callable[[], Autostart] | None = None,
    launch_args: Callable[[], list[str]] | None = None,
    window: MainWindow | None = None,
) -> Composed:
    """The registry over the session's profiles, the engine following it, the window and the
    demo (the QApplication must exist; monitoring starts with ``window.start_monitoring``).

    ``window``: the first frame already on screen (``app.main``), to be attached to the
    session; without one, a window is built and attached at once (tests, tools)."""
    ensure_dir(session.config_dir)  # watched for changes by other programs
    registry = ProfileRegistry(session.profiles, store=session.profile_store)
    engine = Engine(
        session.settings.worker_count,
        session.eventlog,
        registry,
        everywhere=lambda: session.settings.actions,
        metrics_listen=session.settings.metrics_listen,
    )
    if window is None:
        window = MainWindow(WindowState(session.config_dir / FILE_NAME, session.io))
    if (unread := window.state.problem) is not None:  # told with the session's, by the window
        session.problems.append(Problem(ProblemKind.WINDOW_STATE_UNREADABLE, unread))
    attach(window, session, registry, engine, autostart=autostart, launch_args=launch_args)
    return Composed(registry, engine, window, DemoRunner(session.profiles, engine, window))


class DemoRunner:
    """The demo's lifecycle, owned by the composition root (not by the window): servers on
    loopback start on request, once monitoring runs; their profiles join the registry as
    transient ones (shown and monitored, never saved); at quit the servers stop after the
    engine, or their closing would be recorded as drops."""

    def __init__(self, profiles: ProfileSet, engine: Engine, window: MainWindow) -> None:
        self._profiles = profiles
        self._engine = engine
        self._window = window
        self._requested = False
        self.demo: Demo | None = None
        window.demoRequested.connect(self.toggle)
        window.monitoringStarted.connect(self._monitoring_started)

    def toggle(self) -> None:
        """Help → Try the demo / Stop the demo."""
        if self.demo is None:
            self.start()
        else:
            self.stop_demo()

    def start(self) -> None:
        if not self._engine.running:
            self._requested = True  # started with monitoring
            return
        self._requested = False
        if self.demo is not None:
            return
        from .lab.demo import Demo  # noqa: PLC0415 - only for those who try it
        from .ui.demo_words import demo_profiles, started_text  # noqa: PLC0415

        self.demo = Demo().start()
        self._profiles.add(demo_profiles(self.demo.profiles), transient=True)
        self._window.set_demo_running(True)
        self._window.statusBar().showMessage(started_text(), 10_000)

    def stop_demo(self) -> concurrent.futures.Future[None]:
        """Take the demo away: its connections stop being watched, then its servers stop
        (so their closing is no drop), and its lines leave the log (they were never stored)."""
        demo, self.demo = self.demo, None
        done: concurrent.futures.Future[None] = concurrent.futures.Future()
        if demo is None:
            done.set_result(None)
            return done
        ids = [p.id for p in demo.profiles]
        stopped = [self._engine.remove(pid) for pid in ids if self._engine.monitored(pid)]
        self._profiles.remove(ids)
        self._window.log_pane.proxy.hide_profiles(ids)
        self._window.set_demo_running(False)

        def servers_down(_: object = None) -> None:
            if all(f.done() for f in stopped):
                demo.stop()
                if not done.done():
                    done.set_result(None)

        for future in stopped:  # the servers stop on the GUI thread, as they started
            when_done(future, servers_down, owner=self._window)
        servers_down()
        return done

    def _monitoring_started(self) -> None:
        if self._requested:
            self.start()

    def stop(self) -> None:
        if self.demo is not None:
            self.demo.stop()
            self.demo = None
