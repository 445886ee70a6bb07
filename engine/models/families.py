"""The registered backbones and their family adapters, as data.

Each registered name (:data:`ENTRIES`) belongs to a family (:data:`FAMILIES`), which says where
the ImageNet classifier sits (it is removed to get a feature extractor) and what replaces it,
which auxiliary heads are dropped, how the parameters split into ordered layer groups, and how a
weights file's keys are matched to the architecture. Preprocessing is read from the weights' own
metadata: torchvision ``Weights.transforms()`` or timm's ``pretrained_cfg``.

Family quirks:

* Inception v3 and GoogLeNet are built with ``aux_logits=False`` (the auxiliary heads' weights are
  skipped when loading) and always with ``transform_input=True``, torchvision's setting for its
  pretrained weights: the network takes ImageNet-normalised input (as ``Preprocess`` says) and
  re-normalises it internally to the [-1, 1] range the original Google weights expect. Using the
  same setting from scratch keeps one input convention for every build and export.
* SqueezeNet's classifier is a 1x1 convolution; it is replaced by global average pooling, so the
  features are the 512 channels of the last Fire module.
* AlexNet, VGG and MobileNet v3 keep their hidden fully-connected layers: the features are the
  penultimate 4096 (1280/1024 for MobileNet v3) activations.
* ViT-B/16 accepts exactly 224x224 input.
* ``efficientnet_lite0`` (the default), ``efficientnet_lite1`` and ``efficientnet_lite2`` are bundled
  with the app and work offline; see :mod:`engine.models.lite`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from torch import nn

from engine.data.preprocess import Preprocess, as_triple
from engine.models.backbone_spec import SourceInfo
from engine.models.layer_grouping import GroupRule, by_stride, fixed, numbered, vit_groups
from engine.models.lite import LITE_GROUPS, create_lite, keys_by_position, lite_info
from engine.models.state_dicts import StateDict

KeyAdapter = Callable[[StateDict, Callable[[], StateDict]], StateDict]


def torchvision_create(name: str, kwargs: Mapping[str, Any]) -> nn.Module:
    """Build a torchvision ImageNet classifier with random weights."""
    from torchvision.models import get_model

    return get_model(name, weights=None, **kwargs)


def torchvision_info(name: str) -> SourceInfo:
    """Read preprocessing and size from the DEFAULT torchvision weights of ``name``."""
    from torchvision.models import get_model_weights

    w = get_model_weights(name).DEFAULT
    t = w.transforms()
    preprocess = Preprocess(
        input_size=int(t.crop_size[0]),
        resize_size=int(t.resize_size[0]),
        mean=as_triple(t.mean),
        std=as_triple(t.std),
        interpolation=str(t.interpolation.value),
    )
    top1 = w.meta.get("_metrics", {}).get("ImageNet-1K", {}).get("acc@1")
    return SourceInfo(preprocess, f"{type(w).__name__}.{w.name}", w.meta["num_params"] / 1e6, top1)


def same_keys(state: StateDict, reference: Callable[[], StateDict]) -> StateDict:
    """Return ``state`` unchanged."""
    return state


_DENSENET_OLD_KEY = re.compile(
    r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$"
)


def densenet_keys(state: StateDict, reference: Callable[[], StateDict]) -> StateDict:
    """Rename old DenseNet keys (``norm.1`` -> ``norm1``), as torchvision's own loader does."""
    renamed = {}
    for key, value in state.items():
        match = _DENSENET_OLD_KEY.match(key)
        renamed[match.group(1) + match.group(2) if match else key] = value
    return renamed


def no_kwargs(pretrained: bool) -> dict[str, Any]:
    """Families built with torchvision's defaults."""
    return {}


def aux_free_kwargs(pretrained: bool) -> dict[str, Any]:
    """Inception v3 / GoogLeNet: no auxiliary heads, input re-normalised internally."""
    return {"aux_logits": False, "transform_input": True, "init_weights": not pretrained}


@dataclass(frozen=True)
class Family:
    """How one architecture family is built, stripped of its head, loaded and grouped.

    Attributes:
        head: Attribute path of the ImageNet classifier.
        groups: Returns the layer groups' attribute paths of a built model.
        create: Builds the full ImageNet model with random weights: ``create(name, kwargs)``.
        info: Reads the source's metadata for a name.
        replacement: Builds what takes the classifier's place in a feature extractor.
        discard: Key prefixes of auxiliary heads, never loaded.
        kwargs: Builder arguments, given whether pretrained weights will be loaded.
        adapt: Renames a weights file's keys to the architecture's names.
    """

    head: str
    groups: GroupRule
    create: Callable[[str, Mapping[str, Any]], nn.Module] = torchvision_create
    info: Callable[[str], SourceInfo] = torchvision_info
    replacement: Callable[[], nn.Module] = nn.Identity
    discard: tuple[str, ...] = ()
    kwargs: Callable[[bool], dict[str, Any]] = no_kwargs
    adapt: KeyAdapter = same_keys

    @property
    def without_head(self) -> tuple[str, ...]:
        """Key prefixes that a feature extractor does not load: auxiliary heads and the classifier."""
        return (*self.discard, self.head + ".")


