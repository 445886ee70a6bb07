"""Damaged run folders: ``resume``, ``finetune``, ``export`` and evaluation give a clear, named error.

One tiny run is trained once; every case damages a copy of its folder (a file missing, empty,
truncated, garbage, of the wrong shape or types, a malicious pickle) or the images it trained on
(changed, gone), then runs each command in this process through ``cli.main.run`` (no torch import
per call). A command either works (checked: the run completed, the file was written) or exits
non-zero with one ``error:`` line naming the damaged file; never a traceback, never a loaded pickle.
A command that needs the damaged file must refuse it. Cases where a command may legitimately work
(and then trains or exports, seconds each) are marked ``slow``.

Set ``RELIABILITY_SUMMARY=<file.json>`` to have the counts per outcome written at the end.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from helpers import train_tiny_run

from cli.main import run as cli_run
from engine.errors import TransferStudioError

JSON_FILES = ("config.json", "run.json", "history.json", "dataset.json", "val_predictions.json")
FILES = (*JSON_FILES, "best.pt", "last.pt")
DAMAGES = ("missing", "empty", "truncated", "garbage", "wrong_types")
COMMANDS = ("resume", "finetune", "export", "evaluate")
# A command that needs a file must refuse any damage to it with an error naming the file.
NEEDS = {
    "resume": {"config.json", "run.json", "last.pt", "dataset.json"},
    "finetune": {"config.json", "run.json", "best.pt", "dataset.json"},
    "export": {"run.json", "best.pt"},
    "evaluate": {"val_predictions.json"},
}
MISSING_IS_FINE = {"dataset.json"}  # a run from before dataset.json re-reads its data folder
MARKER = "pickle-ran.txt"
OUTCOMES: Counter[str] = Counter()


@dataclass
class Trained:
    """The pristine run, its data and a cache shared by the cases."""

    run_dir: Path
    data: Path
    cache: Path


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trained]:
    """A tiny Lite0 ``features`` run (2 classes x 6 images, 2 epochs), trained once."""
    root = tmp_path_factory.mktemp("damaged-runs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRANSFER_STUDIO_CACHE", str(root / "cache"))
        _, data = train_tiny_run(root, "pristine")
    yield Trained(root / "pristine", data, root / "cache")
    summary = os.environ.get("RELIABILITY_SUMMARY")
    if summary:
        Path(summary).write_text(json.dumps({"damaged_run_folders": dict(OUTCOMES)}, indent=2))


@pytest.fixture
def run_copy(trained: Trained, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the pristine run folder; the feature cache is shared (warm)."""
    monkeypatch.setenv("TRANSFER_STUDIO_CACHE", str(trained.cache))
    monkeypatch.chdir(tmp_path)  # where a malicious pickle would drop its marker
    copy = tmp_path / "runs" / "run"
    shutil.copytree(trained.run_dir, copy)
    return copy


