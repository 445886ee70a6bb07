"""Feature vectors computed once and cached on disk, keyed by file content, backbone and precision.

The frozen backbone needs no gradients, so it runs through the fastest runtime at hand
(:mod:`engine.features.runtimes`); decoding runs in threads, overlapped with inference, JPEGs far
larger than the network's input are decoded at reduced scale, and images are batched.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from engine.control import RunControl
from engine.data.content import file_sha1
from engine.data.preprocess import Preprocess
from engine.data.scan import Sample
from engine.data.transforms import EvalTransform, to_uint8_chw, train_transform
from engine.errors import ImageError
from engine.features.runtimes import (  # re-exported: the callers' one import for extraction
    FP32,
    Extractor,
    extraction_precision,
    make_extractor,
    module_digest,
    torch_extractor,
)
from engine.filenames import is_utf8
from engine.imaging import load_rgb_array
from engine.paths import cache_dir
from engine.progress import Progress

__all__ = [
    "EXTRACTING",
    "FeatureSet",
    "FeatureStore",
    "decode_min_side",
    "extract_features",
    "extraction_precision",
    "make_extractor",
    "module_digest",
    "open_store",
    "torch_extractor",
    "view_transform",
]
EXTRACTING = "Computing features"
READ_AHEAD_BATCHES = 3  # decoded images waiting for the network, in batches (bounds memory)


class FeatureStore:
    """A SQLite table of feature vectors plus a memo of file content hashes.

    SQLite gives atomic, crash-safe writes and lets a second run (or more images) reuse
    every vector already computed.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, data BLOB)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS file (path TEXT PRIMARY KEY, size INT, mtime INT, sha TEXT)"
        )
        self._db.commit()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def content_key(self, path: str) -> str:
        """SHA-1 of the file's bytes, memoised by (path, size, mtime).

        A file name that is not valid UTF-8 is memoised under its raw bytes (a BLOB key, which
        never equals a TEXT key), so it neither fails nor collides with another name.

        Raises:
            OSError: If the file cannot be read.
        """
        st = os.stat(path)
        key: str | bytes = path if is_utf8(path) else os.fsencode(path)
        with self._lock:
            row = self._db.execute("SELECT size, mtime, sha FROM file WHERE path=?", (key,)).fetchone()
        if row and row[0] == st.st_size and row[1] == st.st_mtime_ns:
            return str(row[2])
        sha = file_sha1(path)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO file VALUES (?, ?, ?, ?)", (key, st.st_size, st.st_mtime_ns, sha)
            )
        return sha

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the stored vectors among ``keys``."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for key, blob in self._db.execute(f"SELECT key, data FROM vec WHERE key IN ({marks})", chunk):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        """Store vectors in one transaction."""
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO vec VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )
            self._db.commit()


@dataclass
class FeatureSet:
    """Vectors for a list of samples; rows of failed files are dropped and reported."""

    vectors: np.ndarray
    labels: np.ndarray
    kept: list[int]
    skipped: list[tuple[str, str]]
    computed: int


Transform = Callable[[torch.Tensor], torch.Tensor]


def _decode(sample: Sample, transform: Transform, min_side: int | None) -> torch.Tensor | ImageError:
    try:
        return transform(to_uint8_chw(load_rgb_array(sample.path, min_side=min_side)))
    except ImageError as exc:
        return exc
    except OSError as exc:  # a race with the file system: report the file, never fail the batch
        return ImageError(sample.path, f"cannot read the file ({exc.strerror or exc})")


def _decoded_in_order(
    items: list[tuple[int, Sample]], transform: Transform, window: int, min_side: int | None = None
) -> Iterator[tuple[int, torch.Tensor | ImageError]]:
    """Decode in threads, at most ``window`` images ahead of the consumer, in order.

    The bound keeps memory flat whatever the dataset size (an unbounded read-ahead held every
    decoded image, about 0.6 MB each); a window of a few batches still overlaps decoding with
    the network.
    """
    workers = max(2, min(4, os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ts-features") as pool:
        pending: deque[tuple[int, Future[torch.Tensor | ImageError]]] = deque()
        try:
            for row, sample in items:
                if len(pending) >= window:
                    first, future = pending.popleft()
                    yield first, future.result()
                pending.append((row, pool.submit(_decode, sample, transform, min_side)))
            while pending:
                first, future = pending.popleft()
                yield first, future.result()
        finally:  # a cancel stops the iteration: drop what is queued, not decode it
            for _, future in pending:
                future.cancel()


def _batches(
    items: list[tuple[int, Sample]], transform: Transform, batch_size: int, min_side: int | None
) -> Iterator[tuple[list[int], list[torch.Tensor], list[tuple[int, ImageError]]]]:
    """Decode in threads, a bounded :data:`READ_AHEAD_BATCHES` batches ahead, and yield batches in order."""
    ids: list[int] = []
    tensors: list[torch.Tensor] = []
    errors: list[tuple[int, ImageError]] = []
    for row, result in _decoded_in_order(items, transform, READ_AHEAD_BATCHES * batch_size, min_side):
        if isinstance(result, ImageError):
            errors.append((row, result))
        else:
            ids.append(row)
            tensors.append(result)
        if len(tensors) == batch_size:
            yield ids, tensors, errors
            ids, tensors, errors = [], [], []
    if tensors or errors:
        yield ids, tensors, errors


def view_transform(spec: Preprocess, view: int) -> Transform:
    """View 0 is the evaluation crop; views 1.. are light augmentations, seeded per view."""
    if view == 0:
        return EvalTransform(spec)
    augment = train_transform(spec, "light")

    def seeded(image: torch.Tensor) -> torch.Tensor:
        torch.manual_seed(view * 1_000_003 + int(image.sum()) % 1_000_003)
        return augment(image)

    return seeded


def decode_min_side(spec: Preprocess, view: int) -> int | None:
    """The shorter side a view's images may be decoded down to before its own resize (None: full size).

    The evaluation view resizes the shorter side to ``resize_size``; a JPEG four times that size or
    more is decoded at reduced scale, its shorter side kept at twice ``resize_size`` or more, so the
    antialiased resize still averages two or more pixels into each (the vectors then stay within a
    cosine of 0.999 of a full decode's; at 1/2 scale right down to the size they move by up to 0.02).
    The augmented views crop before resizing and need the full resolution.
    """
    return 2 * spec.resize_size if view == 0 else None


def _content_keys(
    samples: Sequence[Sample], store: FeatureStore, prefix: str, skipped: dict[int, ImageError]
) -> list[str]:
    """Each sample's cache key; a file that cannot be read (gone since the scan) goes to ``skipped``."""
    keys = []
    for i, sample in enumerate(samples):
        try:
            keys.append(f"{prefix}:{store.content_key(sample.path)}")
        except OSError as exc:
            skipped[i] = ImageError(sample.path, f"cannot read the file ({exc.strerror or exc})")
            keys.append(f"{prefix}:unreadable:{i}")
    return keys


def extract_features(
    samples: Sequence[Sample],
    store: FeatureStore,
    store_prefix: str,
    extractor: Callable[[], Extractor],
    spec: Preprocess,
    view: int = 0,
    batch_size: int = 32,
    progress: Progress | None = None,
    control: RunControl | None = None,
) -> FeatureSet:
    """Vectors for ``samples``, from the cache where possible, computing only what is missing.

    ``extractor`` is a factory so that a fully cached run never builds an inference session.
    """
    skipped: dict[int, ImageError] = {}
    keys = _content_keys(samples, store, f"{store_prefix}:{view}", skipped)
    cached = store.get_many(keys)
    missing = [(i, s) for i, s in enumerate(samples) if keys[i] not in cached and i not in skipped]
    done, total = len(samples) - len(missing), len(samples)
    if progress:
        progress(done, total, EXTRACTING)
    if missing:
        run = extractor()
        batches = _batches(missing, view_transform(spec, view), batch_size, decode_min_side(spec, view))
        for ids, tensors, errors in batches:
            if control:
                control.raise_if_cancelled()
            skipped.update(errors)
            if tensors:
                vectors = run(torch.stack(tensors))
                fresh = {keys[i]: v for i, v in zip(ids, vectors, strict=True)}
                store.put_many(fresh)
                cached.update(fresh)
            done += len(ids) + len(errors)
            if progress:
                progress(done, total, EXTRACTING)
    kept = [i for i in range(total) if keys[i] in cached]
    vectors = np.stack([cached[keys[i]] for i in kept]) if kept else np.zeros((0, 0), np.float32)
    labels = np.array([samples[i].label for i in kept], dtype=np.int64)
    lost = [(e.path, e.reason) for _, e in sorted(skipped.items())]
    return FeatureSet(vectors, labels, kept, lost, len(missing))


def open_store(
    backbone: str, weights_digest: str, spec: Preprocess, precision: str | None = None
) -> tuple[FeatureStore, str]:
    """The store for one backbone's features and the key prefix for its weights, preprocessing and precision.

    ``precision`` is what the vectors are computed in (:func:`extraction_precision` of the device and
    engine the extractor is made for); None means the default engine's on the CPU. fp32 keys keep
    their earlier form, so caches written before precisions were told apart stay valid.
    """
    precision = precision or extraction_precision(torch.device("cpu"))
    pre = hashlib.sha1(repr(sorted(spec.to_dict().items())).encode()).hexdigest()[:8]
    prefix = f"{weights_digest}:{pre}" if precision == FP32 else f"{weights_digest}:{pre}:{precision}"
    return FeatureStore(cache_dir() / "features" / f"{backbone}.sqlite"), prefix
