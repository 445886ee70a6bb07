"""Kill benchmark: SIGKILL at random moments during a project save and during training.

    python bench/bench_kills.py [--saves 20] [--trainings 20] [--targeted 5] [--seed 0] [--images 20000]

Prints one JSON object, one entry per scenario (POSIX only: it sends SIGKILL to process groups):

* ``project_save``: a child process saves a project of ``--images`` images in a loop and is killed
  at a random moment (seeded). Then the project file must parse and hold the old or a new version
  (``torn_files`` counts those that do not), and opening the project must remove the killed
  writer's temp file (``leftover_temporaries`` counts what is left after the open; target 0).
* ``training``: ``main.py train`` (a tiny ``features`` run on a generated dataset) is killed at a
  random moment, then ``main.py resume`` of the same folder is killed, several times per folder;
  after each kill every run file present must parse (JSON files, and ``*.pt`` with
  ``weights_only=True``). A last ``resume`` is left to finish: ``resumable_runs`` counts folders it
  completed, ``clear_errors`` those it refused with a one-line ``error:`` message, ``crashes`` the
  rest (a traceback, or an exit code other than 0, 1 or 2).

Random moments rarely fall inside the few milliseconds of a rename, so each scenario adds
``--targeted`` kills of a child held just before one of its atomic renames (as a slow disk would
hold it): its complete temp file is then certainly left, and ``temps_after_kill`` shows what the
next open had to clean. Every child runs in its own process group and is killed (with the group)
whatever happens; kill moments come from a seeded generator.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.atomic import temp_owner  # noqa: E402
from engine.runs.files import BEST, CONFIG, DATASET, HISTORY, INFO, LAST, PREDICTIONS  # noqa: E402

SAVER = """
import sys
from engine.project.schema import ImageEntry
from engine.project.store import Project
project = Project.load(sys.argv[1])
n = 0
while True:
    n += 1
    project.add_images([ImageEntry(f"/img/{n}_{i}.png", None) for i in range(50)])
    project.save()
    print(n, flush=True)
"""
# Targeted kills: the child holds still just before its KILL_AT_WRITE-th atomic rename (a slow disk),
# says so on stdout, and is killed there, so that its complete temp file is certainly left behind.
HOLD_BEFORE_RENAME = """
import os, sys, time
from engine.atomic import temp_owner
_replace, _writes, _hold_at = os.replace, [0], int(os.environ.get("KILL_AT_WRITE", "0"))
def _held_replace(src, dst, *args, **kwargs):
    if temp_owner(os.path.basename(os.fspath(src))) is not None:
        _writes[0] += 1
        if _writes[0] == _hold_at:
            sys.stdout.write("renaming\\n")
            sys.stdout.flush()
            time.sleep(60)
    return _replace(src, dst, *args, **kwargs)
os.replace = _held_replace
"""
RUN_MAIN = "import sys\nfrom main import main\nsys.exit(main(sys.argv[1:]))\n"
SEED_IMAGES_PATH = "/seed/{}.png"
RUN_JSON = (CONFIG, INFO, HISTORY, DATASET, PREDICTIONS)
RUN_WEIGHTS = (BEST, LAST)
KILLS_PER_RUN = 4  # train, then three resumes of the same folder, each killed


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "TRANSFER_STUDIO_CACHE": str(cache)}


@contextlib.contextmanager
def _child(args: list[str], env: dict[str, str], **kwargs: object) -> Iterator[subprocess.Popen[bytes]]:
    """Start a child in its own process group; kill the whole group on the way out."""
    child = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True, **kwargs)  # type: ignore[call-overload]
    try:
        yield child
    finally:
        kill_group(child)


def kill_group(child: subprocess.Popen[bytes]) -> bool:
    """SIGKILL ``child``'s process group and reap it; True if it was still running."""
    running = child.poll() is None
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    for stream in (child.stdout, child.stderr):
        if stream is not None:
            stream.close()
    return running


