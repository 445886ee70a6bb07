"""The Evaluate stage: confusion matrix, per-class metrics and misclassified images."""
