"""Benchmark ``--strategy auto`` against every strategy, and the recommender's forecasts against runs.

For each shared data set (and subsets of N images per class), it runs ``recommend`` (the forecasts:
accuracy range and seconds per strategy), then every strategy (image strategies capped at
``--fine-tune-epochs``) and ``auto``, and prints one JSON object: per data set, per strategy, the
accuracy and seconds reached, the forecast range and time (scaled to the capped epochs), whether
the range held the accuracy, and whether ``auto`` landed within one point of the best strategy in at
most 40% of its time (or the best is itself the cheapest). ``auto``'s range is the one its own
recommendation gave the strategy it chose; an image strategy it picks is capped like the others.
The evidence behind each range (the probe's learning curve) is kept, and the JSON ends with the
ranges' coverage and a compact table (markdown rows) for a closing note.

Slow on a small CPU: the defaults are the reduced run (hymenoptera only, fine-tunes capped at
2 epochs). The coverage check of issue 10 (six (sub)sets; fine-tunes only where cheap)::

    .venv/bin/python bench/bench_auto.py --datasets hymenoptera,sign_language_digits \\
        --subsets 20,50,200 --strategies features,partial,auto --fine-tune-max-images 500

The full benchmark::

    .venv/bin/python bench/bench_auto.py --datasets hymenoptera,sign_language_digits \\
        --subsets full,20,50,200 --strategies features,linear,partial,full,auto
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.config import DEFAULTS, IMAGE_STRATEGIES, TrainConfig
from engine.data.scan import DatasetIndex, Sample, scan_dataset
from engine.recommend.auto import FINE_TUNE_CAP
from engine.recommend.recommender import Measured, Recommendation, decide, measure
from engine.recommend.rules import Measurement
from engine.recommend.timing import RUN_OVERHEAD_S
from engine.runs.launch import start_run

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
AUTO_SLACK = 0.01  # auto must land within one point of the best strategy
AUTO_TIME_SHARE = 0.4  # ... in at most 40% of that strategy's time
NARROW = 0.12  # issue 10: a range no wider than 12 points on sets of 200+ images
NARROW_FROM = 200


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


def evidence(found: Measured, rec: Recommendation) -> dict[str, Any]:
    """What the ranges were derived from: counts, and the head backbone's probe learning curve."""
    head: Measurement = max(found.measures, key=lambda m: m.accuracy)
    curve = head.curve
    out: dict[str, Any] = {"train": found.size.train_images, "val": found.size.val_images,
                           "classes": found.size.classes, "sample": found.size.sample_size,
                           "backbone": head.name, "cell": list(rec.cell)}
    if curve is not None:
        out.update(curve_sizes=[round(n, 1) for n in curve.sizes],
                   curve_accs=[round(a, 4) for a in curve.accuracies], fold_se=round(curve.fold_se, 4))
    return out


def run_one(data_dir: str, index: DatasetIndex, strategy: str, backbones: tuple[str, ...],
            epochs: int | None) -> dict[str, Any]:
    """Train one strategy; its best validation accuracy, wall seconds and (auto) what it tried.

    ``auto`` is not capped itself (its head needs its epochs), but an image strategy it picks is.
    """
    with tempfile.TemporaryDirectory(prefix="bench-auto-") as out:
        extra = {FINE_TUNE_CAP: epochs} if strategy == "auto" and epochs else {}
        config = TrainConfig(data_dir, strategy=strategy, backbones=backbones,
                             epochs=None if strategy == "auto" else epochs, out_dir=out, seed=0, extra=extra)
        started = time.perf_counter()
        result = start_run(config, index=index)
        seconds = time.perf_counter() - started
    row: dict[str, Any] = {"accuracy": round(result.best_val_acc, 4), "seconds": round(seconds, 1),
                           "status": result.status.value, "epochs": result.epochs_completed}
    if strategy == "auto":
        row.update(chose=result.strategy, backbones=list(result.backbones), tried=list(result.tried))
        final = result.tried[-1] if result.tried else {}
        if "expected_acc" in final:
            row["expected_acc"] = final["expected_acc"]
    return row


def bench_dataset(
    name: str, per_class: int | None, strategies: list[str], cap: int, candidates: list[str] | None,
    fine_tune_max_images: int | None = None,
) -> dict[str, Any]:
    """Recommend, run every strategy and ``auto`` on one (sub)set; judge the forecasts and ``auto``."""
    root = SHARED / name
    index = subset(scan_dataset(str(root)), per_class)
    started = time.perf_counter()
    found = measure(index, candidates)  # what recommend() does, keeping the evidence
    rec = decide(found.size, found.measures, found.stacked)
    out: dict[str, Any] = {
        "dataset": name if per_class is None else f"{name}[{per_class}/class]",
        "images": len(index.samples),
        "recommend": {"strategy": rec.strategy, "backbones": list(rec.backbones), "reason": rec.reason,
                      "seconds": round(time.perf_counter() - started, 1)},
        "evidence": evidence(found, rec),
        "runs": {},
    }
    head = max(rec.scores, key=lambda b: rec.scores[b].get("probe") or 0.0)
    for strategy in strategies:
        epochs = cap if strategy in IMAGE_STRATEGIES or strategy == "auto" else None
        if strategy in IMAGE_STRATEGIES and len(index.samples) > (fine_tune_max_images or math.inf):
            why = f"more than {fine_tune_max_images} images (--fine-tune-max-images)"
            out["runs"][strategy] = {"status": "skipped", "why": why}
            continue
        backbones = rec.backbones if strategy in ("auto", rec.strategy) else (head,)
        auto_backbones = tuple(candidates or ())
        row = run_one(str(root), index, strategy, auto_backbones if strategy == "auto" else backbones, epochs)
        forecast = predicted(rec, strategy, epochs) or {k: row[k] for k in ("expected_acc",) if k in row}
        if forecast:
            low, high = forecast["expected_acc"]
            # A capped fine-tune is not the run the range was forecast for: no verdict on it.
            held = None if capped(row.get("chose", strategy), row, cap) else low <= row["accuracy"] <= high
            row.update(forecast, in_range=held)
            if "expected_seconds" in forecast:
                row["time_ratio"] = round(row["seconds"] / max(forecast["expected_seconds"], 1e-9), 2)
        out["runs"][strategy] = row
        print(json.dumps({name: strategy, **row}), file=sys.stderr, flush=True)
    out["auto_verdict"] = judge_auto(out["runs"])
    return out


