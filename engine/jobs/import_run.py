"""Bring a finished (or stopped) distributed job back as a run of this app.

The job's process 0 wrote ``JOB/run/`` in the run-folder format; the import copies it into a new run
folder, puts back the app's own record of the images (``source/dataset.json``, with this computer's
paths), rewrites ``val_predictions.json``'s paths to those images, marks a run whose job never finished as
``interrupted``, checks that the weights load (:func:`engine.runs.checkpoints.load_run_model`), and
calibrates its confidence from the local images when they are there. From then on the run has the same
curves, evaluation and ONNX export as one trained here.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.atomic import read_json, write_json
from engine.control import RunControl
from engine.errors import RunError, TransferStudioError
from engine.jobs.export_job import JOB_FILE, MANIFEST, SOURCE
from engine.progress import Progress, no_progress
from engine.runs.files import BEST, CONFIG, DATASET, HISTORY, INFO, LAST, PREDICTIONS, new_run_dir, read_info
from engine.runs.files import read_config as read_run_config

log = logging.getLogger(__name__)
RUN_FILES = (CONFIG, INFO, HISTORY, BEST, LAST, PREDICTIONS)


@dataclass(frozen=True)
class ImportedRun:
    """The new run folder and what it says."""

    run_dir: Path
    status: str
    best_epoch: int
    best_val_acc: float
    calibrated: bool


def job_run_folder(job_dir: str | Path) -> Path:
    """The run folder the job wrote (``JOB/run``), with a clear error when there is none."""
    job = Path(job_dir)
    if not (job / JOB_FILE).is_file():
        raise RunError(f"{job}: not a Transfer Studio job folder ({JOB_FILE} is missing)")
    run = job / "run"
    if not (run / INFO).is_file():
        raise RunError(f"{job}: the job has not written a run yet ({run / INFO} is missing); run it first")
    if not (run / BEST).is_file():
        raise RunError(f"{run}: no epoch finished ({BEST} is missing); there is nothing to import")
    return run


def import_run(
    job_dir: str | Path,
    into: str | Path,
    calibrate: bool = True,
    progress: Progress = no_progress,
    control: RunControl | None = None,
) -> ImportedRun:
    """Copy the job's run into a new run folder under ``into`` and make it a run of this app.

    Args:
        job_dir: The job folder (with the ``run/`` its training wrote).
        into: The folder to create the run folder in (a project's ``runs`` folder).
        calibrate: Fit the confidence calibration from the local images, as a local run does.
        progress: Progress of the calibration.
        control: Cancel flag for the calibration.

    Raises:
        RunError: If the job has no usable run (naming the file).
    """
    source = job_run_folder(job_dir)
    info = read_info(source)  # refuses damaged or foreign records before anything is written
    read_run_config(source)
    dest = new_run_dir(Path(into), info.strategy)
    try:
        for name in RUN_FILES:
            if (source / name).is_file():
                shutil.copy2(source / name, dest / name)
        sources = _local_paths(Path(job_dir))
        shutil.copy2(Path(job_dir) / SOURCE / DATASET, dest / DATASET)
        _localise_predictions(dest / PREDICTIONS, sources)
        status = _localise_info(dest / INFO, Path(job_dir))
        from engine.runs.checkpoints import load_run_model

        load_run_model(dest)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)  # a half-imported copy; the job folder is untouched
        raise
    calibrated = calibrate and _calibrate(dest, progress, control)
    final = read_info(dest)
    return ImportedRun(dest, status, final.best_epoch, final.best_val_acc, calibrated)


def _local_paths(job_dir: Path) -> dict[str, str]:
    """``{manifest path: this computer's path}`` for every image of the job."""
    try:
        images = read_json(job_dir / MANIFEST)["images"]
        return {str(image["path"]): str(image["source"]) for image in images}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RunError(f"{job_dir / MANIFEST}: the job's image list is damaged ({exc})") from exc


def _localise_predictions(path: Path, sources: dict[str, str]) -> None:
    """Point the validation predictions at this computer's images."""
    if not path.is_file():
        return
    data = read_json(path)
    for row in data.get("rows", []):
        row["path"] = sources.get(str(row.get("path")), row.get("path"))
    write_json(path, data)


def _localise_info(path: Path, job_dir: Path) -> str:
    """Record where the run came from; a run whose job stopped mid-way is ``interrupted``."""
    data: dict[str, Any] = read_json(path)
    if data.get("status") == "running":
        data["status"] = "interrupted"
        data["message"] = "the job stopped before it finished; the best weights so far were imported"
    host = (data.get("owner") or {}).get("host", "")
    data["owner"] = {}
    origin = f"Imported from {job_dir} (trained on {host or 'a cluster'})."
    data["message"] = " ".join(m for m in (str(data.get("message", "")), origin) if m)
    write_json(path, data)
    return str(data["status"])


def _calibrate(run_dir: Path, progress: Progress, control: RunControl | None) -> bool:
    """Fit the trust model from the local images, as ``fit`` does; a failure keeps the run without it."""
    import torch

    from engine.data.scan import TRAIN, VAL
    from engine.runs.manifest import index_from_manifest
    from engine.trust.fit_run import calibrate_run

    try:
        index = index_from_manifest(run_dir)
        trust = calibrate_run(
            run_dir, index.subset(TRAIN), index.subset(VAL), torch.device("cpu"), progress, control
        )
    except TransferStudioError as exc:
        log.warning("%s: not calibrated (%s); the run is kept without it", run_dir, exc)
        return False
    return trust is not None
