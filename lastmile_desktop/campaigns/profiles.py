"""Who can be picked at start: the regional lead, or one of the stores' active managers."""

from __future__ import annotations

from sqlalchemy import select

from lastmile_desktop.campaigns.access import INACTIVE_MANAGER, AccessDenied, Profile
from lastmile_desktop.campaigns.stores import store_sort_key
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Manager, Store


def available_profiles(db: Database) -> list[Profile]:
    """The lead first, then every active manager ordered by store (``store_sort_key``), name."""
    with db.read_session() as session:
        rows = session.execute(
            select(Manager.id, Manager.name, Manager.store_id, Store.name, Store.code)
            .join(Store, Store.id == Manager.store_id)
            .where(Manager.active.is_(True))
        ).all()
    ordered = sorted(
        rows, key=lambda row: (store_sort_key(row[3], row[4]), row[1].casefold(), row[0])
    )
    managers = [
        Profile.manager(name, manager_id, store_id) for manager_id, name, store_id, *_ in ordered
    ]
    return [Profile.lead(), *managers]


def profile_for_manager(db: Database, manager_id: int) -> Profile:
    """The profile of one manager, refused once they have been deactivated."""
    with db.read_session() as session:
        manager = session.get(Manager, manager_id)
        if manager is None or not manager.active:
            name = manager.name if manager is not None else "This manager"
            raise AccessDenied(INACTIVE_MANAGER.format(name=name))
        return Profile.manager(manager.name, manager.id, manager.store_id)
