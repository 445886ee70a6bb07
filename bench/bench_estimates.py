"""Benchmark the recommender's time estimates against the runs they estimate, quiet or under load.

It measures the data set as ``recommend`` does (the same timed passes, on this machine, now),
then trains every strategy once and prints one JSON object: per strategy, the estimate, the real
wall time, their ratio and whether the estimate is within ±35% of the run. ``--load 1`` starts one
competing CPU-bound process (``python -c 'while True: pass'``) before measuring and stops it at the
end, so the estimate and the runs share the load. Image strategies run ``--epochs`` epochs (the
estimate is made for those epochs: :func:`engine.recommend.timing.strategy_cost`, which is what
the recommendation's ``expected_seconds`` is at the strategy's default epochs, also printed).

Every run starts from the feature cache as the measurement left it (a private cache), so the
images a ``features`` or ``stack`` run extracts are those the estimate counted. Each strategy is
measured right before its run (``--measure-once``: once for all). As in the app, measuring and
training share a process (a ``recommend`` and a ``train`` in two processes would compile the
extraction network twice: about a second per backbone more for ``features`` and ``stack``).

    .venv/bin/python bench/bench_estimates.py            # quiet, image strategies 2 epochs
    .venv/bin/python bench/bench_estimates.py --load 1   # one competing process
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.config import FROZEN_BACKBONE, IMAGE_STRATEGIES, STRATEGIES, TrainConfig
from engine.data.scan import scan_dataset
from engine.events import EpochEnded, Event, RunFinished, RunStarted
from engine.recommend.recommender import Measured, decide, measure
from engine.recommend.rules import Measurement, partial_k, pick_backbone
from engine.recommend.timing import stacked_measures, strategy_cost
from engine.runs.launch import start_run

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
TOLERANCE = 0.35  # the estimate must be within ±35% of the real wall time
CACHE_ENV = "TRANSFER_STUDIO_CACHE"


def load_average() -> float | None:
    """The one-minute load average (None where the OS has none)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def start_load(count: int) -> list[subprocess.Popen[bytes]]:
    """``count`` competing CPU-bound processes."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def backbone_for(strategy: str, found: Measured) -> list[Measurement]:
    """The measurement(s) the recommendation's forecast for ``strategy`` is made with."""
    if strategy == "stack":
        return stacked_measures(found.measures)
    return [pick_backbone(found.measures, fine_tune=strategy not in FROZEN_BACKBONE)]


class Phases:
    """Wall times of a run's phases from its events: setup, each epoch, what follows the last one."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.marks: list[float] = []

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunStarted | EpochEnded | RunFinished):
            self.marks.append(time.perf_counter() - self.started)

    def summary(self) -> dict[str, Any]:
        steps = [round(b - a, 1) for a, b in zip(self.marks, self.marks[1:], strict=False)]
        return {"setup_s": round(self.marks[0], 1) if self.marks else None, "epochs_s": steps[:-1],
                "after_last_epoch_s": steps[-1] if steps else None}


def run_strategy(
    data_dir: str, found: Measured, strategy: str, epochs: int | None, threads: int | None
) -> tuple[float, dict[str, Any]]:
    """Train ``strategy`` (on the feature cache as it is); its wall seconds and phases."""
    used = backbone_for(strategy, found)
    freeze_k = partial_k(used[0].groups, used[0], found.size) if strategy == "partial" else None
    with tempfile.TemporaryDirectory(prefix="bench-estimates-") as tmp:
        config = TrainConfig(data_dir, strategy=strategy, backbones=tuple(m.name for m in used),
                             epochs=epochs, freeze_k=freeze_k, out_dir=str(Path(tmp) / "run"), seed=0,
                             threads=threads)
        phases = Phases()
        result = start_run(config, [phases], index=found_index(data_dir))
        seconds = time.perf_counter() - phases.started
    if result.status.value != "completed":
        raise RuntimeError(f"{strategy}: {result.status.value}: {result.message}")
    return seconds, phases.summary()


_INDEX: dict[str, Any] = {}


def found_index(data_dir: str) -> Any:
    """The scanned data set (scanned once: the bench times training, not scanning)."""
    if data_dir not in _INDEX:
        _INDEX[data_dir] = scan_dataset(data_dir)
    return _INDEX[data_dir]


def fresh_cache(cache: Path, snapshot: Path | None = None) -> None:
    """Make ``cache`` the app's cache folder, empty or a copy of ``snapshot``.

    The path stays the same from run to run, as in the app, so what a process keeps per cached
    file (a compiled extraction network) is kept as it would be.
    """
    shutil.rmtree(cache, ignore_errors=True)
    if snapshot is None:
        cache.mkdir(parents=True)
    else:
        shutil.copytree(snapshot, cache)
    os.environ[CACHE_ENV] = str(cache)


def measure_now(args: argparse.Namespace) -> tuple[Measured, float]:
    """The recommender's measurement (on the cache as it is), and its seconds."""
    started = time.perf_counter()
    found = measure(found_index(str(args.data)), args.backbones.split(","), threads=args.threads)
    return found, time.perf_counter() - started


