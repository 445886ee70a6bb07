"""Training controller and panel with a scripted fake engine: completion, cancel, pause, failure, close."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from engine.config import TrainConfig
from engine.control import RunCancelled
from engine.events import (
    BatchEnded,
    BestImproved,
    EpochEnded,
    Paused,
    Resumed,
    RunFinished,
    RunStarted,
    RunStatus,
    StageChanged,
)


class FakeFit:
    """A scripted ``fit``: real event order, honours cancel and pause, writes a minimal run folder."""

    def __init__(self, epochs=3, steps=4, delay=0.0, fail=False, gate=None):
        self.epochs, self.steps, self.delay, self.fail, self.gate = epochs, steps, delay, fail, gate
        self.batches = 0
        self.configs = []

    def __call__(self, config, callbacks, control, index=None):
        self.configs.append(config)
        emit = callbacks[0]
        run_dir = Path(config.out_dir or "unused")
        emit(StageChanged("Computing features", 1, 2))
        emit(
            RunStarted(
                str(run_dir),
                config.strategy,
                tuple(config.backbones),
                "cpu (2 threads)",
                self.epochs,
                self.steps,
                40,
                10,
                ("a", "b"),
            )
        )
        if self.fail:
            raise ValueError("boom: the fake engine failed")
        status, done, history = RunStatus.COMPLETED, 0, []
        try:
            for epoch in range(self.epochs):
                for step in range(self.steps):
                    control.raise_if_cancelled()
                    if control.pause_requested:
                        emit(Paused(epoch + 1, step))  # epochs count from 1 in events
                        control.wait_while_paused(0.005)
                        control.raise_if_cancelled()
                        emit(Resumed(epoch + 1, step))
                    if self.gate is not None:
                        self.gate.wait(5)
                    time.sleep(self.delay)
                    self.batches += 1
                    emit(BatchEnded(epoch + 1, step + 1, self.steps, 1.0 / (1 + epoch + step), 1e-3, 100.0))
                acc = 0.5 + 0.1 * epoch
                emit(
                    EpochEnded(
                        epoch + 1, self.epochs, 1 / (epoch + 1), acc, 1.1 / (epoch + 1), acc, 1e-3, 0.1, 100.0
                    )
                )
                history.append(
                    {
                        "epoch": epoch + 1,
                        "train_loss": 1.0,
                        "train_acc": acc,
                        "val_loss": 1.0,
                        "val_acc": acc,
                        "lr": 1e-3,
                        "seconds": 0.1,
                    }
                )
                emit(BestImproved(epoch + 1, acc, 1.0))
                done = epoch + 1
        except RunCancelled:
            status = RunStatus.CANCELLED
        best = 0.5 + 0.1 * (done - 1) if done else 0.0
        if config.out_dir:
            run_dir.mkdir(parents=True, exist_ok=True)
            info = {
                "strategy": config.strategy,
                "backbones": list(config.backbones),
                "classes": ["a", "b"],
                "status": status.value,
                "best_epoch": done,
                "format_version": 2,
                "best_val_acc": best,
                "epochs_completed": done,
                "created": "2026-01-01T10:00:00",
            }
            (run_dir / "run.json").write_text(json.dumps(info))
            (run_dir / "config.json").write_text(json.dumps(config.to_dict()))
            (run_dir / "history.json").write_text(json.dumps(history))
        finished = RunFinished(
            status, str(run_dir), done, best, done, 0.3, "", (), config.strategy, tuple(config.backbones)
        )
        emit(finished)
        return finished  # fit returns the event it ended with


def _config(**kw):
    return TrainConfig(data_dir="unused", strategy="features", **kw)


@pytest.fixture
def panel(qtbot):
    from gui.train.controller import TrainingController
    from gui.train.training_panel import TrainingPanel

    controller = TrainingController()
    widget = TrainingPanel(controller)
    qtbot.addWidget(widget)
    yield widget
    controller.shutdown()


def test_short_run_completes_and_the_panel_shows_it(qtbot, panel):
    fake = FakeFit()
    panel.controller.fit_fn = fake
    with (
        qtbot.waitSignal(panel.controller.idle, timeout=30_000),
        qtbot.waitSignal(panel.controller.run_finished, timeout=30_000) as finished,
    ):
        panel.controller.start(_config())
    assert finished.args[0].status is RunStatus.COMPLETED
    assert not panel.controller.is_running()
    assert panel.title.text() == "Training finished"
    assert panel.plots.point_count("val_acc") == 3 and panel.plots.point_count("batch_loss") >= 3
    assert panel.bar.value() == 1000
    log = panel.log.toPlainText()
    assert "Computing features" in log and "Epoch 3/3" in log and "Finished after 3 epochs" in log
    assert "Best validation accuracy 70.0% at epoch 3" in panel.headline.text()
    assert not panel.cancel_button.isEnabled()


def test_cancel_stops_the_run_cleanly(qtbot, panel):
    fake = FakeFit(epochs=50, steps=50, delay=0.002)
    panel.controller.fit_fn = fake
    panel.controller.start(_config())
    qtbot.waitUntil(lambda: fake.batches >= 5, timeout=30_000)
    assert panel.cancel_button.isEnabled()
    with (
        qtbot.waitSignal(panel.controller.idle, timeout=30_000),
        qtbot.waitSignal(panel.controller.run_finished, timeout=30_000) as finished,
    ):
        panel.cancel_button.click()
        assert "Cancelling" in panel.headline.text()
    assert finished.args[0].status is RunStatus.CANCELLED
    assert fake.batches < 50 * 50
    assert panel.title.text() == "Training cancelled"
    assert "Cancelled after" in panel.log.toPlainText()


def test_pause_and_resume(qtbot, panel):
    gate = threading.Event()
    fake = FakeFit(epochs=2, steps=3, gate=gate)
    panel.controller.fit_fn = fake
    panel.controller.start(_config())
    panel.pause_button.click()
    assert panel.controller.is_paused() and panel.resume_button.isVisible() is not None
    gate.set()
    qtbot.waitUntil(lambda: "Paused at epoch 1" in panel.log.toPlainText(), timeout=30_000)
    before = fake.batches
    time.sleep(0.05)
    assert fake.batches == before  # no step while paused
    with qtbot.waitSignal(panel.controller.idle, timeout=30_000):
        panel.resume_button.click()
    assert "Resumed." in panel.log.toPlainText() and fake.batches == 6


def test_failure_arrives_as_its_own_signal(qtbot, panel):
    panel.controller.fit_fn = FakeFit(fail=True)
    with (
        qtbot.waitSignal(panel.controller.idle, timeout=30_000),
        qtbot.waitSignal(panel.controller.run_failed, timeout=30_000) as failed,
    ):
        panel.controller.start(_config())
    assert "boom: the fake engine failed" in failed.args[0]
    assert panel.title.text() == "Training failed"
    assert "boom" in panel.headline.text()
    assert not panel.controller.is_running()


def test_one_run_at_a_time(qtbot, panel):
    gate = threading.Event()
    panel.controller.fit_fn = FakeFit(epochs=1, steps=1, gate=gate)
    panel.controller.start(_config())
    with pytest.raises(RuntimeError):
        panel.controller.start(_config())
    with qtbot.waitSignal(panel.controller.idle, timeout=30_000):
        gate.set()


def test_plots_draw_history_and_overlay(qtbot):
    from gui.train.plots import TrainingPlots

    plots = TrainingPlots()
    qtbot.addWidget(plots)
    rows = [
        {
            "epoch": i + 1,
            "train_loss": 1.0 / (i + 1),
            "val_loss": None if i == 1 else 1.0,
            "train_acc": 0.5,
            "val_acc": 0.6 + i / 10,
            "lr": 1e-3,
        }
        for i in range(3)
    ]
    plots.show_history(rows, best_epoch=3)
    assert plots.point_count("val_acc") == 3 and plots.best_marker.xData[0] == 3
    plots.set_overlay(rows[:2], "other run")
    assert len(plots._overlay) == 3
    plots.clear_overlay()
    assert plots._overlay == []


def test_closing_the_window_during_training_asks_cancels_and_waits(qtbot, window, dialogs):
    from gui.window.stages import install_stage_pages

    fake = FakeFit(epochs=1000, steps=100, delay=0.002)
    pages = install_stage_pages(window, fit_fn=fake)
    controller = pages.train.controller
    controller.start(_config())
    qtbot.waitUntil(lambda: fake.batches >= 3, timeout=30_000)
    dialogs.answer_yes = False
    window.close()
    assert dialogs.count("question") == 1 and controller.is_running() and window.isVisible()
    dialogs.answer_yes = True
    window.close()
    assert dialogs.count("question") == 2
    assert not window.isVisible()
    assert controller.is_running() is False or not controller._thread.isRunning()


@pytest.fixture
def project_state(tmp_path, images):
    from engine.project.schema import ImageEntry
    from engine.project.store import Project
    from gui.state.app_state import AppState

    root = images(tmp_path / "data", {"a": 4, "b": 4})
    project = Project.create(tmp_path / "proj")
    entries = [ImageEntry(str(p), p.parent.name) for p in sorted(root.rglob("*.png"))]
    project.add_images(entries, ["a", "b"])
    project.save()
    state = AppState()
    assert state.open_project(project.folder)
    yield state
    state.close_project()
    state.shutdown()


def test_train_page_records_runs_and_continues_them(qtbot, project_state, monkeypatch):
    import gui.train.train_page as train_page_module
    from gui.train.export_flow import ExportReport
    from gui.train.train_page import TrainPage

    fake = FakeFit(epochs=2, steps=2)
    page = TrainPage(project_state, fit_fn=fake)
    qtbot.addWidget(page)
    folder = project_state.project.folder
    with qtbot.waitSignal(page.controller.idle, timeout=30_000):
        assert page.start_training(TrainConfig(data_dir=str(folder), strategy="features"))
    runs = project_state.project.runs
    assert len(runs) == 1 and runs[0]["run_dir"].startswith(str(folder / "runs"))
    assert runs[0]["status"] == "completed" and runs[0]["epochs_completed"] == 2
    run_dir = runs[0]["run_dir"]
    assert page.runs.selected_runs() == [run_dir] and page.runs.finetune_button.isEnabled()
    assert page.panel.plots.point_count("val_acc") == 2

    with qtbot.waitSignal(page.controller.idle, timeout=30_000):
        page.runs.finetune_button.click()
    config = fake.configs[-1]
    assert config.strategy == "partial" and config.init_from == run_dir and config.epochs is None
    assert len(project_state.project.runs) == 2

    def fake_export(run, path):
        def run_task(progress, control):
            return ExportReport(path, True, f"parity PASSED\nexported {path}", {"disagreements": []})

        return run_task

    monkeypatch.setattr(train_page_module, "export_task", fake_export)
    with qtbot.waitSignal(page.exported, timeout=30_000) as exported:
        assert page.export_run(run_dir, str(folder / "model.onnx"))
    assert exported.args == [str(folder / "model.onnx")]
    assert "parity PASSED" in page.panel.log.toPlainText()
    page.last_export_box.close()
    qtbot.waitUntil(lambda: not page.export_runner.is_running(), timeout=30_000)


@pytest.mark.slow
def test_real_engine_behind_the_controller_completes_and_cancels(qtbot, panel, tmp_path, images):
    """The real ``fit`` (tiny random-weight network, 12 generated images) through the real worker."""
    data = images(tmp_path / "data", {"red": 6, "green": 6})
    base = dict(
        data_dir=str(data),
        backbones=("squeezenet1_1",),
        pretrained=False,
        batch_size=4,
        num_workers=0,
        threads=2,
        feature_engine="torch",
    )
    with (
        qtbot.waitSignal(panel.controller.idle, timeout=300_000),
        qtbot.waitSignal(panel.controller.run_finished, timeout=300_000) as finished,
    ):
        panel.controller.start(
            TrainConfig(strategy="features", epochs=3, out_dir=str(tmp_path / "a"), **base)
        )
    assert finished.args[0].status is RunStatus.COMPLETED
    assert panel.plots.point_count("val_acc") == 3 and (tmp_path / "a" / "val_predictions.json").exists()

    with (
        qtbot.waitSignal(panel.controller.idle, timeout=300_000),
        qtbot.waitSignal(panel.controller.run_finished, timeout=300_000) as finished,
    ):
        panel.controller.start(TrainConfig(strategy="full", epochs=200, out_dir=str(tmp_path / "b"), **base))
        qtbot.waitUntil(lambda: panel.progress.step >= 1, timeout=300_000)
        panel.cancel()
    assert finished.args[0].status is RunStatus.CANCELLED
