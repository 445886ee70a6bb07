"""What an exported file promises, shared by the exporter and the torch-free predictor.

Imports nothing heavy: the predictor and the CLI's argument parser read these constants.
"""

from __future__ import annotations

FORMAT_KEY = "transfer_studio.format_version"
FORMAT_VERSION = "1"
SUPPORTED_FORMATS = (FORMAT_VERSION,)
INPUT_NAME, PROBS_NAME, EMBED_NAME = "images", "probabilities", "embedding"
UNKNOWN_SCORE_NAME, IS_UNKNOWN_NAME = "unknown_score", "is_unknown"  # absent from files made before them
INPUT_CONTRACT = {
    "name": INPUT_NAME,
    "dtype": "uint8",
    "layout": "NHWC",
    "channels": "RGB",
    "range": [0, 255],
}
PARITY_KEY = "parity"  # the export's own check: passed, top-1 agreement, max |dp|, images compared
JSON_KEYS = ("classes", "input", "backbones", "preprocess", PARITY_KEY)  # metadata values stored as JSON
OPTIONAL_JSON_KEYS = ("calibration", "novelty")  # JSON too, absent from files exported before them
MIN_OPSET = 18  # Resize's antialias attribute needs opset 18
DEFAULT_OPSET = 18
MAX_OPSET = 23  # the newest opset torch.onnx's TorchScript exporter writes
QUANTIZATION_MODES = ("none", "auto", "dynamic", "static")
TOP1_THRESHOLD = 0.995  # an export's required top-1 agreement with the app
