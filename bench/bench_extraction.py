"""Feature-extraction throughput (decode + frozen forward): the engine versus a plain DataLoader loop.

    python bench/bench_extraction.py [--limit 160] [--photos 40] [--rounds 2]

Two folders, measured side by side in one run and printed as one JSON object:

* ``hymenoptera``: the first ``--limit`` training images (about 500x375 JPEGs);
* ``photos_12mp``: ``--photos`` 4000x3000 JPEGs made from hymenoptera images (upscaled, with a
  fixed sensor-like noise so the files are phone-sized, about 3-5 MB), in a temporary folder.

The plain loop is the tutorial's (``bench/_tutorial_reference.naive_extraction_rate``: torchvision
ImageFolder, Resize(256) + CenterCrop(224), DataLoader batch 4 with 2 workers, eager torch forward).
The engine is :func:`engine.features.extraction.extract_features` from an empty cache (content hashes,
SQLite writes and all), with ``engine="auto"`` (OpenVINO bf16 where installed) and, for comparison,
ONNX Runtime fp32. Each round runs every contender once, in turn, so a change of machine load hits
all of them; the figures are medians over the rounds. Building the extractor (ONNX export, OpenVINO
compile) is timed apart as ``build_s``: the export is cached on disk and the compile once per process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "datasets"
BACKBONE = "efficientnet_lite0"
PHOTO_SIZE = (4000, 3000)  # 12 megapixels


def make_photos(source: Path, out: Path, count: int) -> Path:
    """Write ``count`` 12-megapixel JPEGs under ``out/train/<class>/`` from hymenoptera's training images."""
    from PIL import Image

    noise = np.random.default_rng(0).normal(0, 4, (500, 500, 3))
    tiled = np.tile(noise, (PHOTO_SIZE[1] // 500, PHOTO_SIZE[0] // 500, 1))
    classes = sorted(p.name for p in (source / "train").iterdir() if p.is_dir())
    per_class = -(-count // len(classes))
    for name in classes:
        files = sorted((source / "train" / name).iterdir())[:per_class]
        (out / "train" / name).mkdir(parents=True, exist_ok=True)
        for f in files:
            big = np.asarray(Image.open(f).convert("RGB").resize(PHOTO_SIZE, Image.Resampling.BICUBIC))
            pixels = np.clip(big + tiled, 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(out / "train" / name / f"{f.stem}.jpg", quality=90)
    return out


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the DataLoader's workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def first_images(root: Path, limit: int) -> list[tuple[str, int]]:
    """The files the plain loop reads: ImageFolder's order, first ``limit``."""
    from torchvision import datasets

    return datasets.ImageFolder(str(root / "train")).samples[:limit]


def engine_rate(files: list[tuple[str, int]], engine: str, store_path: Path) -> dict[str, object]:
    """Images per second through ``extract_features`` from an empty store, and how it ran."""
    import torch

    from engine.data.scan import Sample
    from engine.features.extraction import FeatureStore, extract_features, extraction_precision
    from engine.features.runtimes import make_extractor
    from engine.models.registry import build_backbone, get_spec

    backbone = build_backbone(BACKBONE, pretrained=True)
    spec = get_spec(BACKBONE).preprocess
    device = torch.device("cpu")
    t0 = time.perf_counter()
    run = make_extractor(BACKBONE, backbone, spec, device, engine, torch.get_num_threads())
    build = time.perf_counter() - t0
    samples = [Sample(path, label, "train") for path, label in files]
    store = FeatureStore(store_path)
    try:
        t0, cpu0 = time.perf_counter(), cpu_seconds()
        fs = extract_features(samples, store, "bench", lambda: run, spec)
        seconds, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    finally:
        store.close()
    return {
        "images_per_s": len(fs.kept) / seconds,
        "cpu_ms": cpu * 1000 / len(fs.kept),
        "build_s": round(build, 2),
        "precision": extraction_precision(device, engine),
        "vectors": fs.vectors,
    }


def compare(root: Path, limit: int, rounds: int, tmp: Path) -> dict[str, object]:
    """Rounds of plain loop, engine (auto) and engine (ONNX Runtime), in turn; medians and ratios."""
    from _tutorial_reference import naive_extraction_rate

    files = first_images(root, limit)
    names = ("naive_dataloader", "engine", "engine_onnxruntime")
    rates: dict[str, list[float]] = {k: [] for k in names}
    cpu_ms: dict[str, list[float]] = {k: [] for k in names}
    how: dict[str, object] = {}
    vectors: dict[str, np.ndarray] = {}
    for r in range(rounds):
        cpu0 = cpu_seconds()  # the naive figure's CPU time includes building the model (about 0.2 s)
        rates["naive_dataloader"].append(naive_extraction_rate(str(root), limit))
        cpu_ms["naive_dataloader"].append((cpu_seconds() - cpu0) * 1000 / len(files))
        for key, engine in (("engine", "auto"), ("engine_onnxruntime", "onnxruntime")):
            got = engine_rate(files, engine, tmp / f"{root.name}-{key}-{r}.sqlite")
            rates[key].append(float(got.pop("images_per_s")))  # type: ignore[arg-type]
            cpu_ms[key].append(float(got.pop("cpu_ms")))  # type: ignore[arg-type]
            vectors[key] = got.pop("vectors")  # type: ignore[assignment]
            how.setdefault(key, got)  # the first round's: its build_s includes the export and compile
    median = {k: statistics.median(v) for k, v in rates.items()}
    a, b = vectors["engine"], vectors["engine_onnxruntime"]
    cosine = np.sum(a * b, 1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    naive = rates["naive_dataloader"]
    return {
        "images": len(files),
        "images_per_s": {k: round(v, 1) for k, v in median.items()},
        "speedup": round(median["engine"] / median["naive_dataloader"], 2),
        "speedup_onnxruntime": round(median["engine_onnxruntime"] / median["naive_dataloader"], 2),
        "speedup_per_round": [round(e / n, 2) for e, n in zip(rates["engine"], naive, strict=True)],
        "cpu_ms_per_image": {k: round(statistics.median(v), 1) for k, v in cpu_ms.items()},
        "how": how,
        "min_cosine_auto_vs_onnxruntime": round(float(cosine.min()), 5),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=160, help="hymenoptera images per pass")
    parser.add_argument("--photos", type=int, default=40, help="12-megapixel photos generated")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    hym = SHARED / "hymenoptera"
    if not hym.is_dir():
        raise SystemExit(f"needs {hym}")
    import torch

    report: dict[str, object] = {"cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads()}
    report["load_before"] = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ["TRANSFER_STUDIO_CACHE"] = str(tmp / "cache")
        photos = make_photos(hym, tmp / "photos_12mp", args.photos)
        report["hymenoptera"] = compare(hym, args.limit, args.rounds, tmp)
        report["photos_12mp"] = compare(photos, args.photos, args.rounds, tmp)
    report["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report))


if __name__ == "__main__":
    main()
