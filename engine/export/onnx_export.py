"""Export a run's best weights as one self-contained ONNX file, and prove parity before keeping it.

The file is written only after the validation images agree between the app's own torch pipeline
and ONNX Runtime fed with raw decoded pixels (:mod:`engine.export.parity`). A file that fails is
kept for inspection as ``<name>.failed-parity.onnx``; an earlier file at the requested path is
left untouched. Every write is atomic.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch

from engine.atomic import read_json, write_bytes, write_json
from engine.control import RunControl
from engine.data.scan import TRAIN, VAL, scan_dataset
from engine.errors import DatasetError, ImageError, RunError
from engine.export.contract import PARITY_KEY
from engine.export.contract import QUANTIZATION_MODES as MODES
from engine.export.graph import (
    DEFAULT_OPSET,
    check_opset,
    distinct_specs,
    export_core,
    finish_graph,
    metadata_for,
)
from engine.export.parity import TOP1_THRESHOLD, ParityReport, TorchPipeline, compare
from engine.export.quantize import CALIBRATION_IMAGES, calibration_feeds, latency_ms, quantize_core
from engine.export.result import ExportResult, failed_path, parity_path_for
from engine.imaging import load_rgb_array
from engine.progress import Progress
from engine.runs.checkpoints import load_run_model
from engine.runs.files import BEST, CONFIG, DATASET, PREDICTIONS, now_iso, read_info
from engine.runs.manifest import check_images, has_manifest, index_from_manifest, unchanged_images
from engine.trust.fit_run import CALIBRATING, calibrate_run
from engine.trust.model import TrustModel, load_trust

MODEL_NAME = "model.onnx"
MAX_BYTES = 2**31 - 1  # protobuf's limit for one serialised message
MIN_SPEEDUP = 1.1  # a quantised file must be at least this much faster to be chosen by "auto"


def validation_images(run_dir: str | Path) -> list[str]:
    """The run's validation images: those its best epoch was scored on, else its ``dataset.json`` split.

    Images that changed or are gone since the run are left out (see :func:`validation_set`); a run
    from before ``dataset.json`` falls back to a re-scan of its ``data_dir``.

    Returns:
        Existing image paths (empty if the dataset is gone).
    """
    return validation_set(run_dir)[0]


def validation_set(run_dir: str | Path) -> tuple[list[str], dict[str, str]]:
    """The run's usable validation images, and ``{path: reason}`` of those left out (changed or gone)."""
    run_dir = Path(run_dir)
    try:
        rows = read_json(run_dir / PREDICTIONS)["rows"]
        paths = [str(row["path"]) for row in rows]
    except (OSError, ValueError, KeyError, TypeError):
        paths = []
    if has_manifest(run_dir):
        changed = check_images(run_dir, paths)
        return [p for p in paths if p not in changed] or unchanged_images(run_dir, VAL), changed
    return _validation_without_manifest(run_dir, paths), {}


def _validation_without_manifest(run_dir: Path, paths: list[str]) -> list[str]:
    """A run from before ``dataset.json``: its scored images if they exist, else a re-scan's split."""
    existing = [p for p in paths if Path(p).is_file()]
    if existing:
        return existing
    try:
        config = read_json(run_dir / CONFIG)
        index = scan_dataset(
            config["data_dir"],
            float(config.get("val_fraction", 0.2)),
            int(config.get("seed", 0)),
            verify=False,
        )
    except (OSError, ValueError, KeyError, TypeError, DatasetError):
        return []
    return [s.path for s in index.subset(VAL)]


def _session(data: bytes, threads: int | None) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    options.log_severity_level = 3
    # torch runs between ONNX Runtime calls here: idle ORT threads must not spin on the cores
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def _first_image(paths: Sequence[str]) -> np.ndarray | None:
    for path in paths:
        try:
            return load_rgb_array(path)
        except ImageError:
            continue
    return None


def _images(paths: Sequence[str], limit: int) -> list[np.ndarray]:
    images = []
    for path in paths:
        if len(images) >= limit:
            break
        try:
            images.append(load_rgb_array(path))
        except ImageError:
            continue
    return images


