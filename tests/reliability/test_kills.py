"""SIGKILL at random moments during a project save and during training: nothing torn, no temp left.

Runs the harness of ``bench/bench_kills.py`` with a fixed seed: 20 random kills during a project
save (plus 5 just before a rename), and fewer during training, 3 random plus 2 before a rename (each
kill there costs a process start with a torch import, 10-20 s on two loaded cores); the benchmark
itself does 20 of each. POSIX only.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="SIGKILL and process groups"),
]
SAVE_KILLS, SAVE_TARGETED = 20, 5
TRAINING_KILLS, TRAINING_TARGETED = 3, 2


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_kills", ROOT / "bench" / "bench_kills.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_kills", module)
    spec.loader.exec_module(module)
    return module


def test_kills_during_project_saves_leave_no_torn_file_and_no_temp(tmp_path):
    counts = _bench().project_save_kills(SAVE_KILLS, np.random.default_rng(0), tmp_path, 20000, SAVE_TARGETED)
    assert (counts.kills, counts.targeted_kills) == (SAVE_KILLS, SAVE_TARGETED)
    assert counts.torn_files == 0
    assert counts.old_or_new_version == SAVE_KILLS + SAVE_TARGETED
    assert counts.temps_after_kill >= SAVE_TARGETED  # a killed rename leaves its temp file...
    assert counts.leftover_temporaries == 0 and counts.other_files_left == 0  # ...which opening removes


def test_kills_during_training_leave_no_torn_file_and_the_run_resumes(tmp_path):
    bench = _bench()
    counts = bench.training_kills(TRAINING_KILLS, np.random.default_rng(1), tmp_path, 60, TRAINING_TARGETED)
    assert (counts.kills, counts.targeted_kills) == (TRAINING_KILLS, TRAINING_TARGETED)
    assert counts.files_checked > 0 and counts.torn_files == 0
    assert counts.temps_after_kill >= 1
    assert counts.leftover_temporaries == 0
    assert counts.crashes == 0, counts.messages
    assert counts.resumable_runs + counts.clear_errors == counts.runs
    assert counts.resumable_runs >= 1
