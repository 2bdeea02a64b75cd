"""A rotating log file in the data folder, so a bug report has something to read."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from lastmile_desktop.settings import log_dir

LOG_FILE_NAME = "lastmile.log"


def configure_logging(directory: Path | None = None) -> Path:
    path = (directory or log_dir()) / LOG_FILE_NAME
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path
