"""Distributed jobs: export a run as a torchrun job folder, and import its result as a run."""
