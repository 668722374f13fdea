"""A second, informative anchor: the bare app, started after what any Companion start must do before its first
frame to validate at the boundary: import its pydantic models and read and validate the settings file.

It shows how much of Companion's start-up and memory is pydantic's (import, model classes, the settings
validator) rather than the app's own screens and data. It is not a target: the targets are against ``bare_app.py``.
"""

from bare_app import BareApp

import companion.catalogue.models  # noqa: F401  (the catalogue's model classes, which the cached catalogue is made of)
from companion.disk.paths import default_paths
from companion.settings.user_settings import load_settings

if __name__ == "__main__":
    load_settings(default_paths())
    BareApp().run()
