"""GUI responsiveness and throughput during a real training run; prints one JSON object.

    python bench/bench_gui_training.py [--data DIR] [--train-per-class 32] [--val-per-class 16]
        [--strategy linear] [--epochs 2] [--repeats 2] [--heartbeat-ms 10] [--load 0]

    # a head on cached features, all of hymenoptera, quiet and with one competing CPU-bound process
    python bench/bench_gui_training.py --strategy features --epochs 20 --train-per-class 1000
    python bench/bench_gui_training.py --strategy features --epochs 20 --train-per-class 1000 --load 1

1. A tiny copy of the dataset (default: the first images of each class of hymenoptera) is made in a
   temporary folder, so a run takes seconds on a laptop CPU.
2. The headless CLI (``main.py train --json``) and the GUI (the real main window with the Train,
   Evaluate and Predict pages installed, the Train page shown, its plots redrawing) train the same
   configuration, alternately, ``--repeats`` times each.
3. During each GUI run a precise ``--heartbeat-ms`` QTimer measures how late the GUI thread serves its
   timer events: p50/p99/max lateness over the whole run (including torch's first import in the
   worker thread) and over the training epochs only (from ``RunStarted``).
4. Throughput is the engine's own per-epoch training rate (``images_per_s`` in ``history.json``), the
   same number for both; the GUI/CLI ratio compares the medians. For a head on cached features an
   epoch lasts milliseconds, so the whole epochs' time (``seconds`` in ``history.json``: training,
   validation and bookkeeping) is compared too (``cli_over_gui_epoch_time``).
5. ``--load N`` runs N CPU-bound processes beside both (the "loaded machine" case).
6. ``targets`` says whether the run met the goals: GUI-thread lateness during training below 50 ms
   (p99 and max) and GUI throughput at least 0.9x the CLI's. Early stopping is off in both, so
   both train every epoch.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "datasets"


def tiny_copy(source: Path, dest: Path, train_per_class: int, val_per_class: int) -> Path:
    """Copy the first images of each class into ``dest/train|val/<class>``."""
    from engine.data.scan import iter_image_files

    for split, count in (("train", train_per_class), ("val", val_per_class)):
        for folder in sorted(p for p in (source / split).iterdir() if p.is_dir()):
            target = dest / split / folder.name
            target.mkdir(parents=True, exist_ok=True)
            for path in list(iter_image_files(folder))[:count]:
                shutil.copy2(path, target / path.name)
    return dest


def history_rates(run_dir: Path) -> dict:
    rows = json.loads((run_dir / "history.json").read_text())
    return {
        "images_per_s": [round(float(r.get("images_per_s") or 0.0), 2) for r in rows],
        "epoch_seconds": [round(float(r["seconds"]), 4) for r in rows],
    }


def run_cli(data: Path, out: Path, args: argparse.Namespace, env: dict) -> dict:
    t0 = time.perf_counter()
    cmd = [
        sys.executable,
        "main.py",
        "train",
        str(data),
        "--json",
        "--strategy",
        args.strategy,
        "--epochs",
        str(args.epochs),
        "--out",
        str(out),
        "--backbone",
        args.backbone,
        "--no-early-stop",
    ]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    return {"wall_s": round(time.perf_counter() - t0, 2), "device": summary["device"], **history_rates(out)}


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"n": len(values), "p50_ms": pick(0.50), "p99_ms": pick(0.99), "max_ms": round(ordered[-1], 2)}


class Heartbeat:
    """A precise QTimer; ``lateness`` holds how late each timeout came, in ms."""

    def __init__(self, interval_ms: int) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000
        self.lateness: list[tuple[float, float]] = []  # (time, ms late)
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.beat)
        self._last = 0.0

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def beat(self) -> None:
        now = time.perf_counter()
        self.lateness.append((now, max(0.0, (now - self._last - self.interval) * 1000)))
        self._last = now


def run_gui(window, data: Path, out: Path, args: argparse.Namespace) -> dict:
    from PySide6.QtCore import QEventLoop

    from engine.config import TrainConfig
    from engine.events import RunStarted

    pages = window.stage_pages
    controller = pages.train.controller
    started: list[float] = []

    trace: list[tuple[float, str]] = []

    def on_event(event) -> None:
        if isinstance(event, RunStarted):
            started.append(time.perf_counter())
        trace.append((time.perf_counter(), type(event).__name__))

    controller.event.connect(on_event)
    beat = Heartbeat(args.heartbeat_ms)
    loop = QEventLoop()
    controller.idle.connect(loop.quit)
    config = TrainConfig(
        data_dir=str(data),
        strategy=args.strategy,
        backbones=(args.backbone,),
        epochs=args.epochs,
        early_stopping=0,
        out_dir=str(out),
    )
    t0 = time.perf_counter()
    beat.start()
    controller.start(config)
    loop.exec()
    beat.stop()
    controller.event.disconnect(on_event)
    controller.idle.disconnect(loop.quit)
    training = [ms for t, ms in beat.lateness if started and t >= started[0]]
    spikes = [(round(t - t0, 3), round(ms, 1)) for t, ms in beat.lateness if ms > args.spike_ms]
    extra = (
        {
            "spikes_s_ms": spikes,
            "events_s": [(round(t - t0, 3), name) for t, name in trace if name != "BatchEnded"],
        }
        if args.trace
        else {}
    )
    return {
        **extra,
        "wall_s": round(time.perf_counter() - t0, 2),
        "lateness_whole_run": percentiles([ms for _, ms in beat.lateness]),
        "lateness_training": percentiles(training),
        "plot_points": pages.train.panel.plots.point_count("batch_loss"),
        **history_rates(out),
    }


def idle_baseline(seconds: float, interval_ms: int) -> dict:
    """Heartbeat lateness with the window open and nothing running: what the machine alone costs."""
    from PySide6.QtCore import QEventLoop, QTimer

    beat = Heartbeat(interval_ms)
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    beat.start()
    loop.exec()
    beat.stop()
    return percentiles([ms for _, ms in beat.lateness])


class CompetingLoad:
    """``count`` CPU-bound processes (a busy loop each) for the duration of a ``with`` block."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._procs: list[subprocess.Popen] = []

    def __enter__(self) -> CompetingLoad:
        busy = "while True: pass"
        self._procs = [subprocess.Popen([sys.executable, "-c", busy]) for _ in range(self.count)]
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self._procs:
            proc.kill()
            proc.wait()


