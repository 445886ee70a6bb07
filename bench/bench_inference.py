"""Inference benchmark: exported ONNX versus PyTorch eager, ``predict`` throughput, parity per strategy.

    python bench/bench_inference.py [--threads 1 2] [--photos 1000] [--skip-predict] [--skip-parity]
                                    [--strategies linear features ...] [--out bench.json]

Prints one JSON object (all parts side by side, one run):

1. ``latency``: batch-1 and batch-32 latency of Lite0 (ImageNet weights, a 2-class head) exported by
   the app, in ONNX Runtime, versus the same network in PyTorch eager, at the same thread count:
   the network alone on float 224x224 crops, and end to end from ``uint8`` photos (preprocessing
   included: inside the graph for ONNX Runtime, ``EvalPreprocess`` for torch). INT8 variants too.
2. ``predict``: images per second of ``OnnxPredictor.predict_paths`` (and of the ``predict`` CLI,
   process start included) on a folder of N photos copied from hymenoptera (synthetic if absent),
   decoding included, versus a plain torchvision ImageFolder + PIL + DataLoader + PyTorch loop.
3. ``parity``: for every strategy, a bounded training run on hymenoptera (few epochs), then export:
   top-1 agreement and max |dp| between the app's pipeline and ONNX Runtime on the 153 val images.
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

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "datasets"
HYMENOPTERA = SHARED / "hymenoptera"
LITE0 = "efficientnet_lite0"
STRATEGIES = {  # bounded runs: the point is parity, not accuracy
    "linear": {"epochs": 1},
    "features": {},
    "partial": {"epochs": 1},
    "full": {"epochs": 1},
    "scratch": {"epochs": 1},
    "stack": {"backbones": (LITE0, "mobilenet_v3_small"), "pretrained": False},
}


def ort_session(data, threads):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def sample_photos(count):
    """``count`` uint8 photos: hymenoptera val images, or synthetic 375x500 noise."""
    from engine.imaging import load_rgb_array

    paths = sorted(HYMENOPTERA.glob("val/*/*.jpg"))[:count]
    if paths:
        return [load_rgb_array(p) for p in paths]
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, (375, 500, 3), dtype=np.uint8) for _ in range(count)]


def lite0_graphs(workdir):
    """A Lite0 TransferModel (ImageNet weights, 2-class head), its float core and the full graphs."""
    import torch

    from engine.export.graph import distinct_specs, export_core, finish_graph, metadata_for
    from engine.export.quantize import calibration_feeds, quantize_core
    from engine.models.classifier import TransferModel
    from engine.models.registry import build_backbone, get_spec
    from engine.runs.files import RunInfo

    torch.manual_seed(0)
    spec = get_spec(LITE0)
    model = TransferModel([build_backbone(LITE0, pretrained=True)], [spec.feature_dim], 2).eval()
    info = RunInfo("features", [LITE0], ["a", "b"], [spec.preprocess.to_dict()], [1280], [True], True, "")
    specs, index = distinct_specs(info.preprocess)
    core = export_core(model, specs, index, 18)
    meta = metadata_for(info, 18, "bench")
    graphs = {"float32": finish_graph(core, specs, meta).SerializeToString()}
    feeds = calibration_feeds(sample_photos(32), info.preprocess)
    for mode in ("dynamic", "static"):
        graphs[f"int8_{mode}"] = finish_graph(
            quantize_core(core, mode, feeds), specs, meta
        ).SerializeToString()
    path = workdir / "lite0.onnx"
    path.write_bytes(graphs["float32"])
    return model, info, core.SerializeToString(), graphs, path


def bench_latency(model, info, core, graphs, threads_list):
    from engine.export.parity import TorchPipeline

    photos = sample_photos(32)
    same_size = [p for p in photos if p.shape == photos[0].shape]
    inputs = {
        "photo": photos[0],
        "photos32": np.stack((same_size * 32)[:32]),
        "crops1": np.random.default_rng(0).normal(0, 1, (1, 3, 224, 224)).astype(np.float32),
    }
    inputs["crops32"] = np.repeat(inputs["crops1"], 32, axis=0)
    pipeline = TorchPipeline(model, info.preprocess)
    return [latency_row(threads, pipeline, core, graphs, inputs) for threads in threads_list]


def paired(fns, repeat, warmup=2):
    """Median ms of each function, run interleaved so that both see the same background load."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) * 1000)
    return {name: round(statistics.median(t), 2) for name, t in times.items()}


