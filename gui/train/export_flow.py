"""Export a run to ONNX off the GUI thread (``engine.export.export_run``) and report its parity check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.control import RunControl
from engine.progress import Progress
from gui.i18n import translate
from gui.workers.task_runner import TaskFunction


@dataclass
class ExportReport:
    """What the user sees after an export: where the file is and whether it reproduces the app."""

    path: str
    ok: bool
    message: str
    details: dict[str, Any] = field(default_factory=dict)


def export_task(run_dir: str, path: str, quantize: str = "none") -> TaskFunction:
    """A task that exports ``run_dir``'s best weights to ``path`` and returns an :class:`ExportReport`."""

    def run(progress: Progress, control: RunControl) -> ExportReport:
        from engine.export import export_run

        result = export_run(run_dir, path, quantize=quantize, progress=progress, control=control)
        return ExportReport(str(result.onnx_path), bool(result.passed), result.message, result.to_dict())

    return run


def report_text(report: ExportReport) -> str:
    """The parity report as a few plain lines (the first is the engine's own summary)."""
    lines = [report.message]
    disagreements = report.details.get("disagreements") or []
    for item in disagreements[:10]:
        line = translate("ExportFlow", "{path}: PyTorch says {torch}, ONNX says {onnx}")
        lines.append("  " + line.format(path=item.get("path"), torch=item.get("torch"),
                                        onnx=item.get("onnx")))
    if len(disagreements) > 10:
        more = translate("ExportFlow", "… and {count} more")
        lines.append("  " + more.format(count=len(disagreements) - 10))
    return "\n".join(lines)
