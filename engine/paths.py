"""The app's own cache folder: cached features, splits, ONNX backbones, and the GUI's thumbnails and logs.

Pretrained weight files are not here: they live in the torch hub cache, shared with torchvision
(:func:`engine.models.weights.weights_dir`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "transfer-studio"


def cache_dir() -> Path:
    """Return the per-user cache folder, creating it; ``TRANSFER_STUDIO_CACHE`` overrides it."""
    override = os.environ.get("TRANSFER_STUDIO_CACHE")
    if override:
        root = Path(override)
    elif sys.platform == "win32":
        root = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / APP_DIR_NAME
    elif sys.platform == "darwin":
        root = Path.home() / "Library" / "Caches" / APP_DIR_NAME
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / APP_DIR_NAME
    root.mkdir(parents=True, exist_ok=True)
    return root
