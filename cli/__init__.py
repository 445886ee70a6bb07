"""Headless command-line front end over the same engine as the app."""

COMMANDS = ("train", "backbones", "export", "predict", "demo", "recommend")
