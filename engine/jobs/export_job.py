"""Export a run (or a configuration) as a self-contained distributed training job.

The job folder holds the resolved ``config.json``; ``job.json`` (the backbone to build with timm or
torchvision, its layer groups, preprocessing and weights file, and the ``run.json`` fields the run starts
with); ``manifest.json`` (every image: path relative to the data root, class, split, size, SHA-1);
``source/dataset.json`` (the same images as this app recorded them, for the import); ``weights/`` (the
backbone's pretrained weights, so the cluster needs no network); ``data/`` (a copy of the images, unless
asked not to copy); the training script ``train.py`` with ``jobcore.py`` (torch, torchvision and timm
only); ``launch_single_node.sh``, ``launch_multi_node.sh`` and a README. See
``docs/adr/0003-distributed-jobs.md``.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.atomic import read_json, write_json
from engine.config import FROZEN_BACKBONE, TrainConfig
from engine.control import RunControl
from engine.data.scan import TRAIN, VAL, DatasetIndex, scan_dataset
from engine.errors import ConfigError, RunError
from engine.progress import Progress, no_progress
from engine.runs.files import DATASET, RunInfo, read_config, read_info
from engine.runs.manifest import has_manifest, index_from_manifest, write_manifest

TEMPLATES = Path(__file__).resolve().parent / "templates"
SCRIPTS = ("train.py", "jobcore.py")
LAUNCHERS = ("launch_single_node.sh", "launch_multi_node.sh")
JOB_FORMAT = 1
JOB_FILE = "job.json"
MANIFEST = "manifest.json"
SOURCE = "source"  # source/dataset.json: the images as this app recorded them
DATA = "data"
JOB_STRATEGIES = ("linear", "features", "partial", "full", "scratch")


@dataclass(frozen=True)
class ExportedJob:
    """What was written."""

    job_dir: Path
    images: int
    copied: bool
    weights_bytes: int
    strategy: str
    notes: tuple[str, ...] = ()


def export_job(
    out_dir: str | Path,
    run_dir: str | Path | None = None,
    config: TrainConfig | None = None,
    copy_images: bool = True,
    progress: Progress = no_progress,
    control: RunControl | None = None,
) -> ExportedJob:
    """Write a job folder for a run's configuration and dataset (or a configuration's).

    Args:
        out_dir: The job folder; must not exist yet, or be empty.
        run_dir: A run folder whose ``config.json`` and ``dataset.json`` to reuse.
        config: A configuration to train instead (its ``data_dir`` is scanned; ``auto`` is resolved).
        copy_images: Copy the images into ``data/`` (self-contained); else reference them where they are.
        progress: Progress of hashing and copying.
        control: Cancel flag.

    Raises:
        RunError, ConfigError, DatasetError, WeightsError: For input that cannot become a job (named).
    """
    if (run_dir is None) == (config is None):
        raise ConfigError(["give either a run folder or a configuration to export as a job"])
    out = Path(out_dir)
    _check_empty(out)
    config, index, requested, reason = _source(run_dir, config, progress, control)
    notes = _job_config_notes(config)
    config = _job_config(config)
    created = not out.exists()
    (out / SOURCE).mkdir(parents=True)
    try:
        count, size = _write_job(out, config, index, copy_images, (requested or config.strategy, reason),
                                 progress, control)
    except BaseException:
        _remove_partial(out, created)  # only what this export wrote
        raise
    return ExportedJob(out, count, copy_images, size, config.strategy, tuple(notes))


def _write_job(
    out: Path,
    config: TrainConfig,
    index: DatasetIndex,
    copy_images: bool,
    why: tuple[str, str],
    progress: Progress,
    control: RunControl | None,
) -> tuple[int, int]:
    """Write every file of the job; return the number of images and the weights file's size."""
    write_manifest(out / SOURCE, index, progress, control)
    images = _job_images(out, index, copy_images, progress, control)
    backbone = _backbone_spec(config, out)
    info = _info_template(config, index, *why)
    write_json(out / "config.json", config.to_dict())
    job = {"format": JOB_FORMAT, "config": config.to_dict(), "backbone": backbone, "info": info.to_dict()}
    write_json(out / JOB_FILE, job)
    data_root = DATA if copy_images else os.path.abspath(index.root or "/")
    manifest = {"format": JOB_FORMAT, "data_root": data_root, "classes": index.classes, "images": images}
    write_json(out / MANIFEST, manifest)
    _write_scripts(out, config, len(images))
    weights = out / str(backbone["weights"]) if backbone["weights"] else None
    return len(images), (weights.stat().st_size if weights else 0)


