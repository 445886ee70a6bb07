"""Drops from the desktop: what a drag carries, and the one drop-target helper every page uses.

:func:`accept_file_drops` makes a widget take files and folders dragged from the desktop and hands
their paths to a callback; drags that carry no local file (a thumbnail dragged inside the app, a
web link) are refused, so the cursor shows at once that nothing would happen. Targets that take
more than files (the class sidebar also takes thumbnails) use :func:`local_paths` directly.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

DropHandler = Callable[[list[str]], None]
_DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)


def local_paths(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[str]:
    """Return the local files and folders carried by a drag from the desktop."""
    mime = event.mimeData()
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []


class FileDropTarget(QObject):
    """Event filter that accepts drags carrying local files and passes the dropped paths on.

    Installed by :func:`accept_file_drops`; on a scroll area (a list or a table) it sits on the
    viewport, where Qt delivers the drag events.
    """

    def __init__(self, widget: QWidget, on_drop: DropHandler) -> None:
        super().__init__(widget)
        self._on_drop = on_drop
        self.target = widget.viewport() if isinstance(widget, QAbstractScrollArea) else widget
        widget.setAcceptDrops(True)
        self.target.setAcceptDrops(True)
        self.target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Handle drag-enter, drag-move and drop on the target; let every other event through."""
        if watched is not self.target or event.type() not in _DRAG_EVENTS:
            return False
        assert isinstance(event, QDropEvent)  # QDragEnterEvent and QDragMoveEvent derive from it
        paths = local_paths(event)
        if not paths:
            event.ignore()
            return True
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            self._on_drop(paths)
        return True


def accept_file_drops(widget: QWidget, on_drop: DropHandler) -> FileDropTarget:
    """Make ``widget`` take files and folders dropped from the desktop; ``on_drop(paths)`` gets them.

    Returns:
        The installed filter (a child of ``widget``, so it lives as long as the widget).
    """
    return FileDropTarget(widget, on_drop)
