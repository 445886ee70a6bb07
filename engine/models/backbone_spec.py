"""What the app knows about a backbone before building it: its spec.

Plain data, no torch: run files, exports and the predictor read and write these as JSON. The
preprocessing contract a spec carries is :class:`engine.data.preprocess.Preprocess`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.data.preprocess import Preprocess
from engine.errors import ConfigError


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
