"""Background jobs: the job runner and the workers for training, recommending and predicting."""
