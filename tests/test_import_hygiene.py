"""The core and the content loader never import Textual: checked in a fresh interpreter."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str) -> list[str]:
    return [f"{package}.{info.name}" for info in pkgutil.iter_modules([str(ROOT / package)])]


def test_core_and_content_do_not_import_textual() -> None:
    modules = ["companion", "content", *_modules("companion"), *_modules("content")]
    modules = [m for m in modules if m != "companion.__main__"]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "", f"textual imported by the core: {result.stdout}"
    assert len(modules) > 5


def test_the_app_opens_without_building_the_command_line() -> None:
    """Plain ``companion`` goes straight to the app: no subcommand module is imported on the way (a quicker start)."""
    code = (
        "import sys\n"
        "import companion.cli as cli\n"
        "opened = []\n"
        "cli.open_app = lambda start_routine=None: opened.append(start_routine) or 0\n"
        "assert cli.main([]) == 0 and opened == [None]\n"
        "parts = ('argparse', 'companion.cli_parser', 'companion.cli_advice', 'companion.cli_history')\n"
        "print(','.join(sorted(m for m in sys.modules if m in parts)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == ""
