"""The run folder, in one home.

``files`` names every file and reads a run without torch; ``manifest`` records and rebuilds the dataset a
run trained on; ``evaluation`` computes its validation metrics; ``checkpoints`` is the torch half (weights);
``writer`` writes the folder during a run; ``followup`` holds the rules to resume or fine-tune a run;
``launch`` starts a run (resolving ``auto``). See ``docs/adr/0002-run-folder.md``.
"""
