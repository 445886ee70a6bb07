"""The starter resolves ``auto`` and the run folder records what was chosen and why."""

import json

from engine.config import TrainConfig
from engine.control import RunControl
from engine.events import RunStatus, StageChanged
from engine.runs.files import read_info
from engine.runs.launch import start_run


def _auto(data, tmp_path):
    return TrainConfig(
        data_dir=str(data), strategy="auto", backbones=("squeezenet1_1",), pretrained=False, epochs=1,
        batch_size=4, out_dir=str(tmp_path / "run"), num_workers=0, feature_engine="torch", threads=2,
    )


def test_auto_is_resolved_by_the_starter_and_recorded_with_its_reason(tiny_dataset, tmp_path):
    result = start_run(_auto(tiny_dataset, tmp_path))
    assert result.status is RunStatus.COMPLETED and result.strategy != "auto" and result.reason
    info = read_info(result.run_dir)
    assert info.strategy_requested == "auto" and info.strategy_reason == result.reason
    assert json.loads((tmp_path / "run" / "config.json").read_text())["strategy"] == info.strategy


def test_a_cancel_while_choosing_ends_cancelled_with_nothing_written(tiny_dataset, tmp_path):
    control = RunControl()
    events = []

    def cancel_on_first_stage(event):
        events.append(event)
        if isinstance(event, StageChanged):
            control.cancel()

    result = start_run(_auto(tiny_dataset, tmp_path), [cancel_on_first_stage], control)
    assert result.status is RunStatus.CANCELLED and result.run_dir == "" and events[-1] == result
    assert not (tmp_path / "run").exists()
