"""Generated junk images a model should answer "none of my classes" for: a far-novelty smoke test.

Random noise, black, white, mid-grey and solid colours, and heavily blurred copies of real images.
Deterministic (seeded); numpy and Pillow only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageFilter

SOLID_COLOURS = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "grey": (128, 128, 128),
    "red": (220, 30, 30),
    "green": (30, 200, 60),
    "blue": (30, 60, 220),
}


def junk_images(
    size: int = 256, noise: int = 4, blur_from: Sequence[np.ndarray] = (), seed: int = 0
) -> list[tuple[str, np.ndarray]]:
    """``(kind, HxWx3 uint8)`` junk images: noise, solid colours, and blurred copies of ``blur_from``."""
    rng = np.random.default_rng(seed)
    out = [(f"noise-{i}", rng.integers(0, 256, (size, size, 3), dtype=np.uint8)) for i in range(noise)]
    out += [(name, np.full((size, size, 3), rgb, dtype=np.uint8)) for name, rgb in SOLID_COLOURS.items()]
    for i, rgb in enumerate(blur_from):
        radius = max(rgb.shape[:2]) / 10
        blurred = Image.fromarray(rgb).filter(ImageFilter.GaussianBlur(radius))
        out.append((f"blur-{i}", np.array(blurred, dtype=np.uint8)))
    return out
