"""Parity of an exported graph with the app's own pipeline, image by image.

PyTorch side: ``load_rgb_array`` → ``uint8`` CHW tensor → ``EvalPreprocess`` per backbone → the
network → softmax (what training's evaluation computes). ONNX Runtime side: the same decoded
``uint8`` pixels, as an NHWC batch of one, straight into the exported graph.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engine.data.transforms import EvalPreprocess, to_uint8_chw
from engine.errors import ImageError, TransferStudioError
from engine.export.contract import TOP1_THRESHOLD
from engine.imaging import load_rgb_array
from engine.models.backbone_spec import Preprocess
from engine.models.classifier import TransferModel

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


class ExportCancelled(TransferStudioError):
    """The export (or its parity check) was cancelled by the caller."""


@dataclass
class ParityReport:
    """How closely the exported file reproduces the app's predictions.

    Attributes:
        images_compared: Images that decoded and ran through both pipelines.
        top1_agreement: Share of those with the same top-1 class (1.0 when none were compared).
        max_abs_diff: Largest absolute probability difference over all images and classes.
        mean_abs_diff: Mean absolute probability difference.
        max_embedding_diff: Largest absolute difference of the penultimate embedding.
        disagreements: ``{"path", "torch", "onnx"}`` (class names) where top-1 differs.
        skipped: ``{"path", "reason"}`` for files that did not decode.
        threshold: The top-1 agreement an export needs.
        max_disagreements: If not None, the most top-1 disagreements allowed (quantised files).
        seconds: Time the comparison took.
    """

    images_compared: int = 0
    top1_agreement: float = 1.0
    max_abs_diff: float = 0.0
    mean_abs_diff: float = 0.0
    max_embedding_diff: float = 0.0
    disagreements: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    threshold: float = TOP1_THRESHOLD
    max_disagreements: int | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Whether the agreement meets the threshold (and the disagreement cap, if set)."""
        if self.images_compared == 0:
            return False
        if self.max_disagreements is not None and len(self.disagreements) > self.max_disagreements:
            return False
        return self.top1_agreement >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, ``passed`` included."""
        data = dict(self.__dict__)
        data["passed"] = self.passed
        return data

    def summary(self) -> str:
        """One line for people."""
        verdict = "PASSED" if self.passed else "FAILED"
        return (
            f"parity {verdict}: top-1 agreement {self.top1_agreement:.2%} on {self.images_compared} "
            f"images ({len(self.disagreements)} disagree), max |Δp| {self.max_abs_diff:.2e}, "
            f"mean |Δp| {self.mean_abs_diff:.2e}"
        )


class TorchPipeline:
    """The app's evaluation pipeline for one decoded image: preprocess per backbone, network, softmax."""

    def __init__(self, model: TransferModel, preprocess: Sequence[dict[str, Any]]) -> None:
        self.model = model.eval()
        self.pre = [EvalPreprocess(Preprocess.from_dict(d)) for d in preprocess]

    def __call__(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(probabilities, embedding)`` of one ``HxWx3`` ``uint8`` image."""
        image = to_uint8_chw(rgb).unsqueeze(0)
        with torch.no_grad():
            crops = [pre(image) for pre in self.pre]
            embedding = self.model.embed(crops[0] if len(crops) == 1 else crops)
            probs = torch.softmax(self.model.head(embedding), dim=1)
        return probs[0].numpy(), embedding[0].numpy()


def _decode(path: str) -> np.ndarray | ImageError:
    try:
        return load_rgb_array(path)
    except ImageError as exc:
        return exc


def decoded(paths: Sequence[str]) -> Iterator[tuple[str, np.ndarray | ImageError]]:
    """Decode ``paths`` in a small thread pool, in order."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield from zip(paths, pool.map(_decode, paths), strict=True)


def _compare_one(
    report: ParityReport,
    path: str,
    rgb: np.ndarray,
    reference: tuple[np.ndarray, np.ndarray],
    session: Any,
    classes: Sequence[str],
) -> tuple[float, int]:
    """Add one image to ``report``; return the sum and count of its absolute differences."""
    ref_p, ref_e = reference
    onnx_p, onnx_e = (np.asarray(a)[0] for a in session.run(None, {"images": rgb[None]}))
    diff = np.abs(onnx_p.astype(np.float64) - ref_p)
    report.max_abs_diff = max(report.max_abs_diff, float(diff.max()))
    report.max_embedding_diff = max(report.max_embedding_diff, float(np.abs(onnx_e - ref_e).max()))
    report.images_compared += 1
    if int(ref_p.argmax()) != int(onnx_p.argmax()):
        report.disagreements.append(
            {"path": path, "torch": classes[int(ref_p.argmax())], "onnx": classes[int(onnx_p.argmax())]}
        )
    return float(diff.sum()), diff.size


def compare(
    pipeline: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    sessions: Mapping[str, Any],
    paths: Sequence[str | Path],
    classes: Sequence[str],
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> dict[str, ParityReport]:
    """Run every image through ``pipeline`` (torch) and each ONNX Runtime session, and compare.

    Each image is decoded and run through torch once, whatever the number of sessions (the
    float file and its quantised candidates are measured in one pass).

    Returns:
        One report per key of ``sessions``.

    Raises:
        ExportCancelled: If ``cancel()`` became true.
    """
    start = time.perf_counter()
    reports = {name: ParityReport() for name in sessions}
    sums = dict.fromkeys(sessions, (0.0, 0))
    names = [str(p) for p in paths]
    for done, (path, rgb) in enumerate(decoded(names), start=1):
        if cancel is not None and cancel():
            raise ExportCancelled("export cancelled")
        if isinstance(rgb, ImageError):
            for report in reports.values():
                report.skipped.append({"path": path, "reason": rgb.reason})
        else:
            reference = pipeline(rgb)
            for name, session in sessions.items():
                diff_sum, n = _compare_one(reports[name], path, rgb, reference, session, classes)
                sums[name] = (sums[name][0] + diff_sum, sums[name][1] + n)
        if progress:
            progress(done, len(names))
    for name, report in reports.items():
        agree = report.images_compared - len(report.disagreements)
        report.top1_agreement = agree / report.images_compared if report.images_compared else 1.0
        report.mean_abs_diff = sums[name][0] / sums[name][1] if sums[name][1] else 0.0
        report.seconds = round(time.perf_counter() - start, 3)
    return reports
