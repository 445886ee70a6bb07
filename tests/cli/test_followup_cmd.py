"""``resume`` and ``finetune`` from the command line, on run folders made by the app, damaged or killed."""

import contextlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import make_dataset

from cli.main import run as cli_run
from engine.config import TrainConfig
from engine.control import RunControl
from engine.events import EpochEnded, RunStatus
from engine.runs.files import CONFIG, DATASET, HISTORY, INFO, read_history, read_info, read_run
from engine.training.loop import fit

ROOT = Path(__file__).resolve().parents[2]
SMALL = "squeezenet1_1"


def _main(*args, cwd):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def _in_process(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_run(list(args))
    return code, out.getvalue(), err.getvalue()


def _app_run_cancelled_after_one_epoch(tmp_path, epochs=3):
    """What the app does: train from the project's index (images outside the project folder), then cancel."""
    from engine.project.schema import ImageEntry
    from engine.project.store import Project

    photos = make_dataset(tmp_path / "photos")  # not inside the project folder
    project = Project.create(tmp_path / "project")
    entries = [ImageEntry(str(p), p.parent.name) for p in sorted(photos.rglob("*.png"))]
    project.add_images(entries, ["red", "green"])
    project.save()
    control = RunControl()

    def cancel_after_first_epoch(event):
        if isinstance(event, EpochEnded):
            control.cancel()

    config = TrainConfig(
        data_dir=str(project.folder),  # as the app sets it: no class folders there
        strategy="features",
        backbones=(SMALL,),
        pretrained=False,
        epochs=epochs,
        batch_size=4,
        out_dir=str(project.folder / "runs" / "app-run"),
        num_workers=0,
        feature_engine="torch",
        threads=2,
    )
    result = fit(config, [cancel_after_first_epoch], control, index=project.to_dataset_index())
    assert result.status is RunStatus.CANCELLED and result.epochs_completed == 1
    return Path(result.run_dir), photos


def test_an_app_run_on_images_outside_the_project_resumes_from_the_command_line(tmp_path):
    run, _photos = _app_run_cancelled_after_one_epoch(tmp_path)
    out = _main("resume", str(run), "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["status"] == "completed" and summary["epochs_completed"] == 3
    assert Path(summary["run_dir"]) == run and 1 <= summary["best_epoch"] <= 3
    assert [row["epoch"] for row in read_history(run)] == [1, 2, 3]


def test_an_app_run_on_images_outside_the_project_is_fine_tuned_from_the_command_line(tmp_path):
    run, _photos = _app_run_cancelled_after_one_epoch(tmp_path)
    out = _main("finetune", str(run), "--k", "1", "--epochs", "1", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    tuned = Path(summary["run_dir"])
    assert summary["status"] == "completed" and summary["strategy"] == "partial"
    assert tuned.parent == run.parent and tuned != run  # a new run beside the first
    config = json.loads((tuned / "config.json").read_text())
    assert config["init_from"] == str(run) and config["freeze_k"] == 1
    recorded = json.loads((tuned / DATASET).read_text())
    assert len(recorded["images"]) == len(json.loads((run / DATASET).read_text())["images"])


def test_a_changed_or_missing_image_is_named_and_left_out_on_resume(tmp_path):
    run, photos = _app_run_cancelled_after_one_epoch(tmp_path, epochs=2)
    gone = sorted((photos / "red").glob("*.png"))[0]
    gone.unlink()
    code, out, err = _in_process("resume", str(run), "--json")
    assert code == 0, err
    assert str(gone) in err and "gone since the run was trained" in err and DATASET in err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["status"] == "completed" and str(gone) in [s["path"] for s in summary["skipped"]]


@pytest.fixture(scope="module")
def cancelled_app_run(tmp_path_factory):
    """One cancelled app run for the tests that only damage its folder (they work on a copy)."""
    root = tmp_path_factory.mktemp("app")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRANSFER_STUDIO_CACHE", str(root / "cache"))
        run, _photos = _app_run_cancelled_after_one_epoch(root)
    return run


@pytest.mark.parametrize(
    ("damaged", "command"),
    [(HISTORY, "resume"), (INFO, "resume"), (CONFIG, "resume"), (INFO, "finetune"), (CONFIG, "finetune")],
)
def test_a_damaged_run_file_gives_a_clear_error_naming_it(cancelled_app_run, tmp_path, damaged, command):
    run = shutil.copytree(cancelled_app_run, tmp_path / "run")
    (run / damaged).write_text('[{"epoch": 1, "val_acc": 0.5},')  # cut short by a full disk
    code, _out, err = _in_process(command, str(run))
    assert code == 2 and damaged in err and "damaged" in err and "Traceback" not in err


def test_export_of_a_run_with_a_damaged_run_json_names_it(cancelled_app_run, tmp_path):
    run = shutil.copytree(cancelled_app_run, tmp_path / "run")
    (run / INFO).write_text("{")
    code, _out, err = _in_process("export", str(run), "--out", str(tmp_path / "m.onnx"))
    assert code != 0 and INFO in err and "Traceback" not in err


def test_a_killed_run_is_interrupted_and_resumes(tmp_path):
    run, _photos = _app_run_cancelled_after_one_epoch(tmp_path, epochs=2)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    info = json.loads((run / INFO).read_text())
    info.update(status="running", owner={**info["owner"], "pid": dead.pid, "process_start": ""})
    (run / INFO).write_text(json.dumps(info))  # what a SIGKILL during training leaves behind
    assert read_run(run).status == "interrupted"
    code, _out, err = _in_process("resume", str(run))
    assert code == 0, err
    assert read_info(run).status == "completed" and read_info(run).epochs_completed == 2


def test_a_copied_run_folder_still_resumes(cancelled_app_run, tmp_path):
    moved = shutil.copytree(cancelled_app_run, tmp_path / "elsewhere" / "run")
    code, _out, err = _in_process("resume", str(moved), "--epochs", "2")
    assert code == 0, err
    assert read_info(moved).epochs_completed == 2 and read_info(cancelled_app_run).epochs_completed == 1
