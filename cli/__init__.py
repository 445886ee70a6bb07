"""Headless command-line front end over the same engine as the app."""

# main.py routes these to the CLI; a test keeps them in step with the parser
COMMANDS = (
    "train", "resume", "finetune", "backbones", "import-weights", "export", "predict", "demo", "recommend",
    "doctor", "export-job", "import-run",
)
