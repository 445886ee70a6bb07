"""The doctor's checks on embeddings and pixel statistics; each returns findings, worst first.

Inputs are plain arrays and lists (no torch): the embeddings of every image, their labels,
splits and paths, and their :class:`~engine.doctor.pixels.PixelStats`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from engine.doctor import thresholds as th
from engine.doctor.findings import Finding
from engine.doctor.neighbours import NeighbourGraph, neighbour_graph
from engine.doctor.pixels import PixelStats, hamming


def _groups(pairs: list[tuple[int, int]], n: int) -> list[list[int]]:
    """Connected groups (union-find) of the images joined by ``pairs``; singletons left out."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        parent[root(a)] = root(b)
    members: dict[int, list[int]] = defaultdict(list)
    for i in sorted({i for pair in pairs for i in pair}):
        members[root(i)].append(i)
    return [g for g in members.values() if len(g) > 1]


def _pixel_neighbours(stats: Sequence[PixelStats | None]) -> NeighbourGraph:
    """Nearest neighbours by thumbnail correlation: finds copies the embedding places far apart (crops)."""
    thumbs = np.stack([s.thumbnail if s is not None else np.zeros(256, np.float32) for s in stats])
    return neighbour_graph(thumbs, th.NEIGHBOURS) if len(stats) else NeighbourGraph(
        np.zeros((0, 0), np.int64), np.zeros((0, 0), np.float32))


def duplicate_pairs(
    graph: NeighbourGraph, stats: Sequence[PixelStats | None]
) -> tuple[list[tuple[int, int]], dict[tuple[int, int], str]]:
    """Pairs that are exact (same pixels) or near duplicates, and why each pair was joined.

    Candidates come from two neighbour graphs: the embedding's (similar content) and the
    thumbnails' (similar pixels); :func:`_near_copy_reason` decides.
    """
    why: dict[tuple[int, int], str] = {}
    by_hash: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(stats):
        if s is not None:
            by_hash[s.pixel_hash].append(i)
    for members in by_hash.values():
        for other in members[1:]:
            why[(members[0], other)] = "identical pixels"
    median = float(np.median(graph.nearest)) if len(graph.nearest) else 0.0
    radius = max(th.NEAR_DUP_CANDIDATE * median, th.NEAR_DUP_CANDIDATE_MIN)
    for i in range(len(graph.index)):
        for j, d in zip(graph.index[i], graph.distance[i], strict=True):
            if d > radius and 1.0 - d < th.NEAR_DUP_COSINE:
                break  # neighbours are sorted: the rest are farther
            reason = _near_copy_reason(float(d), median, stats[i], stats[int(j)])
            if reason:
                why.setdefault((min(i, int(j)), max(i, int(j))), reason)
    pixels = _pixel_neighbours(stats)
    for i in range(len(pixels.index)):
        for j, d in zip(pixels.index[i], pixels.distance[i], strict=True):
            if 1.0 - d < th.THUMB_CORRELATION:
                break
            reason = _near_copy_reason(1.0, median, stats[i], stats[int(j)])
            if reason:
                why.setdefault((min(i, int(j)), max(i, int(j))), reason)
    return sorted(why), why


def _near_copy_reason(distance: float, median: float, a: PixelStats | None, b: PixelStats | None) -> str:
    """Why two close neighbours are near-copies, or "" when they are just similar photos."""
    if distance <= th.NEAR_DUP_RELATIVE * median or 1.0 - distance >= th.NEAR_DUP_COSINE:
        return f"near-copy: cosine similarity {1 - distance:.3f}"
    if a is not None and b is not None:
        bits = hamming(a.perceptual_hash, b.perceptual_hash)
        if bits <= th.PHASH_BITS and (corr := a.correlation(b)) >= th.THUMB_CORRELATION:
            return f"near-copy: pixel correlation {corr:.2f}, perceptual hashes {bits} of 64 bits apart"
    return ""


def duplicate_findings(
    graph: NeighbourGraph,
    stats: Sequence[PixelStats | None],
    paths: Sequence[str],
    splits: Sequence[str],
) -> list[Finding]:
    """Duplicate groups; a group with images on both sides of the split is leakage."""
    pairs, why = duplicate_pairs(graph, stats)
    findings = []
    for group in _groups(pairs, len(paths)):
        sides = {splits[i] for i in group}
        reasons = sorted({why[p] for p in pairs if p[0] in group and p[1] in group})
        members = tuple(paths[i] for i in group)
        if len(sides) > 1:
            majority = max(sides, key=lambda s: (sum(splits[i] == s for i in group), s == "train"))
            findings.append(Finding(
                "leakage", "high", members, float(len(group)),
                f"{len(group)} copies of one image on both sides of the split ({reasons[0]}): validation "
                "accuracy counts images the model has already seen", f"move_to:{majority}"))
        else:
            findings.append(Finding(
                "duplicate", "medium", members, float(len(group)),
                f"{len(group)} copies of one image ({reasons[0]}): it weighs more than the others",
                "exclude_extra"))
    return sorted(findings, key=lambda f: (f.kind != "leakage", -f.score))