def targets(report: dict) -> dict:
    """Whether the run met the goals of the image strategies: < 50 ms lateness, >= 0.9x the CLI."""
    lateness = report["gui_lateness_training_ms"]
    return {
        "lateness_p99_below_50ms": lateness["p99"] < 50,
        "lateness_max_below_50ms": lateness["max"] < 50,
        "throughput_at_least_0.9x_cli": report["gui_over_cli"] >= 0.9,
        "epoch_time_at_least_0.9x_cli": report["cli_over_gui_epoch_time"] >= 0.9,
    }


def make_window():
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    QCoreApplication.setOrganizationName("TransferStudioBench")
    QCoreApplication.setApplicationName("Transfer Studio Bench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    from gui.window.main_window import MainWindow
    from gui.window.stages import install_stage_pages

    window = MainWindow()
    if not hasattr(window, "stage_pages"):
        install_stage_pages(window)
    window.resize(1440, 900)
    window.show()
    window.show_stage("train")
    app.processEvents()
    return app, window


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=SHARED / "hymenoptera")
    p.add_argument("--train-per-class", type=int, default=32)
    p.add_argument("--val-per-class", type=int, default=16)
    p.add_argument("--strategy", default="linear")
    p.add_argument("--backbone", default="efficientnet_lite0")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--heartbeat-ms", type=int, default=10)
    p.add_argument("--trace", action="store_true", help="list lateness spikes and run events by time")
    p.add_argument("--spike-ms", type=float, default=50.0)
    p.add_argument("--baseline-s", type=float, default=10.0, help="idle heartbeat before the runs")
    p.add_argument("--load", type=int, default=0, help="CPU-bound processes running beside both")
    args = p.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
    with tempfile.TemporaryDirectory(prefix="bench-gui-") as tmp:
        tmp_path = Path(tmp)
        os.environ["TRANSFER_STUDIO_CACHE"] = str(tmp_path / "cache")
        env = dict(os.environ)
        data = tiny_copy(args.data, tmp_path / "data", args.train_per_class, args.val_per_class)
        app, window = make_window()
        baseline = idle_baseline(args.baseline_s, args.heartbeat_ms)
        cli, gui = [], []
        with CompetingLoad(args.load):
            for r in range(args.repeats):
                cli.append(run_cli(data, tmp_path / f"cli-{r}", args, env))
                gui.append(run_gui(window, data, tmp_path / f"gui-{r}", args))
        window.stage_pages.wiring.shutdown()
        window.close()
        app.processEvents()

    def median_rate(runs: list[dict]) -> float:
        return statistics.median(statistics.mean(run["images_per_s"]) for run in runs)

    def median_epoch_time(runs: list[dict]) -> float:
        return statistics.median(sum(run["epoch_seconds"]) for run in runs)

    all_training = [run["lateness_training"] for run in gui]
    report = {
        "dataset": f"{args.data.name}: {args.train_per_class} train + {args.val_per_class} val per class",
        "strategy": args.strategy,
        "backbone": args.backbone,
        "epochs": args.epochs,
        "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "qt_platform": os.environ.get("QT_QPA_PLATFORM"),
        "heartbeat_ms": args.heartbeat_ms,
        "idle_window_lateness_ms": baseline,
        "gui_lateness_training_ms": {
            "p50": max(r["p50_ms"] for r in all_training),
            "p99": max(r["p99_ms"] for r in all_training),
            "max": max(r["max_ms"] for r in all_training),
        },
        "gui_lateness_whole_run_ms": {
            "p50": max(run["lateness_whole_run"]["p50_ms"] for run in gui),
            "p99": max(run["lateness_whole_run"]["p99_ms"] for run in gui),
            "max": max(run["lateness_whole_run"]["max_ms"] for run in gui),
        },
        "cli_images_per_s": round(median_rate(cli), 2),
        "gui_images_per_s": round(median_rate(gui), 2),
        "gui_over_cli": round(median_rate(gui) / max(median_rate(cli), 1e-9), 3),
        "cli_epoch_seconds": round(median_epoch_time(cli), 3),
        "gui_epoch_seconds": round(median_epoch_time(gui), 3),
        "cli_over_gui_epoch_time": round(median_epoch_time(cli) / max(median_epoch_time(gui), 1e-9), 3),
        "competing_processes": args.load,
        "runs": {"cli": cli, "gui": gui},
    }
    report["targets"] = targets(report)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
