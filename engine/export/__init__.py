"""Export a trained run as one self-contained ONNX file (preprocessing inside) and prove parity.

Importing the package is cheap and torch-free (the predictor reads :mod:`engine.export.contract`);
the exporter itself (torch) loads on first use of :func:`export_run` and friends.
"""

from __future__ import annotations

import importlib
from typing import Any

from engine.export.contract import (
    DEFAULT_OPSET,
    FORMAT_KEY,
    FORMAT_VERSION,
    MAX_OPSET,
    MIN_OPSET,
    QUANTIZATION_MODES,
    TOP1_THRESHOLD,
)

_LAZY = {
    "ExportResult": "engine.export.result",
    "export_run": "engine.export.onnx_export",
    "failed_path": "engine.export.result",
    "parity_path_for": "engine.export.result",
    "validation_images": "engine.export.onnx_export",
    "ParityReport": "engine.export.parity",
}

__all__ = [
    "DEFAULT_OPSET",
    "FORMAT_KEY",
    "FORMAT_VERSION",
    "MAX_OPSET",
    "MIN_OPSET",
    "QUANTIZATION_MODES",
    "TOP1_THRESHOLD",
    "ExportResult",
    "ParityReport",
    "export_run",
    "failed_path",
    "parity_path_for",
    "validation_images",
]


def __getattr__(name: str) -> Any:
    """Load the torch-based parts on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'engine.export' has no attribute {name!r}")
