"""For real: a run exported as a job, trained by ``torchrun`` with two CPU processes, imported back.

The imported run must read like a local one (curves, evaluation, ONNX export) and reach the validation
accuracy of the same configuration trained in one process; a changed image stops the job, named.
Takes a few minutes on two shared cores, hence ``slow``.
"""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import make_dataset, make_image

from cli.main import run as cli_run
from engine.config import TrainConfig
from engine.runs.evaluation import load_evaluation
from engine.runs.files import read_history, read_info, read_run
from engine.runs.manifest import index_from_manifest
from engine.training.loop import fit

pytestmark = pytest.mark.slow
TORCHRUN = Path(sys.executable).parent / "torchrun"


def _torchrun(job: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TORCHRUN), "--standalone", "--nproc_per_node=2", "train.py"],
        cwd=job, capture_output=True, text=True, timeout=900,
    )


def _cli(*args, capsys) -> tuple[int, dict]:
    code = cli_run([*args, "--json"])
    out = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(out[-1]) if code == 0 else {}


def test_a_torchrun_job_matches_one_process_and_imports_as_a_run(tmp_path, capsys):
    data = make_dataset(tmp_path / "data", per_class=16)
    config = TrainConfig(
        data_dir=str(data), strategy="linear", epochs=2, batch_size=8, lr=0.01, augment="none",
        num_workers=0, seed=0, out_dir=str(tmp_path / "local"),
    )
    t0 = time.perf_counter()
    local = fit(config)
    local_s = time.perf_counter() - t0
    code, exported = _cli("export-job", local.run_dir, str(tmp_path / "job"), capsys=capsys)
    assert code == 0 and exported["images"] == 32
    job = Path(exported["job_dir"])

    t0 = time.perf_counter()
    done = _torchrun(job)
    job_s = time.perf_counter() - t0
    assert done.returncode == 0, done.stderr[-3000:]
    code, imported = _cli("import-run", str(job), "--into", str(tmp_path / "runs"), capsys=capsys)
    assert code == 0
    run = imported["run_dir"]
    epochs_local = sum(row["seconds"] for row in read_history(local.run_dir))
    epochs_job = sum(row["seconds"] for row in read_history(run))
    print(f"\none process: {local_s:.1f} s (epochs {epochs_local:.1f} s), val acc {local.best_val_acc:.3f}; "
          f"torchrun x2: {job_s:.1f} s (epochs {epochs_job:.1f} s), val acc {imported['best_val_acc']:.3f}")

    info, record = read_info(run), read_run(run)
    assert record.error == "" and record.status == "completed" and info.epochs_completed == 2
    assert abs(imported["best_val_acc"] - local.best_val_acc) <= 0.02
    assert [row["epoch"] for row in read_history(run)] == [1, 2]
    evaluation = load_evaluation(run)  # the validation images are this computer's again
    assert set(evaluation.paths) <= {str(p) for p in data.rglob("*.png")}
    assert evaluation.accuracy() == pytest.approx(info.best_val_acc)
    assert len(index_from_manifest(run).samples) == 32

    from engine.export.onnx_export import export_run

    assert export_run(run).passed

    changed = job / "data" / "green" / "img_3.png"
    make_image(changed, (0, 0, 255), seed=7)
    shutil.rmtree(job / "run")
    failed = _torchrun(job)
    assert failed.returncode != 0
    assert f"{changed}: changed since the job was exported" in failed.stderr
    assert not (job / "run").exists()  # stopped before training
