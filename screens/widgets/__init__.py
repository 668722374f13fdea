"""Reusable widgets (each self-contained, with its own ``DEFAULT_CSS``)."""
