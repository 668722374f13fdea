"""Calm themes: muted colours, readable contrast, and nothing that relies on colour alone."""

from __future__ import annotations

from textual.theme import Theme

from companion.settings.user_settings import DEFAULT_THEME

CALM_DARK = Theme(
    name=DEFAULT_THEME,
    primary="#7FB7A4",
    secondary="#A7C4D9",
    accent="#E3C08D",
    foreground="#E6E9E4",
    background="#1D2321",
    surface="#242C29",
    panel="#2E3834",
    success="#8FC79A",
    warning="#E3C08D",
    error="#E08C7E",
    dark=True,
)

CALM_LIGHT = Theme(
    name="companion-light",
    primary="#3E7D69",
    secondary="#4F7390",
    accent="#9A6A23",
    foreground="#1F2624",
    background="#F4F2EC",
    surface="#ECE9E1",
    panel="#E0DCD1",
    success="#3C7D48",
    warning="#9A6A23",
    error="#A8473A",
    dark=False,
)

THEMES = (CALM_DARK, CALM_LIGHT)
