"""The runtimes that run a frozen backbone over batches of images, and the numeric precision of each.

On a CPU the fastest available runtime is used: OpenVINO (an optional dependency) with bf16
inference where the CPU computes in bf16, else ONNX Runtime; torch everywhere else (autocast fp16
on CUDA). The precision is decided before anything is built, so a fully cached run never compiles
a model, and it is part of the feature cache's keys: vectors of two precisions never mix.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from engine.data.preprocess import Preprocess
from engine.paths import cache_dir

Extractor = Callable[[torch.Tensor], np.ndarray]
FP32, BF16, FP16 = "fp32", "bf16", "fp16"


def module_digest(module: nn.Module) -> str:
    """A short digest of a module's weights, so a cache never mixes two sets of weights."""
    digest = hashlib.sha1()
    for name, tensor in sorted(module.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


@functools.cache
def openvino_precision() -> str | None:
    """The precision OpenVINO computes in on this CPU (bf16 where supported), or None without OpenVINO."""
    if importlib.util.find_spec("openvino") is None:
        return None
    try:
        import openvino as ov

        capabilities = ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    except Exception as exc:  # a broken install: its own error types, report and fall back
        warnings.warn(f"OpenVINO unavailable ({exc}); using ONNX Runtime", stacklevel=2)
        return None
    return BF16 if "BF16" in capabilities else FP32


def extraction_precision(device: torch.device, engine: str = "auto") -> str:
    """The precision :func:`make_extractor` computes in for ``device`` and ``engine`` (``"fp32"``, ...)."""
    if device.type == "cuda" and engine in ("auto", "torch"):
        return FP16
    if engine == "openvino" or (engine == "auto" and device.type == "cpu"):
        return openvino_precision() or FP32
    return FP32


def torch_extractor(
    module: nn.Module, device: torch.device, channels_last: bool, precision: str = ""
) -> Extractor:
    """Extraction through torch: no grad, channels_last, autocast to ``precision`` (default: fp16 on CUDA)."""
    module = module.to(device).eval()
    if channels_last:
        module = module.to(memory_format=torch.channels_last)
    precision = precision or (FP16 if device.type == "cuda" else FP32)
    dtype = {FP16: torch.float16, BF16: torch.bfloat16}.get(precision)

    def run(batch: torch.Tensor) -> np.ndarray:
        x = batch.to(device, non_blocking=True)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.no_grad(), torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
            return module(x).float().flatten(1).cpu().numpy()

    return run


def export_backbone_onnx(module: nn.Module, input_size: int, path: Path) -> Path:
    """Export a frozen backbone to ONNX once (dynamic batch); reused from the cache after that."""
    if path.exists():
        return path
    from engine.atomic import write_with

    module = module.cpu().eval().to(memory_format=torch.contiguous_format)
    example = torch.zeros(1, 3, input_size, input_size)

    def write(handle: object) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module,
                (example,),
                handle,
                dynamo=False,
                input_names=["x"],
                output_names=["f"],
                dynamic_axes={"x": {0: "n"}, "f": {0: "n"}},
                opset_version=17,
            )

    write_with(path, write)  # type: ignore[arg-type]
    return path


def ort_extractor(onnx_path: Path, threads: int) -> Extractor:
    """Extraction through ONNX Runtime on the CPU (fp32)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])

    def run(batch: torch.Tensor) -> np.ndarray:
        out = session.run(None, {"x": batch.numpy()})[0]
        return np.asarray(out, dtype=np.float32).reshape(out.shape[0], -1)

    return run


@functools.lru_cache(maxsize=4)
def _compiled_openvino(onnx_path: Path, threads: int, precision: str) -> Any:
    """Compile an ONNX backbone for the CPU once per process (about a second each time otherwise)."""
    import openvino as ov

    core = ov.Core()
    config = {
        "INFERENCE_PRECISION_HINT": "bf16" if precision == BF16 else "f32",
        "INFERENCE_NUM_THREADS": threads,
        "PERFORMANCE_HINT": "LATENCY",
        "ENABLE_CPU_PINNING": False,  # the decoding threads share the cores
    }
    return core.compile_model(core.read_model(str(onnx_path)), "CPU", config)


def openvino_extractor(onnx_path: Path, threads: int, precision: str) -> Extractor:
    """Extraction through OpenVINO on the CPU, in bf16 or fp32."""
    compiled = _compiled_openvino(onnx_path, threads, precision)
    output = compiled.output(0)
    request, lock = compiled.create_infer_request(), threading.Lock()  # the model is shared, not the request

    def run(batch: torch.Tensor) -> np.ndarray:
        with lock:
            out = request.infer({0: batch.numpy()})[output]
            return np.array(out, dtype=np.float32).reshape(out.shape[0], -1)  # a copy: the request reuses it

    return run


def _onnx_path(name: str, module: nn.Module, spec: Preprocess) -> Path:
    path = cache_dir() / "onnx" / f"{name}-{module_digest(module)}.onnx"
    return export_backbone_onnx(module, spec.input_size, path)


def _cpu_extractor(
    name: str, module: nn.Module, spec: Preprocess, engine: str, threads: int, precision: str
) -> Extractor | None:
    """OpenVINO, else ONNX Runtime, on the CPU in ``precision``; None where neither can give it."""
    with_openvino = engine in ("auto", "openvino") and openvino_precision() is not None
    if engine == "openvino" and not with_openvino:
        raise ImportError("OpenVINO is not installed (pip install openvino)")
    if precision == BF16 and not with_openvino:
        return None  # ONNX Runtime computes in fp32 only
    try:
        path = _onnx_path(name, module, spec)
        return openvino_extractor(path, threads, precision) if with_openvino else ort_extractor(path, threads)
    except (ImportError, RuntimeError, OSError) as exc:
        if engine != "auto":
            raise
        warnings.warn(f"Fast CPU extraction unavailable ({exc}); using torch", stacklevel=3)
        return None


def make_extractor(
    name: str,
    module: nn.Module,
    spec: Preprocess,
    device: torch.device,
    engine: str,
    threads: int,
    precision: str | None = None,
) -> Extractor:
    """The fastest extractor for ``device`` and ``engine`` that computes in ``precision``.

    Args:
        name: The backbone's registry name (names its exported ONNX file).
        module: The frozen backbone.
        spec: Its preprocessing (the input size).
        device: Where torch runs; on a CPU, ``engine="auto"`` picks OpenVINO, then ONNX Runtime, then torch.
        engine: ``"auto"``, ``"openvino"``, ``"onnxruntime"`` (both on the CPU) or ``"torch"``.
        threads: Threads for the CPU runtimes.
        precision: What the vectors are computed in; by default :func:`extraction_precision`. A
            runtime that cannot give it is replaced by torch in the same precision, so the cache
            key (which names the precision) always tells the truth.
    """
    precision = precision or extraction_precision(device, engine)
    on_cpu = engine in ("openvino", "onnxruntime") or (engine == "auto" and device.type == "cpu")
    if on_cpu and precision in (FP32, BF16):
        run = _cpu_extractor(name, module, spec, engine, threads, precision)
        if run is not None:
            return run
    return torch_extractor(module, device, channels_last=True, precision=precision)
