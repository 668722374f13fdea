"""Where Companion keeps its files, from platformdirs (which honours ``XDG_*_HOME``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "companion"


@dataclass(frozen=True)
class Paths:
    """The folders and files in use. Nothing is created until something is written."""

    data: Path
    config: Path
    state: Path

    @property
    def history(self) -> Path:
        """Session records, one JSON object a line."""
        return self.data / "history.jsonl"

    @property
    def settings(self) -> Path:
        return self.config / "settings.json"

    @property
    def routines(self) -> Path:
        """The user's own routine files (``*.toml``)."""
        return self.config / "routines"

    @property
    def checkpoint(self) -> Path:
        """The run in progress, for recovery after a crash."""
        return self.state / "run-checkpoint.json"

    @property
    def screening(self) -> Path:
        """Today's screening answers."""
        return self.state / "screening.json"

    @property
    def lock(self) -> Path:
        """The inter-process lock guarding every write to the data folder."""
        return self.data / ".lock"

    def as_dict(self) -> dict[str, str]:
        return {
            "data": str(self.data),
            "config": str(self.config),
            "state": str(self.state),
            "routines": str(self.routines),
            "history": str(self.history),
            "settings": str(self.settings),
            "checkpoint": str(self.checkpoint),
        }


def default_paths() -> Paths:
    """The platform's folders for this user, read fresh so tests can point ``XDG_*_HOME`` elsewhere."""
    return Paths(
        data=platformdirs.user_data_path(APP_NAME),
        config=platformdirs.user_config_path(APP_NAME),
        state=platformdirs.user_state_path(APP_NAME),
    )
