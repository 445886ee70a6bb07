"""Fitting a trained network's trust model: its logits and embeddings on validation, references from training.

After the best weights are chosen, the validation images go through the network once (logits
and embeddings: T is fitted on the logits, the novelty scales on the embeddings), and a capped,
class-covering subset of the training images gives the novelty references. Frozen-backbone
strategies may pass their cached training features instead of a second pass: their embedding is
exactly the backbone's features. Head-only runs (cached features) fit T on out-of-fold logits of
the training images instead (:mod:`engine.trust.out_of_fold`), so that the validation images,
held out from both the head and T, measure the calibration.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engine.control import RunCancelled, RunControl
from engine.data.preprocess import Preprocess
from engine.data.scan import Sample
from engine.data.transforms import EvalPreprocess, to_uint8_chw
from engine.errors import ImageError, TransferStudioError
from engine.imaging import load_rgb_arrays
from engine.models.classifier import TransferModel
from engine.progress import Progress, no_progress
from engine.runs.files import read_config
from engine.training.step import NonFiniteLossError
from engine.trust.junk import junk_images
from engine.trust.model import TrustModel, fit_trust, save_trust
from engine.trust.novelty import NoveltyModel, leave_one_class_out_auroc, select_reference
from engine.trust.out_of_fold import FOLDS, HeadRecipe, can_fold, out_of_fold_logits
from engine.trust.temperature import softmax

CALIBRATING = "Calibrating confidence"
log = logging.getLogger(__name__)


class EvalNetwork:
    """The app's evaluation pipeline on decoded images: each backbone's eval preprocessing, the network.

    Returns logits and embeddings of a list of ``HxWx3`` ``uint8`` images (any sizes).
    """

    def __init__(
        self, model: TransferModel, preprocess: Sequence[dict[str, Any]], device: torch.device | None = None
    ) -> None:
        self.device = device or torch.device("cpu")
        self.model = model.eval().to(self.device)
        self.pre = [EvalPreprocess(Preprocess.from_dict(d)) for d in preprocess]

    def __call__(self, images: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """``(logits, embeddings)`` of the images, one row each."""
        crops = [[pre(to_uint8_chw(rgb).unsqueeze(0))[0] for rgb in images] for pre in self.pre]
        batches = [torch.stack(c).to(self.device) for c in crops]
        with torch.no_grad():
            embedding = self.model.embed(batches[0] if len(batches) == 1 else batches)
            logits = self.model.head(embedding)
        return logits.float().cpu().numpy(), embedding.float().cpu().numpy()


def embed_samples(
    model: TransferModel,
    preprocess: Sequence[dict[str, Any]],
    samples: Sequence[Sample],
    device: torch.device,
    progress: Progress = no_progress,
    control: RunControl | None = None,
    batch_size: int = 32,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logits, embeddings and labels of the samples that decode (decoding overlaps the network).

    Raises:
        RunCancelled: If ``control`` is cancelled between batches.
    """
    embed = EvalNetwork(model, preprocess, device)
    logits, embeddings, labels = [], [], []
    batch: list[tuple[Sample, np.ndarray]] = []
    pairs = zip(samples, load_rgb_arrays([s.path for s in samples]), strict=True)
    for done, (sample, (_, rgb)) in enumerate(pairs, start=1):
        if not isinstance(rgb, ImageError):  # reported by training; one that broke since is left out
            batch.append((sample, rgb))
        if len(batch) == batch_size or (done == len(samples) and batch):
            if control is not None:
                control.raise_if_cancelled()
            batch_logits, batch_embeddings = embed([rgb for _, rgb in batch])
            logits.append(batch_logits)
            embeddings.append(batch_embeddings)
            labels.extend(s.label for s, _ in batch)
            batch = []
            progress(done, len(samples), CALIBRATING)
    if not logits:
        return np.zeros((0, 0), np.float32), np.zeros((0, 0), np.float32), np.zeros(0, np.int64)
    return np.concatenate(logits), np.concatenate(embeddings), np.asarray(labels, dtype=np.int64)


@dataclass(frozen=True)
class CachedEmbeddings:
    """A frozen backbone's cached features: they are the network's embedding, no second pass needed."""

    val: np.ndarray
    val_labels: np.ndarray
    val_rows: list[int]  # which validation samples they belong to
    train: np.ndarray
    train_labels: np.ndarray


def held_out_logits(
    model: TransferModel,
    cached: CachedEmbeddings | None,
    recipe: HeadRecipe | None,
    device: torch.device,
    progress: Progress = no_progress,
    control: RunControl | None = None,
) -> tuple[np.ndarray, np.ndarray, str] | None:
    """Out-of-fold logits and labels of the training images, and their description, or None.

    None (fit T on validation) unless the run trained its head alone on cached features, its
    recipe is known and every class has an image in each of the folds.
    """
    if cached is None or recipe is None or not can_fold(cached.train_labels):
        return None
    try:
        logits = out_of_fold_logits(model.head, cached.train, cached.train_labels, recipe, device,
                                    progress=progress, control=control)
    except NonFiniteLossError as exc:
        log.warning("out-of-fold calibration failed (%s); T is fitted on the validation images", exc)
        return None
    return logits, cached.train_labels, f"out-of-fold ({FOLDS} folds, {len(logits):,} training images)"


