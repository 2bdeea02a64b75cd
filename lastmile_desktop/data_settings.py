"""Settings that belong to the data, shared by the GUI and the command line."""

from __future__ import annotations

import locale

from sqlalchemy.orm import Session

from lastmile_desktop.storage.models import Setting

DEFAULT_REGION_KEY = "default_region"
FALLBACK_REGION = "GB"


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return None if row is None else row.value


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def _region_from_locale() -> str | None:
    name = locale.getlocale()[0] or ""
    # "en_GB" -> "GB"; "C" or "" -> None
    parts = name.replace("-", "_").split("_")
    if len(parts) >= 2 and len(parts[1]) == 2 and parts[1].isalpha():
        return parts[1].upper()
    return None


def default_region(session: Session) -> str:
    """The ISO 3166 country used for phone numbers and dates written without one."""
    return get_setting(session, DEFAULT_REGION_KEY) or _region_from_locale() or FALLBACK_REGION
