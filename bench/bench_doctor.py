"""The dataset doctor on real data with planted problems: precision and recall per kind, and its speed.

For each shared dataset: 5% of the training labels flipped, 10 training images planted in
validation as re-encoded/resized/cropped copies, 5 black images (tests/doctor_fixture.py). The
doctor runs twice: cold (features and pixel statistics computed) and warm (both cached).
``--scale N`` also times a warm run on N images (the shared sets together, repeated as needed).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from doctor_fixture import build_planted  # noqa: E402

from engine.data.scan import scan_dataset  # noqa: E402
from engine.doctor.examine import examine  # noqa: E402

SHARED = ROOT.parent / "shared" / "datasets"


def score(report, planted) -> dict:
    """Precision/recall of leakage, black images and suspect labels (top N, N = flipped)."""
    found_leaks = [set(f.paths) for f in report.findings if f.kind == "leakage"]
    leak_hits = sum(any(copy in group for group in found_leaks) for _, copy in planted.leaked)
    dark = {f.paths[0] for f in report.findings if f.kind in ("dark", "low_contrast")}
    labels = [f.paths[0] for f in report.findings if f.kind == "label"]
    top = labels[: len(planted.flipped)]
    flipped = planted.flipped
    return {
        "leakage_recall": leak_hits / max(1, len(planted.leaked)),
        "leakage_findings": len(found_leaks),
        "black_recall": len(planted.black & dark) / max(1, len(planted.black)),
        "dark_precision": len(planted.black & dark) / max(1, len(dark)),
        "label_top_n_precision": sum(p in flipped for p in top) / max(1, len(top)),
        "label_recall_all": sum(p in flipped for p in labels) / max(1, len(flipped)),
        "label_findings": len(labels),
        "flipped": len(flipped),
        "counts": report.counts,
    }


def run_one(name: str, work: Path) -> dict:
    planted = build_planted(SHARED / name, work / name)
    index = scan_dataset(planted.root)
    t0 = time.perf_counter()
    cold = examine(index)
    cold_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    warm = examine(index)
    warm_s = time.perf_counter() - t0
    row = score(warm, planted)
    return {"dataset": name, "images": len(index.samples), "cold_s": round(cold_s, 2),
            "warm_s": round(warm_s, 2), "same_findings": cold.counts == warm.counts, **row}


def scaled_dataset(dest: Path, images: int) -> Path:
    """``images`` distinct photos in ``dest/<class>/``: the shared sets, then their mirror images."""
    from PIL import Image, ImageOps

    sources = sorted(p for p in SHARED.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    made = 0
    for mirrored in (False, True):
        for source in sources:
            if made >= images:
                return dest
            folder = dest / f"{source.relative_to(SHARED).parts[0]}_{source.parent.name}"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{'m_' if mirrored else ''}{source.stem}.jpg"
            if mirrored:
                with Image.open(source) as img:
                    ImageOps.mirror(img.convert("RGB")).save(target, quality=90)
            else:
                target.symlink_to(source.resolve())
            made += 1
    return dest


def run_scaled(images: int, work: Path) -> dict:
    """Cold, then warm, doctor on ``images`` photos: the warm figure is the target (<= 10 s)."""
    index = scan_dataset(scaled_dataset(work / "scaled", images))
    t0 = time.perf_counter()
    examine(index)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    warm = examine(index)
    return {"images": len(index.samples), "cold_s": round(cold, 2),
            "warm_s": round(time.perf_counter() - t0, 2), "counts": warm.counts}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", nargs="*", default=["hymenoptera", "sign_language_digits"])
    parser.add_argument("--scale", type=int, default=0, help="also time the doctor on this many images")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(json.dumps({"skipped": f"{SHARED} not found"}))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        rows = [run_one(name, Path(tmp)) for name in args.datasets]
        scaled = run_scaled(args.scale, Path(tmp)) if args.scale else None
    print(json.dumps({"bench": "doctor", "rows": rows, "scaled": scaled}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