def fit_run_trust(
    model: TransferModel,
    preprocess: Sequence[dict[str, Any]],
    train: Sequence[Sample],
    val: Sequence[Sample],
    device: torch.device,
    progress: Progress = no_progress,
    control: RunControl | None = None,
    cached: CachedEmbeddings | None = None,
    recipe: HeadRecipe | None = None,
) -> TrustModel | None:
    """The trust model of a trained network, or None when there are no validation images.

    Args:
        model: The network with its best weights.
        preprocess: One ``Preprocess.to_dict()`` per backbone.
        train: The training samples (a class-covering subset becomes the novelty references).
        val: The validation samples (T and the rejection threshold are fitted on them).
        device: Where to run the network.
        progress: Reports image by image.
        control: Cancels between batches.
        cached: A frozen backbone's cached features of both splits (the embedding itself): no
            image goes through the network again.
        recipe: How the head was trained; with ``cached``, T is fitted on out-of-fold logits of
            the training images (see :func:`held_out_logits`).
    """
    if cached is not None:
        val_embeddings, val_labels = cached.val.astype(np.float32), cached.val_labels
        with torch.no_grad():
            head = model.head.eval().to("cpu")
            val_logits = head(torch.from_numpy(val_embeddings)).numpy()
    else:
        val_logits, val_embeddings, val_labels = embed_samples(
            model, preprocess, val, device, progress, control
        )
    if len(val_labels) == 0:
        return None
    if cached is not None:
        keep = select_reference(cached.train_labels)
        ref_embeddings, ref_labels = cached.train[keep], cached.train_labels[keep]
    else:
        keep = select_reference(np.array([s.label for s in train]))
        chosen = [train[i] for i in keep]
        _, ref_embeddings, ref_labels = embed_samples(model, preprocess, chosen, device, progress, control)
    folded = held_out_logits(model, cached, recipe, device, progress, control)
    if folded is None:
        trust = fit_trust(val_logits, val_labels, val_logits, val_embeddings, ref_embeddings, ref_labels)
    else:
        oof_logits, oof_labels, source = folded
        trust = fit_trust(oof_logits, oof_labels, val_logits, val_embeddings, ref_embeddings, ref_labels,
                          held_out="out-of-fold", val_labels=val_labels, source=source)
    if trust.novelty is None:
        return trust
    val_top = softmax(val_logits, trust.temperature).max(axis=1)
    network = EvalNetwork(model, preprocess, device)
    report = novelty_report(trust.novelty, trust.temperature, network, val_embeddings, val_top, val,
                            (ref_embeddings, ref_labels), val_labels)
    return dataclasses.replace(trust, novelty_report=report)


def novelty_report(
    novelty: NoveltyModel,
    temperature: float,
    network: EvalNetwork,
    val_embeddings: np.ndarray,
    val_top: np.ndarray,
    val: Sequence[Sample],
    references: tuple[np.ndarray, np.ndarray],
    val_labels: np.ndarray,
) -> dict[str, Any]:
    """What the Evaluate page shows about rejection, measured once after training.

    - ``rejection_curve``: the share of validation images rejected at thresholds 0.5-2.0 (the
      chosen one is 1.0);
    - ``val_rejected``: that share at the chosen threshold (about 5% by construction);
    - ``loco_auroc``: leave-one-class-out AUROC per class (near novelty, distance signal only);
    - ``junk_rejected``: the share of generated junk (noise, solid colours, blurred copies of
      validation images) rejected, and the count.
    """
    scores = novelty.scores(val_embeddings, val_top)
    thresholds = np.round(np.linspace(0.5, 2.0, 31), 3)
    curve = [{"threshold": float(t), "rejected": float((scores > t).mean())} for t in thresholds]
    decoded = load_rgb_arrays([s.path for s in val[:4]])
    blur_sources = [rgb for _, rgb in decoded if not isinstance(rgb, ImageError)]
    junk = junk_images(blur_from=blur_sources)
    logits, embeddings = network([rgb for _, rgb in junk])
    junk_scores = novelty.scores(embeddings, softmax(logits, temperature).max(axis=1))
    loco = leave_one_class_out_auroc(references[0], references[1], val_embeddings, val_labels)
    return {
        "rejection_curve": curve,
        "val_rejected": float((scores > 1.0).mean()),
        "loco_auroc": {str(c): round(a, 4) for c, a in loco.items()},
        "junk_rejected": float((junk_scores > 1.0).mean()),
        "junk_count": len(junk),
        "junk_missed": [kind for (kind, _), s in zip(junk, junk_scores, strict=True) if s <= 1.0],
    }


def calibrate_run(
    run_dir: str | Path,
    train: Sequence[Sample],
    val: Sequence[Sample],
    device: torch.device,
    progress: Progress = no_progress,
    control: RunControl | None = None,
    cached: CachedEmbeddings | None = None,
) -> TrustModel | None:
    """Fit and save the trust model of a finished run from its best weights (flushed to disk).

    With ``cached`` (a head-only run), T is fitted on out-of-fold logits with the run's recipe
    (``config.json`` and its best epoch).

    Calibration never costs the user the run: a failure or a cancel is logged and the run keeps
    its weights (its export then has no rejection; exporting it calibrates it then).
    """
    from engine.runs.checkpoints import load_run_model  # the run folder's torch half

    progress(0, 1, CALIBRATING)
    try:
        model, info = load_run_model(run_dir)
        recipe = HeadRecipe(read_config(run_dir), info.best_epoch) if cached is not None else None
        trust = fit_run_trust(model, info.preprocess, train, val, device, progress, control, cached, recipe)
        if trust is not None:
            save_trust(run_dir, trust)
        return trust
    except RunCancelled:
        log.warning("%s: calibration cancelled; the run is kept without it", run_dir)
        return None
    except (TransferStudioError, ValueError, OSError, np.linalg.LinAlgError) as exc:
        log.warning("%s: calibration failed (%s); the run is kept without it", run_dir, exc)
        return None
