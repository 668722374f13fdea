"""The core never imports Textual or Rich, and `content/` is data only: checked in a fresh interpreter (the
import-linter contracts in pyproject.toml check the same statically, lazy imports included)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str) -> list[str]:
    """Every module of ``package``, subpackages included."""
    found = pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}.")
    return [package, *(info.name for info in found)]


def test_core_does_not_import_textual_or_rich() -> None:
    modules = [m for m in _modules("companion") if m != "companion.__main__"]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'screens'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "", f"imported by the core: {result.stdout}"
    assert "companion.safety.plan" in modules and "companion.cli.entry" in modules


def test_content_is_data_only() -> None:
    """`content/` holds TOML and Markdown files and the package marker (a docstring), no code."""
    files = [p for p in (ROOT / "content").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    strays = [p for p in files if p.suffix not in (".toml", ".md") and p.name != "__init__.py"]
    assert strays == []
    body = ast.parse((ROOT / "content" / "__init__.py").read_text()).body
    assert len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)


def test_docs_list_the_layers_of_the_import_contracts() -> None:
    """docs/architecture.md states the same order of the core's stages as the contract CI checks."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (stages,) = [c["layers"] for c in config if c.get("containers") == ["companion"]]
    line = " → ".join(stages)
    assert f"`{line}`" in (ROOT / "docs" / "architecture.md").read_text()


def test_every_screens_module_is_in_the_contract_that_keeps_screens_apart() -> None:
    """A new screen module left out of the layers would be free to import any other screen: none is left out."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in config if c.get("containers") == ["screens"]]
    named = {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}
    top_level = {info.name for info in pkgutil.iter_modules([str(ROOT / "screens")])}
    assert top_level - named == set()
    assert "advice" in named and "widgets" in named


def test_the_app_opens_without_building_the_command_line() -> None:
    """Plain ``companion`` goes straight to the app: no subcommand module is imported on the way (a quicker start)."""
    code = (
        "import sys\n"
        "import companion.cli.entry as cli\n"
        "opened = []\n"
        "cli.open_app = lambda start_routine=None: opened.append(start_routine) or 0\n"
        "assert cli.main([]) == 0 and opened == [None]\n"
        "parts = ('argparse', 'companion.cli.parser', 'companion.cli.advice', 'companion.cli.history')\n"
        "print(','.join(sorted(m for m in sys.modules if m in parts)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == ""
