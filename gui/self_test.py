"""``main.py --self-test``: prove a build works end to end, offline, and exit non-zero if it does not.

Built for the frozen installer (``python tasks.py installer`` runs it in a clean environment), and
equally runnable from source. In order, each step timed and reported on one line:

1. ``window``: the main window opens (the line gives the seconds from process start to the window).
2. ``features head``: a ``features`` head trains on a small generated data set (bundled backbone).
3. ``fine-tune step``: a ``partial`` fine-tune runs one epoch of one optimizer step.
4. ``onnx export``: the features run exports to ONNX and passes the parity check.
5. ``onnx runtime``: ONNX Runtime predicts unseen generated images with that file.
6. ``translations``: every ``.qm`` file under ``resources/`` loads (none shipped is a pass).

A failed step prints its error and traceback; the steps that need its result are reported as skipped.
The last line is ``self-test passed`` or ``self-test FAILED: <steps>``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_IMPORTED = time.time()  # fallback "process start" where the OS does not say
_REPORT: list[str] = []  # every line said, for --report (a windowed Windows build has no stdout)


@dataclass
class StepResult:
    """How one step went."""

    name: str
    ok: bool
    seconds: float
    detail: str


def process_age() -> tuple[float, str]:
    """Seconds since this process started, and how that was measured.

    Linux reads the start time from ``/proc`` (so a frozen app's unpacking and imports are
    counted); elsewhere it falls back to the time since this module was imported.
    """
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - int(stat[19]) / ticks, "since process start"
    except (OSError, IndexError, ValueError, AttributeError):
        return time.time() - _IMPORTED, "since the self-test was imported"


def say(line: str) -> None:
    """Print one report line and keep it for ``--report``."""
    _REPORT.append(line)
    if sys.stdout is not None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def check_window() -> str:
    """Open the main window the way the app does, check it is shown, and close it."""
    from PySide6.QtCore import QCoreApplication, QEvent, QSettings

    from gui.app import configure_logging, create_app
    from gui.theme import ThemeManager
    from gui.window.main_window import MainWindow
    from gui.window.stages import install_stage_pages

    app = create_app([])
    configure_logging()
    window = MainWindow(theme=ThemeManager(app, str(QSettings().value("theme", "system"))))
    install_stage_pages(window)
    window.show()
    app.processEvents()
    if not window.isVisible():
        raise RuntimeError("the main window did not become visible")
    age, how = process_age()
    title = window.windowTitle()
    window.close()
    window.deleteLater()  # gone before training starts: no event filter outlives its Python object
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return f"{title!r} shown {age:.1f}s {how} (platform {app.platformName()})"


def _train(data_dir: Path, out_dir: Path, strategy: str, **overrides: Any) -> Any:
    """Train one run; raise with its message unless it completed."""
    from engine.config import TrainConfig
    from engine.events import RunStatus
    from engine.runs.launch import start_run

    config = TrainConfig(
        data_dir=str(data_dir), strategy=strategy, out_dir=str(out_dir), threads=2, seed=0, **overrides
    )
    run = start_run(config)
    if run.status is not RunStatus.COMPLETED:
        raise RuntimeError(f"the {strategy} run ended {run.status.value}: {run.message}")
    if not (Path(run.run_dir) / "best.pt").is_file():
        raise RuntimeError(f"the {strategy} run finished without {Path(run.run_dir) / 'best.pt'}")
    return run


def check_features(work: Path, context: dict[str, Any]) -> str:
    """Generate the data set and train a ``features`` head on the bundled backbone."""
    from engine.demo import make_demo_dataset

    context["data"] = make_demo_dataset(work / "data", per_class=6, seed=0)
    context["new"] = make_demo_dataset(work / "new", per_class=2, seed=1)
    run = _train(context["data"], work / "runs", "features", epochs=3)
    context["run_dir"] = run.run_dir
    return f"best validation accuracy {run.best_val_acc:.0%} in {run.epochs_completed} epochs"


def check_finetune(work: Path, context: dict[str, Any]) -> str:
    """One ``partial`` fine-tune epoch whose batch holds every training image: one optimizer step."""
    import torch

    run = _train(context["data"], work / "runs", "partial", epochs=1, batch_size=64, early_stopping=0)
    return f"1 epoch, 1 step on torch {torch.__version__} ({run.seconds:.1f}s)"


def check_export(work: Path, context: dict[str, Any]) -> str:
    """Export the features run to ONNX; parity with the PyTorch model must pass."""
    from engine.export.onnx_export import export_run

    result = export_run(context["run_dir"], work / "model.onnx", threads=2)
    if not result.passed:
        raise RuntimeError(f"ONNX parity failed: max |Δp| {result.parity.max_abs_diff:.2e}")
    context["onnx"] = result.onnx_path
    return f"{Path(result.onnx_path).name}, {result.size_bytes / 1e6:.1f} MB, parity passed"


def check_onnx_runtime(work: Path, context: dict[str, Any]) -> str:
    """Predict the unseen images with ONNX Runtime; every image must get a label."""
    import onnxruntime

    from engine.inference.predictor import OnnxPredictor

    predictor = OnnxPredictor(context["onnx"], threads=2)
    results = list(predictor.predict_paths([context["new"]], top_k=1))
    failed = [f"{Path(r.path).name}: {r.error}" for r in results if r.error or not r.top]
    if not results or failed:
        raise RuntimeError("prediction failed: " + ("; ".join(failed) or "no image was predicted"))
    correct = sum(r.top[0][0] == Path(r.path).parent.name for r in results)
    return f"{len(results)} images, {correct} correct, onnxruntime {onnxruntime.__version__}"


def check_translations(folder: Path | None = None) -> str:
    """Load every ``.qm`` file under ``folder`` (the shipped resources by default).

    Raises:
        RuntimeError: Naming each file Qt could not load.
    """
    from PySide6.QtCore import QTranslator

    from gui.resources import resource_dir

    folder = resource_dir() if folder is None else folder
    files = sorted(folder.rglob("*.qm"))
    bad = [str(path) for path in files if not QTranslator().load(str(path))]
    if bad:
        raise RuntimeError("these translation files do not load: " + ", ".join(bad))
    return f"{len(files)} translation file(s) loaded from {folder}" if files else f"none shipped in {folder}"


STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("window", ()),
    ("features head", ()),
    ("fine-tune step", ("data",)),
    ("onnx export", ("run_dir",)),
    ("onnx runtime", ("onnx", "new")),
    ("translations", ()),
)


def _actions(work: Path, context: dict[str, Any]) -> dict[str, Callable[[], str]]:
    return {
        "window": check_window,
        "features head": lambda: check_features(work, context),
        "fine-tune step": lambda: check_finetune(work, context),
        "onnx export": lambda: check_export(work, context),
        "onnx runtime": lambda: check_onnx_runtime(work, context),
        "translations": check_translations,
    }


def run_steps(work: Path, only: set[str] | None = None) -> list[StepResult]:
    """Run the steps (``only`` those named, if given) in order, writing files below ``work``."""
    context: dict[str, Any] = {}
    actions = _actions(work, context)
    results = []
    for name, needs in STEPS:
        if only is not None and name not in only:
            continue
        missing = [key for key in needs if key not in context]
        started = time.perf_counter()
        if missing:
            result = StepResult(name, False, 0.0, f"skipped: an earlier step did not produce {missing}")
        else:
            try:
                result = StepResult(name, True, 0.0, actions[name]())
            except Exception as exc:
                detail = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
                result = StepResult(name, False, 0.0, detail)
        result.seconds = time.perf_counter() - started
        say(f"self-test: {'PASS' if result.ok else 'FAIL'} {name} ({result.seconds:.1f}s): {result.detail}")
        results.append(result)
    return results


def main(argv: list[str]) -> int:
    """Run the self-test; 0 when every step passed, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="main.py --self-test", description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="DIR", help="write the files to DIR and keep them")
    parser.add_argument("--report", metavar="FILE", help="also write the report lines to FILE")
    parser.add_argument("--only", action="append", choices=[n for n, _ in STEPS], help="run only this step")
    args = parser.parse_args(argv)
    say(f"self-test: python {sys.version.split()[0]}, frozen={bool(getattr(sys, 'frozen', False))}, "
        f"executable {sys.executable}")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="transfer-studio-self-test-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = run_steps(work, set(args.only) if args.only else None)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    failed = [r.name for r in results if not r.ok]
    say(f"self-test FAILED: {', '.join(failed)}" if failed else "self-test passed")
    if args.report:
        Path(args.report).write_text("\n".join(_REPORT) + "\n", encoding="utf-8")
    return 1 if failed else 0