def outlier_findings(graph: NeighbourGraph, paths: Sequence[str], labels: np.ndarray) -> list[Finding]:
    """Images far from every other: the mean distance to the k nearest is far above its class's median.

    The median is taken per class: a class of varied photos beside a class of near-identical
    shots would otherwise have every one of its images called an outlier.
    """
    if graph.distance.size == 0:
        return []
    mean = graph.distance.mean(axis=1)
    labels = np.asarray(labels)
    median = np.ones_like(mean)
    for c in np.unique(labels):
        median[labels == c] = max(float(np.median(mean[labels == c])), 1e-6)
    ratio = mean / median
    out = [
        Finding("outlier", "low", (paths[i],), float(ratio[i]),
                f"unlike every other image: {ratio[i]:.1f}x its class's usual distance to the "
                f"{graph.distance.shape[1]} nearest neighbours (flagged above {th.OUTLIER_FACTOR}x)",
                "review")
        for i in np.flatnonzero(ratio > th.OUTLIER_FACTOR)
    ]
    return sorted(out, key=lambda f: -f.score)


def _quality(s: PixelStats) -> list[tuple[str, str, float, str]]:
    """``(kind, severity, score, reason)`` for each pixel problem of one image."""
    found = []
    if s.brightness < th.DARK_BRIGHTNESS:
        found.append(("dark", "high" if s.brightness < 0.03 else "medium", 1 - s.brightness,
                      f"mostly black: mean brightness {s.brightness:.2f} (below {th.DARK_BRIGHTNESS})"))
    elif s.brightness > th.BRIGHT_BRIGHTNESS:
        found.append(("bright", "medium", s.brightness,
                      f"washed out: mean brightness {s.brightness:.2f} (above {th.BRIGHT_BRIGHTNESS})"))
    if s.contrast < th.LOW_CONTRAST:
        found.append(("low_contrast", "medium", 1 - s.contrast,
                      f"one flat tone: contrast {s.contrast:.3f} (below {th.LOW_CONTRAST})"))
    elif s.sharpness < th.BLUR_SHARPNESS:
        found.append(("blurry", "low", th.BLUR_SHARPNESS / max(s.sharpness, 1e-9),
                      f"no sharp edges: sharpness {s.sharpness:.5f} (below {th.BLUR_SHARPNESS})"))
    short, long = sorted((s.width, s.height))
    if short < th.TINY_SIDE:
        found.append(("tiny", "medium", th.TINY_SIDE / max(short, 1),
                      f"only {s.width}x{s.height} pixels (a side under {th.TINY_SIDE})"))
    if long > th.ODD_ASPECT * max(short, 1):
        found.append(("odd_shape", "low", long / max(short, 1),
                      f"{s.width}x{s.height}: the centre crop keeps {short / long:.0%} of it "
                      f"(flagged beyond {th.ODD_ASPECT:g}:1)"))
    return found


def quality_findings(stats: Sequence[PixelStats | None], paths: Sequence[str]) -> list[Finding]:
    """Dark, washed-out, flat, blurry, tiny and oddly shaped images."""
    out = [Finding(kind, severity, (paths[i],), score, reason, "exclude" if severity != "low" else "review")
           for i, s in enumerate(stats) if s is not None for kind, severity, score, reason in _quality(s)]
    return sorted(out, key=lambda f: (f.kind, -f.score))


def balance_findings(counts: dict[str, int]) -> list[Finding]:
    """A class under :data:`~engine.doctor.thresholds.TINY_CLASS` images, or a large imbalance."""
    out = [Finding("balance", "high", (), float(n), f"class '{name}' has only {n} image(s) "
                   f"(under {th.TINY_CLASS}): add more, or merge it", "add_images", (name,))
           for name, n in counts.items() if n < th.TINY_CLASS]
    present = {k: v for k, v in counts.items() if v > 0}
    if len(present) >= 2:
        big, small = max(present, key=present.get), min(present, key=present.get)  # type: ignore[arg-type]
        ratio = present[big] / present[small]
        if ratio > th.BALANCE_RATIO:
            out.append(Finding("balance", "medium", (), ratio,
                               f"'{big}' has {ratio:.0f}x the images of '{small}' "
                               f"(over {th.BALANCE_RATIO:g}x): the model will lean towards it",
                               "add_images", (small, big)))
    return out
