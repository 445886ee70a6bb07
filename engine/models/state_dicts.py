"""Weight file bytes to a state dict, with the safe loaders only (no pickle beyond tensors).

:mod:`engine.models.weights` checks a file's pinned hash first, then deserialises the very bytes it
hashed with :func:`deserialize_state_dict`.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from engine.errors import WeightsError

StateDict = dict[str, torch.Tensor]

_WRAPPER_KEYS = ("state_dict", "model_state_dict", "model")
_ACCEPTED = ("Only plain tensor state dicts are accepted: save with torch.save(model.state_dict()) or "
             "safetensors.")


def read_bytes(path: Path) -> bytes:
    """Read a whole file, turning a missing or unreadable file into a WeightsError."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise WeightsError(f"Weights file {path} cannot be read: {exc.strerror or exc}.") from exc


def deserialize_state_dict(data: bytes, source: Path) -> StateDict:
    """Turn file bytes into a state dict with the safe loaders only (``source`` names the file)."""
    try:
        if source.suffix.lower() == ".safetensors":
            from safetensors.torch import load as load_safetensors

            obj: Any = load_safetensors(data)
        else:
            obj = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:  # torch's own text suggests weights_only=False: never say that
        raise WeightsError(
            f"{source}: refused: it holds Python objects besides tensors, which cannot be loaded safely "
            f"(loading them could run code). {_ACCEPTED}"
        ) from exc
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        raise WeightsError(
            f"{source}: cannot be read as weights ({type(exc).__name__}: {first}). {_ACCEPTED}"
        ) from exc
    return as_state_dict(obj, source)


def as_state_dict(obj: Any, source: Path) -> StateDict:
    """Unwrap common checkpoint layouts and insist on a flat ``str -> Tensor`` mapping."""
    if isinstance(obj, Mapping):
        for key in _WRAPPER_KEYS:
            if isinstance(obj.get(key), Mapping):
                obj = obj[key]
                break
    if not isinstance(obj, Mapping) or not obj:
        raise WeightsError(f"{source}: does not contain a state dict (name -> tensor).")
    bad = [str(k) for k, v in obj.items() if not isinstance(k, str) or not torch.is_tensor(v)]
    if bad:
        raise WeightsError(f"{source}: entries that are not tensors: {', '.join(bad[:5])}.")
    state = {str(k): v for k, v in obj.items()}
    if all(k.startswith("module.") for k in state):
        state = {k.removeprefix("module."): v for k, v in state.items()}
    return state
