"""The dataset doctor: duplicates, train/validation leakage, suspect labels, outliers, bad shots, balance."""