def _remove_partial(out: Path, created: bool) -> None:
    if created:
        shutil.rmtree(out, ignore_errors=True)
        return
    for child in out.iterdir():  # the folder was empty before
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _check_empty(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise RunError(f"{out}: the job folder must be new or empty; choose another folder")


def _source(
    run_dir: str | Path | None, config: TrainConfig | None, progress: Progress, control: RunControl | None
) -> tuple[TrainConfig, DatasetIndex, str, str]:
    """The configuration and dataset to export, with the strategy asked for and why it was chosen."""
    if run_dir is not None:
        info: RunInfo = read_info(run_dir)
        found = read_config(run_dir)
        index = (
            index_from_manifest(run_dir)
            if has_manifest(run_dir)
            else scan_dataset(found.data_dir, found.val_fraction, found.seed, progress=progress)
        )
        return found, index, info.strategy_requested, info.strategy_reason
    assert config is not None
    config.check()
    index = scan_dataset(config.data_dir, config.val_fraction, config.seed, progress=progress)
    from engine.runs.launch import resolve_strategy

    resolved, reason = resolve_strategy(config, index, progress, control)
    return resolved, index, config.strategy, reason


def _job_config_notes(config: TrainConfig) -> list[str]:
    if config.strategy not in JOB_STRATEGIES:
        raise ConfigError([
            f"strategy {config.strategy!r} cannot run as a distributed job (one of "
            f"{', '.join(JOB_STRATEGIES)} can); train it here, or choose another strategy"
        ])
    notes = []
    if config.strategy == "features":
        notes.append("the 'features' head is trained on images in the job (same frozen backbone, no cache)")
    if config.init_from:
        notes.append(f"the job starts from the pretrained backbone, not from {config.init_from}'s head")
    return notes


def _job_config(config: TrainConfig) -> TrainConfig:
    """The resolved configuration the job trains with (no resume, no earlier head, no output folder)."""
    resolved = config.resolved(on_cpu=False)
    return dataclasses.replace(resolved, resume=False, init_from=None, out_dir=None)


def _job_images(
    out: Path, index: DatasetIndex, copy: bool, progress: Progress, control: RunControl | None
) -> list[dict[str, Any]]:
    """``manifest.json``'s images from ``source/dataset.json``, copying them into ``data/`` if asked."""
    recorded = read_json(out / SOURCE / DATASET)["images"]
    root = Path(os.path.abspath(index.root)) if index.root else None
    images, used = [], set()
    for n, image in enumerate(recorded, start=1):
        if control is not None and n % 64 == 0:
            control.raise_if_cancelled()
        relative = _relative(Path(image["path"]), root, n, used)
        if copy:
            target = out / DATA / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(image["path"], target)
        elif relative.startswith("_outside/"):
            relative = image["path"]
        images.append({"path": relative, "label": image["label"], "split": image["split"],
                       "size": image["size"], "sha1": image["sha1"], "source": image["path"]})
        if n % 64 == 0 or n == len(recorded):
            progress(n, len(recorded), "Copying the images" if copy else "Listing the images")
    return images


def _relative(path: Path, root: Path | None, n: int, used: set[str]) -> str:
    """The image's path below the data root, or a unique name under ``_outside/`` (POSIX separators)."""
    relative = ""
    if root is not None:
        try:
            relative = path.relative_to(root).as_posix()
        except ValueError:
            relative = ""
    if not relative or relative in used:
        relative = f"_outside/{n:06d}_{path.name}"
    used.add(relative)
    return relative


def _backbone_spec(config: TrainConfig, out: Path) -> dict[str, Any]:
    """How the job builds the backbone, with its pretrained weights saved in ``weights/``."""
    import torch

    from engine.models.families import family_of
    from engine.models.lite import LITE_VARIANTS
    from engine.models.registry import build_backbone, get_spec

    name = config.backbones[0]
    spec, family = get_spec(name), family_of(name)
    backbone = build_backbone(name, pretrained=config.pretrained)
    weights = ""
    if config.pretrained:
        weights = f"weights/{name}.pt"
        (out / "weights").mkdir(exist_ok=True)
        torch.save(backbone.state_dict(), out / weights)
    lite = LITE_VARIANTS.get(name)
    return {
        "name": name,
        "builder": "timm" if lite else "torchvision",
        "arch": lite.timm_name if lite else name,
        "kwargs": family.kwargs(config.pretrained),
        "head": family.head,
        "replacement": "identity" if isinstance(family.replacement(), torch.nn.Identity) else "avgpool",
        "groups": [[group, list(paths)] for group, paths in family.groups(backbone)],
        "feature_dim": spec.feature_dim,
        "preprocess": spec.preprocess.to_dict(),
        "weights": weights,
    }


def _info_template(config: TrainConfig, index: DatasetIndex, requested: str, reason: str) -> RunInfo:
    """The ``run.json`` fields the job's run starts with."""
    from engine.models.registry import get_spec

    frozen = config.strategy in FROZEN_BACKBONE and config.pretrained
    return RunInfo(
        strategy=config.strategy,
        backbones=list(config.backbones),
        classes=list(index.classes),
        preprocess=[get_spec(n).preprocess.to_dict() for n in config.backbones],
        feature_dims=[get_spec(n).feature_dim for n in config.backbones],
        frozen_backbones=[frozen] * len(config.backbones),
        pretrained=config.pretrained,
        data_dir=str(config.data_dir),
        train_images=len(index.subset(TRAIN)),
        val_images=len(index.subset(VAL)),
        skipped=[s.to_dict() for s in index.skipped],
        strategy_requested=requested,
        strategy_reason=reason,
    )


def _write_scripts(out: Path, config: TrainConfig, images: int) -> None:
    """The training script, the launchers (executable) and the README, from the templates."""
    for name in SCRIPTS:
        shutil.copyfile(TEMPLATES / name, out / name)
    values = {"{{BACKBONE}}": config.backbones[0], "{{STRATEGY}}": config.strategy, "{{IMAGES}}": str(images),
              "{{EPOCHS}}": str(config.epochs), "{{BATCH}}": str(config.batch_size)}
    for name in (*LAUNCHERS, "README.md"):
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        (out / name).write_text(text, encoding="utf-8")
        if name.endswith(".sh"):
            (out / name).chmod(0o755)
