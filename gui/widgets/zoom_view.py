"""A pannable, zoomable picture view (mouse wheel zooms around the cursor, drag pans)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

MIN_ZOOM, MAX_ZOOM, STEP = 0.05, 32.0, 1.25


class ZoomView(QGraphicsView):
    """Shows one pixmap; ``fit`` until the user zooms, then keeps the chosen zoom."""

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._item)
        self.setScene(self._scene)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._fit = True

    @property
    def zoom(self) -> float:
        """Current scale factor (1.0: one image pixel per screen pixel)."""
        return self.transform().m11()

    def set_pixmap(self, pixmap: QPixmap | None) -> None:
        """Show ``pixmap`` (None clears) fitted to the view."""
        self._item.setPixmap(pixmap or QPixmap())
        self._scene.setSceneRect(self._item.boundingRect())
        self.fit()

    def fit(self) -> None:
        """Scale the picture to fit the view (never above 100 %)."""
        self._fit = True
        rect = self._item.boundingRect()
        if rect.isEmpty():
            self.resetTransform()
            return
        view = self.viewport().rect()
        scale = min(view.width() / rect.width(), view.height() / rect.height(), 1.0)
        self._set_scale(scale)

    def actual_size(self) -> None:
        """Show the picture at 100 %."""
        self._fit = False
        self._set_scale(1.0)

    def zoom_by(self, factor: float) -> None:
        """Multiply the zoom by ``factor`` (clamped)."""
        self._fit = False
        self._set_scale(min(MAX_ZOOM, max(MIN_ZOOM, self.zoom * factor)))

    def _set_scale(self, scale: float) -> None:
        self.resetTransform()
        self.scale(scale, scale)
        self.zoom_changed.emit(scale)

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Zoom around the cursor."""
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(STEP**steps)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep fitting while the user has not zoomed."""
        super().resizeEvent(event)
        if self._fit:
            self.fit()
