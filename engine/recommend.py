"""Measure how well pretrained backbones fit a dataset, place it on the seeds' grid, recommend a strategy.

The grid (size x similarity to ImageNet):

* small & similar: frozen backbone, a head on cached features (``features``; ``stack`` when
  several good backbones complement each other);
* small & dissimilar: ``partial``, the first k layer groups frozen, the rest trained;
* large & similar: ``full`` fine-tuning;
* large & dissimilar: ``full``, or ``scratch`` when very large and very dissimilar.

Similarity is measured, not guessed: a capped, seeded sample per class is embedded with each
backbone (through the shared feature cache, so a later ``features`` run reuses the vectors) and
scored by :mod:`engine.transferability`. Nothing here imports Qt; :func:`recommend` is meant to
run off the GUI thread and honours a :class:`~engine.control.RunControl`.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from engine.config import DEFAULTS, TrainConfig
from engine.control import RunControl
from engine.data.scan import TRAIN, VAL, DatasetIndex, Sample
from engine.data.transforms import EvalTransform, to_uint8_chw
from engine.device import pick_device
from engine.errors import ImageError, WeightsError
from engine.features import extract_features, make_extractor, module_digest, open_store
from engine.imaging import load_rgb_array
from engine.models.registry import (
    DEFAULT_BACKBONE,
    build_backbone,
    build_imagenet_classifier,
    get_spec,
    layer_groups,
    list_backbones,
    offline_available,
)
from engine.strategies import basic_auto_strategy, default_freeze_k
from engine.transferability import imagenet_likeness, knn_accuracy, linear_probe_accuracy, logme

StageProgress = Callable[[str, int, int], None]

MAX_CANDIDATES = 4
LARGE_PER_CLASS = 500
VERY_LARGE_PER_CLASS = 5000
SIMILAR_CONFIDENCE = 0.4
SIMILAR_PROBE = 0.9
VERY_DISSIMILAR_PROBE = 0.6
VERY_DISSIMILAR_CONFIDENCE = 0.2
DECENT_PROBE = 0.7
STACK_GAIN = 0.01
SPEED_TIE = 0.01
IMAGENET_CLASSES = 1000


@dataclass(frozen=True)
class Measurement:
    """What was measured for one backbone on the sample.

    Attributes:
        name: Backbone name.
        scores: ``knn``, ``probe``, ``logme``, ``imagenet_confidence``, ``imagenet_entropy``.
        forward_s: Seconds per image for a no-grad forward pass on the run's device.
        extract_s: Seconds per image the feature extraction took (decoding included), None when
            every vector came from the cache.
        train_s: Seconds per image for a forward and backward pass through every layer.
        groups: Number of layer groups (for ``partial``'s k).
        kept: Indices of the sample images this backbone could read.
        features: The sample's vectors (rows match ``kept``).
    """

    name: str
    scores: dict[str, float | None]
    forward_s: float
    train_s: float
    groups: int
    extract_s: float | None = None
    kept: tuple[int, ...] = ()
    features: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32), repr=False)

    @property
    def accuracy(self) -> float:
        """The probe accuracy, or the kNN accuracy when the probe could not run."""
        probe = self.scores.get("probe")
        return float(probe if probe is not None else self.scores.get("knn") or 0.0)


@dataclass(frozen=True)
class DatasetSize:
    """The counts the grid and the time estimates need."""

    train_images: int
    val_images: int
    classes: int
    sample_size: int
    decode_s: float = 0.0

    @property
    def per_class(self) -> float:
        """Training images per class."""
        return self.train_images / max(1, self.classes)


@dataclass(frozen=True)
class Recommendation:
    """A strategy, its backbone(s) and why, with the measurements behind it.

    Attributes:
        strategy: One of ``engine.config.STRATEGIES``.
        backbones: The backbone(s) to use (two or more only for ``stack``).
        k: Layer groups to keep frozen for ``partial``; None for the other strategies.
        reason: One or two plain sentences.
        expected_acc: ``(low, high)`` validation accuracy the strategy is expected to reach.
        scores: Per backbone, ``knn``, ``probe``, ``logme``, ``imagenet_confidence``, ``imagenet_entropy``.
        cell: ``("small" | "large", "similar" | "dissimilar")``.
        eta_seconds: Estimated training time per strategy on this machine.
        images_per_class: Training images per class.
        sample_size: Images measured.
        stack_probe: Probe accuracy of the concatenated features, when several backbones were measured.
        seconds: How long the measurement took.
    """

    strategy: str
    backbones: tuple[str, ...]
    k: int | None
    reason: str
    expected_acc: tuple[float, float]
    scores: dict[str, dict[str, float | None]]
    cell: tuple[str, str]
    eta_seconds: dict[str, float]
    images_per_class: float = 0.0
    sample_size: int = 0
    stack_probe: float | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (tuples become lists)."""
        data = dataclasses.asdict(self)
        data["backbones"] = list(self.backbones)
        data["expected_acc"] = list(self.expected_acc)
        data["cell"] = list(self.cell)
        return data


# ---------------------------------------------------------------------------------------------
# Measuring.


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


def time_passes(backbone: nn.Module, input_size: int, device: torch.device) -> tuple[float, float]:
    """Seconds per image for one forward batch (no grad) and one forward+backward batch.

    The module is left in training mode with updated batch-norm statistics: call it last.
    """
    batch = 16 if device.type == "cuda" else 4
    model = backbone.to(device).to(memory_format=torch.channels_last)
    x = torch.randn(batch, 3, input_size, input_size, device=device).contiguous(
        memory_format=torch.channels_last
    )
    autocast = torch.autocast(device.type, enabled=device.type == "cuda")
    for p in model.parameters():
        p.requires_grad_(True)

    def step(inputs: torch.Tensor) -> None:
        with autocast:
            loss = model(inputs).float().square().mean()
        loss.backward()
        model.zero_grad(set_to_none=True)

    model.train()
    step(x[:2])  # warm-up: first-call allocations and kernel choices
    model.eval()
    with torch.no_grad(), autocast:
        forward = _timed(lambda: model(x), device)
    model.train()
    train = _timed(lambda: step(x), device)
    return forward / batch, train / batch


def _timed(fn: Callable[[], object], device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def decode_seconds(samples: Sequence[Sample], name: str, count: int = 8) -> float:
    """Seconds to decode and preprocess one image, from the first ``count`` readable samples."""
    transform = EvalTransform(get_spec(name).preprocess)
    start, done = time.perf_counter(), 0
    for sample in samples[:count]:
        try:
            transform(to_uint8_chw(load_rgb_array(sample.path)))
            done += 1
        except ImageError:
            continue
    return (time.perf_counter() - start) / max(1, done)


def _embed(
    name: str,
    backbone: nn.Module,
    samples: Sequence[Sample],
    device: torch.device,
    progress: StageProgress,
    control: RunControl,
) -> tuple[np.ndarray, list[int], float | None]:
    """The sample's vectors from the shared feature cache, computing the missing ones.

    Returns:
        The vectors, the indices of the samples they belong to, and the seconds per computed image
        (None when fewer than 8 were computed).
    """
    spec = get_spec(name).preprocess
    store, prefix = open_store(name, module_digest(backbone), spec)
    threads = torch.get_num_threads()
    stage = f"Measuring how well {name} fits your images"
    start = time.perf_counter()
    try:
        fs = extract_features(
            samples,
            store,
            prefix,
            lambda: make_extractor(name, backbone, spec, device, "auto", threads),
            spec,
            progress=lambda d, t: progress(stage, d, t),
            control=control,
        )
    finally:
        store.close()
    rate = (time.perf_counter() - start) / fs.computed if fs.computed >= 8 else None
    return fs.vectors, fs.kept, rate


def score_features(features: np.ndarray, labels: np.ndarray) -> dict[str, float | None]:
    """kNN, linear-probe and LogME scores of one backbone's sample vectors."""
    if len(labels) < 2:
        return {"knn": None, "probe": None, "logme": None}
    _, y = np.unique(labels, return_inverse=True)
    return {
        "knn": knn_accuracy(features, y),
        "probe": linear_probe_accuracy(features, y),
        "logme": logme(features, y),
    }


def measure_backbone(
    name: str,
    samples: Sequence[Sample],
    device: torch.device,
    progress: StageProgress,
    control: RunControl,
) -> Measurement:
    """Embed the sample with one pretrained backbone, score it and time its passes.

    Raises:
        WeightsError: If the backbone's pretrained weights cannot be loaded offline.
        RunCancelled: If ``control`` was cancelled.
    """
    backbone = build_backbone(name, pretrained=True)
    groups = len(layer_groups(name, backbone))
    features, kept, extract_s = _embed(name, backbone, samples, device, progress, control)
    control.raise_if_cancelled()
    labels = np.array([samples[i].label for i in kept], dtype=np.int64)
    progress(f"Scoring {name}", 0, 2)
    scores = score_features(features, labels)
    confidence, entropy = imagenet_scores(name, features)
    scores.update(imagenet_confidence=confidence, imagenet_entropy=entropy)
    control.raise_if_cancelled()
    progress(f"Scoring {name}", 1, 2)
    forward_s, train_s = time_passes(backbone, get_spec(name).preprocess.input_size, device)
    progress(f"Scoring {name}", 2, 2)
    return Measurement(name, scores, forward_s, train_s, groups, extract_s, tuple(kept), features)


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


# ---------------------------------------------------------------------------------------------
# Deciding.


def place_on_grid(size: DatasetSize, best: Measurement) -> tuple[str, str]:
    """``(small|large, similar|dissimilar)`` from images per class, ImageNet-likeness and the probe."""
    confidence = best.scores.get("imagenet_confidence")
    looks_like = confidence is None or confidence >= SIMILAR_CONFIDENCE
    similar = best.accuracy >= SIMILAR_PROBE and looks_like
    return ("large" if size.per_class >= LARGE_PER_CLASS else "small", "similar" if similar else "dissimilar")


def very_dissimilar(best: Measurement) -> bool:
    """Features barely separate the classes and the images do not look like ImageNet photos."""
    confidence = best.scores.get("imagenet_confidence")
    return best.accuracy < VERY_DISSIMILAR_PROBE and (confidence or 0.0) < VERY_DISSIMILAR_CONFIDENCE


def partial_k(groups: int, best: Measurement, size: DatasetSize) -> int:
    """Freeze half the groups; only a third when the features fit poorly and there is data to adapt."""
    if best.accuracy < 0.85 and size.per_class >= 50:
        return max(1, groups // 3)
    return default_freeze_k(groups)


def pick_backbone(measures: Sequence[Measurement], fine_tune: bool) -> Measurement:
    """The most accurate backbone; among those within a point of it, the fastest to train."""
    best = max(m.accuracy for m in measures)
    close = [m for m in measures if m.accuracy >= best - SPEED_TIE]
    return min(close, key=lambda m: m.train_s if fine_tune else m.forward_s)


def choose_strategy(
    cell: tuple[str, str], size: DatasetSize, measures: Sequence[Measurement], stacked: float | None
) -> tuple[str, list[Measurement], int | None]:
    """The grid's strategy for ``cell``, its backbone(s) and k (partial only)."""
    large, similar = cell[0] == "large", cell[1] == "similar"
    if similar and not large:
        best = pick_backbone(measures, fine_tune=False)
        good = [m for m in measures if m.accuracy >= DECENT_PROBE]
        best_single = max(m.accuracy for m in measures)
        if stacked is not None and len(good) >= 2 and stacked > best_single + STACK_GAIN:
            return "stack", sorted(good, key=lambda m: -m.accuracy), None
        return "features", [best], None
    best = pick_backbone(measures, fine_tune=True)
    if not large:
        return "partial", [best], partial_k(best.groups, best, size)
    if not similar and size.per_class >= VERY_LARGE_PER_CLASS and very_dissimilar(best):
        return "scratch", [best], None
    return "full", [best], None


def expected_accuracy(
    strategy: str, cell: tuple[str, str], size: DatasetSize, best: Measurement, stacked: float | None
) -> tuple[float, float]:
    """An honest validation-accuracy range from the probes.

    The margin is two standard errors of a proportion measured on the sample and then again on
    the validation set, plus a point. A frozen backbone may do as badly as the weaker of the kNN
    and probe scores; fine-tuning starts from the probe and may gain part of what the frozen
    features miss (more when the images are unlike ImageNet); so may a head trained on more
    images than the probe saw.
    """
    probe = stacked if strategy == "stack" and stacked is not None else best.accuracy
    knn = best.scores.get("knn")
    p = min(max(probe, 0.0), 1.0)
    n_val = max(1, size.val_images)
    se = math.sqrt(max(p * (1 - p), 0.0025) * (1 / max(1, size.sample_size) + 1 / n_val))
    margin = 2 * se + 0.01
    fine_tune = strategy in ("partial", "full", "scratch")
    low = (p if fine_tune or knn is None else min(p, knn)) - margin
    gain = (1 - p) * (0.6 if cell[1] == "dissimilar" else 0.3) if fine_tune else 0.0
    if size.train_images > size.sample_size:
        gain += (1 - p) * 0.2
    high = p + margin + gain
    return round(max(0.0, low), 3), round(min(1.0, high), 3)


def estimate_seconds(
    size: DatasetSize, measures: Sequence[Measurement], chosen: Measurement
) -> dict[str, float]:
    """Training time per strategy, from the measured passes and the strategy defaults.

    Decoding overlaps the network in the loader's workers, so each image costs the larger of the
    two. Frozen-feature strategies pay one extraction pass over the images not already cached (the
    measured sample is) at the measured extraction rate, and a head fitted in about a second.
    """
    decode = size.decode_s / 2
    n_train, n_val = size.train_images, size.val_images
    uncached = max(0, n_train + n_val - size.sample_size)

    def epochs(strategy: str, per_train_image: float) -> float:
        evaluate = n_val * max(chosen.forward_s, decode)
        return DEFAULTS[strategy].epochs * (n_train * max(per_train_image, decode) + evaluate)

    def extraction(m: Measurement) -> float:
        per_image = m.extract_s if m.extract_s is not None else max(m.forward_s, decode)
        return uncached * per_image + 1.0

    k = partial_k(chosen.groups, chosen, size)
    share = 1 - k / max(1, chosen.groups)
    partial = chosen.forward_s + (chosen.train_s - chosen.forward_s) * share
    eta = {
        "features": extraction(chosen),
        "linear": epochs("linear", chosen.forward_s),
        "partial": epochs("partial", partial),
        "full": epochs("full", chosen.train_s),
        "scratch": epochs("scratch", chosen.train_s),
    }
    if len(measures) >= 2:
        eta["stack"] = sum(extraction(m) for m in measures)
    return {name: round(seconds, 1) for name, seconds in eta.items()}


def explain(
    strategy: str,
    size: DatasetSize,
    best: Measurement,
    k: int | None,
    stacked: float | None,
) -> str:
    """One or two plain sentences saying why."""
    per_class = f"{size.per_class:,.0f}"
    probe = f"{best.accuracy:.0%}"
    if strategy == "features":
        return (
            "Your pictures resemble the everyday photos the network learned from: unchanged, it already "
            f"sorted {probe} of a sample correctly. With about {per_class} images per class, training only "
            "a new final layer on its stored features is the most accurate choice and takes seconds."
        )
    if strategy == "stack":
        return (
            "Each pretrained network recognises your pictures well, and together they sorted "
            f"{stacked:.0%} of a sample correctly against {probe} for the best one alone. A new final layer "
            "on their combined stored features gets the best of both and trains in seconds."
        )
    if strategy == "partial":
        return (
            "Your pictures differ from the everyday photos the network learned from: unchanged, it "
            f"sorted only {probe} of a sample correctly. With about {per_class} images per class, retraining "
            f"its upper layers while keeping the first {k} of {best.groups} layer groups fixed adapts it "
            "without overfitting."
        )
    if strategy == "scratch":
        return (
            f"Your pictures are very unlike the network's training photos (unchanged, it sorted {probe} of a "
            f"sample correctly), and about {per_class} images per class are enough to train it from scratch."
        )
    return (
        f"With about {per_class} images per class there is enough data to retrain every layer, which "
        f"should improve on the {probe} the unchanged network reached on a sample."
    )


def decide(
    size: DatasetSize, measures: Sequence[Measurement], stacked: float | None = None
) -> Recommendation:
    """Turn measurements into a recommendation (no I/O; what :func:`recommend` ends with)."""
    if not measures:
        raise ValueError("at least one backbone measurement is needed")
    best = pick_backbone(measures, fine_tune=False)
    cell = place_on_grid(size, best)
    strategy, chosen, k = choose_strategy(cell, size, measures, stacked)
    expected = expected_accuracy(strategy, cell, size, chosen[0], stacked)
    return Recommendation(
        strategy=strategy,
        backbones=tuple(m.name for m in chosen),
        k=k,
        reason=explain(strategy, size, chosen[0], k, stacked),
        expected_acc=expected,
        scores={m.name: _rounded(m.scores) for m in measures},
        cell=cell,
        eta_seconds=estimate_seconds(size, measures, chosen[0]),
        images_per_class=round(size.per_class, 1),
        sample_size=size.sample_size,
        stack_probe=None if stacked is None else round(stacked, 4),
    )


def _rounded(scores: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if v is None else round(float(v), 4) for k, v in scores.items()}


# ---------------------------------------------------------------------------------------------
# Entry points.


def recommend(
    index: DatasetIndex,
    backbones: Sequence[str] | None = None,
    sample_per_class: int = 60,
    progress: StageProgress | None = None,
    control: RunControl | None = None,
    seed: int = 0,
    device: str = "auto",
) -> Recommendation:
    """Measure the backbones on a sample of ``index`` and recommend a strategy.

    Args:
        index: The scanned dataset.
        backbones: Backbones to consider; default ``efficientnet_lite0`` plus up to three others
            whose weights are available offline.
        sample_per_class: Training images per class to embed (seeded sample).
        progress: ``progress(stage, done, total)``.
        control: Cancels between batches and stages.
        seed: Seeds the sample.
        device: Where to embed and time (``auto``, ``cpu``, ``cuda``...).

    Returns:
        The recommendation, with the scores behind it.

    Raises:
        WeightsError: If no candidate backbone's weights can be loaded offline.
        RunCancelled: If ``control`` was cancelled.
    """
    started = time.perf_counter()
    control = control or RunControl()
    report: StageProgress = progress or (lambda stage, done, total: None)
    names = candidate_backbones(backbones)
    samples = sample_images(index, sample_per_class, seed)
    target = pick_device(device)
    measures: list[Measurement] = []
    problems: list[str] = []
    for name in names:
        control.raise_if_cancelled()
        try:
            measures.append(measure_backbone(name, samples, target, report, control))
        except WeightsError as exc:
            problems.append(str(exc))
            warnings.warn(f"{name} left out of the recommendation: {exc}", stacklevel=2)
    if not measures:
        raise WeightsError("No backbone could be measured: " + " ".join(problems))
    size = DatasetSize(
        len(index.subset(TRAIN)),
        len(index.subset(VAL)),
        len(index.classes),
        len(measures[0].kept),
        decode_seconds(samples, measures[0].name),
    )
    report("Recommending", 0, 1)
    rec = decide(size, measures, stack_probe([m for m in measures if m.accuracy >= DECENT_PROBE], samples))
    report("Recommending", 1, 1)
    return dataclasses.replace(rec, seconds=round(time.perf_counter() - started, 2))


def resolve_auto(
    config: TrainConfig,
    index: DatasetIndex,
    progress: StageProgress | None = None,
    control: RunControl | None = None,
) -> tuple[TrainConfig, str]:
    """Replace ``strategy="auto"`` by the recommendation among ``config.backbones``.

    Sets the strategy, the backbone(s) and, for ``partial``, ``freeze_k`` unless the user gave
    one. Without pretrained weights nothing can be measured, so the size rule decides.

    Returns:
        The new configuration and the reason, in plain words.
    """
    if not config.pretrained:
        strategy, reason = basic_auto_strategy(len(index.subset(TRAIN)), len(index.classes))
        return dataclasses.replace(config, strategy=strategy, backbones=config.backbones[:1]), reason
    rec = recommend(
        index, config.backbones, progress=progress, control=control, seed=config.seed, device=config.device
    )
    freeze_k = config.freeze_k if config.freeze_k is not None else rec.k
    resolved = dataclasses.replace(config, strategy=rec.strategy, backbones=rec.backbones, freeze_k=freeze_k)
    return resolved, rec.reason
