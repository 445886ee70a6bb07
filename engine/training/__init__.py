"""Training: the epoch loop, its steps and the feature and image tasks."""