def latency_row(threads, pipeline, core, graphs, inputs):
    import torch

    torch.set_num_threads(threads)
    model = pipeline.model
    core_s, full = ort_session(core, threads), {k: ort_session(v, threads) for k, v in graphs.items()}
    t1, t32 = torch.from_numpy(inputs["crops1"]), torch.from_numpy(inputs["crops32"])
    one, batch32 = inputs["photo"][None], inputs["photos32"]
    row = {"threads": threads}
    with torch.no_grad():
        row["network_b1_ms"] = paired(
            {
                "onnxruntime": lambda: core_s.run(None, {"x0": inputs["crops1"]}),
                "torch_eager": lambda: model(t1),
            },
            30,
        )
        row["network_b32_ms"] = paired(
            {
                "onnxruntime": lambda: core_s.run(None, {"x0": inputs["crops32"]}),
                "torch_eager": lambda: model(t32),
            },
            5,
            1,
        )
    photo_fns = {name: (lambda s=s: s.run(None, {"images": one})) for name, s in full.items()}
    row["photo_b1_ms"] = paired({**photo_fns, "torch_eager": lambda: pipeline(inputs["photo"])}, 30)
    row["photo_b32_ms"] = paired(
        {
            "onnxruntime": lambda: full["float32"].run(None, {"images": batch32}),
            "torch_eager": lambda: torch_batch(pipeline, batch32),
        },
        5,
        1,
    )
    for key in ("network_b1_ms", "network_b32_ms", "photo_b32_ms"):
        row[key]["speedup"] = round(row[key]["torch_eager"] / row[key]["onnxruntime"], 2)
    row["photo_b1_ms"]["speedup"] = round(
        row["photo_b1_ms"]["torch_eager"] / row["photo_b1_ms"]["float32"], 2
    )
    row["photo_shape"] = list(inputs["photo"].shape)
    return row


def torch_batch(pipeline, batch):
    import torch

    from engine.data.transforms import to_uint8_chw

    with torch.no_grad():
        images = torch.stack([to_uint8_chw(rgb) for rgb in batch])
        crops = pipeline.pre[0](images)
        return torch.softmax(pipeline.model(crops), 1)


def make_photo_folder(root, count):
    sources = sorted(HYMENOPTERA.glob("*/*/*.jpg"))
    if not sources:
        from PIL import Image

        rng = np.random.default_rng(0)
        for i in range(count):
            folder = root / f"class{i % 2}"
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(rng.integers(0, 256, (375, 500, 3), dtype=np.uint8)).save(folder / f"{i:04d}.jpg")
        return "synthetic 500x375 JPEG"
    for i in range(count):
        src = sources[i % len(sources)]
        folder = root / src.parent.name
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, folder / f"{i:04d}_{src.name}")
    return f"hymenoptera photos ({len(sources)} distinct, repeated)"


def bench_predict(model, info, onnx_path, workdir, count, threads):
    import torch
    from torch.utils.data import DataLoader
    from torchvision import datasets
    from torchvision.transforms import v2

    from engine.inference.predictor import OnnxPredictor

    folder = workdir / "photos"
    source = make_photo_folder(folder, count)
    torch.set_num_threads(threads)
    predictor = OnnxPredictor(onnx_path, threads=threads)
    t0 = time.perf_counter()
    results = list(predictor.predict_paths([folder], top_k=1))
    ours = time.perf_counter() - t0
    assert len(results) == count and all(r.ok for r in results)

    env = dict(os.environ)
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "main.py",
            "predict",
            str(onnx_path),
            str(folder),
            "--json",
            "--threads",
            str(threads),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cli = time.perf_counter() - t0

    spec = info.preprocess[0]
    transform = v2.Compose(
        [
            v2.PILToTensor(),
            v2.Resize(spec["resize_size"], interpolation=v2.InterpolationMode.BICUBIC, antialias=True),
            v2.CenterCrop(spec["input_size"]),
            v2.ToDtype(torch.float32, scale=True),
            v2.Normalize(spec["mean"], spec["std"]),
        ]
    )
    loader = DataLoader(
        datasets.ImageFolder(str(folder), transform=transform), batch_size=32, num_workers=threads
    )
    t0 = time.perf_counter()
    seen = 0
    with torch.no_grad():
        for images, _ in loader:
            torch.softmax(model(images), 1)
            seen += len(images)
    baseline = time.perf_counter() - t0
    return {
        "photos": count,
        "source": source,
        "threads": threads,
        "predict_paths_images_per_s": round(count / ours, 1),
        "predict_cli_images_per_s_including_startup": round(count / cli, 1),
        "predict_cli_seconds": round(cli, 2),
        "torchvision_imagefolder_loop_images_per_s": round(seen / baseline, 1),
        "speedup": round(baseline / ours, 2),
    }


