"""Device and thread selection."""

from __future__ import annotations

import os

import torch

from engine.errors import ConfigError


def pick_device(name: str = "auto") -> torch.device:
    """``auto`` picks CUDA, then Apple MPS, then the CPU; an unavailable explicit choice is an error."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError([f"device {name!r} was asked for but no CUDA GPU is available; use --device cpu"])
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ConfigError([f"device {name!r} was asked for but Apple MPS is not available; use --device cpu"])
    return device


def default_threads(leave_one_for_gui: bool = False) -> int:
    """Threads for torch: every core headless; with a GUI, one core is left free when there are 3+."""
    cores = os.cpu_count() or 1
    return max(1, cores - 1) if leave_one_for_gui and cores > 2 else cores


def configure_threads(threads: int | None) -> int:
    """Apply a torch intra-op thread count and return it."""
    count = threads or default_threads()
    torch.set_num_threads(count)
    return count


def describe(device: torch.device) -> str:
    """A short human label such as ``cuda:0 (NVIDIA H100)`` or ``cpu (2 threads)``."""
    if device.type == "cuda":
        index = device.index or 0
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return str(device)
