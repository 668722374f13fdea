"""Companion's Textual UI: the App, one module per screen, widgets and styles."""
