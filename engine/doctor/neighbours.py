"""One cosine k-nearest-neighbour graph over the embeddings, computed in blocks (memory stays bounded)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLOCK = 1024


@dataclass(frozen=True)
class NeighbourGraph:
    """For each image, its ``k`` nearest other images and their cosine distances (ascending)."""

    index: np.ndarray  # (n, k) int
    distance: np.ndarray  # (n, k) float32, 1 - cosine similarity

    @property
    def nearest(self) -> np.ndarray:
        """Distance to the nearest other image."""
        return self.distance[:, 0] if self.distance.size else np.zeros(len(self.index), np.float32)


def l2_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length."""
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def neighbour_graph(embeddings: np.ndarray, k: int) -> NeighbourGraph:
    """The ``k`` nearest neighbours of every row (itself excluded) by cosine distance."""
    unit = l2_rows(embeddings)
    n = len(unit)
    k = max(0, min(k, n - 1))
    index = np.zeros((n, k), dtype=np.int64)
    distance = np.zeros((n, k), dtype=np.float32)
    if k == 0:
        return NeighbourGraph(index, distance)
    for start in range(0, n, BLOCK):
        sims = unit[start : start + BLOCK] @ unit.T
        rows = np.arange(sims.shape[0])
        sims[rows, start + rows] = -np.inf  # never your own neighbour
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        index[start : start + len(rows)] = np.take_along_axis(top, order, axis=1)
        distance[start : start + len(rows)] = 1.0 - np.take_along_axis(top_sims, order, axis=1)
    return NeighbourGraph(index, np.maximum(distance, 0.0))
