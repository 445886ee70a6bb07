"""Layer groups: a backbone's parameters split into ordered groups, from input to output.

A family describes its groups as attribute paths (fixed lists, or derived from the built model by
:func:`by_stride` and :func:`vit_groups`); :func:`group_module` turns one group's paths into a
module, so "freeze the first k groups" is well defined for every backbone.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from torch import nn

GroupPaths = list[tuple[str, list[str]]]
GroupRule = Callable[[nn.Module], GroupPaths]


def fixed(groups: GroupPaths) -> GroupRule:
    """Groups given as attribute paths that do not depend on the built model."""
    return lambda model: groups


def numbered(prefix: str, names: list[str]) -> GroupPaths:
    """One group per attribute ``prefix + name``."""
    return [(name, [prefix + name]) for name in names]


def by_stride(sequence: str, tail: GroupPaths) -> GroupRule:
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


def vit_groups(model: nn.Module) -> GroupPaths:
    """Patch embedding, the encoder layers in four chunks, then the final layer norm."""
    layers = [f"encoder.layers.{n}" for n, _ in model.get_submodule("encoder.layers").named_children()]
    size = math.ceil(len(layers) / 4)
    chunks = [(f"encoder{i // size + 1}", layers[i : i + size]) for i in range(0, len(layers), size)]
    embed = ("embed", ["conv_proj", "class_token", "encoder.pos_embedding"])
    return [embed, *chunks, ("norm", ["encoder.ln"])]


def group_module(backbone: nn.Module, paths: list[str]) -> nn.Module:
    """Resolve attribute paths to one module (the module itself when there is only one)."""
    members = [(path, _resolve(backbone, path)) for path in paths]
    if len(members) == 1 and isinstance(members[0][1], nn.Module):
        return members[0][1]
    return _LayerGroup(members)


def _downsamples(module: nn.Module) -> bool:
    """True if the module contains a strided convolution or pooling layer."""
    for sub in module.modules():
        if isinstance(sub, nn.Conv2d | nn.MaxPool2d | nn.AvgPool2d):
            stride = sub.stride if isinstance(sub.stride, tuple) else (sub.stride,)
            if max(stride) > 1:
                return True
    return False


def _has_params(model: nn.Module, paths: list[str]) -> bool:
    """True if any module in ``paths`` owns a parameter."""
    return any(next(model.get_submodule(p).parameters(), None) is not None for p in paths)


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


def _resolve(backbone: nn.Module, path: str) -> nn.Module | nn.Parameter:
    """Return the submodule or parameter at ``path``."""
    try:
        return backbone.get_submodule(path)
    except AttributeError:
        return backbone.get_parameter(path)
