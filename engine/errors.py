"""Exceptions the engine raises; every message names what was wrong and what to do."""

from __future__ import annotations

from pathlib import Path


class TransferStudioError(Exception):
    """Base of every error the engine raises on purpose."""


class ImageError(TransferStudioError):
    """An image file could not be decoded into a usable RGB picture."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class DatasetError(TransferStudioError):
    """The dataset folder cannot be used for training as it is."""


class WeightsError(TransferStudioError):
    """Pretrained weights are missing, corrupt or do not match the architecture."""


class ConfigError(TransferStudioError):
    """A training configuration is invalid; ``problems`` lists every issue found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class RunError(TransferStudioError):
    """A run folder is missing files or holds files this version cannot read."""


class ModelFileError(TransferStudioError):
    """An ONNX file is not a Transfer Studio model, is damaged, or is unsafe to open."""
