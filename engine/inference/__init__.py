"""Prediction with exported ONNX files (``predictor``) and its CSV report (``report``); no torch, no Qt."""
