"""The runs panel's "Export as job…" and "Import run…": off the GUI thread, with clear outcomes."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json

import pytest

pytest.importorskip("PySide6")

from helpers import make_dataset

from engine.config import TrainConfig
from engine.data.scan import scan_dataset
from engine.runs.files import CONFIG, INFO, RunInfo
from engine.runs.manifest import write_manifest


def _run_without_weights(tmp_path):
    """A run folder as ``fit`` starts it: config, record and dataset (export needs no weights)."""
    data = make_dataset(tmp_path / "data", per_class=3)
    config = TrainConfig(data_dir=str(data), strategy="linear", epochs=1, pretrained=False)
    run = tmp_path / "runs" / "r1"
    run.mkdir(parents=True)
    (run / CONFIG).write_text(json.dumps(config.to_dict()))
    info = RunInfo("linear", ["efficientnet_lite0"], ["green", "red"], [], [1280], [False], False, str(data))
    (run / INFO).write_text(json.dumps(info.to_dict()))
    write_manifest(run, scan_dataset(data))
    return run


def test_the_panel_offers_both_actions(qtbot, tmp_path):
    from gui.train.runs_panel import RunsPanel

    run = _run_without_weights(tmp_path)
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_runs([str(run)])
    assert not panel.export_job_button.isEnabled()  # nothing selected
    panel.select_run(str(run))
    assert panel.export_job_button.isEnabled() and panel.import_run_button.isEnabled()
    with qtbot.waitSignal(panel.export_job_requested) as asked:
        panel.export_job_button.click()
    assert asked.args == [str(run)]
    with qtbot.waitSignal(panel.import_run_requested):
        panel.import_run_button.click()


def test_export_writes_the_job_in_the_background(qtbot, tmp_path):
    from PySide6.QtWidgets import QWidget

    from gui.train.job_flow import JobActions

    run = _run_without_weights(tmp_path)
    host = QWidget()
    qtbot.addWidget(host)
    actions = JobActions(host)
    with qtbot.waitSignal(actions.runner.idle, timeout=60_000):
        assert actions.export(str(run), str(tmp_path / "job"))
    assert (tmp_path / "job" / "train.py").is_file() and (tmp_path / "job" / "manifest.json").is_file()
    assert actions.last_box is not None and "launch_single_node.sh" in actions.last_box.text()


def test_importing_a_folder_that_is_no_job_says_so(qtbot, tmp_path):
    from PySide6.QtWidgets import QWidget

    from gui.train.job_flow import JobActions

    host = QWidget()
    qtbot.addWidget(host)
    actions = JobActions(host)
    messages = []
    actions.message.connect(messages.append)
    with qtbot.waitSignal(actions.runner.idle, timeout=30_000):
        assert actions.import_job(str(tmp_path), str(tmp_path / "runs"))
    assert "job.json is missing" in actions.last_box.text()
    assert messages[-1] == "The job action failed."
    assert not (tmp_path / "runs").exists()