def _choose(reports: dict[str, ParityReport], latency: dict[str, float], requested: str) -> tuple[str, str]:
    """The candidate to keep, and a note saying why."""
    if requested != "auto":
        return requested, ""
    if not reports["none"].passed:
        return "none", "float32 kept: it failed parity, so no quantised file is considered"
    base = latency["none"]
    notes, best = [], "none"
    for mode in (m for m in reports if m != "none"):
        speedup = base / max(latency[mode], 1e-9)
        label = f"{mode} INT8 {speedup:.2f}x, {len(reports[mode].disagreements)} disagreement(s)"
        ok = reports[mode].passed and speedup >= MIN_SPEEDUP
        notes.append(label + ("" if ok else " (not used)"))
        if ok and (best == "none" or latency[mode] < latency[best]):
            best = mode
    kept = "float32 kept" if best == "none" else f"{best} INT8 chosen"
    return best, f"{kept}: " + "; ".join(notes)


class _Exporter:
    """One export's state; :func:`export_run` is the public entry point."""

    def __init__(
        self,
        run_dir: Path,
        opset: int,
        threads: int | None,
        progress: Progress | None,
        control: RunControl,
    ) -> None:
        self.run_dir, self.opset, self.threads = run_dir, opset, threads
        self.progress, self.control = progress, control
        if not (run_dir / BEST).is_file():
            read_info(run_dir)  # a clear error when the folder is not a run at all
            raise RunError(f"{run_dir}: {BEST} is missing: the run ended before any weights were saved")
        self.model, self.info = load_run_model(run_dir)
        self.trust = load_trust(run_dir) or self.calibrate()
        self.specs, self.input_of_backbone = distinct_specs(self.info.preprocess)
        self.exported = now_iso()
        self.notes: list[str] = []

    def calibrate(self) -> TrustModel | None:
        """Calibrate a run trained before calibration existed, from its recorded dataset (if any)."""
        if not has_manifest(self.run_dir):
            return None
        self.stage(CALIBRATING)
        try:
            index = index_from_manifest(self.run_dir)
        except (RunError, DatasetError):
            return None  # images moved or gone: export without rejection rather than not at all
        return calibrate_run(self.run_dir, index.subset(TRAIN), index.subset(VAL), torch.device("cpu"),
                             self.report, self.control)

    def stage(self, name: str) -> None:
        """Report the start of a stage; a cancel is honoured here."""
        self.report(0, 1, name)

    def report(self, done: int, total: int, message: str) -> None:
        """The export's :class:`~engine.progress.Progress`; a cancel is honoured here too."""
        self.control.raise_if_cancelled()
        if self.progress:
            self.progress(done, total, message)

    def candidates(self, quantize: str, paths: Sequence[str]) -> dict[str, bytes]:
        """Serialised graphs: float32, plus the INT8 variants asked for."""
        self.stage("Exporting the network")
        core = export_core(self.model, self.specs, self.input_of_backbone, self.opset, self.trust)
        graphs = {"none": self.finish(core, "none")}
        modes = ("dynamic", "static") if quantize == "auto" else (() if quantize == "none" else (quantize,))
        feeds = []
        if "static" in modes:
            self.stage("Preparing calibration images")
            specs = [dataclasses.asdict(spec) for spec in self.specs]
            feeds = calibration_feeds(_images(paths, CALIBRATION_IMAGES), specs)
        for mode in modes:
            self.stage(f"Quantising ({mode})")
            try:
                graphs[mode] = self.finish(quantize_core(core, mode, feeds), mode)
            except Exception as exc:  # the quantiser raises many types; "auto" then keeps float32
                if quantize != "auto":
                    raise
                self.notes.append(f"{mode} INT8 could not be made ({type(exc).__name__}: {exc})")
        return graphs

    def finish(self, core: onnx.ModelProto, mode: str) -> bytes:
        metadata = metadata_for(self.info, self.opset, self.exported, mode)
        if self.trust is not None:
            metadata.update({key: json.dumps(value) for key, value in self.trust.metadata().items()})
        graph = finish_graph(core, self.specs, metadata)
        if graph.ByteSize() > MAX_BYTES:
            raise RunError(
                f"{self.run_dir}: the network is larger than 2 GB, more than one ONNX file can hold"
            )
        return graph.SerializeToString()