def parity_fields(result):
    return {
        "passed": result.passed,
        "top1_agreement": result.parity.top1_agreement,
        "max_abs_diff": result.parity.max_abs_diff,
        "mean_abs_diff": result.parity.mean_abs_diff,
        "images_compared": result.parity.images_compared,
        "disagreements": result.parity.disagreements,
        "size_bytes": result.size_bytes,
    }


def bench_parity(workdir, strategies, threads):
    from engine.config import TrainConfig
    from engine.export.onnx_export import export_run
    from engine.training.loop import fit

    rows = {}
    for name in strategies:
        extra = dict(STRATEGIES[name])
        t0 = time.perf_counter()
        config = TrainConfig(
            data_dir=str(HYMENOPTERA),
            strategy=name,
            out_dir=str(workdir / "runs" / name),
            threads=threads,
            num_workers=threads,
            **({"backbones": (LITE0,)} | extra),
        )
        try:
            run = fit(config)
        except Exception as exc:  # a training bug must not hide the other strategies' figures
            rows[name] = {"error": f"training failed: {type(exc).__name__}: {exc}"}
            print(f"parity {name}: {json.dumps(rows[name])}", file=sys.stderr, flush=True)
            continue
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = export_run(run.run_dir, workdir / "models" / f"{name}.onnx", threads=threads)
        rows[name] = {
            "backbones": list(config.backbones),
            "epochs": run.epochs_completed,
            "best_val_acc": round(run.best_val_acc, 4),
            "train_s": round(train_s, 1),
            "export_s": round(time.perf_counter() - t0, 1),
            **parity_fields(result),
        }
        if name == "features":  # does INT8 pay off here? (export --quantize auto)
            auto = export_run(run.run_dir, workdir / "models" / "auto.onnx", threads=threads, quantize="auto")
            rows[name]["quantize_auto"] = {
                "chosen": auto.quantization,
                "note": auto.quantization_note,
                "latency_ms": auto.latency_ms,
                **parity_fields(auto),
            }
        print(f"parity {name}: {json.dumps(rows[name])}", file=sys.stderr, flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-predict", action="store_true")
    parser.add_argument("--skip-parity", action="store_true")
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES), choices=list(STRATEGIES))
    parser.add_argument("--out", help="also write the JSON here")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ts-bench-inference-"))
    os.environ.setdefault("TRANSFER_STUDIO_CACHE", str(workdir / "cache"))
    report = {"machine": {"cpus": os.cpu_count(), "load_avg_start": list(os.getloadavg())}}
    import onnxruntime
    import torch

    report["versions"] = {"torch": torch.__version__, "onnxruntime": onnxruntime.__version__}
    try:
        t0 = time.perf_counter()
        model, info, core, graphs, onnx_path = lite0_graphs(workdir)
        report["export_lite0_s"] = round(time.perf_counter() - t0, 1)
        if not args.skip_latency:
            report["latency"] = bench_latency(model, info, core, graphs, args.threads)
            print(json.dumps(report["latency"]), file=sys.stderr, flush=True)
        if not args.skip_predict:
            report["predict"] = bench_predict(model, info, onnx_path, workdir, args.photos, max(args.threads))
            print(json.dumps(report["predict"]), file=sys.stderr, flush=True)
        if not args.skip_parity:
            if HYMENOPTERA.is_dir():
                report["parity"] = bench_parity(workdir, args.strategies, max(args.threads))
            else:
                report["parity"] = f"skipped: {HYMENOPTERA} is absent"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report["machine"]["load_avg_end"] = list(os.getloadavg())
    text = json.dumps(report)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
