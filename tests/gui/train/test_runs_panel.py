"""The runs panel and the Train page's record of runs: follow-up rules, interrupted runs, typed results."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import subprocess
import sys

import pytest

pytest.importorskip("PySide6")

from engine.config import TrainConfig
from engine.events import EpochEnded, RunFinished, RunStarted, RunStatus
from engine.runs.files import CONFIG, INFO, LAST
from engine.runs.owner import current_owner


def _run_folder(root, name, **info):
    run = root / name
    run.mkdir(parents=True)
    fields = {"strategy": "features", "backbones": ["x"], "status": "cancelled", "best_epoch": 1,
              "best_val_acc": 0.5, "epochs_completed": 1, "format_version": 2, "created": "2026-01-01"}
    (run / INFO).write_text(json.dumps({**fields, **info}))
    (run / CONFIG).write_text(json.dumps(TrainConfig(data_dir="d", strategy="features", epochs=3).to_dict()))
    (run / LAST).write_bytes(b"weights")
    return str(run)


def test_a_killed_run_is_listed_as_interrupted_and_can_be_resumed(qtbot, tmp_path):
    from gui.train.runs_panel import RunsPanel

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    killed = _run_folder(tmp_path, "k", status="running", owner={**current_owner(), "pid": dead.pid})
    live = _run_folder(tmp_path, "live", status="running", owner=current_owner())
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_runs([killed, live])
    statuses = {panel.tree.topLevelItem(i).data(0, 256): panel.tree.topLevelItem(i).text(2) for i in range(2)}
    assert statuses == {killed: "interrupted", live: "running"}
    panel.select_run(killed)
    assert panel.resume_button.isEnabled() and panel.finetune_button.isEnabled()
    panel.select_run(live)
    assert not panel.resume_button.isEnabled() and "still running" in panel.resume_button.statusTip()


def _project_state(tmp_path, images):
    from engine.project.schema import ImageEntry
    from engine.project.store import Project
    from gui.state.app_state import AppState

    root = images(tmp_path / "data", {"a": 4, "b": 4})
    project = Project.create(tmp_path / "proj")
    project.add_images([ImageEntry(str(p), p.parent.name) for p in sorted(root.rglob("*.png"))], ["a", "b"])
    project.save()
    state = AppState()
    assert state.open_project(project.folder)
    return state, project


def test_the_train_page_records_a_run_from_its_finished_event(qtbot, tmp_path, images):
    from gui.train.train_page import TrainPage

    state, project = _project_state(tmp_path, images)

    def fit_writing_nothing(config, callbacks, control, index=None):
        emit = callbacks[0]
        emit(RunStarted(config.out_dir, "features", ("x",), "cpu", 2, 1, 6, 2, ("a", "b")))
        emit(EpochEnded(1, 2, 1.0, 0.5, 1.0, 0.5, 1e-3, 0.1, 10.0))
        message = "A progress listener failed"
        finished = RunFinished(RunStatus.COMPLETED, config.out_dir, 2, 0.75, 2, 0.2, message,
                               (), "features", ("x",), "cpu", "", "2026-01-01T10:00:00")
        emit(finished)
        return finished

    page = TrainPage(state, fit_fn=fit_writing_nothing)
    qtbot.addWidget(page)
    try:
        with qtbot.waitSignal(page.controller.idle, timeout=30_000):
            assert page.start_training(TrainConfig(data_dir=str(project.folder), strategy="features"))
        qtbot.waitUntil(lambda: bool(state.project.runs) and state.project.runs[0]["status"] == "completed")
        [entry] = state.project.runs  # no run.json was written: the entry comes from the event
        assert entry["best_val_acc"] == 0.75 and entry["created"] == "2026-01-01T10:00:00"
        assert entry["epochs_completed"] == 2 and entry["backbones"] == ["x"]
        assert "A progress listener failed" in page.panel.log.toPlainText()
    finally:
        page.shutdown()
        state.close_project()
        state.shutdown()


def test_a_run_is_listed_as_running_from_its_first_epoch(qtbot, tmp_path, images):
    from gui.train.train_page import TrainPage

    state, project = _project_state(tmp_path, images)

    def fit_that_dies_after_one_epoch(config, callbacks, control, index=None):
        callbacks[0](RunStarted(config.out_dir, "features", ("x",), "cpu", 2, 1, 6, 2, ("a", "b")))
        callbacks[0](EpochEnded(1, 2, 1.0, 0.5, 1.0, 0.6, 1e-3, 0.1, 10.0))
        raise RuntimeError("the process went away")

    page = TrainPage(state, fit_fn=fit_that_dies_after_one_epoch)
    qtbot.addWidget(page)
    try:
        with qtbot.waitSignal(page.controller.idle, timeout=30_000):
            assert page.start_training(TrainConfig(data_dir=str(project.folder), strategy="features"))
        [entry] = state.project.runs  # kept, so that the runs panel can offer to resume it
        assert entry["status"] == "running" and (entry["epochs_completed"], entry["best_val_acc"]) == (1, 0.6)
    finally:
        page.shutdown()
        state.close_project()
        state.shutdown()
