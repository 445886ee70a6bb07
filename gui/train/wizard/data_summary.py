"""Step 1 of the wizard, the data: images per class, balance, image sizes, broken files.

Sizes are read from the file headers of a capped sample (no pixel decoding), so this takes well
under a second even for large projects; it runs off the GUI thread anyway. The sentences about the
data (:func:`warnings_for`, :meth:`DataSummary.size_text`) are made when shown, in the interface
language.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass, field

from engine.control import RunControl
from engine.data.scan import TRAIN, VAL, DatasetIndex
from engine.data.thresholds import (
    FEW_IMAGES_PER_CLASS,
    FEW_VAL_IMAGES,
    LARGE_SIDE,
    MIN_CLASSES,
    SMALL_SIDE,
    imbalance,
    is_too_few,
)
from engine.progress import Progress
from gui.i18n import translate

SIZE_SAMPLE = 300


@dataclass
class DataSummary:
    """What the user should know about the data before training."""

    classes: list[str]
    train_counts: dict[str, int]
    val_counts: dict[str, int]
    broken: list[tuple[str, str]] = field(default_factory=list)
    sizes: list[tuple[int, int]] = field(default_factory=list)
    unreadable_headers: int = 0

    @property
    def warnings(self) -> list[str]:
        """Plain-language warnings in the interface language (see :func:`warnings_for`)."""
        return warnings_for(self)

    @property
    def counts(self) -> dict[str, int]:
        """Images per class, both splits."""
        return {c: self.train_counts.get(c, 0) + self.val_counts.get(c, 0) for c in self.classes}

    @property
    def total(self) -> int:
        """Usable images."""
        return sum(self.counts.values())

    def balance_ratio(self) -> float:
        """Largest class over smallest (1.0 is perfectly balanced; inf when a class is empty)."""
        values = list(self.counts.values())
        if not values:
            return 1.0
        return max(values) / min(values) if min(values) else float("inf")

    def size_text(self) -> str:
        """``"typically 500 × 375 px (smallest 120 px, largest 1,024 px)"`` from the sample."""
        if not self.sizes:
            return translate("DataSummary", "unknown")
        widths = [w for w, _ in self.sizes]
        heights = [h for _, h in self.sizes]
        sides = [min(s) for s in self.sizes] + [max(s) for s in self.sizes]
        return translate(
            "DataSummary",
            "typically {width} × {height} px "
            "(smallest side {smallest} px, largest {largest} px; {count} checked)",
        ).format(width=f"{int(statistics.median(widths)):,}", height=f"{int(statistics.median(heights)):,}",
                 smallest=f"{min(sides):,}", largest=f"{max(sides):,}", count=f"{len(self.sizes):,}")


def _image_size(path: str) -> tuple[int, int] | None:
    from PIL import Image

    try:
        with Image.open(path) as img:
            return int(img.size[0]), int(img.size[1])
    except Exception:  # a bad header is reported as broken by the training scan, not here
        return None


def summarize(
    index: DatasetIndex,
    progress: Progress | None = None,
    control: RunControl | None = None,
    sample: int = SIZE_SAMPLE,
) -> DataSummary:
    """Count, sample sizes and write plain-language warnings for ``index``."""
    summary = DataSummary(
        list(index.classes),
        index.class_counts(TRAIN),
        index.class_counts(VAL),
        [(s.path, s.reason) for s in index.skipped],
    )
    paths = [s.path for s in index.samples]
    chosen = paths if len(paths) <= sample else random.Random(0).sample(paths, sample)
    for i, path in enumerate(chosen):
        if control is not None:
            control.raise_if_cancelled()
        size = _image_size(path)
        if size is None:
            summary.unreadable_headers += 1
        else:
            summary.sizes.append(size)
        if progress is not None:
            progress(i + 1, len(chosen), "Checking image sizes")  # gui.train.run_texts translates it
    return summary


def warnings_for(s: DataSummary) -> list[str]:
    """Plain-language warnings in the interface language, most important first."""
    out: list[str] = []
    counts = s.counts
    if len([c for c in counts.values() if c]) < MIN_CLASSES:
        out.append(translate(
            "DataSummary",
            "Training needs at least two classes with images. Label some images in the Data stage.",
        ))
    for name, n in counts.items():
        if n and is_too_few(n):
            text = translate(
                "DataSummary",
                "“{name}” has only 1 image. Aim for at least {minimum} per class: with fewer, the model may "
                "not learn it and the accuracy figure is very uncertain.",
            ) if n == 1 else translate(
                "DataSummary",
                "“{name}” has only {count} images. Aim for at least {minimum} per class: with fewer, the "
                "model may not learn it and the accuracy figure is very uncertain.",
            )
            out.append(text.format(name=name, count=n, minimum=FEW_IMAGES_PER_CLASS))
    for name, n in s.val_counts.items():
        if not is_too_few(counts.get(name, 0)) and n < FEW_VAL_IMAGES:
            text = translate(
                "DataSummary", "“{name}” has only 1 validation image, so its accuracy cannot be judged well."
            ) if n == 1 else translate(
                "DataSummary",
                "“{name}” has only {count} validation images, so its accuracy cannot be judged well.",
            )
            out.append(text.format(name=name, count=n))
    unbalanced = imbalance(counts)
    if unbalanced:
        big, small, ratio = unbalanced
        out.append(translate(
            "DataSummary",
            "The classes are unbalanced: “{big}” has {ratio}× as many images as “{small}”. "
            "Training weighs the classes to compensate, but more images of “{small}” would help.",
        ).format(big=big, small=small, ratio=f"{ratio:.1f}"))
    if s.broken:
        text = translate(
            "DataSummary", "1 file could not be read and will be left out (listed below)."
        ) if len(s.broken) == 1 else translate(
            "DataSummary", "{count} files could not be read and will be left out (listed below)."
        )
        out.append(text.format(count=f"{len(s.broken):,}"))
    small = sum(1 for w, h in s.sizes if min(w, h) < SMALL_SIDE)
    if small:
        out.append(translate(
            "DataSummary",
            "{count} of the {checked} images checked are smaller than {side} px on a side. They are enlarged "
            "for the network, which blurs them; larger photos work better.",
        ).format(count=f"{small:,}", checked=f"{len(s.sizes):,}", side=SMALL_SIDE))
    large = sum(1 for w, h in s.sizes if max(w, h) > LARGE_SIDE)
    if large:
        out.append(translate(
            "DataSummary",
            "{count} of the images checked are larger than {side} px. That is fine, but decoding them makes "
            "every epoch of image-based training slower.",
        ).format(count=f"{large:,}", side=f"{LARGE_SIDE:,}"))
    return out
