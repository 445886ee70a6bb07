"""Prediction stage of the GUI."""
