"""A project: image references, labels, splits and runs; its file format, import and copy-out."""
