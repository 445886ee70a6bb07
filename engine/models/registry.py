"""Backbone registry: look up the supported networks, build them, load their verified weights.

What is registered, and how each family is built, stripped of its head and grouped, is data in
:mod:`engine.models.families`; the specs are :class:`~engine.models.backbone_spec.BackboneSpec`.
This module builds feature extractors and ImageNet classifiers from those adapters and loads the
weights strictly, after the family's key renaming, or raises :class:`~engine.errors.WeightsError`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

import torch
from torch import nn

from engine.errors import ConfigError, WeightsError
from engine.models import weights
from engine.models.backbone_spec import BackboneSpec, SourceInfo
from engine.models.families import ENTRIES, family_of
from engine.models.layer_grouping import group_module
from engine.models.state_dicts import StateDict, deserialize_state_dict
from engine.progress import Progress


def list_backbones() -> list[BackboneSpec]:
    """Return every registered backbone, the default first."""
    return [get_spec(name) for name in ENTRIES]


def get_spec(name: str) -> BackboneSpec:
    """Return the spec of backbone ``name``.

    Raises:
        ConfigError: If ``name`` is not registered; the message lists the valid names.
    """
    if name not in ENTRIES:
        raise ConfigError([f"Unknown backbone {name!r}. Valid names: {', '.join(ENTRIES)}."])
    return _spec(name)


def build_backbone(name: str, pretrained: bool, progress: Progress | None = None) -> nn.Module:
    """Build backbone ``name`` as a feature extractor, in eval mode.

    The network maps an already normalised float tensor ``(N, 3, H, W)`` to ``(N, feature_dim)``:
    the ImageNet classifier is removed, global pooling and flattening are kept.

    Args:
        name: A registered backbone name.
        pretrained: Load ImageNet weights: a file imported with :func:`import_weights` if
            there is one, else the verified official file (downloaded into the cache if needed).
        progress: Download progress, in bytes.

    Returns:
        The feature extractor, on the CPU.

    Raises:
        ConfigError: If ``name`` is not registered.
        WeightsError: If the weights are missing (offline), corrupt, or do not fit.
    """
    get_spec(name)
    family = family_of(name)
    model = family.create(name, family.kwargs(pretrained))
    model.set_submodule(family.head, family.replacement())
    if pretrained:
        _load(name, model, _pretrained_state(name, progress), family.without_head)
    return model.eval()


def build_imagenet_classifier(name: str, progress: Progress | None = None) -> nn.Module:
    """Build backbone ``name`` with its 1000-class ImageNet head and pretrained weights, in eval mode.

    Auxiliary heads (Inception, GoogLeNet) are dropped. The output is logits ``(N, 1000)``.

    Raises:
        ConfigError: If ``name`` is not registered.
        WeightsError: If the weights are missing (offline), corrupt, or lack the ImageNet head.
    """
    get_spec(name)
    family = family_of(name)
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
    return [(group, group_module(backbone, paths)) for group, paths in family_of(name).groups(backbone)]


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
    skip = family_of(name).without_head
    target = {k: v for k, v in _reference_state(name).items() if not k.startswith(skip)}
    problems = _mismatches(target, _prepare(name, state, skip))
    if problems:
        raise WeightsError(f"These weights do not fit {name}: {'; '.join(problems)}.")


def import_weights(src_path: str | Path, name: str) -> Path:
    """Copy a user's own weights file for backbone ``name`` into the cache, after validating it.

    The file must load with the safe loaders and its tensors must fit the architecture exactly
    once the classifier head is ignored. It is stored and pinned by
    :func:`engine.models.weights.store_imported`; from then on ``build_backbone(name, pretrained=True)``
    uses it in preference to the official weights.

    Args:
        src_path: The user's ``.pth``/``.pt``/``.bin``/``.safetensors`` file.
        name: A registered backbone name.

    Returns:
        The path of the stored copy.

    Raises:
        WeightsError: If the file cannot be read safely or does not fit the architecture.
        ConfigError: If ``name`` is not a registered backbone.
    """
    get_spec(name)
    source = Path(src_path)
    data = weights.read_weights_file(source)
    check_state_dict(name, deserialize_state_dict(data, source))
    return weights.store_imported(name, data, source)


@functools.cache
def _spec(name: str) -> BackboneSpec:
    """Derive the spec of a registered name from its weights' metadata (cached)."""
    entry = ENTRIES[name]
    info = family_of(name).info(name)
    return BackboneSpec(
        name=name,
        family=entry.family,
        feature_dim=entry.feature_dim,
        preprocess=info.preprocess,
        weights_id=info.weights_id,
        params_millions=round(info.params_millions, 2),
        description=_describe(entry.note, info),
    )


def _describe(note: str, info: SourceInfo) -> str:
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
    family = family_of(name)
    full = {k: v for k, v in state.items() if not k.startswith(family.discard)}
    adapted = family.adapt(full, functools.partial(_reference_state, name))
    return {k: v for k, v in adapted.items() if not k.startswith(skip)}


@functools.cache
def _reference_state(name: str) -> StateDict:
    """State dict of the full model (head included, no auxiliary heads) with shapes only.

    Built on the meta device (no memory, no init cost) where the architecture allows it.
    """
    family = family_of(name)
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
