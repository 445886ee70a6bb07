"""Reading a run folder without torch: damaged files named, older runs upgraded, killed runs interrupted."""

import json
import os
import socket
import subprocess
import sys

import pytest

from engine.errors import RunError
from engine.runs.files import (
    CONFIG,
    HISTORY,
    INFO,
    RunInfo,
    read_config,
    read_history,
    read_info,
    read_run,
)
from engine.runs.owner import current_owner, owner_alive

INFO_FIELDS = {
    "strategy": "features",
    "backbones": ["efficientnet_lite0"],
    "classes": ["a", "b"],
    "preprocess": [],
    "feature_dims": [1280],
    "frozen_backbones": [True],
    "pretrained": True,
    "data_dir": "d",
}


def _run(tmp_path, **info):
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    (run / INFO).write_text(json.dumps({**INFO_FIELDS, "format_version": 2, **info}))
    (run / CONFIG).write_text(json.dumps({"data_dir": "d", "strategy": "features", "epochs": 5}))
    return run


def _dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("name", [INFO, CONFIG, HISTORY])
def test_a_damaged_file_gives_a_run_error_naming_it(tmp_path, name):
    run = _run(tmp_path)
    (run / name).write_text('{"truncated": ')
    with pytest.raises(RunError, match=name.replace(".", r"\.")) as caught:
        read_info(run)
        read_config(run)
        read_history(run)
    assert "damaged" in str(caught.value)
    assert read_run(run).error if name != HISTORY else read_run(run).history() == []


def test_history_that_is_not_a_list_of_epochs_is_damaged(tmp_path):
    run = _run(tmp_path)
    (run / HISTORY).write_text('{"epoch": 1}')
    with pytest.raises(RunError, match="history"):
        read_history(run)


def test_a_run_from_before_format_2_counts_its_epochs_from_one(tmp_path):
    run = _run(tmp_path, best_epoch=2, epochs_completed=3, format_version=1)
    (run / HISTORY).write_text(json.dumps([{"epoch": e, "val_acc": 0.5} for e in range(3)]))
    assert read_info(run).best_epoch == 3 and read_run(run).best_epoch == 3
    assert [row["epoch"] for row in read_history(run)] == [1, 2, 3]
    never = _run(tmp_path, best_epoch=-1, format_version=1)
    assert read_info(never).best_epoch == 0 and read_run(never).best_val_acc is None


def test_a_run_from_a_newer_app_is_refused(tmp_path):
    with pytest.raises(RunError, match="newer"):
        read_info(_run(tmp_path, format_version=99))


def test_a_running_run_whose_process_is_gone_is_interrupted(tmp_path):
    dead = {"pid": _dead_pid(), "host": socket.gethostname(), "process_start": ""}
    run = _run(tmp_path, status="running", owner=dead)
    assert read_info(run).state == "interrupted" and read_run(run).status == "interrupted"
    alive = _run(tmp_path, status="running", owner=current_owner())
    assert read_run(alive).status == "running" and owner_alive(current_owner()) is True
    elsewhere = _run(tmp_path, status="running", owner={**dead, "host": "another-machine"})
    assert read_run(elsewhere).status == "running"  # cannot tell: not ours to call interrupted
    done = _run(tmp_path, status="completed", owner=dead)
    assert read_run(done).status == "completed"


def test_a_recycled_pid_with_another_start_time_is_not_the_owner(tmp_path):
    if not os.path.exists(f"/proc/{os.getpid()}/stat"):
        pytest.skip("process start times are read from /proc")
    stranger = {**current_owner(), "process_start": "1"}
    assert owner_alive(stranger) is False


def test_run_info_round_trips_with_its_new_fields():
    info = RunInfo(**INFO_FIELDS, strategy_requested="auto", strategy_reason="few images per class")
    again = RunInfo.from_dict(json.loads(json.dumps(info.to_dict())))
    assert again == info and again.best_epoch == 0


def test_reading_a_run_imports_no_torch():
    code = (
        "import sys, engine.runs.files, engine.runs.manifest, engine.runs.evaluation, engine.runs.followup\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
