"""The recommender's measuring pipeline: sample the dataset, embed it, score and time each backbone.

A capped, seeded sample per class is embedded with each pretrained backbone through the shared
feature cache (so a later ``features`` run reuses the vectors) and scored by
:mod:`engine.recommend.transferability`; the extraction and the passes a run makes are timed on the
run's device, with its threads (:mod:`engine.recommend.pass_timer`), for the time estimates.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from engine.config import DEFAULT_BACKBONE
from engine.control import RunControl
from engine.data.scan import TRAIN, DatasetIndex, Sample
from engine.data.transforms import EvalTransform, to_uint8_chw
from engine.errors import ImageError
from engine.features.cached import cached_features
from engine.features.extraction import FeatureSet, extraction_precision, module_digest, open_store
from engine.imaging import load_rgb_array
from engine.models.registry import (
    build_backbone,
    build_imagenet_classifier,
    get_spec,
    layer_groups,
    list_backbones,
    offline_available,
)
from engine.progress import Progress
from engine.recommend.evidence import ProbeCurve, probe_curve
from engine.recommend.pass_timer import time_passes, torch_threads
from engine.recommend.rules import Measurement
from engine.recommend.timing import steady_rate
from engine.recommend.transferability import imagenet_likeness, knn_accuracy, linear_probe_accuracy, logme

MAX_CANDIDATES = 4
IMAGENET_CLASSES = 1000


def candidate_backbones(backbones: Sequence[str] | None) -> list[str]:
    """The backbones to measure: the given ones, else the default plus others usable offline."""
    if backbones:
        return list(dict.fromkeys(backbones))
    others = [s.name for s in list_backbones() if s.name != DEFAULT_BACKBONE and offline_available(s.name)]
    return [DEFAULT_BACKBONE, *others][:MAX_CANDIDATES]


def sample_images(index: DatasetIndex, per_class: int, seed: int = 0) -> list[Sample]:
    """Up to ``per_class`` training images of each class, picked at random (seeded), in a stable order."""
    rng = np.random.default_rng(seed)
    pool = index.subset(TRAIN) or index.samples
    chosen: list[Sample] = []
    for label in range(len(index.classes)):
        members = [s for s in pool if s.label == label]
        if len(members) > per_class:
            members = [members[i] for i in sorted(rng.choice(len(members), per_class, replace=False))]
        chosen.extend(members)
    return chosen


def imagenet_head(model: nn.Module, feature_dim: int) -> nn.Module | None:
    """The ImageNet classifier's last layer when it maps the backbone's features to the 1000 logits."""
    heads = [
        m
        for m in model.modules()
        if isinstance(m, nn.Linear) and m.out_features == IMAGENET_CLASSES and m.in_features == feature_dim
    ]
    return heads[-1] if heads else None


def imagenet_scores(name: str, features: np.ndarray) -> tuple[float | None, float | None]:
    """Mean max-softmax confidence and normalised entropy of the backbone's own ImageNet head.

    The head is applied to the cached features (the features are its input), so no second pass
    over the images is needed. Returns ``(None, None)`` when the head is not a linear layer on the
    features (SqueezeNet) or there are no features.
    """
    if not len(features):
        return None, None
    head = imagenet_head(build_imagenet_classifier(name), features.shape[1])
    if head is None:
        return None, None
    with torch.no_grad():
        logits = head(torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32))).numpy()
    return imagenet_likeness(logits)


def decode_seconds(samples: Sequence[Sample], name: str, count: int = 8) -> float:
    """CPU seconds to decode and preprocess one image, from the first ``count`` readable samples.

    Timed as a loader's worker does it (one thread) and in CPU time, not wall time: the workers
    get their own share of the cores, so what decoding costs a run is the CPU it takes from the
    network, whatever else the machine is running at the moment.
    """
    transform = EvalTransform(get_spec(name).preprocess)
    done = 0
    with torch_threads(1):
        start = time.thread_time()
        for sample in samples[:count]:
            try:
                transform(to_uint8_chw(load_rgb_array(sample.path)))
                done += 1
            except ImageError:
                continue
        return (time.thread_time() - start) / max(1, done)


def _embed(
    name: str,
    backbone: nn.Module,
    samples: Sequence[Sample],
    device: torch.device,
    progress: Progress,
    control: RunControl,
    others: Sequence[Sample] = (),
) -> tuple[np.ndarray, list[int], tuple[float, float] | None, int]:
    """The sample's vectors from the shared feature cache, computing the missing ones.

    The extraction is timed in steady state (:func:`engine.recommend.timing.steady_rate`): its
    first batch, which starts the inference session, is timed apart. Up to :data:`RATE_PROBE`
    of ``others`` (the rest of the dataset) not cached yet are embedded too when the sample
    could not be timed so, or when there are that many: a clean timing (the sample's may include
    exporting the network once), and the run needs them anyway.

    Returns:
        The vectors, the indices of the samples they belong to, the seconds per image and the
        first batch's extra seconds (None when fewer than 8 images were computed), and how many
        of ``others`` are still not cached.
    """
    stage = f"Measuring how well {name} fits your images"
    fs, timing = _timed_extraction(name, backbone, samples, device, stage, progress, control)
    missing = uncached(name, backbone, others, device)
    if len(missing) >= RATE_PROBE or (timing is None and len(missing) >= 8):
        _, probe = _timed_extraction(name, backbone, missing[:RATE_PROBE], device, stage, progress, control)
        timing, missing = probe or timing, missing[RATE_PROBE:]
    return fs.vectors, fs.kept, timing, len(missing)


RATE_PROBE = 64  # images embedded to time the extraction (two batches): the run needs them anyway


def _timed_extraction(
    name: str,
    backbone: nn.Module,
    samples: Sequence[Sample],
    device: torch.device,
    stage: str,
    progress: Progress,
    control: RunControl,
) -> tuple[FeatureSet, tuple[float, float] | None]:
    """:func:`cached_features`, and its steady seconds per image and first-batch excess (see ``_embed``)."""
    marks: list[tuple[float, int]] = []

    def report(done: int, total: int, message: str) -> None:
        marks.append((time.perf_counter(), done))
        progress(done, total, message)

    started = time.perf_counter()
    fs = cached_features(name, backbone, samples, device, stage, report, control)
    timing = steady_rate(marks)
    if timing is None and fs.computed >= 8:  # one batch: its setup is counted in the rate
        timing = (time.perf_counter() - started) / fs.computed, 0.0
    return fs, timing


def uncached(name: str, backbone: nn.Module, samples: Sequence[Sample], device: torch.device) -> list[Sample]:
    """The samples whose vectors (eval view, as computed on ``device``) are not in the shared cache yet."""
    if not samples:
        return []
    precision = extraction_precision(device)
    store, prefix = open_store(name, module_digest(backbone), get_spec(name).preprocess, precision)
    try:
        keys = {}
        for s in samples:
            try:
                keys[f"{prefix}:0:{store.content_key(s.path)}"] = s
            except OSError:
                continue
        found = store.get_many(list(keys))
    finally:
        store.close()
    return [s for key, s in keys.items() if key not in found]


def score_features(
    features: np.ndarray, labels: np.ndarray
) -> tuple[dict[str, float | None], ProbeCurve | None]:
    """kNN, linear-probe and LogME scores of one backbone's sample vectors, and the probe's learning curve."""
    if len(labels) < 2:
        return {"knn": None, "probe": None, "logme": None}, None
    _, y = np.unique(labels, return_inverse=True)
    curve = probe_curve(features, y)
    scores = {
        "knn": knn_accuracy(features, y),
        "probe": None if curve is None else curve.accuracy,
        "logme": logme(features, y),
    }
    return scores, curve


def measure_backbone(
    name: str,
    samples: Sequence[Sample],
    device: torch.device,
    progress: Progress,
    control: RunControl,
    others: Sequence[Sample] = (),
    threads: int | None = None,
) -> Measurement:
    """Embed the sample with one pretrained backbone, score it and time its passes.

    ``others`` are the dataset's other images: how many are not cached yet is what a
    ``features`` run will have to embed. Everything runs with the thread count the run will
    use (``threads``, default :func:`engine.device.default_threads`), so the timings hold for it.

    Raises:
        WeightsError: If the backbone's pretrained weights cannot be loaded offline.
        RunCancelled: If ``control`` was cancelled.
    """
    with torch_threads(threads):
        started = time.perf_counter()
        backbone = build_backbone(name, pretrained=True)
        build_s = time.perf_counter() - started
        embedded = _embed(name, backbone, samples, device, progress, control, others)
        features, kept, extraction, missing = embedded
        control.raise_if_cancelled()
        labels = np.array([samples[i].label for i in kept], dtype=np.int64)
        progress(0, 2, f"Scoring {name}")
        scores, curve = score_features(features, labels)
        confidence, entropy = imagenet_scores(name, features)
        scores.update(imagenet_confidence=confidence, imagenet_entropy=entropy)
        control.raise_if_cancelled()
        progress(1, 2, f"Scoring {name}")
        groups = layer_groups(name, backbone)
        timing = time_passes(get_spec(name), backbone, groups, device, threads)
        timing = dataclasses.replace(timing, build_s=build_s)
        progress(2, 2, f"Scoring {name}")
    extract_s = None
    if extraction is not None:
        extract_s, setup_s = extraction
        timing = dataclasses.replace(timing, extract_setup_s=setup_s)
    return Measurement(
        name, scores, timing.forward_s, timing.train_s, len(groups), extract_s,
        tuple(kept), features, timing.save_s, curve, missing, timing,
    )


def stack_probe(measures: Sequence[Measurement], samples: Sequence[Sample]) -> float | None:
    """Probe accuracy of the concatenated (per-backbone standardised) features of ``measures``."""
    if len(measures) < 2:
        return None
    common = sorted(set.intersection(*(set(m.kept) for m in measures)))
    if len(common) < 2:
        return None
    parts = []
    for m in measures:
        rows = {k: r for r, k in enumerate(m.kept)}
        x = m.features[[rows[i] for i in common]].astype(np.float64)
        # Each backbone gets the same total weight whatever its feature size.
        parts.append((x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6) / math.sqrt(x.shape[1]))
    _, labels = np.unique([samples[i].label for i in common], return_inverse=True)
    return linear_probe_accuracy(np.hstack(parts), labels)
