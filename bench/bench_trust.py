"""Calibration and "none of my classes" on the shared datasets, and what rejection costs at prediction.

For each shared dataset: a ``features`` run (Lite0) is trained and exported; its trust report
(temperature, ECE before/after, validation false-reject rate, leave-one-class-out AUROC, junk
rejection) is read back; prediction throughput is measured with the exported file (rejection in
the graph) against the same run exported without its trust model, the two taking turns (the
machine is shared), and the graph's own CPU time per image on one thread, also with the reference
set at its 5,000-vector cap; and the model of each dataset is shown the other dataset's images
(they should all be "unknown") and its own validation images (about 5% should be rejected, as
the engine measured). Prints one JSON object, with the load average at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cli.main import run as cli_run  # noqa: E402
from engine.data.scan import VAL, scan_dataset  # noqa: E402
from engine.inference.predictor import OnnxPredictor  # noqa: E402
from engine.runs.files import TRUST, TRUST_REFERENCES  # noqa: E402
from engine.trust.model import load_trust  # noqa: E402

SHARED = ROOT.parent / "shared" / "datasets"


def _json_of(argv: list[str]) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_run([*argv, "--json"])
    if code:
        raise SystemExit(f"{argv[0]} failed with exit code {code}")
    return json.loads(out.getvalue().strip().splitlines()[-1])


def train_and_export(name: str, work: Path) -> tuple[Path, Path, Path]:
    """A features run on ``name``; its model with rejection, and one exported without its trust."""
    run_dir = work / f"run-{name}"
    _json_of(["train", str(SHARED / name), "--strategy", "features", "--out", str(run_dir)])
    model = work / f"{name}.onnx"
    _json_of(["export", str(run_dir), "--out", str(model)])
    plain_run = work / f"run-{name}-plain"
    shutil.copytree(run_dir, plain_run)
    for f in (TRUST, TRUST_REFERENCES):
        (plain_run / f).unlink(missing_ok=True)
    (plain_run / "dataset.json").unlink(missing_ok=True)  # no manifest: export does not calibrate
    plain = work / f"{name}-plain.onnx"
    _json_of(["export", str(plain_run), "--out", str(plain), "--parity-images",
              *[str(p) for p in sorted((SHARED / name).rglob("*"))[:40] if p.is_file()]])
    return run_dir, model, plain


def throughput(models: dict[str, Path], paths: list[str], rounds: int = 3) -> dict[str, float]:
    """Median images per second of ``predict_paths`` (decode included) per model, measured in turns.

    The models take turns round after round, so that a change in the machine's load (it is
    shared) falls on all of them alike rather than on whichever ran last.
    """
    predictors = {n: OnnxPredictor(m, providers=["CPUExecutionProvider"]) for n, m in models.items()}
    rates: dict[str, list[float]] = {n: [] for n in models}
    for _ in range(rounds):
        for name, predictor in predictors.items():
            start = time.perf_counter()
            n = sum(1 for r in predictor.predict_paths(paths) if r.ok)
            rates[name].append(n / (time.perf_counter() - start))
    return {n: float(np.median(v)) for n, v in rates.items()}


def graph_cpu_ms(run_dir: Path, rounds: int = 7, batch: int = 16) -> dict[str, float]:
    """CPU milliseconds per image of the graph alone on one thread, the variants taking turns.

    Variants: without rejection, with the run's references, and with :data:`REFERENCE_CAP`
    references (the most an export holds). One thread's CPU time is what the graph costs,
    whatever else the shared machine runs.
    """
    import onnxruntime as ort

    from engine.export.graph import build_graph
    from engine.runs.checkpoints import load_run_model
    from engine.trust.novelty import REFERENCE_CAP, l2_normalise

    model, info = load_run_model(run_dir)
    trust = load_trust(run_dir)
    dim = trust.novelty.reference.shape[1]
    capped = l2_normalise(np.random.default_rng(0).normal(size=(REFERENCE_CAP, dim)))
    variants = {
        "without": None,
        "with": trust,
        "with_cap": dataclasses.replace(trust, novelty=dataclasses.replace(trust.novelty, reference=capped)),
    }
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    sessions = {
        name: ort.InferenceSession(build_graph(model, info.preprocess, trust=t).SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
        for name, t in variants.items()
    }
    wanted = {n: [o.name for o in s.get_outputs() if o.name != "is_unknown"] for n, s in sessions.items()}
    images = np.random.default_rng(1).integers(0, 256, (batch, 375, 500, 3), dtype=np.uint8)
    cpu: dict[str, list[float]] = {n: [] for n in sessions}
    for name, session in sessions.items():  # warm-up
        session.run(wanted[name], {"images": images})
    for _ in range(rounds):
        for name, session in sessions.items():
            start = time.process_time()
            session.run(wanted[name], {"images": images})
            cpu[name].append((time.process_time() - start) * 1000 / batch)
    return {n: round(float(np.median(v)), 2) for n, v in cpu.items()}


def unknown_rate(model: Path, paths: list[str]) -> float:
    """Share of ``paths`` the model calls "none of my classes"."""
    results = [r for r in OnnxPredictor(model).predict_paths(paths) if r.ok]
    return float(np.mean([bool(r.unknown) for r in results]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--throughput-images", type=int, default=300)
    args = parser.parse_args()
    names = ["hymenoptera", "sign_language_digits"]
    if not all((SHARED / n).is_dir() for n in names):
        print(json.dumps({"skipped": f"{SHARED} incomplete"}))
        return 0
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        made = {n: train_and_export(n, work) for n in names}
        images = {n: [s.path for s in scan_dataset(SHARED / n).samples] for n in names}
        for n, (run_dir, model, plain) in made.items():
            trust = load_trust(run_dir)
            cal, report = trust.calibration, trust.novelty_report
            own_val = [s.path for s in scan_dataset(SHARED / n).subset(VAL)]
            other = next(o for o in names if o != n)
            sample = images[n][: args.throughput_images]
            rate = throughput({"with": model, "without": plain}, sample)
            graph = graph_cpu_ms(run_dir)
            rows[n] = {
                "temperature": round(trust.temperature, 3),
                "calibration_source": cal.get("source", trust.held_out),
                "val_images": cal["n"],
                "ece_before": round(cal["ece_before"], 4),
                "ece_after": round(cal["ece_after"], 4),
                "ece_after_90ci": [round(v, 4) for v in cal["ece_after_interval"]],
                "ece_reliable": cal["reliable"],
                "nll_before": round(cal["nll_before"], 4),
                "nll_after": round(cal["nll_after"], 4),
                "val_false_reject_engine": round(report["val_rejected"], 4),
                "val_false_reject_onnx": round(unknown_rate(model, own_val), 4),
                "loco_auroc": report["loco_auroc"],
                "junk_rejected": round(report["junk_rejected"], 3),
                "junk_missed": report["junk_missed"],
                f"{other}_rejected": round(unknown_rate(model, images[other]), 4),
                "predict_img_s_with_rejection": round(rate["with"], 1),
                "predict_img_s_without": round(rate["without"], 1),
                "rejection_cost": round(1 - rate["with"] / rate["without"], 3),
                "graph_cpu_ms_per_image_1_thread": graph,
                "graph_rejection_cost": round(graph["with"] / graph["without"] - 1, 4),
                "graph_rejection_cost_at_5000_refs": round(graph["with_cap"] / graph["without"] - 1, 4),
            }
    load = [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None
    print(json.dumps({"bench": "trust", "load_average_at_end": load, "cpus": os.cpu_count(), "rows": rows},
                     indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
