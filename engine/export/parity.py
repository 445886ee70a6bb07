"""Parity of an exported graph with the app's own pipeline, image by image.

PyTorch side: ``load_rgb_array`` → ``uint8`` CHW tensor → ``EvalPreprocess`` per backbone → the
network → softmax (what training's evaluation computes). ONNX Runtime side: the same decoded
``uint8`` pixels, as an NHWC batch of one, straight into the exported graph.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.control import RunControl
from engine.errors import ImageError
from engine.export.contract import TOP1_THRESHOLD
from engine.imaging import load_rgb_arrays
from engine.models.classifier import TransferModel
from engine.progress import Progress
from engine.trust.fit_run import EvalNetwork
from engine.trust.model import TrustModel
from engine.trust.temperature import softmax

CHECKING_PARITY = "Checking parity"
TIE_MARGIN = 0.05  # the app's top-two probabilities closer than this: a near-tie either answer fits


@dataclass
class ParityReport:
    """How closely the exported file reproduces the app's predictions.

    Attributes:
        images_compared: Images that decoded and ran through both pipelines.
        top1_agreement: Share of those with the same top-1 class (1.0 when none were compared).
        max_abs_diff: Largest absolute probability difference over all images and classes.
        mean_abs_diff: Mean absolute probability difference.
        max_embedding_diff: Largest absolute difference of the penultimate embedding.
        max_unknown_score_diff: Largest absolute difference of ``unknown_score`` (files with novelty).
        unknown_disagreements: Images where the two disagree on "none of my classes".
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
    max_unknown_score_diff: float = 0.0
    unknown_disagreements: int = 0
    disagreements: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    threshold: float = TOP1_THRESHOLD
    max_disagreements: int | None = None
    seconds: float = 0.0

    @property
    def ties(self) -> int:
        """Disagreements on images whose top two classes the app itself scores within :data:`TIE_MARGIN`.

        The two resamplers differ by a grey level here and there; on such a near-tie that is enough
        to swap the answer, and neither answer is wrong.
        """
        return sum(float(d.get("app_margin", 1.0)) < TIE_MARGIN for d in self.disagreements)

    @property
    def decisive_agreement(self) -> float:
        """Top-1 agreement counting near-ties (:attr:`ties`) as agreeing."""
        if self.images_compared == 0:
            return 1.0
        return 1.0 - (len(self.disagreements) - self.ties) / self.images_compared

    @property
    def passed(self) -> bool:
        """Whether the agreement (near-ties aside) meets the threshold, and the disagreement cap if set."""
        if self.images_compared == 0:
            return False
        if self.max_disagreements is not None and len(self.disagreements) > self.max_disagreements:
            return False
        return self.decisive_agreement >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, ``passed`` included."""
        data = dict(self.__dict__)
        data["passed"] = self.passed
        data["ties"] = self.ties
        return data

    def summary(self) -> str:
        """One line for people."""
        verdict = "PASSED" if self.passed else "FAILED"
        return (
            f"parity {verdict}: top-1 agreement {self.top1_agreement:.2%} on {self.images_compared} "
            f"images ({len(self.disagreements)} disagree, {self.ties} of them near-ties), "
            f"max |Δp| {self.max_abs_diff:.2e}, "
            f"mean |Δp| {self.mean_abs_diff:.2e}"
        )


Outputs = tuple[np.ndarray, np.ndarray, np.ndarray | None]
"""``(probabilities, embedding, unknown_score or None)`` of one image."""


class TorchPipeline:
    """The app's evaluation pipeline for one decoded image: preprocess per backbone, network, softmax.

    With the run's trust model the softmax is tempered and the unknown score is computed by the
    engine's own numpy code (:mod:`engine.trust.novelty`), the reference the graph is checked against.
    """

    def __init__(
        self, model: TransferModel, preprocess: Sequence[dict[str, Any]], trust: TrustModel | None = None
    ) -> None:
        self.network = EvalNetwork(model, preprocess)
        self.trust = trust

    def __call__(self, rgb: np.ndarray) -> Outputs:
        """The outputs of one ``HxWx3`` ``uint8`` image."""
        logits, emb = self.network([rgb])
        temperature = self.trust.temperature if self.trust else 1.0
        probs = softmax(logits.astype(np.float64), temperature).astype(np.float32)
        score = None
        if self.trust is not None and self.trust.novelty is not None:
            score = self.trust.novelty.scores(emb, probs.max(axis=1))
        return probs[0], emb[0], None if score is None else score[0]


def _compare_one(
    report: ParityReport,
    path: str,
    rgb: np.ndarray,
    reference: Outputs,
    session: Any,
    classes: Sequence[str],
) -> tuple[float, int]:
    """Add one image to ``report``; return the sum and count of its absolute differences."""
    ref_p, ref_e, ref_score = reference
    onnx_p, onnx_e, *rest = (np.asarray(a)[0] for a in session.run(None, {"images": rgb[None]}))
    if ref_score is not None and rest:
        report.max_unknown_score_diff = max(report.max_unknown_score_diff, float(abs(rest[0] - ref_score)))
        report.unknown_disagreements += int(bool(rest[1]) != bool(ref_score > 1.0))
    diff = np.abs(onnx_p.astype(np.float64) - ref_p)
    report.max_abs_diff = max(report.max_abs_diff, float(diff.max()))
    report.max_embedding_diff = max(report.max_embedding_diff, float(np.abs(onnx_e - ref_e).max()))
    report.images_compared += 1
    if int(ref_p.argmax()) != int(onnx_p.argmax()):
        top2 = np.sort(ref_p)[-2:]
        report.disagreements.append({
            "path": path, "torch": classes[int(ref_p.argmax())], "onnx": classes[int(onnx_p.argmax())],
            "app_margin": round(float(top2[1] - top2[0]), 6),
        })
    return float(diff.sum()), diff.size


def compare(
    pipeline: Callable[[np.ndarray], Outputs],
    sessions: Mapping[str, Any],
    paths: Sequence[str | Path],
    classes: Sequence[str],
    progress: Progress | None = None,
    control: RunControl | None = None,
) -> dict[str, ParityReport]:
    """Run every image through ``pipeline`` (torch) and each ONNX Runtime session, and compare.

    Each image is decoded and run through torch once, whatever the number of sessions (the
    float file and its quantised candidates are measured in one pass).

    Returns:
        One report per key of ``sessions``.

    Raises:
        RunCancelled: If ``control`` was cancelled.
    """
    start = time.perf_counter()
    reports = {name: ParityReport() for name in sessions}
    sums = dict.fromkeys(sessions, (0.0, 0))
    names = [str(p) for p in paths]
    for done, (path, rgb) in enumerate(load_rgb_arrays(names), start=1):
        if control is not None:
            control.raise_if_cancelled()
        if isinstance(rgb, ImageError):
            for report in reports.values():
                report.skipped.append({"path": path, "reason": rgb.reason})
        else:
            reference = pipeline(rgb)
            for name, session in sessions.items():
                diff_sum, n = _compare_one(reports[name], path, rgb, reference, session, classes)
                sums[name] = (sums[name][0] + diff_sum, sums[name][1] + n)
        if progress:
            progress(done, len(names), CHECKING_PARITY)
    for name, report in reports.items():
        agree = report.images_compared - len(report.disagreements)
        report.top1_agreement = agree / report.images_compared if report.images_compared else 1.0
        report.mean_abs_diff = sums[name][0] / sums[name][1] if sums[name][1] else 0.0
        report.seconds = round(time.perf_counter() - start, 3)
    return reports
