"""k-nearest-neighbour novelty scores on the L2-normalised penultimate embedding (Sun et al., 2022).

An image is scored by two signals, each normalised by the value that 95% of in-distribution
validation images stay under:

- the cosine distance to its k-th nearest training embedding (k = 1 when the smallest class is
  tiny, up to 10): far from every training image means unlike anything the model has seen;
- one minus its calibrated top probability: a low-confidence answer.

``unknown_score = max(distance / d95, (1 - p_top) / q95) / c95`` and an image is unknown when the
score exceeds 1. ``c95`` rescales the combined score so that, on validation, 95% of images are
accepted: the threshold is chosen with no outlier data. Every step is a standard ONNX operator
(normalise, MatMul, TopK, Div, Max, Greater), so the exported graph computes the same score.
Numpy only (no torch): the predictor and the export share it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ACCEPT_RATE = 0.95
"""The share of in-distribution validation images the threshold accepts."""
MIN_DOUBT_SCALE = 0.05
"""Floor of the confidence signal's scale: when nearly every validation answer is 99.9% sure, a
95th percentile of ``1 - p`` near zero would make any small doubt look enormous."""
REFERENCE_CAP = 5000
"""At most this many reference embeddings go into the model file (5,000 x 1,280 floats is 25 MB)."""


def l2_normalise(embeddings: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero)."""
    x = np.asarray(embeddings, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def choose_k(class_counts: list[int]) -> int:
    """The k of the k-th-neighbour distance: 1 when a class has under 20 references, up to 10."""
    smallest = min(class_counts) if class_counts else 0
    if smallest < 20:
        return 1
    return 5 if smallest < 100 else 10


def select_reference(labels: np.ndarray, cap: int = REFERENCE_CAP, seed: int = 0) -> np.ndarray:
    """Indices of at most ``cap`` reference rows covering every class (stratified, seeded)."""
    labels = np.asarray(labels)
    if len(labels) <= cap:
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    share = max(1, cap // len(classes))
    picked = [rng.permutation(np.flatnonzero(labels == c))[:share] for c in classes]
    chosen = np.concatenate(picked)
    rest = np.setdiff1d(np.arange(len(labels)), chosen)
    extra = rng.permutation(rest)[: max(0, cap - len(chosen))]
    return np.sort(np.concatenate([chosen, extra]))


def knn_distance(queries: np.ndarray, reference: np.ndarray, k: int) -> np.ndarray:
    """Cosine distance from each (normalised) query to its k-th nearest (normalised) reference."""
    sims = l2_normalise(queries) @ reference.T
    k = min(k, reference.shape[0])
    kth = -np.partition(-sims, k - 1, axis=1)[:, k - 1]
    return (1.0 - kth).astype(np.float32)


@dataclass(frozen=True)
class NoveltyModel:
    """What the export needs to compute the score: references, k and the three scales."""

    reference: np.ndarray  # (n, d), L2-normalised float32
    k: int
    distance_scale: float  # d95
    confidence_scale: float  # q95
    combined_scale: float  # c95
    accept_rate: float = ACCEPT_RATE

    def scores(self, embeddings: np.ndarray, top_probability: np.ndarray) -> np.ndarray:
        """``unknown_score`` of each image; above 1 means "none of my classes"."""
        distance = knn_distance(embeddings, self.reference, self.k) / self.distance_scale
        doubt = (1.0 - np.asarray(top_probability, dtype=np.float32)) / self.confidence_scale
        return (np.maximum(distance, doubt) / self.combined_scale).astype(np.float32)

    def metadata(self) -> dict[str, float | int | str]:
        """The parameters written into the model file's metadata."""
        return {
            "method": "knn-cosine+calibrated-msp",
            "k": self.k,
            "references": int(self.reference.shape[0]),
            "distance_scale": self.distance_scale,
            "confidence_scale": self.confidence_scale,
            "combined_scale": self.combined_scale,
            "threshold": 1.0,
            "accept_rate": self.accept_rate,
            "chosen_by": f"accepts {self.accept_rate:.0%} of the validation images (no outlier data)",
        }


def _quantile(values: np.ndarray, rate: float) -> float:
    return max(float(np.quantile(values, rate)), 1e-6) if len(values) else 1.0


def fit_novelty(
    train_embeddings: np.ndarray,
    train_labels: np.ndarray,
    val_embeddings: np.ndarray,
    val_top_probability: np.ndarray,
    accept_rate: float = ACCEPT_RATE,
    cap: int = REFERENCE_CAP,
) -> NoveltyModel:
    """Build the reference set from training embeddings and set the scales on validation images."""
    labels = np.asarray(train_labels)
    idx = select_reference(labels, cap)
    reference = l2_normalise(np.asarray(train_embeddings)[idx])
    k = choose_k([int((labels[idx] == c).sum()) for c in np.unique(labels)])
    distance = knn_distance(val_embeddings, reference, k)
    doubt = 1.0 - np.asarray(val_top_probability, dtype=np.float32)
    d_scale = _quantile(distance, accept_rate)
    q_scale = max(_quantile(doubt, accept_rate), MIN_DOUBT_SCALE)
    combined = np.maximum(distance / d_scale, doubt / q_scale)
    return NoveltyModel(reference, k, d_scale, q_scale, _quantile(combined, accept_rate), accept_rate)


def auroc(in_scores: np.ndarray, out_scores: np.ndarray) -> float:
    """Area under the ROC curve for telling ``out_scores`` (higher) from ``in_scores`` (ties count half)."""
    a, b = np.sort(np.asarray(in_scores, dtype=np.float64)), np.asarray(out_scores, dtype=np.float64)
    if len(a) == 0 or len(b) == 0:
        return float("nan")
    below = np.searchsorted(a, b, side="left")
    ties = np.searchsorted(a, b, side="right") - below
    return float((below + 0.5 * ties).sum() / (len(a) * len(b)))


def leave_one_class_out_auroc(
    embeddings: np.ndarray, labels: np.ndarray, val_embeddings: np.ndarray, val_labels: np.ndarray
) -> dict[int, float]:
    """Near-novelty proxy: each class in turn is left out of the references and scored as unknown.

    Uses the distance signal alone (the classifier itself was trained on every class).
    """
    labels, val_labels = np.asarray(labels), np.asarray(val_labels)
    out: dict[int, float] = {}
    for c in np.unique(labels):
        keep = labels != c
        if not keep.any() or not (val_labels == c).any() or (val_labels != c).sum() == 0:
            continue
        reference = l2_normalise(np.asarray(embeddings)[keep])
        k = choose_k([int((labels[keep] == o).sum()) for o in np.unique(labels[keep])])
        scores = knn_distance(val_embeddings, reference, k)
        out[int(c)] = auroc(scores[val_labels != c], scores[val_labels == c])
    return out
