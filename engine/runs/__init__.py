"""The run folder: its files, reading it back, checkpoints and follow-up runs."""
