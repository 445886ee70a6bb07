"""Training transforms: every augmentation preset runs on the loader's uint8 tensors, both resize modes."""

import pytest
import torch

from engine.data.preprocess import Preprocess
from engine.data.transforms import train_transform


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic"])
@pytest.mark.parametrize("augment", ["none", "light", "strong"])
def test_presets_give_normalised_crops_of_the_input_size(augment, interpolation):
    spec = Preprocess(
        input_size=64, resize_size=72, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5), interpolation=interpolation
    )
    transform = train_transform(spec, augment)
    torch.manual_seed(0)
    image = torch.randint(0, 256, (3, 50, 70), dtype=torch.uint8)
    for _ in range(60):  # enough draws that TrivialAugmentWide hits its rotations and shears
        out = transform(image)
        assert out.shape == (3, 64, 64) and out.dtype == torch.float32
        assert out.min() >= -1.0 - 1e-5 and out.max() <= 1.0 + 1e-5
