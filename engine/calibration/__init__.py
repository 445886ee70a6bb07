"""Calibrated confidence: temperature scaling and the measures that say whether it worked."""