def capped(strategy: str, row: dict[str, Any], cap: int) -> bool:
    """Whether the run is an image strategy cut short by the cap (fewer epochs than its default)."""
    if strategy not in IMAGE_STRATEGIES:
        return False
    return row.get("epochs", 0) <= cap < DEFAULTS[strategy].epochs


def judge_auto(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Did ``auto`` land within a point of the best in at most 40% of its time (or is the best cheapest)?"""
    fixed = {k: v for k, v in runs.items() if k != "auto" and v.get("status") == "completed"}
    if "auto" not in runs or not fixed:
        return {}
    best_name = max(fixed, key=lambda k: (fixed[k]["accuracy"], -fixed[k]["seconds"]))
    best, auto = fixed[best_name], runs["auto"]
    cheapest = min(fixed, key=lambda k: fixed[k]["seconds"])
    close = auto["accuracy"] >= best["accuracy"] - AUTO_SLACK
    quick = auto["seconds"] <= AUTO_TIME_SHARE * best["seconds"] or best_name == cheapest
    return {"best": best_name, "best_accuracy": best["accuracy"], "best_seconds": best["seconds"],
            "auto_accuracy": auto["accuracy"], "auto_seconds": auto["seconds"], "passed": close and quick}


def coverage(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per strategy: how many ranges held the accuracy reached, and their widths (points)."""
    out: dict[str, Any] = {}
    for strategy in sorted({s for r in results for s in r["runs"]}):
        rows = [(r, r["runs"][strategy]) for r in results
                if r["runs"].get(strategy, {}).get("in_range") is not None]
        if not rows:
            continue
        widths = {r["dataset"]: round(100 * (row["expected_acc"][1] - row["expected_acc"][0]), 1)
                  for r, row in rows}
        narrow = [widths[r["dataset"]] <= 100 * NARROW for r, _ in rows if r["images"] >= NARROW_FROM]
        out[strategy] = {"held": f"{sum(row['in_range'] for _, row in rows)}/{len(rows)}",
                         f"narrow_on_{NARROW_FROM}_plus": f"{sum(narrow)}/{len(narrow)}", "widths": widths}
    return out


def table(results: list[dict[str, Any]], cap: int) -> list[str]:
    """Markdown rows for a closing note: per (sub)set and strategy, what it reached against its forecast."""
    rows = [f"Fine-tunes capped at {cap} epochs; ranges are central 80%.",
            "| set | strategy | accuracy | seconds | expected range | held | auto verdict |",
            "|---|---|---|---|---|---|---|"]
    for r in results:
        verdict = r.get("auto_verdict") or {}
        for strategy, row in r["runs"].items():
            if row.get("status") == "skipped":
                rows.append(f"| {r['dataset']} | {strategy} | skipped | | | | |")
                continue
            low_high = row.get("expected_acc")
            span = "" if not low_high else f"{low_high[0]:.3f}–{low_high[1]:.3f}"
            held = {True: "yes", False: "no"}.get(row.get("in_range"), "capped" if low_high else "")
            name = f"auto → {row.get('chose')}" if strategy == "auto" else strategy
            judged = ""
            if strategy == "auto" and verdict:
                judged = (f"{'pass' if verdict['passed'] else 'FAIL'} (best {verdict['best']} "
                          f"{verdict['best_accuracy']:.3f} in {verdict['best_seconds']:.0f} s)")
            reached = [f"{row['accuracy']:.3f}", f"{row['seconds']:.0f}"]
            cells = [r["dataset"], name, *reached, span, held, judged]
            rows.append("| " + " | ".join(cells) + " |")
    return rows


def main(argv: list[str] | None = None) -> int:
    """Parse the size of the benchmark, run it, print the JSON."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--datasets", default="hymenoptera", help="comma-separated names under ../shared/datasets")
    p.add_argument("--subsets", default="full", help="comma-separated: full and/or images per class")
    p.add_argument("--strategies", default="features,linear,partial,full,auto")
    p.add_argument("--fine-tune-epochs", type=int, default=2, help="cap for image strategies (default 2)")
    p.add_argument("--fine-tune-max-images", type=int,
                   help="skip the image strategies on (sub)sets of more images (auto still runs)")
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
            results.append(bench_dataset(name, per_class, strategies, args.fine_tune_epochs, candidates,
                                         args.fine_tune_max_images))
    load = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps({"fine_tune_epochs": args.fine_tune_epochs, "cpu_count": os.cpu_count(),
                      "load_average": load, "datasets": results, "coverage": coverage(results),
                      "table": table(results, args.fine_tune_epochs)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
