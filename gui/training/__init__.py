"""Training stage of the GUI."""
