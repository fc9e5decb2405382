"""Text from a profile or a peer, set apart from our words where a sentence composes them.

A name in Hebrew or Arabic (or one that begins with U+200F RIGHT-TO-LEFT MARK or U+061C
ARABIC LETTER MARK, which names may hold) took the words around it into its direction:
"<name> is down: refused" read in another order in a notice, the tray's tooltip and menu.
``isolated`` wraps such text in U+2068 FIRST STRONG ISOLATE ... U+2069 POP DIRECTIONAL
ISOLATE, which the Unicode bidirectional algorithm (UAX #9) lays out as one neutral word.

What is inside cannot escape: an embedding or override it opens (U+202E RIGHT-TO-LEFT
OVERRIDE turns everything after it around) is closed before the isolate ends, and a closing
control it has no opener for is left out, as it would close ours. Names cannot hold those
controls (``core.validate`` refuses them); a peer's words and an old log's may.

Only for the window, the tray and notices: the command line and the event log keep text as
it was written.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtGui import QGuiApplication

from ...core.validate import BIDI_CONTROLS

FSI, PDI = "\u2068", "\u2069"
PDF = "\u202c"
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE, RLE, LRO, RLO
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI
#: Bidirectional classes that can turn the words beside them around: right-to-left letters
#: and Arabic digits (RLM and ALM are R and AL), and explicit controls.
_MOVING = frozenset(
    {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
)


def needs_isolating(text: str) -> bool:
    """Whether ``text`` can reorder what stands beside it."""
    if text.isascii():
        return False
    return any(unicodedata.bidirectional(c) in _MOVING for c in text)


def balanced(text: str) -> str:
    """``text`` with every embedding, override and isolate it opens closed at its end, and
    every closing control without an opener left out."""
    out: list[str] = []
    opened: list[str] = []  # the closer each open control needs, innermost last
    for ch in text:
        if ch in _EMBEDDINGS:
            opened.append(PDF)
        elif ch in _ISOLATES:
            opened.append(PDI)
        elif ch == PDF:
            if not opened or opened[-1] != PDF:
                continue  # nothing of its own to close (UAX #9 ignores it inside an isolate)
            opened.pop()
        elif ch == PDI:
            if PDI not in opened:
                continue  # would close the isolate that sets the text apart
            while opened.pop() != PDI:  # closes the embeddings opened inside it too
                pass
        out.append(ch)
    out.extend(reversed(opened))
    return "".join(out)


def isolated(text: str) -> str:
    """``text`` set apart from the words around it, where it could reorder them."""
    if not needs_isolating(text):
        return text
    return f"{FSI}{balanced(text)}{PDI}"


_SHOWN = {ord(c): f"\\u{ord(c):04x}" for c in BIDI_CONTROLS}


def controls_shown(text: str) -> str:
    """``text`` with its embeddings, overrides and isolates shown as escapes (``\\u202e``):
    where a line is the text alone (a cell of the event log) nothing need be set apart, but
    "db \\u202epu si" must not read "db is up". Names refuse them; an old log's may hold them."""
    return text.translate(_SHOWN) if not text.isascii() else text


def anchored(text: str) -> str:
    """``text`` with each line that holds an isolate anchored to the program's direction by
    a mark: Qt's labels (and Pango) took an isolated name's direction for a whole line that
    begins with it, ignoring the isolate ("... the last db 1 قاعدة", seen in the banner)."""
    if FSI not in text:
        return text
    mark = "\u200f" if QGuiApplication.isRightToLeft() else "\u200e"
    return "\n".join(mark + line if FSI in line else line for line in text.split("\n"))
