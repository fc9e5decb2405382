"""Send one notification with ``desktop-notifier``, the package the program uses for it:
``notify.py APP_NAME TITLE MESSAGE``. Prints the identifier the server gave it."""

from __future__ import annotations

import asyncio
import sys

from desktop_notifier import DesktopNotifier


async def send(app_name: str, title: str, message: str) -> str:
    notifier = DesktopNotifier(app_name=app_name)
    return str(await notifier.send(title=title, message=message))


if __name__ == "__main__":
    print(asyncio.run(send(*sys.argv[1:4])))
