"""Dataset indexing, splitting and loading."""
