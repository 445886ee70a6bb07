"""The job's scripts, copied verbatim into every job folder; they import nothing of the app.

A package only so that the app's own checks (ruff, the import boundaries) see them as modules.
"""
