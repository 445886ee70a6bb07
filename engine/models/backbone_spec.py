"""What the app knows about a backbone before building it: its preprocessing and its spec.

Plain data, no torch: run files, exports and the predictor read and write these as JSON.
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


@dataclass(frozen=True)
class BackboneSpec:
    """What the app needs to know about one backbone before building it.

    Attributes:
        name: Registry key, e.g. ``"efficientnet_lite0"``, ``"resnet18"``, ``"vit_b_16"``.
        family: Architecture family, e.g. ``"resnet"``, ``"vgg"``.
        feature_dim: Size of the embedding the feature extractor outputs.
        preprocess: Input preprocessing, taken from the pretrained weights' metadata.
        weights_id: ``"ResNet18_Weights.IMAGENET1K_V1"`` style id, or ``"package:..."``.
        params_millions: Parameters of the full ImageNet model, in millions.
        description: One line for the user.
    """

    name: str
    family: str
    feature_dim: int
    preprocess: Preprocess
    weights_id: str | None
    params_millions: float
    description: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (the preprocess nested as a dict)."""
        return {
            "name": self.name,
            "family": self.family,
            "feature_dim": self.feature_dim,
            "preprocess": self.preprocess.to_dict(),
            "weights_id": self.weights_id,
            "params_millions": self.params_millions,
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> BackboneSpec:
        """Build from :meth:`to_dict` output.

        Raises:
            ConfigError: If a field is missing or has an invalid value.
        """
        try:
            weights_id = d["weights_id"]
            return cls(
                name=str(d["name"]),
                family=str(d["family"]),
                feature_dim=int(d["feature_dim"]),
                preprocess=Preprocess.from_dict(d["preprocess"]),
                weights_id=None if weights_id is None else str(weights_id),
                params_millions=float(d["params_millions"]),
                description=str(d["description"]),
            )
        except KeyError as exc:
            raise ConfigError([f"backbone spec: missing field {exc.args[0]!r}"]) from exc
        except (TypeError, ValueError) as exc:
            raise ConfigError([f"backbone spec: {exc}"]) from exc


@dataclass(frozen=True)
class SourceInfo:
    """What a model source (torchvision, timm) says about one model name.

    Attributes:
        preprocess: Preprocessing of its pretrained weights.
        weights_id: Id of the pretrained weights (see :attr:`BackboneSpec.weights_id`).
        params_millions: Parameters of the full ImageNet model, in millions.
        top1: ImageNet top-1 accuracy in percent, when the source publishes it.
    """

    preprocess: Preprocess
    weights_id: str
    params_millions: float
    top1: float | None


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
