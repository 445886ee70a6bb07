"""Training: the epoch loop, its steps, the strategies and the feature and image pipelines."""
