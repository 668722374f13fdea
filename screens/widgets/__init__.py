"""Reusable widgets, each self-contained: its own ``DEFAULT_CSS`` (a screen it opens has a ``.tcss`` beside it)."""
