"""Trust at prediction time: calibrated confidence (temperature scaling) and "none of my classes"."""