def export_run(
    run_dir: str | Path,
    out: str | Path | None = None,
    *,
    opset: int = DEFAULT_OPSET,
    quantize: str = "none",
    images: Sequence[str | Path] | None = None,
    threads: int | None = None,
    progress: Progress | None = None,
    control: RunControl | None = None,
) -> ExportResult:
    """Export the best weights of ``run_dir`` to one ONNX file and check parity.

    Args:
        run_dir: A run folder with ``best.pt``.
        out: Destination, ``RUN_DIR/model.onnx`` by default.
        opset: ONNX opset, 18 or newer.
        quantize: ``none`` (float32), ``dynamic``, ``static`` (INT8), or ``auto``: INT8 only if it
            is at least 10% faster here and disagrees with the app on at most one image.
        images: Images to check parity on; the run's validation images by default.
        threads: ONNX Runtime threads (its default when None).
        progress: Reports each stage, and the parity check image by image.
        control: Cancels between stages and images.

    Returns:
        The result; ``passed`` is False when parity failed (the file then has another name).

    Raises:
        RunError: If the run has no best weights, no parity images exist, or the network is
            too large for one file.
        ValueError: For an unsupported opset or quantisation mode.
        RunCancelled: If ``control`` was cancelled; nothing is written.
    """
    start = time.perf_counter()
    check_opset(opset)
    if quantize not in MODES:
        raise ValueError(f"quantisation must be one of {', '.join(MODES)}, not {quantize!r}")
    run_dir = Path(run_dir)
    exporter = _Exporter(run_dir, opset, threads, progress, control or RunControl())
    paths, left_out = ([str(p) for p in images], {}) if images is not None else validation_set(run_dir)
    if not paths:
        raise RunError(
            f"{run_dir}: none of the validation images listed in {DATASET} is still there unchanged "
            "(was the dataset moved?); "
            "give images to check with --parity-images"
        )
    graphs = exporter.candidates(quantize, paths)
    sessions = {mode: _session(data, threads) for mode, data in graphs.items()}
    reports = compare(
        TorchPipeline(exporter.model, exporter.info.preprocess, exporter.trust),
        sessions,
        paths,
        exporter.info.classes,
        progress=exporter.report,
        control=exporter.control,
    )
    for mode, report in reports.items():
        if mode != "none":
            report.threshold, report.max_disagreements = 0.0, 1
        else:
            report.threshold = TOP1_THRESHOLD
    latency: dict[str, float] = {}
    sample = _first_image(paths) if quantize == "auto" else None
    if sample is not None:
        exporter.stage("Measuring speed")
        latency = {mode: round(latency_ms(s, sample), 3) for mode, s in sessions.items()}
    chosen, note = _choose(reports, latency, quantize if latency or quantize != "auto" else "none")
    note = "; ".join([note, *exporter.notes]) if exporter.notes else note
    return _write(
        Path(out) if out else run_dir / MODEL_NAME,
        graphs[chosen],
        reports[chosen],
        opset,
        chosen,
        note,
        latency,
        start,
        left_out,
    )


def _write(
    target: Path,
    data: bytes,
    report: ParityReport,
    opset: int,
    mode: str,
    note: str,
    latency: dict[str, float],
    start: float,
    left_out: dict[str, str],
) -> ExportResult:
    """Write the file (at ``target`` only if parity passed) and its parity report beside it."""
    path = target if report.passed else failed_path(target)
    data = with_parity_verdict(data, report)
    write_bytes(path, data)
    _readable(path)
    result = ExportResult(
        str(path.resolve()),
        report.passed,
        report,
        str(parity_path_for(path).resolve()),
        len(data),
        opset,
        mode,
        note,
        latency,
        left_out=left_out,
    )
    result.seconds = round(time.perf_counter() - start, 3)
    write_json(parity_path_for(path), result.to_dict())
    _readable(parity_path_for(path))
    return result


def with_parity_verdict(data: bytes, report: ParityReport) -> bytes:
    """The model with its parity verdict in ``metadata_props``: the file itself says if it passed."""
    model = onnx.load_from_string(data)
    verdict = {
        "passed": report.passed,
        "top1_agreement": report.top1_agreement,
        "max_abs_diff": report.max_abs_diff,
        "images_compared": report.images_compared,
    }
    entry = model.metadata_props.add()
    entry.key, entry.value = PARITY_KEY, json.dumps(verdict)
    return model.SerializeToString()


def _readable(path: Path) -> None:
    """Atomic writes create private (0600) files; an exported model is meant to be shared."""
    with contextlib.suppress(OSError):
        path.chmod(0o644)
