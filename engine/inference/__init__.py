"""Prediction with exported ONNX files; imports neither torch nor Qt."""

from engine.inference.predictor import (
    OnnxPredictor,
    PathResult,
    Prediction,
    expand_paths,
    pick_providers,
    read_model_file,
)

__all__ = ["OnnxPredictor", "PathResult", "Prediction", "expand_paths", "pick_providers", "read_model_file"]
