"""Benchmark ``--strategy auto`` against every strategy, and the recommender's forecasts against runs.

For each shared data set (and subsets of N images per class), it runs ``recommend`` (the forecasts:
accuracy range and seconds per strategy), then every strategy (image strategies capped at
``--fine-tune-epochs``) and ``auto``, and prints one JSON object: per data set, per strategy, the
accuracy and seconds reached, the forecast range and time (scaled to the capped epochs), whether
the range held the accuracy, and whether ``auto`` landed within one point of the best strategy in at
most 40% of its time (or the best is itself the cheapest).

Slow on a small CPU: the defaults are the reduced run (hymenoptera only, fine-tunes capped at
2 epochs). The full benchmark::

    .venv/bin/python bench/bench_auto.py --datasets hymenoptera,sign_language_digits \\
        --subsets full,20,50,200 --strategies features,linear,partial,full,auto
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.config import DEFAULTS, IMAGE_STRATEGIES, TrainConfig
from engine.data.scan import DatasetIndex, Sample, scan_dataset
from engine.recommend.estimates import RUN_OVERHEAD_S
from engine.recommend.recommender import Recommendation, recommend
from engine.runs.launch import start_run

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
AUTO_SLACK = 0.01  # auto must land within one point of the best strategy
AUTO_TIME_SHARE = 0.4  # ... in at most 40% of that strategy's time


def subset(index: DatasetIndex, per_class: int | None, seed: int = 0) -> DatasetIndex:
    """At most ``per_class`` images of each class, the dataset's split proportions kept (seeded)."""
    if per_class is None:
        return index
    import numpy as np

    rng = np.random.default_rng(seed)
    kept: list[Sample] = []
    for label in range(len(index.classes)):
        members = [s for s in index.samples if s.label == label]
        if len(members) > per_class:
            members = [members[i] for i in sorted(rng.choice(len(members), per_class, replace=False))]
        kept.extend(members)
    return DatasetIndex(index.root, list(index.classes), kept)


def predicted(rec: Recommendation, strategy: str, epochs: int | None) -> dict[str, Any]:
    """The forecast for ``strategy``, its time scaled to ``epochs`` when the run is capped."""
    forecast = rec.strategies.get(strategy)
    if forecast is None:
        return {}
    seconds = forecast["expected_seconds"]
    default = DEFAULTS[strategy].epochs
    if epochs is not None and strategy in IMAGE_STRATEGIES and epochs < default:
        seconds = RUN_OVERHEAD_S + (seconds - RUN_OVERHEAD_S) * epochs / default
    return {"expected_acc": forecast["expected_acc"], "expected_seconds": round(seconds, 1)}


def run_one(data_dir: str, index: DatasetIndex, strategy: str, backbones: tuple[str, ...],
            epochs: int | None) -> dict[str, Any]:
    """Train one strategy; its best validation accuracy, wall seconds and (auto) what it tried."""
    with tempfile.TemporaryDirectory(prefix="bench-auto-") as out:
        config = TrainConfig(data_dir, strategy=strategy, backbones=backbones, epochs=epochs,
                             out_dir=out, seed=0)
        started = time.perf_counter()
        result = start_run(config, index=index)
        seconds = time.perf_counter() - started
    row: dict[str, Any] = {"accuracy": round(result.best_val_acc, 4), "seconds": round(seconds, 1),
                           "status": result.status.value, "epochs": result.epochs_completed}
    if strategy == "auto":
        row.update(chose=result.strategy, backbones=list(result.backbones), tried=list(result.tried))
    return row


def bench_dataset(
    name: str, per_class: int | None, strategies: list[str], cap: int, candidates: list[str] | None
) -> dict[str, Any]:
    """Recommend, run every strategy and ``auto`` on one (sub)set; judge the forecasts and ``auto``."""
    root = SHARED / name
    index = subset(scan_dataset(str(root)), per_class)
    started = time.perf_counter()
    rec = recommend(index, candidates)
    out: dict[str, Any] = {
        "dataset": name if per_class is None else f"{name}[{per_class}/class]",
        "images": len(index.samples),
        "recommend": {"strategy": rec.strategy, "backbones": list(rec.backbones), "reason": rec.reason,
                      "seconds": round(time.perf_counter() - started, 1)},
        "runs": {},
    }
    head = max(rec.scores, key=lambda b: rec.scores[b].get("probe") or 0.0)
    for strategy in strategies:
        epochs = cap if strategy in IMAGE_STRATEGIES else None
        backbones = rec.backbones if strategy in ("auto", rec.strategy) else (head,)
        auto_backbones = tuple(candidates or ())
        row = run_one(str(root), index, strategy, auto_backbones if strategy == "auto" else backbones, epochs)
        forecast = predicted(rec, strategy, epochs)
        if forecast:
            low, high = forecast["expected_acc"]
            row.update(forecast, in_range=low <= row["accuracy"] <= high,
                       time_ratio=round(row["seconds"] / max(forecast["expected_seconds"], 1e-9), 2))
        out["runs"][strategy] = row
        print(json.dumps({name: strategy, **row}), file=sys.stderr, flush=True)
    out["auto_verdict"] = judge_auto(out["runs"])
    return out


def judge_auto(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Did ``auto`` land within a point of the best in at most 40% of its time (or is the best cheapest)?"""
    fixed = {k: v for k, v in runs.items() if k != "auto" and v["status"] == "completed"}
    if "auto" not in runs or not fixed:
        return {}
    best_name = max(fixed, key=lambda k: (fixed[k]["accuracy"], -fixed[k]["seconds"]))
    best, auto = fixed[best_name], runs["auto"]
    cheapest = min(fixed, key=lambda k: fixed[k]["seconds"])
    close = auto["accuracy"] >= best["accuracy"] - AUTO_SLACK
    quick = auto["seconds"] <= AUTO_TIME_SHARE * best["seconds"] or best_name == cheapest
    return {"best": best_name, "best_accuracy": best["accuracy"], "best_seconds": best["seconds"],
            "auto_accuracy": auto["accuracy"], "auto_seconds": auto["seconds"], "passed": close and quick}


def main(argv: list[str] | None = None) -> int:
    """Parse the size of the benchmark, run it, print the JSON."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--datasets", default="hymenoptera", help="comma-separated names under ../shared/datasets")
    p.add_argument("--subsets", default="full", help="comma-separated: full and/or images per class")
    p.add_argument("--strategies", default="features,linear,partial,full,auto")
    p.add_argument("--fine-tune-epochs", type=int, default=2, help="cap for image strategies (default 2)")
    p.add_argument("--backbones", help="comma-separated candidates (default: every one available offline)")
    p.add_argument("--threads", type=int, help="torch threads (default: all cores)")
    args = p.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    results = []
    for name in args.datasets.split(","):
        if not (SHARED / name).is_dir():
            print(f"skipping {name}: not found under {SHARED}", file=sys.stderr)
            continue
        for sub in args.subsets.split(","):
            per_class = None if sub == "full" else int(sub)
            candidates = args.backbones.split(",") if args.backbones else None
            strategies = args.strategies.split(",")
            results.append(bench_dataset(name, per_class, strategies, args.fine_tune_epochs, candidates))
    print(json.dumps({"fine_tune_epochs": args.fine_tune_epochs, "cpu_count": os.cpu_count(),
                      "datasets": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
