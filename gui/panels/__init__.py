"""The app's pages and panels, one per file."""
