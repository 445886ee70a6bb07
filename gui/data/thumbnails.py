"""Thumbnails and full images decoded off the GUI thread, cached on disk and in memory.

Workers decode with :func:`engine.imaging.load_rgb` (so EXIF orientation is right), scale, and
hand back a ``QImage``; the ``QPixmap`` is made on the GUI thread. Disk cache:
``cache_dir()/thumbs``, keyed by path + mtime + size, so an edited file gets a new thumbnail.
Requests are served newest first, so what is on screen now is decoded before what scrolled by.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
import weakref
from collections import OrderedDict
from datetime import datetime
from pathlib import Path
from typing import Any

import shiboken6
from PIL import Image
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QPixmap

from engine.errors import ImageError
from engine.imaging import load_rgb, probe_image
from engine.paths import cache_dir

log = logging.getLogger(__name__)
THUMB_PX = 160
MEMORY_ITEMS = 1500
MAX_PENDING = 800
DISPLAY_MAX_PX = 4096
_live_pools: weakref.WeakSet[QThreadPool] = weakref.WeakSet()


def live_pools() -> list[QThreadPool]:
    """Return the thumbnail thread pools still alive (tests check they are idle)."""
    return [pool for pool in _live_pools if shiboken6.isValid(pool)]


def thumbnail_dir() -> Path:
    """Return the on-disk thumbnail cache folder."""
    return cache_dir() / "thumbs"


def _stat(path: str) -> os.stat_result:
    try:
        return os.stat(path)
    except FileNotFoundError as exc:
        raise ImageError(path, "file not found (moved or deleted?)") from exc
    except OSError as exc:
        raise ImageError(path, f"cannot read file: {exc.strerror or exc}") from exc


def cache_file(path: str, st: os.stat_result, size: int = THUMB_PX) -> Path:
    """Return the disk-cache file of ``path``'s thumbnail for this mtime and size."""
    key = f"{path}\0{st.st_mtime_ns}\0{st.st_size}\0{size}".encode("utf-8", "surrogatepass")
    digest = hashlib.sha1(key).hexdigest()
    return thumbnail_dir() / digest[:2] / f"{digest}.jpg"


def pil_to_qimage(img: Image.Image) -> QImage:
    """Copy an RGB PIL image into a QImage that owns its pixels."""
    rgb = img if img.mode == "RGB" else img.convert("RGB")
    data = rgb.tobytes()
    qimg = QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888)
    return qimg.copy()


def make_thumbnail(path: str, size: int = THUMB_PX) -> QImage:
    """Return the thumbnail of ``path`` from the disk cache, or decode, scale and cache it.

    Runs on a worker thread. Raises:
        ImageError: With the loader's reason when the file cannot be decoded.
    """
    st = _stat(path)
    cached = cache_file(path, st, size)
    if cached.is_file():
        qimg = QImage(str(cached))
        if not qimg.isNull():
            return qimg
    img = load_rgb(path)
    img.thumbnail((size, size), Image.Resampling.BICUBIC, reducing_gap=2.0)
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=88)
    _write_cache(cached, buffer.getvalue())
    return pil_to_qimage(img)


