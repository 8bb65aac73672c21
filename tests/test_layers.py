"""The layering, read from the import statements, so it can't drift back: the core decides and
imports no vendor, presentation or I/O; presentation is never imported by the core or the
database; nothing imports upwards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# What each package may never import (prefixes of module names).
FORBIDDEN = {
    "core": (
        "slack_sdk",
        "slack_bolt",
        "sqlalchemy",
        "bot.ui",
        "bot.slack",
        "bot.db",
        "bot.services",
    ),
    "ui": ("bot.slack", "bot.db", "bot.services", "sqlalchemy"),
    "db": ("bot.ui", "bot.slack", "bot.services", "slack_sdk", "slack_bolt"),
    "services": ("bot.slack", "slack_bolt"),
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules(package: str) -> list[Path]:
    return sorted((BOT / package).rglob("*.py"))


def crossings(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    """One line per import of a forbidden module, or of a name inside one."""
    return [
        f"{path.name} imports {name}"
        for path in paths
        for name in sorted(imports(path))
        if any(name == prefix or name.startswith(prefix + ".") for prefix in forbidden)
    ]


def test_every_layer_has_modules() -> None:
    assert all(modules(package) for package in FORBIDDEN)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_module_imports_across_its_layer(package: str) -> None:
    assert crossings(modules(package), FORBIDDEN[package]) == []


def test_listener_modules_do_not_import_each_other() -> None:
    listeners = [p for p in (BOT / "slack" / "listeners").glob("*.py") if p.name != "__init__.py"]
    assert crossings(sorted(listeners), ("bot.slack.listeners",)) == []


def test_the_checker_sees_a_crossing(tmp_path: Path) -> None:
    """A core module that imports Block Kit or the presentation is caught; a look-alike name
    is not: the checks above can fail, and only for a real crossing."""
    bad = tmp_path / "bad.py"
    bad.write_text("from slack_sdk.models.blocks import SectionBlock\nimport bot.uix\n")
    assert crossings([bad], FORBIDDEN["core"]) == [
        "bad.py imports slack_sdk.models.blocks",
        "bad.py imports slack_sdk.models.blocks.SectionBlock",
    ]
