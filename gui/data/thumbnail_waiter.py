"""Ask the shared thumbnail cache for images until they arrive.

The cache (:class:`gui.data.thumbnails.ThumbnailCache`) is shared with the Data page, which drops every
queued request when its filter changes; a view that needs some thumbnails therefore re-asks for
the ones still missing, about once a second, until they arrived or failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QPixmap

RETRY_MS = 800
RETRY_BATCH = 300


class ThumbnailWaiter(QObject):
    """Emits ``arrived(path, pixmap)`` once per wanted path (at once when the cache has it)."""

    arrived = Signal(object, QPixmap)  # path: object keeps a non-UTF-8 name intact

    def __init__(self, cache: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache = cache
        self._missing: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(RETRY_MS)
        self._timer.timeout.connect(self._retry)
        if cache is not None:
            cache.ready.connect(self._on_ready)

    def want(self, paths: Iterable[str]) -> None:
        """Ask for ``paths``; those in memory arrive now, the others when decoded."""
        if self._cache is None:
            return
        for path in paths:
            pixmap = self._cache.pixmap(path)
            if pixmap is not None:
                self.arrived.emit(path, pixmap)
            elif self._cache.error(path) is None:
                self._missing.add(path)
        if self._missing and not self._timer.isActive():
            self._timer.start()

    def clear(self) -> None:
        """Forget what was asked for (the view changed)."""
        self._missing.clear()
        self._timer.stop()

    def missing(self) -> int:
        """How many wanted thumbnails have not arrived yet."""
        return len(self._missing)

    @Slot(object)
    def _on_ready(self, paths: list[str]) -> None:
        for path in paths:
            if path in self._missing:
                pixmap = self._cache.pixmap(path)
                if pixmap is not None:
                    self._missing.discard(path)
                    self.arrived.emit(path, pixmap)

    @Slot()
    def _retry(self) -> None:
        for path in list(self._missing)[:RETRY_BATCH]:
            if self._cache.error(path) is not None:
                self._missing.discard(path)
                continue
            pixmap = self._cache.pixmap(path)  # queues the decode again when it is not in memory
            if pixmap is not None:
                self._missing.discard(path)
                self.arrived.emit(path, pixmap)
        if not self._missing:
            self._timer.stop()