def _write_cache(target: Path, data: bytes) -> None:
    """Write a cache file via temp + rename, without fsync: a lost thumbnail is only re-made."""
    tmp = target.with_name(f".{target.name}.{threading.get_ident()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:  # a read-only or full cache only costs speed next time
        log.debug("thumbnail cache write failed for %s: %s", target, exc)
        tmp.unlink(missing_ok=True)


def load_display_image(path: str, max_side: int = DISPLAY_MAX_PX) -> tuple[QImage, dict[str, Any]]:
    """Decode ``path`` for the viewer (upright, at most ``max_side`` px) plus the file's details."""
    st = _stat(path)
    info = probe_image(path)
    img = load_rgb(path)
    if max(img.size) > max_side:
        img.thumbnail((max_side, max_side), Image.Resampling.BICUBIC)
    details = {
        "width": info.width, "height": info.height, "format": info.format, "mode": info.mode,
        "bytes": st.st_size, "modified": datetime.fromtimestamp(st.st_mtime).strftime("%Y-%m-%d %H:%M"),
    }
    return pil_to_qimage(img), details


class _TaskSignals(QObject):
    """Carries results from workers; owned by the cache so it outlives every task."""

    thumbnail = Signal(object, object, str)  # path (object: keeps a non-UTF-8 name), QImage or None, reason
    display = Signal(int, object, object, object)  # request id, path, QImage or None, details dict or reason


class _ThumbnailTask(QRunnable):
    def __init__(self, path: str, signals: _TaskSignals, stop: threading.Event) -> None:
        super().__init__()
        self._path, self._signals, self._stop = path, signals, stop

    def run(self) -> None:
        if self._stop.is_set():
            return
        try:
            self._signals.thumbnail.emit(self._path, make_thumbnail(self._path), "")
        except ImageError as exc:
            self._signals.thumbnail.emit(self._path, None, exc.reason)
        except Exception as exc:  # never a silent dead worker: the GUI shows the reason
            log.exception("thumbnail of %s failed", self._path)
            self._signals.thumbnail.emit(self._path, None, f"unexpected error: {exc}")


class _DisplayTask(QRunnable):
    def __init__(self, request_id: int, path: str, signals: _TaskSignals) -> None:
        super().__init__()
        self._id, self._path, self._signals = request_id, path, signals

    def run(self) -> None:
        try:
            image, details = load_display_image(self._path)
            self._signals.display.emit(self._id, self._path, image, details)
        except ImageError as exc:
            self._signals.display.emit(self._id, self._path, None, exc.reason)
        except Exception as exc:
            log.exception("loading %s failed", self._path)
            self._signals.display.emit(self._id, self._path, None, f"unexpected error: {exc}")


class ThumbnailCache(QObject):
    """Hands out thumbnail pixmaps, decoding missing ones on its own thread pool.

    ``pixmap(path)`` never blocks: it returns None and queues a decode; ``ready`` then lists the
    paths that arrived and ``failed`` the ``(path, reason)`` pairs that could not be decoded, both
    batched (at most one of each every 30 ms).
    """

    ready = Signal(object)  # list[str]
    failed = Signal(object)  # list[tuple[str, str]]
    display_loaded = Signal(int, object, object, object)  # request id, path, QImage | None, details | reason

    def __init__(self, parent: QObject | None = None, threads: int | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads or max(1, min(3, QThreadPool.globalInstance().maxThreadCount())))
        _live_pools.add(self._pool)
        self._signals = _TaskSignals(self)
        self._signals.thumbnail.connect(self._on_thumbnail)
        self._signals.display.connect(self.display_loaded)
        self._memory: OrderedDict[str, QPixmap] = OrderedDict()
        self._errors: dict[str, str] = {}
        self._pending: OrderedDict[str, None] = OrderedDict()
        self._in_flight: set[str] = set()
        self._arrived: list[str] = []
        self._failures: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._next_id = 0
        self._flush_timer = QTimer(self, singleShot=True, interval=30)
        self._flush_timer.timeout.connect(self._flush)

    def pixmap(self, path: str) -> QPixmap | None:
        """Return the cached pixmap, or None after queueing a decode."""
        pixmap = self._memory.get(path)
        if pixmap is not None:
            self._memory.move_to_end(path)
            return pixmap
        if path not in self._errors:
            self.request(path)
        return None

    def error(self, path: str) -> str | None:
        """Return why ``path`` could not be decoded, if it failed."""
        return self._errors.get(path)

    def request(self, path: str) -> None:
        """Queue a decode of ``path`` (served newest first)."""
        if self._stop.is_set() or path in self._in_flight:
            return
        self._pending[path] = None
        self._pending.move_to_end(path)
        while len(self._pending) > MAX_PENDING:
            self._pending.popitem(last=False)  # scrolled out of view long ago
        self._pump()

    def forget(self, path: str) -> None:
        """Drop what is known about ``path`` so the next request decodes it again."""
        self._memory.pop(path, None)
        self._errors.pop(path, None)

    def clear_pending(self) -> None:
        """Drop queued requests (after a filter change, for instance)."""
        self._pending.clear()

    def load_display(self, path: str) -> int:
        """Decode ``path`` for the viewer; the result comes in ``display_loaded`` with the returned id."""
        self._next_id += 1
        self._pool.start(_DisplayTask(self._next_id, path, self._signals), 1)
        return self._next_id

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop decoding and wait for running workers; call before the app quits."""
        self._stop.set()
        self._pending.clear()
        self._pool.clear()
        return self._pool.waitForDone(timeout_ms)

    def _pump(self) -> None:
        while self._pending and len(self._in_flight) < self._pool.maxThreadCount() + 2:
            path, _ = self._pending.popitem(last=True)
            self._in_flight.add(path)
            self._pool.start(_ThumbnailTask(path, self._signals, self._stop))

    @Slot(object, object, str)
    def _on_thumbnail(self, path: str, image: QImage | None, reason: str) -> None:
        self._in_flight.discard(path)
        if image is None:
            self._errors[path] = reason
            self._failures.append((path, reason))
        elif not self._stop.is_set():
            self._memory[path] = QPixmap.fromImage(image)
            while len(self._memory) > MEMORY_ITEMS:
                self._memory.popitem(last=False)
            self._arrived.append(path)
        if not self._flush_timer.isActive():
            self._flush_timer.start()
        self._pump()

    @Slot()
    def _flush(self) -> None:
        arrived, self._arrived = self._arrived, []
        failures, self._failures = self._failures, []
        if failures:
            self.failed.emit(failures)
        if arrived:
            self.ready.emit(arrived)
