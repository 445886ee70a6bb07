"""What an export produced, and where its files go: the result a caller reads."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.export.parity import ParityReport


@dataclass
class ExportResult:
    """What an export produced.

    Attributes:
        onnx_path: The file written: the requested path when parity passed, else the
            ``.failed-parity.onnx`` file beside it.
        passed: Whether parity passed (only then is ``onnx_path`` the requested path).
        parity: The parity report of the file written.
        parity_path: The JSON parity report stored beside the file.
        size_bytes: Size of the file.
        opset: ONNX opset of the graph.
        quantization: ``none`` (float32), ``dynamic`` or ``static`` (INT8).
        quantization_note: Why that quantisation was chosen (with ``auto``) or empty.
        latency_ms: Batch-1 latency of each candidate measured with ``auto``.
        seconds: Total time of the export.
        left_out: Validation images left out of the parity check because they changed or are gone
            since the run was trained (``{path: reason}``, from its ``dataset.json``).
    """

    onnx_path: str
    passed: bool
    parity: ParityReport
    parity_path: str
    size_bytes: int
    opset: int
    quantization: str = "none"
    quantization_note: str = ""
    latency_ms: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    left_out: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the CLI's ``--json`` line): parity figures at the top level."""
        data = dataclasses.asdict(self)
        parity = data.pop("parity")
        parity["passed"] = self.passed
        data.update(
            {k: parity[k] for k in ("top1_agreement", "max_abs_diff", "mean_abs_diff", "images_compared")}
        )
        data["disagreements"] = parity["disagreements"]
        data["parity"] = parity
        return data

    @property
    def message(self) -> str:
        """A line for people saying where the file is and whether it can be trusted."""
        summary = self.parity.summary()
        if self.passed:
            return (
                f"{summary}\nexported {self.onnx_path} ({self.size_bytes / 1e6:.1f} MB, {self.quantization})"
            )
        return (
            f"{summary}\nEXPORT FAILED PARITY: the file does NOT reproduce the app's predictions. "
            f"It was kept for inspection as {self.onnx_path}; nothing was written at the requested path."
        )


def failed_path(path: Path) -> Path:
    """``model.onnx`` -> ``model.failed-parity.onnx``."""
    return path.with_name(f"{path.stem}.failed-parity{path.suffix or '.onnx'}")


def parity_path_for(path: Path) -> Path:
    """``model.onnx`` -> ``model.parity.json``."""
    return path.with_name(f"{path.stem}.parity.json")
