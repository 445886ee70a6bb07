"""The application state, its undo commands and autosave."""