_RESNET_GROUPS = [("stem", ["conv1", "bn1"]), *numbered("", ["layer1", "layer2", "layer3", "layer4"])]
_DENSENET_GROUPS = [
    ("stem", ["features.conv0", "features.norm0"]),
    *[(f"block{i}", [f"features.denseblock{i}", f"features.transition{i}"]) for i in (1, 2, 3)],
    ("block4", ["features.denseblock4", "features.norm5"]),
]
_INCEPTION_GROUPS = [
    ("stem", ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3"]),
    ("stem2", ["Conv2d_3b_1x1", "Conv2d_4a_3x3"]),
    ("mixed5", ["Mixed_5b", "Mixed_5c", "Mixed_5d"]),
    ("mixed6", [f"Mixed_6{c}" for c in "abcde"]),
    ("mixed7", ["Mixed_7a", "Mixed_7b", "Mixed_7c"]),
]
_GOOGLENET_GROUPS = [
    ("stem", ["conv1", "conv2", "conv3"]),
    ("inception3", ["inception3a", "inception3b"]),
    ("inception4", [f"inception4{c}" for c in "abcde"]),
    ("inception5", ["inception5a", "inception5b"]),
]

FAMILIES: dict[str, Family] = {
    "efficientnet_lite": Family(
        "classifier", fixed(LITE_GROUPS), create_lite, lite_info, adapt=keys_by_position
    ),
    "alexnet": Family("classifier.6", by_stride("features", [("fc", ["classifier"])])),
    "vgg": Family("classifier.6", by_stride("features", [("fc", ["classifier"])])),
    "resnet": Family("fc", fixed(_RESNET_GROUPS)),
    "squeezenet": Family(
        "classifier", by_stride("features", []), replacement=lambda: nn.AdaptiveAvgPool2d(1)
    ),
    "densenet": Family("classifier", fixed(_DENSENET_GROUPS), adapt=densenet_keys),
    "inception": Family("fc", fixed(_INCEPTION_GROUPS), discard=("AuxLogits.",), kwargs=aux_free_kwargs),
    "googlenet": Family(
        "fc", fixed(_GOOGLENET_GROUPS), discard=("aux1.", "aux2."), kwargs=aux_free_kwargs
    ),
    "shufflenet": Family("fc", fixed(numbered("", ["conv1", "stage2", "stage3", "stage4", "conv5"]))),
    "mobilenet_v2": Family("classifier.1", by_stride("features", [])),
    "mobilenet_v3": Family("classifier.3", by_stride("features", [("pre_classifier", ["classifier"])])),
    "efficientnet": Family("classifier.1", by_stride("features", [])),
    "regnet": Family(
        "fc", fixed([("stem", ["stem"]), *numbered("trunk_output.", [f"block{i}" for i in range(1, 5)])])
    ),
    "convnext": Family("classifier.2", by_stride("features", [("norm", ["classifier"])])),
    "vit": Family("heads", vit_groups),
}


@dataclass(frozen=True)
class Entry:
    """One registered backbone: its family, embedding size and a short note for the user."""

    family: str
    feature_dim: int
    note: str


ENTRIES: dict[str, Entry] = {
    "efficientnet_lite0": Entry(
        "efficientnet_lite", 1280, "Default. Bundled weights, works offline, fast on a CPU."
    ),
    "efficientnet_lite1": Entry(
        "efficientnet_lite", 1280, "Bundled weights, works offline; slower than Lite0, often more accurate."
    ),
    "efficientnet_lite2": Entry(
        "efficientnet_lite", 1280, "Bundled weights, works offline; slowest Lite, often the most accurate."
    ),
    "alexnet": Entry("alexnet", 4096, "Historic 2012 network; large and inaccurate."),
    "vgg11_bn": Entry("vgg", 4096, "VGG-11 with batch norm; large, slow."),
    "vgg16": Entry("vgg", 4096, "VGG-16; very large, slow."),
    "resnet18": Entry("resnet", 512, "ResNet-18; small, solid baseline."),
    "resnet34": Entry("resnet", 512, "ResNet-34."),
    "resnet50": Entry("resnet", 2048, "ResNet-50; strong general-purpose backbone."),
    "squeezenet1_1": Entry("squeezenet", 512, "SqueezeNet 1.1; tiny, modest accuracy."),
    "densenet121": Entry("densenet", 1024, "DenseNet-121."),
    "inception_v3": Entry("inception", 2048, "Inception v3; 299 px input."),
    "googlenet": Entry("googlenet", 1024, "GoogLeNet (Inception v1)."),
    "shufflenet_v2_x1_0": Entry("shufflenet", 1024, "ShuffleNet v2 x1.0; very fast on a CPU."),
    "mobilenet_v2": Entry("mobilenet_v2", 1280, "MobileNet v2; fast on a CPU."),
    "mobilenet_v3_large": Entry("mobilenet_v3", 1280, "MobileNet v3 Large; fast and accurate."),
    "mobilenet_v3_small": Entry("mobilenet_v3", 1024, "MobileNet v3 Small; fastest."),
    "efficientnet_b0": Entry("efficientnet", 1280, "EfficientNet-B0."),
    "regnet_y_400mf": Entry("regnet", 440, "RegNetY-400MF; small and efficient."),
    "convnext_tiny": Entry("convnext", 768, "ConvNeXt-Tiny; accurate, heavier."),
    "vit_b_16": Entry("vit", 768, "Vision Transformer B/16; 224 px input only, heavy."),
}


def family_of(name: str) -> Family:
    """Return the family adapter of a registered name (KeyError for an unknown one)."""
    return FAMILIES[ENTRIES[name].family]
