"""One home for the numbers that judge a dataset: its data warnings and the size rule.

Everything that warns about the data or picks a strategy from the dataset's size reads these
numbers and functions, so the Data page (:meth:`engine.project.store.Project.warnings`), the
wizard's data step (:mod:`gui.train.wizard.data_summary`), the recommender's grid
(:mod:`engine.recommend.rules`), the wizard's fallback and ``--strategy auto`` without measurements
(:func:`engine.recommend.auto.resolve_auto`, the CLI) can never disagree again.

Why the numbers are what they are:

* ``FEW_IMAGES_PER_CLASS = 20``. With the default 20 % validation split, 20 images leave 4 to
  validate the class, so its accuracy moves in steps of 25 %: any fewer and the figure says next
  to nothing. Linear probes and heads on pretrained features, the strategies small datasets get,
  typically gain steeply up to a few dozen examples per class and slowly after. The Data page
  used to warn below 10 and the wizard below 20; 20 is the one that protects the accuracy figure.
* ``FEW_VAL_IMAGES = 3``. A class with fewer validation images than this cannot be judged even
  when it has enough images overall (a small project, or a split the user made).
* ``IMBALANCE_RATIO = 3.0``. Training weighs the classes from 1.5x imbalance on
  (:func:`engine.training.optim.class_weights`); from 3x the smaller class is worth telling the
  user about, because more of its images help more than any weighting.
* ``LARGE_PER_CLASS = 500`` training images per class. The recommender's grid splits "small" from
  "large" here: below it a frozen backbone (a head on cached features) or partial fine-tuning wins,
  because full fine-tuning overfits and costs minutes per epoch on a CPU; from it, fine-tuning
  every layer pays off. The old size-only rule (150 and 1,000) and the wizard's fallback (500,
  never ``full``) disagreed with the grid; the size-only rule is now the grid's own answer.
* ``VERY_LARGE_PER_CLASS = 5000``. Only with this much data, and images very unlike ImageNet,
  does the grid consider training from scratch.
* ``SMALL_SIDE = 64`` and ``LARGE_SIDE = 4000`` pixels. Networks take 224 to 384 px crops; a side
  under 64 px is enlarged 3.5x or more (blurred), and a side over 4,000 px makes decoding dominate
  every epoch of image-based training.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FEW_IMAGES_PER_CLASS = 20
FEW_VAL_IMAGES = 3
IMBALANCE_RATIO = 3.0
LARGE_PER_CLASS = 500
VERY_LARGE_PER_CLASS = 5000
SMALL_SIDE = 64
LARGE_SIDE = 4000
MIN_CLASSES = 2


@dataclass(frozen=True)
class SizeChoice:
    """The strategy the size rule picks, with its size band and a one-sentence reason."""

    strategy: str
    band: str
    reason: str


def per_class(images: int, classes: int) -> float:
    """Images per class (0 classes count as 1, so an empty dataset gives 0, not an error)."""
    return images / max(1, classes)


def size_band(images_per_class: float) -> str:
    """``"large"`` from :data:`LARGE_PER_CLASS` training images per class on, else ``"small"``."""
    return "large" if images_per_class >= LARGE_PER_CLASS else "small"


def is_too_few(count: int) -> bool:
    """Tell whether a class with ``count`` usable images gets the "too few images" warning."""
    return count < FEW_IMAGES_PER_CLASS


def is_imbalanced(largest: int, smallest: int) -> bool:
    """Tell whether the largest class over the smallest non-empty one reaches :data:`IMBALANCE_RATIO`."""
    return smallest > 0 and largest / smallest >= IMBALANCE_RATIO


def imbalance(counts: Mapping[str, int]) -> tuple[str, str, float] | None:
    """Return ``(largest class, smallest class, ratio)`` when the classes are imbalanced, else None.

    Empty classes are left out: a class with no image gets its own warning, not an infinite ratio.
    """
    populated = {name: n for name, n in counts.items() if n > 0}
    if len(populated) < MIN_CLASSES:
        return None
    big = max(populated, key=populated.__getitem__)
    small = min(populated, key=populated.__getitem__)
    if not is_imbalanced(populated[big], populated[small]):
        return None
    return big, small, populated[big] / populated[small]


def size_rule(train_images: int, classes: int) -> SizeChoice:
    """Pick a strategy from the dataset's size alone, when similarity was not (or cannot be) measured.

    It is the recommender's grid with similarity unknown: a small dataset gets a head on cached
    features (right when the images resemble ImageNet, fast and hard to overfit otherwise); a
    large one gets full fine-tuning, which the grid picks for large datasets whatever the
    similarity (scratch needs a measurement that the images are very unlike ImageNet).

    Args:
        train_images: Training images (the validation split left out).
        classes: Number of classes.
    """
    n = per_class(train_images, classes)
    band = size_band(n)
    if band == "small":
        return SizeChoice("features", band, (
            f"With about {n:,.0f} training images per class (fewer than {LARGE_PER_CLASS:,}), a new head on "
            "frozen pretrained features is the most accurate choice and trains in seconds."
        ))
    return SizeChoice("full", band, (
        f"With about {n:,.0f} training images per class ({LARGE_PER_CLASS:,} or more) there is enough data "
        "to fine-tune every layer safely."
    ))
