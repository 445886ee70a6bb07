"""Runs that continue an earlier run: resume it, or fine-tune it further. One set of rules for app and CLI.

* **Resume** continues a run in its own folder from its last finished epoch: weights, optimizer,
  schedule and history (``resume=True``). Possible once an epoch finished, while no process owns the
  run, and while epochs are left (a larger ``epochs`` extends a finished run).
* **Fine-tune further** starts a new run from a run's best head and fine-tunes the upper layer groups
  (``strategy="partial"``, ``init_from=<run_dir>``, ``freeze_k=k``). Possible once an epoch finished,
  for a run of exactly one network.

Both train on the run's own dataset, rebuilt from its ``dataset.json`` (see :mod:`engine.runs.manifest`)
wherever the images live; images that changed or are gone since are left out and reported.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from engine.config import TrainConfig
from engine.data.scan import DatasetIndex
from engine.errors import RunError
from engine.runs.files import LAST, RunRecord, read_config, read_history, read_info_dict
from engine.runs.manifest import has_manifest, index_from_manifest, lost_images

RESUME, FINETUNE = "resume", "finetune"
RESET_FOR_FINETUNE = (
    "epochs",
    "lr",
    "batch_size",
    "optimizer",
    "augment",
    "schedule",
    "backbone_lr_mult",
    "out_dir",
    "early_stopping",
)


@dataclass
class FollowUp:
    """What a follow-up run needs: its configuration, the dataset, and notes for the user."""

    config: TrainConfig
    index: DatasetIndex | None  # None: a run from before dataset.json; fit re-reads data_dir
    notes: list[str] = field(default_factory=list)


def _common_problem(record: RunRecord) -> str:
    if record.error:
        return record.error
    if record.status == "running":
        owner = record.info.get("owner") or {}
        return (
            f"{record.name} is still running (process {owner.get('pid', '?')} on {owner.get('host', '?')}); "
            "wait for it to finish or cancel it first."
        )
    if record.best_epoch < 1:
        return f"{record.name} ended before its first epoch, so it has no weights to continue from."
    return ""


def resume_problem(record: RunRecord, epochs: int | None = None) -> str:
    """Why ``record`` cannot be resumed (to ``epochs`` in all), or "" when it can."""
    problem = _common_problem(record)
    if problem:
        return problem
    if not (Path(record.run_dir) / LAST).is_file():
        return f"{record.name} has no {LAST} to resume from; fine-tune it instead."
    done = record.number("epochs_completed")
    target = epochs or int(record.config.get("epochs") or 0)
    if target <= done:
        return f"{record.name} finished all its {done} epochs; give it more epochs, or fine-tune it instead."
    return ""


def finetune_problem(record: RunRecord) -> str:
    """Why ``record`` cannot be fine-tuned further, or "" when it can."""
    problem = _common_problem(record)
    if problem:
        return problem
    networks = len(record.info.get("backbones", []))
    if networks != 1:
        return f"{record.name} combines {networks} networks; fine-tuning needs exactly one."
    return ""


def resume_config(record: RunRecord, epochs: int | None = None) -> TrainConfig:
    """Continue ``record`` where it stopped, in its own folder (``epochs`` in all, default the run's own).

    Raises:
        RunError: If the run cannot be resumed (see :func:`resume_problem`).
    """
    problem = resume_problem(record, epochs)
    if problem:
        raise RunError(problem)
    config = TrainConfig.from_dict(record.config)
    changes: dict[str, object] = {"resume": True, "out_dir": record.run_dir, "init_from": None}
    if epochs:
        changes["epochs"] = epochs
    return dataclasses.replace(config, **changes)


def finetune_config(record: RunRecord, freeze_k: int | None = None, epochs: int | None = None) -> TrainConfig:
    """Fine-tune the upper layer groups of ``record``'s network, starting from its best head.

    The new run goes to a new folder (``out_dir`` is left for the starter to choose).

    Raises:
        RunError: If the run cannot be fine-tuned (see :func:`finetune_problem`).
    """
    problem = finetune_problem(record)
    if problem:
        raise RunError(problem)
    config = TrainConfig.from_dict(record.config)
    changes: dict[str, object] = dict.fromkeys(RESET_FOR_FINETUNE)
    changes.update(strategy="partial", init_from=record.run_dir, freeze_k=freeze_k, epochs=epochs)
    changes["resume"] = False
    return dataclasses.replace(config, **changes)


def load_record(run_dir: str | Path) -> RunRecord:
    """Read a run strictly: a missing or damaged ``run.json`` or ``config.json`` raises :class:`RunError`."""
    return RunRecord(str(run_dir), read_info_dict(run_dir), read_config(run_dir).to_dict())


def follow_up(
    run_dir: str | Path, kind: str, freeze_k: int | None = None, epochs: int | None = None
) -> FollowUp:
    """Everything needed to start a ``resume`` or ``finetune`` of ``run_dir``.

    Raises:
        RunError: If the run cannot be continued, or one of its files is missing or damaged (named).
        DatasetError: If too few of the run's images are left unchanged.
    """
    record = load_record(run_dir)
    if kind == RESUME:
        config = resume_config(record, epochs)
        read_history(run_dir)  # a damaged history.json is named now, before anything is built
    elif kind == FINETUNE:
        config = finetune_config(record, freeze_k, epochs)
    else:
        raise ValueError(f"unknown follow-up {kind!r}")
    if not has_manifest(run_dir):
        note = f"{record.name} did not record its dataset; its images are read again from {config.data_dir}"
        return FollowUp(config, None, [note])
    index = index_from_manifest(run_dir)
    return FollowUp(config, index, _notes(index))


def _notes(index: DatasetIndex) -> list[str]:
    """One line per image that changed or is gone (at most ten, then a count)."""
    lost = lost_images(index)
    if not lost:
        return []
    notes = [f"{len(lost)} image(s) changed or are gone since the run was trained; they are left out:"]
    notes += [f"  {s.path}: {s.reason}" for s in lost[:10]]
    if len(lost) > 10:
        notes.append(f"  … and {len(lost) - 10} more")
    return notes
