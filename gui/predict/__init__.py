"""The Predict stage: offline prediction with an exported ONNX model."""
