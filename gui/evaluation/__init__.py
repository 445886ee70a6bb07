"""Evaluation stage of the GUI."""
