"""The GUI's one job runner: progress in the engine's one signature, cancel ends in ``cancelled``,
errors in ``failed``, and the project jobs (import, export) run on it."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading

import pytest

pytest.importorskip("PySide6")

from PIL import Image
from PySide6.QtCore import QObject, Slot

from engine.errors import DatasetError
from engine.project.exporting import export_labeled_folders
from engine.project.importing import scan_import
from engine.project.schema import ImageEntry
from engine.project.store import Project
from gui.workers.task_runner import TaskRunner


class Outcome(QObject):
    """GUI-thread receiver of everything a runner says (bound slots only)."""

    def __init__(self, runner):
        super().__init__()
        self.progress, self.results, self.failures, self.cancels, self.order = [], [], [], 0, []
        runner.progress.connect(self.on_progress)
        runner.finished.connect(self.on_finished)
        runner.cancelled.connect(self.on_cancelled)
        runner.failed.connect(self.on_failed)
        runner.idle.connect(self.on_idle)

    @Slot(int, int, str)
    def on_progress(self, done, total, message):
        self.progress.append((done, total, message))

    @Slot(object)
    def on_finished(self, result):
        self.results.append(result)
        self.order.append("finished")

    @Slot()
    def on_cancelled(self):
        self.cancels += 1
        self.order.append("cancelled")

    @Slot(str)
    def on_failed(self, text):
        self.failures.append(text)
        self.order.append("failed")

    @Slot()
    def on_idle(self):
        self.order.append("idle")


@pytest.fixture
def runner(qtbot):
    runner = TaskRunner()
    yield runner
    assert runner.shutdown(5000)


def _run(qtbot, runner, fn):
    outcome = Outcome(runner)
    with qtbot.waitSignal(runner.idle, timeout=30_000):
        assert runner.start(fn)
    return outcome


def test_progress_arrives_as_done_total_message_and_the_last_report_always(qtbot, runner):
    def task(progress, control):
        for i in range(1, 20_001):
            progress(i, 20_000, "Counting")
        return "ok"

    outcome = _run(qtbot, runner, task)
    assert outcome.results == ["ok"] and outcome.order == ["finished", "idle"]
    assert outcome.progress[-1] == (20_000, 20_000, "Counting")
    assert 1 <= len(outcome.progress) < 200  # throttled to ~20 a second, not 20,000 signals
    assert all(isinstance(d, int) and isinstance(t, int) and m == "Counting" for d, t, m in outcome.progress)


def test_cancel_from_the_gui_ends_in_cancelled_not_failed(qtbot, runner):
    started = threading.Event()

    def task(progress, control):
        started.set()
        while True:
            control.raise_if_cancelled()
            control.wait_while_paused(0.01)

    outcome = Outcome(runner)
    assert runner.start(task)
    assert started.wait(10)
    assert not runner.start(task)  # one task at a time
    with qtbot.waitSignal(runner.idle, timeout=10_000):
        runner.cancel()
    assert outcome.order == ["cancelled", "idle"] and outcome.failures == []


def test_engine_errors_become_the_failed_message(qtbot, runner):
    def bad_data(progress, control):
        raise DatasetError("/data: not a folder. Choose a folder with one sub-folder per class.")

    outcome = _run(qtbot, runner, bad_data)
    assert outcome.failures == ["/data: not a folder. Choose a folder with one sub-folder per class."]

    def missing(progress, control):
        raise FileNotFoundError(2, "No such file or directory", "/gone.png")

    outcome = _run(qtbot, runner, missing)
    assert outcome.failures == ["/gone.png: No such file or directory"]
    assert outcome.order == ["failed", "idle"]


def test_shutdown_cancels_and_waits_for_a_running_task(qtbot):
    runner, started = TaskRunner(), threading.Event()

    def task(progress, control):
        started.set()
        while not control.cancelled:
            control.wait_while_paused(0.01)
        control.raise_if_cancelled()

    assert runner.start(task)
    assert started.wait(10)
    assert runner.shutdown(5000)
    qtbot.waitUntil(lambda: not runner.is_running(), timeout=5000)


def _images(folder, n):
    folder.mkdir(parents=True)
    for i in range(n):
        Image.new("RGB", (8, 8), (i * 20 % 255, 0, 0)).save(folder / f"img_{i}.png")
    return folder


def test_a_project_import_cancelled_in_the_runner_ends_cancelled_with_no_plan(qtbot, runner, tmp_path):
    folder = _images(tmp_path / "drop", 30)
    seen = []

    def cancel_on_first_report(progress, control):
        def report(done, total, message):
            seen.append((done, total, message))
            control.cancel()
            progress(done, total, message)

        return scan_import([folder], progress=report, control=control)

    outcome = _run(qtbot, runner, cancel_on_first_report)
    assert outcome.order == ["cancelled", "idle"] and outcome.results == []
    assert seen and seen[0][2] == "Checking images"


def test_a_cancelled_project_export_keeps_what_it_copied(qtbot, runner, tmp_path):
    folder = _images(tmp_path / "imgs", 5)
    project = Project(tmp_path / "proj")
    project.classes = ["a"]
    project.images = [ImageEntry(str(p), "a", None, None) for p in sorted(folder.iterdir())]
    dest = tmp_path / "out"

    def cancel_after_two(progress, control):
        def report(done, total, message):
            assert message == "Copying images"
            if done == 2:
                control.cancel()

        return export_labeled_folders(project, dest, progress=report, control=control)

    outcome = _run(qtbot, runner, cancel_after_two)
    assert outcome.order == ["cancelled", "idle"]
    assert len(list((dest / "a").iterdir())) == 2  # nothing the user made is lost
