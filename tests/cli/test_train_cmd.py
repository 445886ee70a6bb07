"""The ``train`` and ``backbones`` commands, run as a user runs them (a subprocess, JSON on stdout)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _main(*args, cwd):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_train_json_reports_every_required_key_and_the_skipped_file(tiny_dataset, tmp_path):
    (tiny_dataset / "green" / "broken.jpg").write_bytes(b"not a jpeg at all")
    out = _main(
        "train", str(tiny_dataset), "--strategy", "features", "--epochs", "3", "--json",
        "--out", str(tmp_path / "run"), cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    required = ("best_val_acc", "best_epoch", "strategy", "backbones", "device", "seconds", "run_dir")
    assert set(required) | {"skipped"} <= set(summary)
    assert summary["strategy"] == "features" and summary["backbones"] == ["efficientnet_lite0"]
    assert summary["best_val_acc"] == 1.0 and 1 <= summary["best_epoch"] <= 3
    assert Path(summary["run_dir"]) == (tmp_path / "run").resolve()
    [skipped] = summary["skipped"]
    assert skipped["path"].endswith("broken.jpg") and skipped["reason"]
    assert (tmp_path / "run" / "best.pt").is_file() and (tmp_path / "run" / "last.pt").is_file()


def test_train_refuses_a_missing_folder_with_its_name(tmp_path):
    out = _main("train", str(tmp_path / "nowhere"), "--json", cwd=tmp_path)
    assert out.returncode != 0
    assert "nowhere" in out.stderr and "Traceback" not in out.stderr


def test_backbones_json_lists_the_registry_and_offline_weights(tmp_path):
    out = _main("backbones", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    listing = json.loads(out.stdout.strip().splitlines()[-1])
    by_name = {row["name"]: row for row in listing["backbones"]}
    assert {"efficientnet_lite0", "resnet18", "inception_v3", "vit_b_16"} <= set(by_name)
    lite0 = by_name["efficientnet_lite0"]
    assert lite0["offline"] is True and lite0["default"] is True
    assert sum(row["default"] for row in by_name.values()) == 1


def test_main_routes_every_cli_command_to_the_cli():
    import argparse

    from cli import COMMANDS
    from cli.main import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(COMMANDS) == set(sub.choices)


def test_resume_continues_a_finished_run_for_more_epochs(tiny_dataset, tmp_path):
    run = tmp_path / "run"
    first = _main("train", str(tiny_dataset), "--strategy", "features", "--epochs", "2", "--out", str(run),
                  "--json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    more = _main("resume", str(run), "--epochs", "4", "--json", cwd=tmp_path)
    assert more.returncode == 0, more.stderr
    summary = json.loads(more.stdout.strip().splitlines()[-1])
    assert summary["status"] == "completed" and summary["epochs_completed"] == 4
    assert [row["epoch"] for row in json.loads((run / "history.json").read_text())] == [1, 2, 3, 4]
    missing = _main("resume", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert missing.returncode != 0 and "not a Transfer Studio run folder" in missing.stderr


class _Clock:
    """Stands in for ``time.monotonic`` of the estimator: the test sets the time."""

    now = 0.0

    def __call__(self):
        return self.now


def test_progress_lines_show_the_runs_time_left_from_the_apps_estimator(capsys, monkeypatch):
    from cli.output import ProgressPrinter
    from engine.events import BatchEnded, EpochEnded, RunStarted
    from engine.runs import eta

    clock = _Clock()
    monkeypatch.setattr(eta.time, "monotonic", clock)
    printer = ProgressPrinter(interval=0.0)  # capsys: not a terminal, a line per event
    estimator = printer.eta
    assert isinstance(estimator, eta.RunProgress)
    printer(RunStarted("r", "full", ("x",), "cpu", 3, 10, 160, 40, ("a", "b")))
    for step in range(1, 6):
        clock.now = float(step)
        printer(BatchEnded(1, step, 10, 0.5, 1e-3, 16.0))
    lines = capsys.readouterr().err.splitlines()
    left = eta.format_duration(estimator.eta_seconds())
    assert lines[-1].endswith(f"left {left}") and "5/10" in lines[-1]
    assert "left" not in lines[0]  # the run's first line, before any step
    clock.now = 14.0
    printer(EpochEnded(1, 3, 0.5, 0.8, 0.5, 0.8, 1e-3, 14.0, 16.0))
    line = capsys.readouterr().err.splitlines()[-1]
    left = eta.format_duration(estimator.eta_seconds())
    assert line.startswith("epoch 1/3") and line.endswith(f"~{left} left")
    assert estimator.eta_seconds() > 2 * 10.0  # two more epochs of ten 1-second steps at least
