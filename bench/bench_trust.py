"""Calibration and "none of my classes" on the shared datasets, and what rejection costs at prediction.

For each shared dataset: a ``features`` run (Lite0) is trained and exported; its trust report
(temperature, ECE before/after, validation false-reject rate, leave-one-class-out AUROC, junk
rejection) is read back; prediction throughput is measured with the exported file (rejection in
the graph) against the same run exported without its trust model; and the model of each dataset
is shown the other dataset's images (they should all be "unknown") and its own validation images
(about 95% should be accepted). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
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


def throughput(model: Path, paths: list[str], repeats: int = 2) -> float:
    """Images per second of ``predict_paths`` (decode included), best of ``repeats``."""
    predictor = OnnxPredictor(model, providers=["CPUExecutionProvider"])
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        n = sum(1 for r in predictor.predict_paths(paths) if r.ok)
        best = max(best, n / (time.perf_counter() - start))
    return best


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
            with_r, without_r = throughput(model, sample), throughput(plain, sample)
            rows[n] = {
                "temperature": round(trust.temperature, 3),
                "val_images": cal["n"],
                "ece_before": round(cal["ece_before"], 4),
                "ece_after": round(cal["ece_after"], 4),
                "ece_after_90ci": [round(v, 4) for v in cal["ece_after_interval"]],
                "ece_reliable": cal["reliable"],
                "nll_before": round(cal["nll_before"], 4),
                "nll_after": round(cal["nll_after"], 4),
                "val_false_reject": round(report["val_rejected"], 4),
                "loco_auroc": report["loco_auroc"],
                "junk_rejected": round(report["junk_rejected"], 3),
                "junk_missed": report["junk_missed"],
                "own_val_accepted": round(1 - unknown_rate(model, own_val), 4),
                f"{other}_rejected": round(unknown_rate(model, images[other]), 4),
                "predict_img_s_with_rejection": round(with_r, 1),
                "predict_img_s_without": round(without_r, 1),
                "rejection_cost": round(1 - with_r / without_r, 3),
            }
    print(json.dumps({"bench": "trust", "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
