"""A latency sparkline painted straight into a table cell.

A widget per cell would cost a thousand widgets for a thousand profiles; a delegate paints the
row's samples straight from the ``StatusModel`` (not through a model role: that would mean a
Python ``data()``, see StatusModel) and holds nothing, so a repaint is one polyline and a few
ticks.
Each row is scaled to its own maximum: the question a sparkline answers is "is this link
steady?", and a slow link on a shared scale would flatten every fast one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QWidget

from ...core.events import State
from ..common.icons import state_color
from .model import SAMPLES, Role, StatusModel

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionViewItem

__all__ = ["SparklineDelegate"]

_Index = QModelIndex | QPersistentModelIndex
_MARGIN = 3


class SparklineDelegate(QStyledItemDelegate):
    """Paints a row's samples (``list[float | None]``, oldest first) as a line.

    The newest sample sits at the right edge, so a fresh row grows from the right as it does
    on a strip chart. Failed checks (``None``) are red ticks rising from the bottom.
    """

    def __init__(self, model: StatusModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._fail_pen = QPen(state_color(State.DOWN), 1.5)
        self._fail_pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        self._line_pen = QPen()
        self._line_pen.setWidthF(1.25)
        self._line_pen.setCosmetic(True)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        # Named here, not at import: QStyle's enums are a few ms that a window with no rows
        # to paint need not spend before its first frame (see ``common.file_dialogs``).
        from PySide6.QtWidgets import QStyle  # noqa: PLC0415

        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        # Selection and hover, as the theme draws them for every other cell.
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)
        row = self._model.row_of(str(index.data(Role.PROFILE_ID)))
        samples = self._model.samples(row) if row is not None else []
        if not samples:
            return
        rect = option.rect.adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)
        width, height = rect.width(), rect.height()
        if width < 4 or height < 4:
            return
        left, bottom = float(rect.left()), float(rect.bottom())
        step = width / (SAMPLES - 1)
        x0 = left + width - step * (len(samples) - 1)
        peak = max((s for s in samples if s is not None), default=0.0)
        scale = (height - 1) / peak if peak > 0 else 0.0
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setClipRect(option.rect)
        line = QPolygonF()
        tick = max(3, height // 4)
        painter.setPen(self._fail_pen)
        for i, value in enumerate(samples):
            x = x0 + i * step
            if value is None:
                painter.drawLine(QPointF(x, bottom), QPointF(x, bottom - tick))
            else:
                line.append(QPointF(x, bottom - value * scale))
        if line.size() == 1:  # one good sample: a dot, not nothing
            line.append(line.at(0) + QPointF(1.0, 0.0))
        self._line_pen.setColor(option.palette.color(role))
        painter.setPen(self._line_pen)
        painter.drawPolyline(line)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(2 * SAMPLES + 2 * _MARGIN, super().sizeHint(option, index).height())
