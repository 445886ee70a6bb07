"""The network every strategy trains: one or more backbones, their features concatenated, a head."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class TransferModel(nn.Module):
    """Backbones (feature extractors) whose embeddings are concatenated and fed to a linear head.

    With one backbone the input is one normalised image batch; with several (``stack``) it is
    a sequence of batches, one per backbone, each preprocessed for that backbone.
    """

    def __init__(
        self,
        backbones: Sequence[nn.Module],
        feature_dims: Sequence[int],
        num_classes: int,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        self.backbones = nn.ModuleList(backbones)
        self.feature_dim = int(sum(feature_dims))
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(self.feature_dim, num_classes))

    def embed(self, inputs: torch.Tensor | Sequence[torch.Tensor]) -> torch.Tensor:
        """Penultimate embedding: the concatenated backbone features."""
        if isinstance(inputs, torch.Tensor):
            inputs = [inputs] * len(self.backbones)
        feats = [backbone(x).flatten(1) for backbone, x in zip(self.backbones, inputs, strict=True)]
        return feats[0] if len(feats) == 1 else torch.cat(feats, dim=1)

    def forward(self, inputs: torch.Tensor | Sequence[torch.Tensor]) -> torch.Tensor:
        """Class logits."""
        return self.head(self.embed(inputs))


def set_requires_grad(module: nn.Module, flag: bool) -> None:
    """Freeze (``False``) or unfreeze every parameter of ``module``."""
    for param in module.parameters():
        param.requires_grad_(flag)


def set_train_mode(model: TransferModel, frozen: Sequence[nn.Module]) -> None:
    """Training mode everywhere except frozen modules, whose batch-norm statistics stay fixed."""
    model.train()
    for module in frozen:
        module.eval()
