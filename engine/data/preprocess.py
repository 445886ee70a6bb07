"""The preprocessing contract: how an image becomes network input (resize, center crop, normalise).

Plain data, no torch. It belongs with the data: :mod:`engine.data.transforms` turns it into tensor
operations, a backbone's spec (:class:`engine.models.backbone_spec.BackboneSpec`) carries the one its
pretrained weights expect, and run files, exported models and the predictor store it as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import ConfigError

INTERPOLATIONS = ("bilinear", "bicubic")


@dataclass(frozen=True)
class Preprocess:
    """How images are turned into network input: resize, center crop, normalise.

    Attributes:
        input_size: Side of the square crop fed to the network (299 for inception_v3).
        resize_size: The shorter image side is resized to this before the center crop.
        mean: Per-channel mean subtracted from RGB values in [0, 1].
        std: Per-channel standard deviation the values are divided by.
        interpolation: Resize filter, ``"bilinear"`` or ``"bicubic"``.
    """

    input_size: int
    resize_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    interpolation: str

    def __post_init__(self) -> None:
        problems = _preprocess_problems(self)
        if problems:
            raise ConfigError(problems)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (tuples become lists)."""
        return {
            "input_size": self.input_size,
            "resize_size": self.resize_size,
            "mean": list(self.mean),
            "std": list(self.std),
            "interpolation": self.interpolation,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Preprocess:
        """Build from :meth:`to_dict` output.

        Raises:
            ConfigError: If a field is missing or has an invalid value.
        """
        try:
            return cls(
                input_size=int(d["input_size"]),
                resize_size=int(d["resize_size"]),
                mean=as_triple(d["mean"]),
                std=as_triple(d["std"]),
                interpolation=str(d["interpolation"]),
            )
        except KeyError as exc:
            raise ConfigError([f"preprocess: missing field {exc.args[0]!r}"]) from exc
        except (TypeError, ValueError) as exc:
            raise ConfigError([f"preprocess: {exc}"]) from exc


def as_triple(values: Any) -> tuple[float, float, float]:
    """Convert a 3-sequence of numbers to a float triple (raises ValueError for another length)."""
    a, b, c = (float(v) for v in values)
    return (a, b, c)


def _preprocess_problems(p: Preprocess) -> list[str]:
    """Return what is wrong with a Preprocess (empty when valid)."""
    problems = []
    if p.input_size < 1 or p.resize_size < p.input_size:
        sizes = f"{p.input_size}, {p.resize_size}"
        problems.append(f"preprocess: need 1 <= input_size <= resize_size, got {sizes}")
    if len(p.mean) != 3 or len(p.std) != 3 or min(p.std, default=0) <= 0:
        problems.append("preprocess: mean and std need 3 values each, std > 0")
    if p.interpolation not in INTERPOLATIONS:
        allowed = ", ".join(INTERPOLATIONS)
        problems.append(f"preprocess: interpolation must be {allowed}, not {p.interpolation!r}")
    return problems
