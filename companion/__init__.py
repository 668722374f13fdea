"""Companion: timed self-massage routines, therapy guidance and a private session history.

The core package: no Textual imports here, so everything in it can be used and tested without a terminal.
"""

__version__ = "0.1.0"
