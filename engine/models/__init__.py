"""Backbone networks: the registry of supported architectures and their verified weights."""
