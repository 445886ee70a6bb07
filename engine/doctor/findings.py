"""What the doctor reports: one finding per problem, with the images, a score and what to do."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = (
    "leakage",  # a near-copy on both sides of the train/validation split
    "duplicate",  # exact (same pixels) or near-duplicate images within one split
    "label",  # the given label is confidently contradicted by out-of-fold predictions
    "outlier",  # far from every other image
    "dark",
    "bright",
    "blurry",
    "low_contrast",
    "tiny",
    "odd_shape",
    "balance",  # a tiny class, or a large imbalance
)
SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class Finding:
    """One problem in the data.

    Attributes:
        kind: One of :data:`KINDS`.
        severity: ``high`` (fix before training), ``medium`` or ``low``.
        paths: The images involved (both sides for duplicates and leakage; none for balance).
        score: How sure or how bad (larger is worse), for ranking within a kind.
        reason: One sentence a person reads, naming the threshold that fired.
        action: The suggested fix: ``exclude``, ``relabel:<class>``, ``move_to:<split>``, ``review``.
        classes: Class names involved (given label first for label findings).
    """

    kind: str
    severity: str
    paths: tuple[str, ...]
    score: float
    reason: str
    action: str
    classes: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """A stable identity for remembering a dismissal: kind + sorted paths (+ classes for balance)."""
        text = "\n".join([self.kind, *sorted(self.paths), *(self.classes if not self.paths else ())])
        return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the key."""
        data = asdict(self)
        data["paths"], data["classes"], data["key"] = list(self.paths), list(self.classes), self.key
        return data


def counts_by_kind(findings: list[Finding]) -> dict[str, int]:
    """How many findings of each kind (every kind listed, zeros included)."""
    return {kind: sum(f.kind == kind for f in findings) for kind in KINDS}
