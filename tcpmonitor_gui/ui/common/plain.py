"""Text from a profile or a peer, shown where Qt guesses whether it is HTML.

A tooltip, a message box or a label left at ``Qt.TextFormat.AutoText`` is read as HTML when
``Qt.mightBeRichText`` says its first line looks like some: a connection named
"Orders <b>DB</b>" showed bold, and "<img src=/some/fifo>" had Qt open that file on the GUI
thread, which then waited for ever (``/dev/zero``: until memory ran out). Labels that show
such text are set to ``PlainText``; where the format cannot be set (tooltips), ``plain``.
"""

from __future__ import annotations

from PySide6.QtGui import Qt


def plain(text: str) -> str:
    """``text`` as Qt shows it word for word where it guesses the format: unchanged unless
    it looks like HTML, else as HTML that says it (escaped, its lines kept)."""
    if not Qt.mightBeRichText(text):
        return text
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
