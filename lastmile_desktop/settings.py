"""Where things live on disk, and which database to open."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "LastMile"
DB_ENV_VAR = "LASTMILE_DB"
DATA_DIR_ENV_VAR = "LASTMILE_DATA_DIR"  # lets tests and portable installs move everything


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV_VAR)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_DIR_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "lastmile.sqlite3"


def demo_db_path() -> Path:
    """Demo data lives apart from the user's own database, always."""
    return data_dir() / "demo.sqlite3"


def log_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class DatabaseChoice:
    url: str
    origin: str  # "--db", "LASTMILE_DB" or "default", for messages


def to_url(path_or_url: str | Path) -> str:
    text = str(path_or_url)
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).expanduser().resolve())


def choose_database(cli_value: str | None) -> DatabaseChoice:
    if cli_value:
        return DatabaseChoice(to_url(cli_value), "--db")
    env_value = os.environ.get(DB_ENV_VAR)
    if env_value:
        return DatabaseChoice(to_url(env_value), DB_ENV_VAR)
    return DatabaseChoice(to_url(default_db_path()), "default")


def resources_dir() -> Path:
    """The ``resources/`` folder: beside the package in a checkout, inside a frozen bundle."""
    import sys

    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def user_guide_text() -> str:
    """The README, which is the user guide (Help > User guide); empty when it cannot be found.

    A checkout has it beside the package, a frozen bundle beside ``resources/`` (build.spec
    ships it), an installed wheel in the package's metadata (``readme`` in pyproject.toml).
    """
    import sys

    bundle = getattr(sys, "_MEIPASS", None)
    folder = Path(bundle) if bundle is not None else Path(__file__).resolve().parent.parent
    readme = folder / "README.md"
    if readme.is_file():
        return readme.read_text(encoding="utf-8")
    from importlib import metadata

    try:
        return metadata.metadata("lastmile-desktop").get_payload() or ""  # type: ignore[attr-defined]
    except metadata.PackageNotFoundError:
        return ""
