"""Torch datasets over :class:`~engine.data.scan.Sample` lists that skip bad files, not fail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch.utils.data import DataLoader, Dataset

from engine.data.scan import Sample
from engine.data.transforms import to_uint8_chw
from engine.errors import ImageError
from engine.imaging import load_rgb_array


@dataclass
class Batch:
    """Images that decoded, their labels and indices, and files that failed on the way."""

    images: torch.Tensor
    labels: torch.Tensor
    indices: torch.Tensor
    skipped: list[tuple[str, str]]


Item = tuple[torch.Tensor, int, int] | tuple[None, str, str]


class ImageSamples(Dataset[Item]):
    """Decodes samples with the engine's robust loader; a failure becomes ``(None, path, reason)``."""

    def __init__(self, samples: Sequence[Sample], transform: Callable[[torch.Tensor], torch.Tensor]) -> None:
        self.samples = list(samples)
        self.transform = transform

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> Item:
        sample = self.samples[index]
        try:
            image = to_uint8_chw(load_rgb_array(sample.path))
        except ImageError as exc:
            return None, exc.path, exc.reason
        return self.transform(image), sample.label, index


def collate_skipping(items: list[Item]) -> Batch:
    """Stack the good items of a batch and collect the bad ones as ``(path, reason)``."""
    good = [item for item in items if item[0] is not None]
    skipped = [(str(item[1]), str(item[2])) for item in items if item[0] is None]
    if not good:
        none = torch.empty(0, dtype=torch.long)
        return Batch(torch.empty(0), none, none.clone(), skipped)
    images = torch.stack([item[0] for item in good])  # type: ignore[misc]
    labels = torch.tensor([item[1] for item in good], dtype=torch.long)
    indices = torch.tensor([item[2] for item in good], dtype=torch.long)
    return Batch(images, labels, indices, skipped)


def make_loader(
    dataset: ImageSamples,
    batch_size: int,
    shuffle: bool,
    num_workers: int,
    seed: int,
    pin_memory: bool = False,
) -> DataLoader[Item]:
    """A seeded DataLoader that never aborts on a bad file."""
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,
        num_workers=num_workers,
        collate_fn=collate_skipping,
        generator=generator,
        pin_memory=pin_memory,
        persistent_workers=num_workers > 0,
        drop_last=False,
    )
