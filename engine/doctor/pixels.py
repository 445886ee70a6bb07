"""Cheap pixel statistics of each image, cached by file content like the features.

From a 64-pixel greyscale copy: mean brightness, contrast (standard deviation) and sharpness
(variance of the Laplacian); from a 32x32 copy a 64-bit perceptual hash (the signs of the lowest
DCT frequencies against their median: unchanged by re-encoding and resizing, little changed by a
slight crop) and a 16x16 thumbnail, centred and scaled to unit length, whose dot product with
another's is their pixel correlation; from the full image: its size and a hash of its decoded
pixels (two files with the same pixels are exact duplicates even when their bytes differ: a PNG
re-saved as BMP).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from PIL import Image

from engine.control import RunControl
from engine.errors import ImageError
from engine.features.extraction import FeatureStore
from engine.imaging import load_rgb
from engine.paths import cache_dir
from engine.progress import Progress, no_progress

STATS_VERSION = "pixels:v3"
CHECKING_PIXELS = "Checking brightness, sharpness and size"
SMALL = 64


@dataclass(frozen=True)
class PixelStats:
    """One image's statistics (brightness and contrast 0-1, sharpness on 0-1 intensities)."""

    brightness: float
    contrast: float
    sharpness: float
    width: int
    height: int
    pixel_hash: str  # 128-bit, hex
    perceptual_hash: str  # 64-bit, hex
    thumbnail: np.ndarray  # (256,) float32, zero mean, unit length

    def to_vector(self) -> np.ndarray:
        """Packed for the cache: 5 numbers, both hashes as exact 16-bit chunks (8 + 4), the thumbnail."""
        hashes = bytes.fromhex(self.pixel_hash + self.perceptual_hash)
        chunks = np.frombuffer(hashes, dtype=">u2").astype(np.float32)
        head = [self.brightness, self.contrast, self.sharpness, self.width, self.height]
        return np.concatenate([np.array(head, dtype=np.float32), chunks, self.thumbnail])

    @classmethod
    def from_vector(cls, v: np.ndarray) -> PixelStats:
        """Unpack :meth:`to_vector`."""
        hashes = np.asarray(v[5:17]).astype(">u2").tobytes().hex()
        return cls(float(v[0]), float(v[1]), float(v[2]), int(v[3]), int(v[4]), hashes[:32], hashes[32:],
                   np.asarray(v[17:], dtype=np.float32))

    def correlation(self, other: PixelStats) -> float:
        """Pixel correlation of the two 16x16 greyscale thumbnails (1.0: the same picture)."""
        return float(self.thumbnail @ other.thumbnail)


def _dct_matrix(n: int) -> np.ndarray:
    k, x = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    return np.cos(np.pi * (2 * x + 1) * k / (2 * n))


DCT32 = _dct_matrix(32)


def perceptual_hash(grey32: np.ndarray) -> str:
    """64-bit pHash of a 32x32 greyscale array: the 8x8 lowest DCT frequencies above their median."""
    low = (DCT32 @ grey32 @ DCT32.T)[:8, :8].flatten()
    bits = low > np.median(low[1:])
    return np.packbits(bits).tobytes().hex()


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex hashes of equal length."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def laplacian_variance(grey: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of a 2-D array (0-1 intensities)."""
    if min(grey.shape) < 3:
        return 0.0
    lap = (grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1]) - 4 * grey[1:-1, 1:-1]
    return float(lap.var())


def image_stats(path: str) -> PixelStats:
    """Statistics of one image file.

    Raises:
        ImageError: If it cannot be decoded.
    """
    rgb = load_rgb(path)
    digest = hashlib.md5(rgb.tobytes(), usedforsecurity=False).hexdigest()
    grey_image = rgb.convert("L")
    square = np.asarray(grey_image.resize((32, 32), Image.Resampling.BOX), dtype=np.float64)
    thumb = square.reshape(16, 2, 16, 2).mean(axis=(1, 3)).flatten()
    thumb -= thumb.mean()
    thumb /= max(float(np.linalg.norm(thumb)), 1e-9)
    grey_image.thumbnail((SMALL, SMALL), Image.Resampling.BILINEAR)
    grey = np.asarray(grey_image, dtype=np.float32) / 255.0
    return PixelStats(float(grey.mean()), float(grey.std()), laplacian_variance(grey),
                      rgb.width, rgb.height, digest, perceptual_hash(square), thumb.astype(np.float32))


def _safe_stats(path: str) -> PixelStats | None:
    try:
        return image_stats(path)
    except ImageError:
        return None


def _key(store: FeatureStore, path: str, i: int) -> str:
    try:
        return f"{STATS_VERSION}:{store.content_key(path)}"
    except OSError:
        return f"{STATS_VERSION}:unreadable:{i}"  # never cached, decodes to None below


def pixel_stats(
    paths: Sequence[str],
    progress: Progress = no_progress,
    control: RunControl | None = None,
    workers: int = 2,
) -> list[PixelStats | None]:
    """Statistics of every path (None where it cannot be decoded), from the cache where possible."""
    store = FeatureStore(cache_dir() / "pixel_stats.sqlite")
    try:
        keys = [_key(store, p, i) for i, p in enumerate(paths)]
        cached = store.get_many(keys)
        out: list[PixelStats | None] = [
            PixelStats.from_vector(cached[k]) if k in cached else None for k in keys
        ]
        missing = [i for i, k in enumerate(keys) if k not in cached]
        done = len(paths) - len(missing)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ts-pixels") as pool:
            for start in range(0, len(missing), 64):
                if control is not None:
                    control.raise_if_cancelled()
                chunk = missing[start : start + 64]
                results = list(pool.map(_safe_stats, [paths[i] for i in chunk]))
                fresh = {keys[i]: s.to_vector() for i, s in zip(chunk, results, strict=True) if s}
                store.put_many(fresh)
                for i, s in zip(chunk, results, strict=True):
                    out[i] = s
                done += len(chunk)
                progress(done, len(paths), CHECKING_PIXELS)
        return out
    finally:
        store.close()
