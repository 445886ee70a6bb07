"""A run's trust model: its temperature and its novelty references, fitted once and stored in the run.

``fit_trust`` takes plain arrays (held-out logits and embeddings, training embeddings), so it does
not care whether they came from cached features or a forward pass. ``save_trust``/``load_trust``
keep it in the run folder as ``trust.json`` (temperature, calibration report, novelty parameters)
and ``trust_references.npy`` (the L2-normalised reference embeddings). Numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.atomic import read_json, write_json, write_with
from engine.errors import RunError
from engine.runs.files import TRUST, TRUST_REFERENCES
from engine.trust.calibration import calibration_report
from engine.trust.novelty import ACCEPT_RATE, NoveltyModel, fit_novelty
from engine.trust.temperature import fit_temperature, softmax


@dataclass(frozen=True)
class TrustModel:
    """Temperature, how it was measured, and the novelty model (None: no rejection)."""

    temperature: float
    held_out: str  # which logits T was fitted on: "validation" or "out-of-fold"
    calibration: dict[str, Any]  # CalibrationReport.to_dict()
    novelty: NoveltyModel | None
    novelty_report: dict[str, Any] = field(default_factory=dict)  # see engine.trust.fit_run.novelty_report

    def metadata(self) -> dict[str, Any]:
        """What goes into an exported file's metadata."""
        calibration = {"temperature": self.temperature, "fitted_on": self.held_out}
        if self.calibration.get("source"):
            calibration["source"] = self.calibration["source"]
        out: dict[str, Any] = {"calibration": calibration}
        if self.novelty is not None:
            out["novelty"] = self.novelty.metadata()
        return out


def fit_trust(
    held_out_logits: np.ndarray,
    held_out_labels: np.ndarray,
    val_logits: np.ndarray,
    val_embeddings: np.ndarray,
    train_embeddings: np.ndarray,
    train_labels: np.ndarray,
    held_out: str = "validation",
    accept_rate: float = ACCEPT_RATE,
    val_labels: np.ndarray | None = None,
    source: str = "",
) -> TrustModel:
    """Fit T on held-out logits, then the novelty scales on the validation images.

    Calibration (ECE, NLL before and after) is always measured on the validation images.

    Args:
        held_out_logits: Logits T is fitted on: the validation set's, or out-of-fold logits of the
            training images (head-only strategies, where 5 folds are cheap).
        held_out_labels: Their true classes.
        val_logits: The final model's logits on the validation images (rows as ``val_embeddings``).
        val_embeddings: The validation images' penultimate embeddings.
        train_embeddings: The training images' embeddings: the novelty references.
        train_labels: Their classes (the reference set covers every class).
        held_out: Which logits T was fitted on: ``"validation"`` or ``"out-of-fold"``.
        accept_rate: Share of validation images the rejection threshold accepts.
        val_labels: The validation images' classes; needed unless ``held_out`` is ``"validation"``
            (then they are ``held_out_labels``).
        source: Where T was fitted, in words, for the report (default: ``"validation (N images)"``).

    Raises:
        ValueError: For out-of-fold logits without ``val_labels``.
    """
    if val_labels is None:
        if held_out != "validation":
            raise ValueError("calibration is measured on the validation images: pass val_labels")
        val_labels = held_out_labels
    temperature = fit_temperature(held_out_logits, held_out_labels)
    report = calibration_report(val_logits, val_labels, temperature, source, len(held_out_labels))
    novelty = None
    if len(train_embeddings) and len(val_embeddings):
        top = softmax(val_logits, temperature).max(axis=1)
        novelty = fit_novelty(train_embeddings, train_labels, val_embeddings, top, accept_rate)
    return TrustModel(temperature, held_out, report.to_dict(), novelty)


def save_trust(run_dir: str | Path, trust: TrustModel) -> None:
    """Write ``trust.json`` (and the references, when there is a novelty model) atomically."""
    run_dir = Path(run_dir)
    doc: dict[str, Any] = {"temperature": trust.temperature, "held_out": trust.held_out,
                           "calibration": trust.calibration, "novelty": None,
                           "novelty_report": trust.novelty_report}
    if trust.novelty is not None:
        reference = trust.novelty.reference
        write_with(run_dir / TRUST_REFERENCES, lambda f: np.save(f, reference, allow_pickle=False))
        doc["novelty"] = trust.novelty.metadata()
    write_json(run_dir / TRUST, doc)


def _novelty_from(run_dir: Path, meta: dict[str, Any]) -> NoveltyModel:
    path = run_dir / TRUST_REFERENCES
    try:
        reference = np.load(path, allow_pickle=False)
        return NoveltyModel(
            reference=np.asarray(reference, dtype=np.float32),
            k=int(meta["k"]),
            distance_scale=float(meta["distance_scale"]),
            confidence_scale=float(meta["confidence_scale"]),
            combined_scale=float(meta["combined_scale"]),
            accept_rate=float(meta["accept_rate"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RunError(f"{path}: the novelty references are damaged ({exc}); export the run again "
                       "after re-running calibration") from exc


def load_trust(run_dir: str | Path) -> TrustModel | None:
    """The run's trust model, or None for a run trained before calibration existed.

    Raises:
        RunError: If ``trust.json`` or the references exist but are damaged.
    """
    run_dir = Path(run_dir)
    path = run_dir / TRUST
    if not path.exists():
        return None
    try:
        doc = read_json(path)
        temperature = float(doc["temperature"])
        if not 0 < temperature < float("inf"):
            raise ValueError(f"temperature {temperature}")
        novelty = _novelty_from(run_dir, doc["novelty"]) if doc.get("novelty") else None
        held_out = str(doc.get("held_out", "validation"))
        report = dict(doc.get("novelty_report") or {})
        return TrustModel(temperature, held_out, dict(doc["calibration"]), novelty, report)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RunError(f"{path}: damaged calibration file ({exc}); delete it to export without "
                       "calibration, or re-run calibration") from exc
