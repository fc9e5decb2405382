"""State colours and icons, drawn from one SVG template recoloured per state.

One template (Nagstamon's good idea) keeps the tray, the table and the log consistent, and a
state is never told by colour alone: the table shows the word beside the icon.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ..core.events import SEVERITY, State

#: Colours chosen to stay apart for the common colour-vision deficiencies and on light and
#: dark themes.
STATE_COLORS: dict[State, str] = {
    State.UP: "#2e9d4f",
    State.DEGRADED: "#e0a100",
    State.DOWN: "#d63a2f",
    State.CONNECTING: "#3b82c4",
    State.PAUSED: "#8a8f98",
    State.UNKNOWN: "#b8bcc4",
}

#: A round badge with a plug-like mark; ``{fill}`` is replaced by the state's colour.
TEMPLATE = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <circle cx="32" cy="32" r="29" fill="{fill}" stroke="#1b1f24" stroke-opacity="0.35"
          stroke-width="2"/>
  <path d="M22 20v10M42 20v10M18 30h28v6a14 14 0 0 1-28 0z M32 50v8" fill="none"
        stroke="#ffffff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>
</svg>"""


def state_color(state: State) -> QColor:
    return QColor(STATE_COLORS[state])


def worst(states: Iterable[State]) -> State:
    """The most severe of ``states``; ``unknown`` if there are none."""
    return max(states, key=SEVERITY.__getitem__, default=State.UNKNOWN)


def render_svg(svg: str, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


@functools.cache
def state_icon(state: State) -> QIcon:
    """The state's icon at the sizes tables, menus and trays ask for."""
    svg = TEMPLATE.format(fill=STATE_COLORS[state])
    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64):
        icon.addPixmap(render_svg(svg, size))
    return icon
