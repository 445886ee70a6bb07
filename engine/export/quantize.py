"""Optional INT8 quantisation of the network part of an export (ONNX Runtime's quantiser).

Only the network (convolutions, matrix products) is quantised, before the ``uint8`` preprocessing
sub-graph is attached: the preprocessing stays exact. ``dynamic`` quantises weights only;
``static`` also quantises activations (QDQ format, per-channel weights), calibrated on a subset
of the run's validation images preprocessed by the app's own pipeline.
"""

from __future__ import annotations

import contextlib
import logging
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch

from engine.data.preprocess import Preprocess
from engine.data.transforms import EvalPreprocess, to_uint8_chw

QUANTISED_OPS = ["Conv", "MatMul", "Gemm"]
CALIBRATION_IMAGES = 32


class _Reader:
    """``CalibrationDataReader`` over a list of input dicts."""

    def __init__(self, feeds: Sequence[dict[str, np.ndarray]]) -> None:
        self._feeds = iter(feeds)

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._feeds, None)


class _DropAdvice(logging.Filter):
    """Hide the quantiser's advice to run its own pre-processing (it cannot handle our graph)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing" not in record.getMessage()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    root, advice = logging.getLogger(), _DropAdvice()
    root.addFilter(advice)
    try:
        yield
    finally:
        root.removeFilter(advice)


def calibration_feeds(
    images: Sequence[np.ndarray], specs: Sequence[dict[str, Any]]
) -> list[dict[str, np.ndarray]]:
    """Network inputs ``{"x0": crop, ...}`` (one per distinct preprocessing) for calibration."""
    pres = [EvalPreprocess(Preprocess.from_dict(spec)) for spec in specs]
    feeds = []
    with torch.no_grad():
        for rgb in images:
            image = to_uint8_chw(rgb).unsqueeze(0)
            feeds.append({f"x{i}": pre(image).numpy() for i, pre in enumerate(pres)})
    return feeds


def quantize_core(
    core: onnx.ModelProto, mode: str, calibration: Sequence[dict[str, np.ndarray]] = ()
) -> onnx.ModelProto:
    """Return an INT8 copy of the network ``core`` (``mode`` is ``"dynamic"`` or ``"static"``).

    Raises:
        ValueError: For an unknown mode, or ``static`` without calibration data.
    """
    from onnxruntime.quantization import QuantFormat, QuantType, quantize_dynamic, quantize_static

    if mode not in ("dynamic", "static"):
        raise ValueError(f"quantisation mode must be dynamic or static, not {mode!r}")
    if mode == "static" and not calibration:
        raise ValueError("static quantisation needs calibration images")
    with tempfile.TemporaryDirectory(prefix="ts-quant-") as tmp, _quiet():
        src, dst = Path(tmp) / "core.onnx", Path(tmp) / "int8.onnx"
        onnx.save(core, src)
        if mode == "dynamic":
            quantize_dynamic(src, dst, weight_type=QuantType.QUInt8, op_types_to_quantize=QUANTISED_OPS)
        else:
            quantize_static(
                src,
                dst,
                _Reader(calibration),  # type: ignore[arg-type]
                quant_format=QuantFormat.QDQ,
                op_types_to_quantize=QUANTISED_OPS,
                per_channel=True,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
            )
        quantised = onnx.load(dst)
    del quantised.graph.value_info[:]  # shapes inferred at the example size; the graph is dynamic
    return quantised


def latency_ms(session: Any, rgb: np.ndarray, runs: int = 7) -> float:
    """Median batch-1 latency of ``session`` on one image, after two warm-up runs."""
    feed = {"images": rgb[None]}
    for _ in range(2):
        session.run(None, feed)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run(None, feed)
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)
