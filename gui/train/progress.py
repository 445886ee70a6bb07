"""What the training panel shows besides the run's progress: this process's and the GPU's memory.

Where a run stands and its time left come from the engine's one estimator, shared with the CLI
(:mod:`engine.runs.eta`); it is re-exported here for the panel.
"""

from __future__ import annotations

import os
import sys

from engine.runs.eta import RunProgress, format_duration

__all__ = ["RunProgress", "format_duration", "gpu_memory_mb", "process_memory_mb"]


def process_memory_mb() -> float | None:
    """Resident memory of this process in MB (Linux /proc, else the peak from ``resource``)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1e6 if sys.platform == "darwin" else peak / 1e3
    except (ImportError, OSError):
        return None


def gpu_memory_mb(device: str) -> float | None:
    """CUDA memory allocated by torch, if this run is on a GPU and torch is already loaded."""
    torch = sys.modules.get("torch")
    if torch is None or not device.startswith("cuda"):
        return None
    try:
        return float(torch.cuda.memory_allocated()) / 1e6
    except Exception:  # a GPU query must never break the GUI
        return None
