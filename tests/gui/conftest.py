"""GUI test fixtures: offscreen Qt, private settings and cache, no modal dialogs, no dangling threads."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import importlib.util
import time
import traceback
import weakref
from pathlib import Path

import pytest
from PIL import Image

HAVE_QT = importlib.util.find_spec("PySide6") is not None and importlib.util.find_spec("pytestqt") is not None
if not HAVE_QT:
    collect_ignore_glob = ["test_*.py"]


def make_images(root: Path, classes: dict[str, int] | None = None, loose: int = 0, size: int = 32) -> Path:
    """Write tiny PNGs: ``root/<class>/<class>_<i>.png`` and ``loose`` unlabeled ones in ``root``."""
    for c, (name, count) in enumerate((classes or {}).items()):
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            Image.new("RGB", (size, size), (40 * c % 255, 7 * i % 255, 120)).save(folder / f"{name}_{i}.png")
    root.mkdir(parents=True, exist_ok=True)
    for i in range(loose):
        Image.new("RGB", (size, size), (200, 7 * i % 255, 30)).save(root / f"loose_{i}.png")
    return root


class DialogRecorder:
    """Stands in for QMessageBox's static methods: records the calls, returns ``answer``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.answer_yes = True

    def count(self, kind: str | None = None) -> int:
        return sum(1 for c in self.calls if kind is None or c[0] == kind)

    def texts(self) -> list[str]:
        return [c[2] for c in self.calls]


@pytest.fixture(autouse=True)
def _private_environment(tmp_path, monkeypatch):
    """Thumbnails and logs in tmp; QSettings in a tmp INI under a test-only organisation."""
    monkeypatch.setenv("TRANSFER_STUDIO_CACHE", str(tmp_path / "cache"))
    if not HAVE_QT:
        yield
        return
    from PySide6.QtCore import QCoreApplication, QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QCoreApplication.setOrganizationName("TransferStudioTests")
    QCoreApplication.setApplicationName("Transfer Studio Tests")
    QSettings().clear()
    QSettings().setValue("data/instantSuggestions", False)  # runs Lite0; tests of the head turn it on
    yield


@pytest.fixture(autouse=True)
def dialogs(monkeypatch) -> DialogRecorder:
    """No modal dialog may block a test: message boxes are counted, file dialogs cancel."""
    recorder = DialogRecorder()
    if not HAVE_QT:
        return recorder
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    def box(kind: str):
        def show(parent, title, text, *args, **kwargs):
            recorder.calls.append((kind, str(title), str(text)))
            if kind == "question":
                buttons = QMessageBox.StandardButton
                return buttons.Yes if recorder.answer_yes else buttons.No
            return QMessageBox.StandardButton.Ok

        return staticmethod(show)

    for kind in ("warning", "critical", "information", "question", "about"):
        monkeypatch.setattr(QMessageBox, kind, box(kind))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([], "")))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Ok)
    return recorder


@pytest.fixture(autouse=True)
def _no_dangling_threads(monkeypatch, request):
    """Fail when a QThread or QThreadPool work is still running after the test (napari-style)."""
    if not HAVE_QT:
        yield
        return
    from PySide6.QtCore import QThread, QThreadPool

    started: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    original = QThread.start

    def start(self, *args):
        started[self] = "".join(traceback.format_stack(limit=8))
        original(self, *args)

    monkeypatch.setattr(QThread, "start", start)
    yield
    pool = QThreadPool.globalInstance()
    pool.waitForDone(5000)
    assert pool.activeThreadCount() == 0, "QThreadPool work still running after the test"
    from gui.data.thumbnails import live_pools

    for thumb_pool in live_pools():
        thumb_pool.waitForDone(5000)
        assert thumb_pool.activeThreadCount() == 0, "thumbnail decoding still running after the test"
    deadline = time.monotonic() + 5
    while any(t.isRunning() for t in list(started)) and time.monotonic() < deadline:
        time.sleep(0.01)
    dangling = [stack for t, stack in list(started.items()) if t.isRunning()]
    assert not dangling, "dangling QThread started at:\n" + "\n".join(dangling)


@pytest.fixture
def window(qtbot):
    """A shown MainWindow; closed (saved, workers stopped) at teardown."""
    from gui.window.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def wait_for_project(qtbot, win, timeout: int = 10_000) -> None:
    """Wait until a project is open and no import job runs."""
    qtbot.waitUntil(lambda: win.state.project is not None and not win.state.busy, timeout=timeout)


def wait_idle(qtbot, win, timeout: int = 10_000) -> None:
    """Wait until no import/export job runs."""
    qtbot.waitUntil(lambda: not win.state.busy, timeout=timeout)


@pytest.fixture
def images():
    """The :func:`make_images` helper."""
    return make_images


@pytest.fixture
def until(qtbot):
    """Waiting helpers: ``until.project(win)``, ``until.idle(win)``."""

    class Until:
        @staticmethod
        def project(win, timeout: int = 10_000) -> None:
            wait_for_project(qtbot, win, timeout)

        @staticmethod
        def idle(win, timeout: int = 10_000) -> None:
            wait_idle(qtbot, win, timeout)

    return Until
