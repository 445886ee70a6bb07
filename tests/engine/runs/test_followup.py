"""Resume and fine-tune further: one set of rules, for the app and the CLI."""

import json

import pytest

from engine.config import TrainConfig
from engine.data.scan import scan_dataset
from engine.errors import RunError
from engine.runs.files import CONFIG, INFO, LAST, RunRecord
from engine.runs.followup import (
    FINETUNE,
    RESUME,
    finetune_config,
    finetune_problem,
    follow_up,
    resume_config,
    resume_problem,
)
from engine.runs.manifest import write_manifest
from engine.runs.owner import current_owner

CONFIG_DICT = TrainConfig(data_dir="d", strategy="linear", epochs=5, lr=0.01, out_dir="r1").to_dict()


def _record(tmp_path, last=True, **info):
    run = tmp_path / "r1"
    run.mkdir(exist_ok=True)
    if last:
        (run / LAST).write_bytes(b"weights")
    fields = {"status": "cancelled", "best_epoch": 1, "epochs_completed": 2, "backbones": ["x"]}
    return RunRecord(str(run), {**fields, **info}, dict(CONFIG_DICT))


def test_resume_continues_a_stopped_run_in_its_own_folder(tmp_path):
    record = _record(tmp_path)
    resumed = resume_config(record)
    assert resumed.resume and resumed.out_dir == record.run_dir and resumed.epochs == 5
    assert resumed.init_from is None and resumed.lr == 0.01
    assert resume_config(record, epochs=8).epochs == 8


@pytest.mark.parametrize(
    ("info", "last", "epochs", "words"),
    [
        ({"status": "completed", "best_epoch": 4, "epochs_completed": 5}, True, None, "finished all its 5"),
        ({"best_epoch": 0, "epochs_completed": 0}, False, None, "before its first epoch"),
        ({}, False, None, "no last.pt"),
        ({"status": "running", "owner": current_owner()}, True, None, "still running"),
    ],
)
def test_resume_is_refused_with_the_reason(tmp_path, info, last, epochs, words):
    record = _record(tmp_path, last=last, **info)
    assert words in resume_problem(record, epochs)
    with pytest.raises(RunError, match=words):
        resume_config(record, epochs)


def test_a_finished_run_resumes_for_more_epochs_and_an_interrupted_one_resumes(tmp_path):
    done = _record(tmp_path, status="completed", epochs_completed=5, best_epoch=4)
    assert resume_problem(done, epochs=7) == ""
    killed = _record(tmp_path, status="running", owner={"pid": 0, "host": "x"})  # no process owns it
    assert killed.status == "running" and resume_problem(killed) != ""  # another host: cannot tell
    mine_but_dead = _record(tmp_path, status="running", owner={**current_owner(), "pid": 2**22 + 7})
    assert mine_but_dead.status == "interrupted" and resume_problem(mine_but_dead) == ""


def test_finetune_starts_a_partial_run_from_the_best_head(tmp_path):
    tuned = finetune_config(_record(tmp_path, status="completed"), freeze_k=2, epochs=3)
    assert tuned.strategy == "partial" and tuned.freeze_k == 2 and tuned.epochs == 3
    assert tuned.init_from.endswith("r1") and tuned.lr is None and tuned.out_dir is None and not tuned.resume
    assert "before its first epoch" in finetune_problem(_record(tmp_path, best_epoch=0))
    assert "combines 2 networks" in finetune_problem(_record(tmp_path, backbones=["a", "b"]))


def test_follow_up_trains_on_the_runs_own_dataset(tiny_dataset, tmp_path):
    run = tmp_path / "r1"
    run.mkdir()
    (run / LAST).write_bytes(b"weights")
    (run / INFO).write_text(json.dumps({"status": "cancelled", "best_epoch": 1, "epochs_completed": 1,
                                        "backbones": ["x"], "format_version": 2}))
    (run / CONFIG).write_text(json.dumps({**CONFIG_DICT, "data_dir": str(tmp_path / "elsewhere")}))
    plan = follow_up(run, RESUME)
    assert plan.index is None and "did not record its dataset" in plan.notes[0]
    index = scan_dataset(tiny_dataset)
    write_manifest(run, index)
    gone = index.samples[0].path
    (tiny_dataset / gone).unlink()
    plan = follow_up(run, FINETUNE, freeze_k=1)
    assert plan.index is not None and plan.index.classes == index.classes
    assert len(plan.index.samples) == len(index.samples) - 1 and gone in plan.notes[1]


def test_follow_up_of_a_damaged_run_names_the_file(tmp_path):
    run = tmp_path / "r1"
    run.mkdir()
    (run / INFO).write_text("{not json")
    with pytest.raises(RunError, match=r"run\.json"):
        follow_up(run, RESUME)
    with pytest.raises(RunError, match="not a Transfer Studio run folder"):
        follow_up(tmp_path / "nowhere", FINETUNE)