def bench(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Measure, estimate and run every strategy; the JSON report.

    Unless ``--measure-once``, each strategy is measured right before its run (from an empty
    cache, as a first recommendation is), so that the estimate sees the load the run sees; with
    it, every run starts from a copy of the cache as the one measurement left it.
    """
    data_dir = str(args.data)
    rows: dict[str, Any] = {}
    passes: dict[str, Any] = {}
    cache, snapshot = workdir / "cache", workdir / "measured"
    found, measure_s = None, 0.0
    for strategy in args.strategies.split(","):
        if found is None or not args.measure_once:
            fresh_cache(cache)
            found, measure_s = measure_now(args)
            if args.measure_once:
                shutil.copytree(cache, snapshot)
        else:
            fresh_cache(cache, snapshot)
        if strategy == "stack" and len(found.measures) < 2:
            continue
        rec = decide(found.size, found.measures, found.stacked)
        epochs = args.epochs if strategy in IMAGE_STRATEGIES else None
        used = backbone_for(strategy, found)
        cost = strategy_cost(strategy, found.size, found.measures, used[0], epochs)
        estimate = cost.seconds
        load_before = load_average()
        real, phases = run_strategy(data_dir, found, strategy, epochs, args.threads)
        ratio = estimate / real
        rows[strategy] = {
            "backbones": [m.name for m in used],
            "epochs": epochs,
            "estimate_s": round(estimate, 1),
            "real_s": round(real, 1),
            "ratio": round(ratio, 2),
            "within_35": abs(ratio - 1) <= TOLERANCE,
            "expected_seconds_default_epochs": rec.strategies.get(strategy, {}).get("expected_seconds"),
            "measure_s": round(measure_s, 1),
            "load_before": load_before,
            "load_after": load_average(),
            "phases": phases,
            "estimated_phases": {"setup_s": round(cost.setup_s, 1), "epoch_s": round(cost.per_epoch_s, 1),
                                 "after_last_epoch_s": round(cost.after_s, 1)},
        }
        passes[strategy] = {m.name: _passes(m) for m in used}
        passes[strategy]["decode_cpu_ms"] = round(found.size.decode_s * 1e3, 2)
        print(json.dumps({strategy: rows[strategy]}), file=sys.stderr, flush=True)
    return {
        "data": data_dir,
        "load": args.load,
        "epochs": args.epochs,
        "cpu_count": os.cpu_count(),
        "threads": args.threads or os.cpu_count(),
        "strategies": rows,
        "all_within_35": all(r["within_35"] for r in rows.values()),
        "passes": passes,
    }


def _passes(m: Measurement) -> dict[str, Any]:
    t = m.timing
    out: dict[str, Any] = {"forward_ms": round(m.forward_s * 1e3, 2), "train_ms": round(m.train_s * 1e3, 2),
                           "extract_ms": None if m.extract_s is None else round(m.extract_s * 1e3, 2),
                           "uncached": m.uncached}
    if t is not None:
        out.update(warmup_s=round(t.warmup_s, 2), build_s=round(t.build_s, 2), save_s=round(t.save_s, 3),
                   extract_setup_s=round(t.extract_setup_s, 2), calibrate_ms=round(t.calibrate_s * 1e3, 2),
                   batch=t.batch)
    return out


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the benchmark (with the competing load if asked), print the JSON."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=SHARED / "hymenoptera")
    p.add_argument("--load", type=int, choices=(0, 1), default=0, help="competing CPU-bound processes")
    p.add_argument("--epochs", type=int, default=2, help="epochs of the image strategies (default 2)")
    p.add_argument("--strategies", default=",".join(STRATEGIES))
    p.add_argument("--backbones", default="efficientnet_lite0,efficientnet_lite1",
                   help="measured backbones (stack uses them all)")
    p.add_argument("--threads", type=int, help="torch threads of the runs (default: all cores)")
    p.add_argument("--measure-once", action="store_true",
                   help="measure once before all runs (faster; the load may drift in between)")
    args = p.parse_args(argv)
    if not args.data.is_dir():
        print(f"skipping: {args.data} not found", file=sys.stderr)
        return 0
    load = start_load(args.load)
    previous = os.environ.get(CACHE_ENV)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-estimates-") as tmp:
            report = bench(args, Path(tmp))
    finally:
        for process in load:
            process.kill()
            process.wait()
        if previous is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = previous
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
