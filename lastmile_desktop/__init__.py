"""Last Mile: win back lapsed customers, one call at a time."""

__version__ = "0.1.0"
APP_NAME = "Last Mile"