# --------------------------------------------------------------------------------------- damage
def _scrambled(value: object) -> object:
    """The same structure with every leaf replaced by a string (wrong types everywhere)."""
    if isinstance(value, dict):
        return {k: _scrambled(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrambled(v) for v in value[:2]]
    return "x"


class _Evil:
    """Unpickling this runs code: it writes :data:`MARKER` in the working folder."""

    def __reduce__(self) -> tuple[Callable[..., object], tuple[str]]:
        return exec, (f"open({MARKER!r}, 'w').close()",)


def damage(path: Path, how: str) -> None:
    """Damage one run file in place."""
    original = path.read_bytes()
    if how == "missing":
        path.unlink()
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":
        path.write_bytes(original[: len(original) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x00\xff\xfe garbage {[ \x80" * 40)
    elif how == "wrong_types" and path.suffix == ".json":
        path.write_text(json.dumps(_scrambled(json.loads(original))))
    elif how == "wrong_types":
        torch.save(_scrambled(torch.load(path, weights_only=True)), path)
    elif how == "malicious_zip":  # torch's own format, its data.pkl runs code
        torch.save(_Evil(), path)
    elif how == "malicious_pickle":  # a bare pickle, the legacy format
        path.write_bytes(pickle.dumps(_Evil()))
    else:
        raise ValueError(how)


# ------------------------------------------------------------------------------------- commands
@dataclass
class Outcome:
    """What a command did: exit code, stderr, and where its output went."""

    code: int
    stderr: str

    @property
    def error_line(self) -> str:
        """The ``error:`` message if the command failed cleanly with one line, else ""."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        if self.code == 0 or "Traceback" in self.stderr or not lines:
            return ""
        errors = [i for i, line in enumerate(lines) if line.startswith("error: ")]
        return lines[-1] if errors == [len(lines) - 1] else ""


def run_command(command: str, run_dir: Path) -> Outcome:
    """Run one command on ``run_dir`` in this process; an escaping exception fails the test."""
    if command == "evaluate":
        return _evaluate(run_dir)
    argv = {
        "resume": ["resume", str(run_dir), "--epochs", "3"],
        "finetune": ["finetune", str(run_dir), "--epochs", "1"],
        "export": ["export", str(run_dir), "--out", str(run_dir.parent / "model.onnx")],
    }[command]
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = int(cli_run(argv))
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return Outcome(code, err.getvalue())


def _evaluate(run_dir: Path) -> Outcome:
    """What the Evaluate page does: read the validation predictions, check the images."""
    from engine.runs.evaluation import load_evaluation

    try:
        evaluation = load_evaluation(run_dir)
        evaluation.class_metrics()
        changed = evaluation.changed_images()
    except TransferStudioError as exc:
        return Outcome(1, f"error: {exc}\n")
    notes = "".join(f"{path}: {reason}\n" for path, reason in changed.items())
    return Outcome(0, notes)


def check_result(command: str, run_dir: Path) -> None:
    """A command that exited 0 really did its job."""
    if command == "resume":
        info = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
        assert info["status"] == "completed" and info["epochs_completed"] == 3
    elif command == "finetune":
        new = [p for p in run_dir.parent.iterdir() if p != run_dir and (p / "run.json").is_file()]
        assert len(new) == 1
        assert json.loads((new[0] / "run.json").read_text(encoding="utf-8"))["status"] == "completed"
    elif command == "export":
        assert (run_dir.parent / "model.onnx").stat().st_size > 1000


def judge(command: str, run_dir: Path, culprit: str | tuple[str, ...], must_fail: bool) -> Outcome:
    """Run ``command`` and assert: a correct result or one clear error naming ``culprit`` (or one of them)."""
    outcome = run_command(command, run_dir)
    assert not (Path.cwd() / MARKER).exists(), "a malicious pickle was loaded"
    if outcome.code == 0:
        OUTCOMES["correct_result" if not must_fail else "accepted_damage"] += 1
        assert not must_fail, f"{command} accepted a damaged {culprit}:\n{outcome.stderr[-2000:]}"
        check_result(command, run_dir)
        return outcome
    if not outcome.error_line:
        OUTCOMES["unclear_error"] += 1
        pytest.fail(f"{command}: not one clear error line (exit {outcome.code}):\n{outcome.stderr[-3000:]}")
    named = any(name in outcome.error_line for name in ((culprit,) if isinstance(culprit, str) else culprit))
    OUTCOMES["clear_error" if named else "error_not_naming_file"] += 1
    assert named, f"{command}: the error does not name {culprit}: {outcome.error_line}"
    return outcome


def _cases() -> list[object]:
    cases = []
    for name in FILES:
        for how in DAMAGES:
            for command in COMMANDS:
                must_fail = name in NEEDS[command] and not (how == "missing" and name in MISSING_IS_FINE)
                marks = () if must_fail or command == "evaluate" else (pytest.mark.slow,)
                case_id = f"{command}-{name}-{how}"
                cases.append(pytest.param(name, how, command, must_fail, marks=marks, id=case_id))
    return cases


@pytest.mark.parametrize(("name", "how", "command", "must_fail"), _cases())
def test_a_damaged_run_file_gives_a_clear_named_error(run_copy, name, how, command, must_fail):
    damage(run_copy / name, how)
    judge(command, run_copy, name, must_fail)


def _pickle_cases() -> list[object]:
    cases = []
    for name, needed_by in (("best.pt", {"finetune", "export"}), ("last.pt", {"resume"})):
        for how in ("malicious_zip", "malicious_pickle"):
            for command in ("resume", "finetune", "export"):
                marks = () if command in needed_by else (pytest.mark.slow,)
                cases.append(pytest.param(name, how, command, command in needed_by, marks=marks,
                                          id=f"{command}-{name}-{how}"))
    return cases


@pytest.mark.parametrize(("name", "how", "command", "must_fail"), _pickle_cases())
def test_a_malicious_checkpoint_is_never_unpickled(run_copy, name, how, command, must_fail):
    damage(run_copy / name, how)
    judge(command, run_copy, name, must_fail)


# --------------------------------------------------------------------------------------- images
@pytest.fixture
def images(trained: Trained) -> Iterator[Path]:
    """The run's image folder; whatever a test does to it is undone afterwards."""
    backup = trained.data.parent / "data-backup"
    shutil.copytree(trained.data, backup)
    yield trained.data
    shutil.rmtree(trained.data, ignore_errors=True)
    backup.rename(trained.data)


def _val_image(run_dir: Path) -> Path:
    rows = json.loads((run_dir / "val_predictions.json").read_text(encoding="utf-8"))["rows"]
    return Path(rows[0]["path"])


def _change_image(run_dir: Path, data: Path, how: str) -> str | tuple[str, ...]:
    """Change or remove the run's first validation image (or every image); return what to name."""
    target = _val_image(run_dir)
    if how == "changed":
        other = next(p for p in sorted(data.rglob("*.png")) if p != target)
        target.write_bytes(other.read_bytes())
    elif how == "vanished":
        target.unlink()
    else:  # all gone
        shutil.rmtree(data)
        return "dataset.json", str(data), "validation images"
    return target.name


@pytest.mark.parametrize(
    ("how", "command"),
    [
        (how, command) if command in ("resume", "evaluate") or how == "all_gone"
        else pytest.param(how, command, marks=pytest.mark.slow)
        for how in ("changed", "vanished", "all_gone")
        for command in COMMANDS
    ],
)
def test_changed_or_vanished_images_are_named(run_copy, images, how, command):
    culprit = _change_image(run_copy, images, how)
    must_fail = how == "all_gone" and command != "evaluate"
    outcome = judge(command, run_copy, culprit, must_fail)
    if outcome.code == 0 and isinstance(culprit, str) and culprit not in outcome.stderr:
        OUTCOMES["correct_result"] -= 1
        OUTCOMES["image_change_not_named"] += 1
        assert culprit in outcome.stderr, f"{command} did not say that {culprit} {how}:\n{outcome.stderr}"
