"""Peak memory of a cold-cache ``features`` run: does it grow with the dataset? Prints one JSON object.

    python bench/bench_features_memory.py [--sizes 100 1000] [--source generated|hymenoptera]
                                          [--width 500 --height 375]

Each size runs ``main.py train DATA --strategy features --epochs 1`` in a fresh subprocess with an
empty feature cache (so every image is decoded and sent through the backbone) and reads that
child's own peak RSS (``os.wait4``). ``generated`` writes photo-sized JPEGs (500x375, the size of
the hymenoptera photos) in two classes; ``hymenoptera`` repeats the shared dataset's files
(``../shared/datasets/hymenoptera``) up to each size.

Target (issue 9): 1,000 images within 300 MB of 100 images. Before the bounded read-ahead, every
decoded image was queued ahead of the network (about 0.6 MB each).
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

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
TARGET_MB = 300


def generate(folder: Path, count: int, size: tuple[int, int]) -> None:
    """``count`` JPEGs in two classes: smooth colour fields with noise, like photos in size and weight."""
    rng = np.random.default_rng(0)
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    for i in range(count):
        cls = "a" if i % 2 else "b"
        base = np.stack([x * 255 // w, y * 255 // h, np.full_like(x, 60 if cls == "a" else 190)], axis=2)
        arr = np.clip(base + rng.integers(-25, 25, base.shape), 0, 255).astype(np.uint8)
        (folder / cls).mkdir(parents=True, exist_ok=True)
        Image.fromarray(arr).save(folder / cls / f"img_{i:05d}.jpg", quality=85)


def from_shared(folder: Path, count: int) -> None:
    """Copies of hymenoptera's photos (both splits merged), repeated up to ``count``."""
    source = SHARED / "hymenoptera"
    files = sorted(p for p in source.rglob("*.jpg"))
    if not files:
        raise SystemExit(f"{source} has no images")
    for i in range(count):
        src = files[i % len(files)]
        dest = folder / src.parent.name / f"{i:05d}_{src.name}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)


def peak_rss_of_cold_run(data: Path, work: Path) -> dict[str, float]:
    """Run one cold-cache ``features`` training in a child; return its peak RSS and wall time."""
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(os.environ, TRANSFER_STUDIO_CACHE=str(cache))
    args = [sys.executable, str(ROOT / "main.py"), "train", str(data), "--strategy", "features",
            "--epochs", "1", "--json", "--out", str(work / "run")]
    start = time.perf_counter()
    with open(work / "stdout.txt", "wb") as out, open(work / "stderr.txt", "wb") as err:
        child = subprocess.Popen(args, cwd=work, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"train failed on {data}:\n{(work / 'stderr.txt').read_text()[-3000:]}")
    return {"peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--source", choices=("generated", "hymenoptera"), default="generated")
    parser.add_argument("--width", type=int, default=500)
    parser.add_argument("--height", type=int, default=375)
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="ts-mem-") as tmp:
        for count in args.sizes:
            work = Path(tmp) / str(count)
            data = work / "data"
            if args.source == "generated":
                generate(data, count, (args.width, args.height))
            else:
                from_shared(data, count)
            results[str(count)] = {"images": count, **peak_rss_of_cold_run(data, work)}
    peaks = [r["peak_rss_mb"] for r in results.values()]
    growth = round(peaks[-1] - peaks[0], 1)
    print(json.dumps({
        "benchmark": "features cold-cache peak RSS",
        "source": args.source,
        "image_size": [args.width, args.height] if args.source == "generated" else "hymenoptera",
        "runs": results,
        "growth_mb": growth,
        "target_mb": TARGET_MB,
        "within_target": growth <= TARGET_MB,
    }, indent=2))


if __name__ == "__main__":
    main()
