"""Run every check of the doctor on a dataset: features from the shared cache, pixel statistics, findings."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from engine.config import DEFAULT_BACKBONE
from engine.control import RunControl
from engine.data.scan import DatasetIndex
from engine.doctor import thresholds as th
from engine.doctor.checks import balance_findings, duplicate_findings, outlier_findings, quality_findings
from engine.doctor.findings import KINDS, SEVERITIES, Finding, counts_by_kind
from engine.doctor.labels import label_findings
from engine.doctor.neighbours import neighbour_graph
from engine.doctor.pixels import pixel_stats
from engine.features.cached import cached_features
from engine.models.registry import build_backbone
from engine.progress import Progress, no_progress

EMBEDDING = "Embedding your images"


@dataclass
class DoctorReport:
    """What the doctor found, with counts per kind and how long it took."""

    findings: list[Finding]
    images: int
    backbone: str
    seconds: float
    dismissed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Findings per kind (every kind listed)."""
        return counts_by_kind(self.findings)

    def summary(self) -> dict[str, Any]:
        """The JSON summary the CLI prints last."""
        return {"images": self.images, "backbone": self.backbone, "seconds": round(self.seconds, 2),
                "counts": self.counts, "dismissed": self.dismissed, "skipped": len(self.skipped)}


def _order(finding: Finding) -> tuple[int, int, float]:
    return SEVERITIES.index(finding.severity), KINDS.index(finding.kind), -finding.score


def examine(
    index: DatasetIndex,
    backbone: str = DEFAULT_BACKBONE,
    dismissed: Collection[str] = (),
    progress: Progress = no_progress,
    control: RunControl | None = None,
    device: torch.device | None = None,
) -> DoctorReport:
    """Check every labelled image of ``index``; findings whose key is in ``dismissed`` are left out.

    Raises:
        RunCancelled: If ``control`` is cancelled.
    """
    start = time.perf_counter()
    samples = index.samples
    module = build_backbone(backbone, pretrained=True)
    fs = cached_features(backbone, module, samples, device or torch.device("cpu"), EMBEDDING,
                         progress, control)
    kept = [samples[i] for i in fs.kept]
    paths = [s.path for s in kept]
    labels = np.array([s.label for s in kept], dtype=np.int64)
    stats = pixel_stats(paths, progress, control)
    graph = neighbour_graph(fs.vectors, th.NEIGHBOURS)
    findings = [
        *duplicate_findings(graph, stats, paths, [s.split for s in kept]),
        *label_findings(fs.vectors, labels, paths, index.classes),
        *outlier_findings(graph, paths, labels),
        *quality_findings(stats, paths),
        *balance_findings(index.class_counts()),
    ]
    dismissed = set(dismissed)
    shown = sorted((f for f in findings if f.key not in dismissed), key=_order)
    return DoctorReport(shown, len(samples), backbone, time.perf_counter() - start,
                        len(findings) - len(shown), list(fs.skipped))
