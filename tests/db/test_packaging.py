"""The wheel carries its migrations: built from the project, installed into a fresh venv, and
`touchbase db upgrade` run from a directory that is not a checkout brings a new SQLite file to
head. Nothing is downloaded: the wheel is built without build isolation (setuptools comes with
the dev extras) and the venv sees this environment's packages for the dependencies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.db import migrate
from bot.db.engine import Database
from bot.db.schema import Base

ROOT = Path(__file__).resolve().parents[2]
HEAD = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def run(*args: str | Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run with only the variables given (plus PATH), so this environment can't leak in."""
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def build_wheel(tmp_path: Path) -> Path:
    """Build from a copy of the sources, so the build leaves nothing in the checkout."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source)
    shutil.copytree(ROOT / "bot", source / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    pip = (sys.executable, "-m", "pip")
    run(
        *pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheels, source, cwd=tmp_path
    )
    (wheel,) = wheels.glob("touchbase-*.whl")
    return wheel


def install_in_fresh_venv(wheel: Path, venv: Path) -> Path:
    """A venv holding only the wheel; a .pth line lets it import this environment's packages.

    A plain path in a .pth file does not run the .pth files found there, so this environment's
    editable install of the checkout stays out of sight.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site_packages = Path(run(python, "-c", purelib, cwd=venv).stdout.strip())
    outer = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site_packages / "outer_environment.pth").write_text("\n".join(sorted(outer)) + "\n")
    pip = (sys.executable, "-m", "pip", "--python", python)
    run(*pip, "install", "--no-deps", "--no-index", "-q", wheel, cwd=venv)
    imported = run(python, "-c", "import bot; print(bot.__file__)", cwd=venv).stdout
    assert Path(imported.strip()).is_relative_to(site_packages), imported
    return venv / "bin" / "touchbase"


@pytest.mark.slow
def test_the_installed_wheel_upgrades_a_database_outside_the_checkout(tmp_path: Path) -> None:
    touchbase = install_in_fresh_venv(build_wheel(tmp_path), tmp_path / "venv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = tmp_path / "fresh.db"

    result = run(touchbase, "db", "upgrade", cwd=elsewhere, DATABASE_URL=f"sqlite:///{database}")

    assert "up to date" in result.stdout
    db = Database.from_url(f"sqlite:///{database}")
    try:
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == HEAD
        assert set(inspect(db.engine).get_table_names()) == set(Base.metadata.tables) | {
            "alembic_version"
        }
    finally:
        db.dispose()