def kill_when_held(child: subprocess.Popen[bytes], patience: float = 600) -> bool:
    """Wait until ``child`` says it holds before a rename, then kill it; False if it ended first."""
    assert child.stdout is not None
    give_up = time.perf_counter() + patience
    for line in child.stdout:
        if line.strip() == b"renaming" or time.perf_counter() > give_up:
            return kill_group(child)
    return kill_group(child) and False


def temps_in(*folders: Path, recursive: bool = False) -> list[Path]:
    """Our temp files (``.<name>.tstmp-<pid>-<token>.tmp``) in ``folders``."""
    found: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            paths = folder.rglob("*") if recursive else folder.iterdir()
            found += [p for p in paths if temp_owner(p.name) is not None]
    return found


# ----------------------------------------------------------------------------------- project save
@dataclass
class SaveCounts:
    """What the project-save kills gave."""

    kills: int = 0
    targeted_kills: int = 0  # killed while holding just before a rename
    torn_files: int = 0
    old_or_new_version: int = 0  # of all kills, random and targeted
    temps_after_kill: int = 0
    leftover_temporaries: int = 0
    other_files_left: int = 0
    seconds: float = 0.0


def _image_count_if_intact(path: Path) -> int | None:
    """Images in the project file, or None when it does not parse (a torn file)."""
    try:
        return len(json.loads(path.read_text(encoding="utf-8"))["images"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def project_save_kills(
    kills: int, rng: np.random.Generator, work: Path, images: int = 20000, targeted: int = 5
) -> SaveCounts:
    """Kill a saving child ``kills`` times at random, then ``targeted`` times just before a rename."""
    from engine.project.schema import PROJECT_FILE_NAME, ImageEntry
    from engine.project.store import Project

    started, counts = time.perf_counter(), SaveCounts()
    project = Project.create(work / "project")
    project.add_images([ImageEntry(SEED_IMAGES_PATH.format(i)) for i in range(images)])
    project.save()
    path = project.folder / PROJECT_FILE_NAME
    for k in range(kills + targeted):
        before = _image_count_if_intact(path)
        hold_at = int(rng.integers(1, 4)) if k >= kills else 0
        env = {**_env(work / "cache"), "KILL_AT_WRITE": str(hold_at)}
        code = (HOLD_BEFORE_RENAME if hold_at else "") + SAVER
        with _child([sys.executable, "-c", code, str(project.folder)], env, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL) as child:
            assert child.stdout is not None
            if hold_at:
                counts.targeted_kills += kill_when_held(child)
            else:
                child.stdout.readline()  # one save done: the loop is under way
                time.sleep(float(rng.uniform(0.0, 0.4)))
                counts.kills += kill_group(child)
        after = _image_count_if_intact(path)
        if after is None:
            counts.torn_files += 1
        elif before is not None and after >= before and (after - images) % 50 == 0:
            counts.old_or_new_version += 1
        counts.temps_after_kill += len(temps_in(project.folder))
        Project.load(project.folder)  # opening the project removes a killed writer's temp file
        counts.leftover_temporaries += len(temps_in(project.folder))
        counts.other_files_left += len([p for p in project.folder.iterdir() if p.name != PROJECT_FILE_NAME])
    counts.seconds = round(time.perf_counter() - started, 1)
    return counts


# ----------------------------------------------------------------------------------------- training
@dataclass
class TrainingCounts:
    """What the training kills gave."""

    kills: int = 0
    targeted_kills: int = 0  # killed while holding just before a rename
    ended_before_kill: int = 0  # processes that finished (or refused to resume) before their kill
    runs: int = 0
    files_checked: int = 0
    torn_files: int = 0
    temps_after_kill: int = 0
    leftover_temporaries: int = 0
    resumable_runs: int = 0
    clear_errors: int = 0
    crashes: int = 0
    messages: list[str] = field(default_factory=list)  # what the last resume said when it did not complete
    window_seconds: float = 0.0  # how long an uninterrupted run owns its folder
    seconds: float = 0.0


def torn_run_files(run_dir: Path) -> tuple[int, list[str]]:
    """How many run files are present, and the names of those that do not parse."""
    import torch

    present, torn = 0, []
    for name in RUN_JSON + RUN_WEIGHTS:
        path = run_dir / name
        if not path.exists():
            continue
        present += 1
        try:
            if name in RUN_JSON:
                json.loads(path.read_text(encoding="utf-8"))
            else:
                torch.load(path, map_location="cpu", weights_only=True)
        except Exception:  # any failure to parse is a torn file
            torn.append(name)
    return present, torn


def _train_args(data: Path, run_dir: Path, epochs: int) -> list[str]:
    return [sys.executable, "main.py", "train", str(data), "--strategy", "features", "--epochs", str(epochs),
            "--device", "cpu", "--threads", "1", "--workers", "0", "--seed", "0", "--early-stopping", "0",
            "--out", str(run_dir)]


def _resume_args(run_dir: Path, epochs: int | None = None) -> list[str]:
    return [sys.executable, "main.py", "resume", str(run_dir), *(["--epochs", str(epochs)] if epochs else [])]


def _owner_pid(run_dir: Path) -> int | None:
    """The process ``run.json`` names as writing the run (None if none yet, or unreadable)."""
    try:
        return int(json.loads((run_dir / INFO).read_text(encoding="utf-8"))["owner"]["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def kill_while_writing(
    args: list[str], run_dir: Path, env: dict[str, str], delay: float, patience: float = 600
) -> tuple[bool, float]:
    """Run ``args``; once it owns ``run_dir``, SIGKILL its group after ``delay`` s.

    Returns:
        Whether it was still running when killed, and how long it had owned the run folder.
    """
    with _child(args, env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as child:
        give_up = time.perf_counter() + patience
        while child.poll() is None and _owner_pid(run_dir) != child.pid and time.perf_counter() < give_up:
            time.sleep(0.02)  # starting, scanning, building the network: nothing of the run written yet
        owned = time.perf_counter()
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=delay)
        return kill_group(child), time.perf_counter() - owned


def finish_resume(run_dir: Path, env: dict[str, str], epochs: int, timeout: float = 600) -> str:
    """Let ``main.py resume --epochs EPOCHS`` finish: ``completed``, ``clear_error: …`` or ``crash …``."""
    with _child(_resume_args(run_dir, epochs), env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        try:
            _out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"crash: no answer in {timeout} s"
    text = err.decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if child.returncode == 0:
        info = json.loads((run_dir / INFO).read_text(encoding="utf-8"))
        if info.get("status") == "completed":  # all epochs, or stopped early for want of progress
            return "completed"
    else:
        one_line_error = bool(lines) and lines[-1].startswith("error: ")
        if child.returncode in (1, 2) and "Traceback" not in text and one_line_error:
            return "clear_error: " + lines[-1]
    return f"crash (exit {child.returncode}): " + "\n".join(lines[-15:])


def _epochs_done(run_dir: Path) -> int:
    """Epochs ``run.json`` says finished (0 when unreadable)."""
    try:
        return int(json.loads((run_dir / INFO).read_text(encoding="utf-8"))["epochs_completed"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def kill_held(args: list[str], env: dict[str, str], write: int) -> bool:
    """Run the CLI ``args`` holding before its ``write``-th atomic rename, and kill it there."""
    held_args = [sys.executable, "-c", HOLD_BEFORE_RENAME + RUN_MAIN, *args[2:]]  # args: python main.py ...
    with _child(held_args, {**env, "KILL_AT_WRITE": str(write)}, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL) as child:
        return kill_when_held(child)


def training_kills(
    kills: int, rng: np.random.Generator, work: Path, epochs: int = 150, targeted: int = 3
) -> TrainingCounts:
    """Kill ``train`` and ``resume`` at random moments while they write, then resume each folder to the end.

    Each folder gets up to ``KILLS_PER_RUN`` kills: ``train``, then ``resume`` with ``epochs`` more
    epochs each time, so that every process has a whole run's work ahead (a folder killed before its
    first epoch is closed: it has nothing to resume). The moment is uniform over
    how long an uninterrupted run owns its folder (measured once, warm cache), counted from when the
    process takes the folder over. A process that ends before its kill closes the folder early.
    ``targeted`` more kills, at random places in the chain, hold the process just before one of its
    first 20 atomic renames and kill it there.
    """
    from engine.demo import make_demo_dataset

    started, counts = time.perf_counter(), TrainingCounts()
    data, cache = make_demo_dataset(work / "data", per_class=8, seed=1), work / "cache"
    env = _env(cache)
    kill_while_writing(_train_args(data, work / "warm-up", 2), work / "warm-up", env, 1e6)  # feature cache
    _, window = kill_while_writing(_train_args(data, work / "baseline", epochs), work / "baseline", env, 1e6)
    counts.window_seconds = round(window, 1)
    if _epochs_done(work / "baseline") != epochs:
        raise RuntimeError(f"the uninterrupted run did not finish its {epochs} epochs: {work / 'baseline'}")
    run_dir, in_folder, attempts = None, 0, 0
    while (counts.kills < kills or counts.targeted_kills < targeted) and attempts < 3 * (kills + targeted):
        attempts += 1
        if run_dir is None or in_folder >= KILLS_PER_RUN or not (run_dir / LAST).is_file():
            if run_dir is not None:
                _tally(counts, finish_resume(run_dir, env, _epochs_done(run_dir) + 10), run_dir, cache)
            run_dir, in_folder, counts.runs = work / f"run{counts.runs}", 0, counts.runs + 1
            args = _train_args(data, run_dir, epochs)
        else:
            args = _resume_args(run_dir, _epochs_done(run_dir) + epochs)
        share = (targeted - counts.targeted_kills) / (kills + targeted - counts.kills - counts.targeted_kills)
        if counts.targeted_kills < targeted and (counts.kills >= kills or rng.random() < share):
            killed = kill_held(args, env, int(rng.integers(1, 21)))
            counts.targeted_kills += killed
        else:
            killed, _ = kill_while_writing(args, run_dir, env, float(rng.uniform(0.0, window)))
            counts.kills += killed
        in_folder = in_folder + 1 if killed else KILLS_PER_RUN  # it ended by itself: next folder
        counts.ended_before_kill += not killed
        present, torn = torn_run_files(run_dir)
        counts.files_checked += present
        counts.torn_files += len(torn)
        counts.temps_after_kill += len(temps_in(run_dir) + temps_in(cache, recursive=True))
    if run_dir is not None:
        _tally(counts, finish_resume(run_dir, env, _epochs_done(run_dir) + 10), run_dir, cache)
    counts.seconds = round(time.perf_counter() - started, 1)
    return counts


def _tally(counts: TrainingCounts, outcome: str, run_dir: Path, cache: Path) -> None:
    """Count the last resume's outcome and the temp files left once it opened the folder."""
    counts.resumable_runs += outcome == "completed"
    counts.clear_errors += outcome.startswith("clear_error")
    counts.crashes += outcome.startswith("crash")
    if outcome != "completed":
        counts.messages.append(outcome)
    counts.leftover_temporaries += len(temps_in(run_dir) + temps_in(cache, recursive=True))


def main(argv: list[str] | None = None) -> int:
    """Run both scenarios and print the counts as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20, help="kills during a project save")
    parser.add_argument("--trainings", type=int, default=20, help="kills during training or resume")
    parser.add_argument("--images", type=int, default=20000, help="images in the saved project (~2 MB)")
    parser.add_argument("--targeted", type=int, default=5, help="more kills, each just before a rename")
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if os.name != "posix":
        sys.exit("bench_kills needs POSIX signals and process groups")
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-kills-") as tmp:
        saves = project_save_kills(args.saves, rng, Path(tmp) / "saves", args.images, args.targeted)
        training = training_kills(args.trainings, rng, Path(tmp) / "training", args.epochs, args.targeted)
    print(json.dumps({"seed": args.seed, "project_save": asdict(saves), "training": asdict(training)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
