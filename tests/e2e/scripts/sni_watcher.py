"""A stand-in ``org.kde.StatusNotifierWatcher`` on the session bus; quits at the end of stdin.

KDE Plasma, and GNOME with the AppIndicator extension, run a watcher; trayer (XEmbed) does
not. Qt asks the bus for one before it draws a tray icon: with a watcher and a registered host
it exports the icon as a StatusNotifierItem and sends ``showMessage`` to the notification
daemon instead of drawing its own balloon. This stands in for such a desktop so both routes can
be tested on one display. Prints ``ready`` once it owns the name, ``register SERVICE`` for each
item that registers.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import ClassInfo, Property, QCoreApplication, QObject, QSocketNotifier, Slot
from PySide6.QtDBus import QDBusConnection

SERVICE = "org.kde.StatusNotifierWatcher"
PATH = "/StatusNotifierWatcher"


@ClassInfo({"D-Bus Interface": SERVICE})
class Watcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self._items: list[str] = []

    @Slot(str)
    def RegisterStatusNotifierItem(self, service: str) -> None:  # named by the D-Bus interface
        self._items.append(service)
        print(f"register {service}", flush=True)

    @Slot(str)
    def RegisterStatusNotifierHost(self, service: str) -> None:  # named by the D-Bus interface
        pass

    def _host_registered(self) -> bool:
        return True

    def _registered_items(self) -> list[str]:
        return list(self._items)

    def _protocol_version(self) -> int:
        return 0

    IsStatusNotifierHostRegistered = Property(bool, _host_registered, constant=True)
    RegisteredStatusNotifierItems = Property("QStringList", _registered_items, constant=True)
    ProtocolVersion = Property(int, _protocol_version, constant=True)


def main() -> int:
    app = QCoreApplication(sys.argv[:1])
    bus = QDBusConnection.sessionBus()
    watcher = Watcher()
    options = (
        QDBusConnection.RegisterOption.ExportAllSlots
        | QDBusConnection.RegisterOption.ExportAllProperties
    )
    if not (bus.registerObject(PATH, watcher, options) and bus.registerService(SERVICE)):
        print(f"cannot register {SERVICE}: {bus.lastError().message()}", file=sys.stderr)
        return 1
    print("ready", flush=True)

    def on_stdin() -> None:
        if not sys.stdin.readline():
            notifier.setEnabled(False)
            app.quit()

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(on_stdin)
    code = app.exec()
    bus.unregisterService(SERVICE)
    return code


if __name__ == "__main__":
    sys.exit(main())
