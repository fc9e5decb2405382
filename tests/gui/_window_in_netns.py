"""The main window, as ``composition.compose`` builds it, run where a test puts it (a network
namespace whose cable the test pulls): ``_window_in_netns.py CONFIG DATA``.

It prints, as JSON lines on stdout: every event the engine hands the window (``to_json``),
and every notice the notification policy gives the window to show (``{"kind": "notice"}``).
On stdin, ``flush`` makes the policy tell what it holds now and answers ``{"kind":
"flushed"}`` with the status line and the tray's tooltip, so a test knows that everything
said about what it has seen is said; EOF quits, as the program does.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from tcpmonitor_gui.composition import compose
from tcpmonitor_gui.core.events import Kind
from tcpmonitor_gui.core.session import Session
from tcpmonitor_gui.engine.gui_thread import call_in_gui_thread


def say(record: object) -> None:
    sys.stdout.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    sys.stdout.flush()


def main() -> int:
    app = QApplication(sys.argv[:1])
    session = Session(Path(sys.argv[1]), Path(sys.argv[2]), strict=False)
    session.open_eventlog()
    parts = compose(session)
    window = parts.window
    parts.engine.eventsReady.connect(
        lambda events: [say(e.to_json()) for e in events if e.kind is not Kind.SAMPLE]
    )
    window.policy.notification.connect(
        lambda n: say({"kind": "notice", "title": n.title, "body": n.body, "urgent": n.urgent})
    )

    def flush() -> None:
        window.policy.flush()
        window._flush_ui()  # the status line as it is now, not in 100 ms
        status, tooltip = window.counts_label.text(), window.tray.tooltip()
        say({"kind": "flushed", "status": status, "tooltip": tooltip})

    def read_commands() -> None:
        for line in sys.stdin:
            if line.strip() == "flush":
                call_in_gui_thread(flush)
        call_in_gui_thread(app.quit)

    window.start_monitoring()
    window.show()
    threading.Thread(target=read_commands, daemon=True).start()
    app.exec()
    window.shutdown()
    clean = parts.engine.shutdown()
    parts.demo.stop()
    session.close()
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
