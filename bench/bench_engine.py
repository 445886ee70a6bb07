"""Engine benchmark on the shared datasets; prints one JSON object (side by side, one run).

    python bench/bench_engine.py [--skip-tutorial] [--sign-epochs N] [--parts hymenoptera sign]

1. hymenoptera, ``features`` strategy with Lite0: cold run (empty cache), warm run, accuracy, versus the
   tutorial's own loop (seed 003 ``train_model``: frozen backbone, 25 epochs, batch 4, same weights).
2. Feature-extraction throughput (decode + frozen forward): the engine's path versus a plain DataLoader loop.
3. ``full`` training throughput on CPU versus the tutorial loop with every layer trained.
4. sign_language_digits: ``features`` versus ``partial`` (and ``full`` if asked) validation accuracy and time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "datasets"


def cli_train(data, cache, *extra):
    env = dict(os.environ, TRANSFER_STUDIO_CACHE=str(cache))
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "main.py", "train", str(data), "--json", *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"train {data} {' '.join(extra)} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall_s"] = round(time.perf_counter() - t0, 2)
    return result


def extraction_rate(root, cache, limit=160):
    os.environ["TRANSFER_STUDIO_CACHE"] = str(cache)
    import torch

    from engine.data.scan import scan_dataset
    from engine.features.extraction import extract_features, make_extractor, module_digest, open_store
    from engine.models.registry import build_backbone, get_spec

    samples = scan_dataset(root).samples[:limit]
    backbone = build_backbone("efficientnet_lite0", pretrained=True)
    spec = get_spec("efficientnet_lite0").preprocess
    device = torch.device("cpu")
    run = make_extractor("efficientnet_lite0", backbone, spec, device, "auto", torch.get_num_threads())
    store, prefix = open_store("efficientnet_lite0", module_digest(backbone), spec)
    t0 = time.perf_counter()
    fs = extract_features(samples, store, prefix + ":bench", lambda: run, spec)
    rate = len(fs.kept) / (time.perf_counter() - t0)
    store.close()
    return rate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-tutorial", action="store_true")
    parser.add_argument("--sign-epochs", type=int, default=3)
    parts = ["hymenoptera", "sign"]
    parser.add_argument("--parts", nargs="+", default=parts, choices=parts)
    args = parser.parse_args()
    hym, sign = SHARED / "hymenoptera", SHARED / "sign_language_digits"
    report: dict[str, object] = {"cpu_count": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if hym.is_dir() and "hymenoptera" in args.parts:
            cold = cli_train(hym, tmp / "c1", "--strategy", "features", "--out", str(tmp / "r1"))
            warm = cli_train(hym, tmp / "c1", "--strategy", "features", "--out", str(tmp / "r2"))
            report["hymenoptera_features"] = {"cold": cold, "warm": warm}
            from _tutorial_reference import naive_extraction_rate, run_tutorial

            ours = extraction_rate(hym, tmp / "c2")
            naive = naive_extraction_rate(str(hym))
            report["extraction_images_per_s"] = {
                "engine": ours,
                "naive_dataloader": naive,
                "speedup": ours / naive,
            }
            full = cli_train(hym, tmp / "c3", "--strategy", "full", "--epochs", "1", "--out", str(tmp / "r3"))
            history = json.loads((Path(full["run_dir"]) / "history.json").read_text())
            config = json.loads((Path(full["run_dir"]) / "config.json").read_text())
            ours_full = history[0]["images_per_s"] if history else 0.0
            tut_full = run_tutorial(str(hym), freeze=False, num_epochs=1, max_batches=30)
            report["full_train_images_per_s"] = {
                "engine": ours_full,
                "tutorial": tut_full["train_images_per_s"],
                "speedup": ours_full / tut_full["train_images_per_s"],
                "how": {k: config.get(k) for k in ("batch_size", "channels_last", "num_workers", "threads")},
            }
            if not args.skip_tutorial:
                tut = run_tutorial(str(hym), freeze=True)
                report["tutorial_frozen_25_epochs"] = tut
                report["features_cold_over_tutorial"] = cold["wall_s"] / tut["seconds"]
        if sign.is_dir() and "sign" in args.parts:
            print(json.dumps(report), file=sys.stderr, flush=True)  # survives a later failure
            feats = cli_train(sign, tmp / "c4", "--strategy", "features", "--out", str(tmp / "r4"))
            part = cli_train(
                sign,
                tmp / "c4",
                "--strategy",
                "partial",
                "--epochs",
                str(args.sign_epochs),
                "--out",
                str(tmp / "r5"),
            )
            report["sign_language_digits"] = {"features": feats, "partial": part}
    print(json.dumps(report, indent=None, default=str))


if __name__ == "__main__":
    main()
