"""One backbone's features for a list of samples, through the shared on-disk cache.

The recommender's measurements and the dataset doctor both embed images this way, so an image
embedded by one is free for the other (and for a later ``features`` run).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from engine.control import RunControl
from engine.data.scan import Sample
from engine.features.extraction import (
    FeatureSet,
    extract_features,
    extraction_precision,
    make_extractor,
    module_digest,
    open_store,
)
from engine.models.registry import get_spec
from engine.progress import Progress, relabelled


def cached_features(
    name: str,
    backbone: nn.Module,
    samples: Sequence[Sample],
    device: torch.device,
    stage: str,
    progress: Progress | None = None,
    control: RunControl | None = None,
) -> FeatureSet:
    """Vectors of ``samples`` (eval view) from the cache, computing the missing ones.

    Args:
        name: The registry name of the backbone (its preprocessing and cache table).
        backbone: The backbone module with its pretrained weights.
        samples: The images.
        device: Where missing vectors are computed (ONNX Runtime on a CPU).
        stage: What the progress reports say ("Measuring how well X fits your images").
        progress: Reports image by image.
        control: Cancels between batches.
    """
    spec = get_spec(name).preprocess
    precision = extraction_precision(device, "auto")
    store, prefix = open_store(name, module_digest(backbone), spec, precision)
    threads = torch.get_num_threads()
    try:
        return extract_features(
            samples,
            store,
            prefix,
            lambda: make_extractor(name, backbone, spec, device, "auto", threads),  # computes in `precision`
            spec,
            progress=relabelled(progress, stage),
            control=control,
        )
    finally:
        store.close()
