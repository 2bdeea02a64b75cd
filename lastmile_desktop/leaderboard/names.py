"""How stores are named on the leaderboard: a manager sees their own place, not others' names.

The regional lead sees every store by name. A store manager sees their own store by name and
every other one as "Store A", "Store B"..., lettered in the order the stores were created
(their ids), leaving out the manager's own: the letters stay the same from one week and one
campaign to the next. The lead can choose to show every name to everyone; the choice is a
setting of the data, so the window, the command line and any export obey it alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lastmile_desktop.campaigns.access import Profile, require_lead
from lastmile_desktop.data_settings import get_setting, set_setting
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Store

SHOW_STORE_NAMES_SETTING = "leaderboard_show_store_names"


@dataclass(frozen=True)
class StoreLabel:
    text: str  # what the viewer sees: the store's name, or "Store C"
    # The store's id when the viewer may know which store it is; None for a lettered one.
    store_id: int | None
    own: bool  # the viewer's own store


def letters(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA": as spreadsheet columns are lettered."""
    text = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        text = chr(ord("A") + remainder) + text
    return text


def _names_shown(session: Session) -> bool:
    return get_setting(session, SHOW_STORE_NAMES_SETTING) == "yes"


def store_names_shown(db: Database) -> bool:
    """Whether the lead chose to show every store's name to managers too (default: no)."""
    with db.read_session() as session:
        return _names_shown(session)


def set_store_names_shown(db: Database, profile: Profile, shown: bool) -> None:
    """The lead's choice: show every store's name to managers, or only their own."""
    require_lead(profile, "choose whether managers see other stores' names")
    with db.session() as session:
        set_setting(session, SHOW_STORE_NAMES_SETTING, "yes" if shown else "no")


def store_labels(session: Session, profile: Profile) -> dict[int, StoreLabel]:
    """Every store's label as ``profile`` may see it."""
    stores = session.execute(select(Store.id, Store.name).order_by(Store.id)).all()
    names_visible = profile.is_lead or _names_shown(session)
    labels: dict[int, StoreLabel] = {}
    others = 0
    for store_id, name in stores:
        own = store_id == profile.store_id
        if names_visible or own:
            labels[store_id] = StoreLabel(name, store_id, own)
        else:
            labels[store_id] = StoreLabel(f"Store {letters(others)}", None, own)
            others += 1
    return labels
