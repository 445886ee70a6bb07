"""The timed passes of one backbone, as a run makes them (what the time estimates are built on).

Timed by :func:`engine.recommend.measuring.time_passes`, carried by
:class:`engine.recommend.rules.Measurement`, used by :mod:`engine.recommend.timing`.
"""

from __future__ import annotations

from dataclasses import dataclass

BUILD_S = 1.0  # building a network with its weights, when it was not timed
EXTRACTOR_SETUP_S = 1.0  # starting an inference session for the extraction, when it was not timed
CALIBRATION_FORWARD = 3.0  # calibration's pass per image against validation's, when it was not timed


@dataclass(frozen=True)
class PassTimes:
    """Steady-state seconds of the passes a run makes, timed as the run makes them.

    Attributes:
        forward_s: Seconds per image of a forward pass without gradients (validation, ``linear``).
        train_s: Seconds per image of a training step through every layer, optimiser step included.
        save_s: Seconds to serialise the network's weights once.
        group_shares: Share of the forward pass's time spent in each layer group, input first
            (what a ``partial`` run with the first k groups frozen still back-propagates through).
        warmup_s: Extra seconds of the first steps over steady ones (memory, kernel choices).
        build_s: Seconds to build the network with its pretrained weights.
        extract_setup_s: Extra seconds of an extraction's first batch (starting its inference session).
        calibrate_s: Seconds per image of calibration's pass (preprocessing and network, batches
            of 32, plain memory format: :class:`engine.trust.fit_run.EvalNetwork`); 0: not timed.
        calibrate_warmup_s: Extra seconds of calibration's first batch.
        threads: The thread count the passes were timed with (the run's).
        batch: The batch size they were timed at (the run's, for image strategies).
    """

    forward_s: float
    train_s: float
    save_s: float = 0.0
    group_shares: tuple[float, ...] = ()
    warmup_s: float = 0.0
    build_s: float = BUILD_S
    extract_setup_s: float = EXTRACTOR_SETUP_S
    calibrate_s: float = 0.0
    calibrate_warmup_s: float = 0.0
    threads: int = 1
    batch: int = 1

    def calibration_per_image(self) -> float:
        """Seconds per image of calibration's pass: timed, else guessed from the forward pass."""
        return self.calibrate_s or self.forward_s * CALIBRATION_FORWARD

    def backprop_share(self, frozen_groups: int) -> float:
        """Share of a full training step's backward work left when the first groups are frozen."""
        if not self.group_shares:
            return 0.0
        total = sum(self.group_shares) or 1.0
        return sum(self.group_shares[frozen_groups:]) / total
