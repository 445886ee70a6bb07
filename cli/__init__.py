"""Headless command-line front end over the same engine as the app."""

COMMANDS = ("train", "resume", "backbones", "export", "predict", "demo", "recommend")  # main.py routes these
