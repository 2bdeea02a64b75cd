"""Who can be picked at start: the regional lead, or one of the stores' active managers.

On a chain's server a store's PC opens the database with its store's login: the choices are
then that store's managers only, never the lead (``server_access.login_store``).
"""

from __future__ import annotations

from sqlalchemy import select

from lastmile_desktop.campaigns.access import INACTIVE_MANAGER, AccessDenied, Profile
from lastmile_desktop.campaigns.server_access import login_store
from lastmile_desktop.campaigns.stores import store_sort_key
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Manager, Store

NO_MANAGER_AT_STORE = (
    "No active manager works at {store} yet, so nobody can use this store's login: ask the "
    "regional lead to add one (Stores page, or lastmile manager add)."
)


def available_profiles(db: Database) -> list[Profile]:
    """The lead first, then every active manager ordered by store (``store_sort_key``), name.

    On a store's login: that store's active managers only, and at least one of them.
    """
    store = login_store(db)
    with db.read_session() as session:
        query = (
            select(Manager.id, Manager.name, Manager.store_id, Store.name, Store.code)
            .join(Store, Store.id == Manager.store_id)
            .where(Manager.active.is_(True))
        )
        if store is not None:
            query = query.where(Manager.store_id == store)
        rows = session.execute(query).all()
        if store is not None and not rows:
            name = session.scalar(select(Store.name).where(Store.id == store))
            raise AccessDenied(NO_MANAGER_AT_STORE.format(store=name or "this store"))
    ordered = sorted(
        rows, key=lambda row: (store_sort_key(row[3], row[4]), row[1].casefold(), row[0])
    )
    managers = [
        Profile.manager(name, manager_id, store_id) for manager_id, name, store_id, *_ in ordered
    ]
    return managers if store is not None else [Profile.lead(), *managers]


def profile_for_manager(db: Database, manager_id: int) -> Profile:
    """The profile of one manager, refused once they have been deactivated."""
    with db.read_session() as session:
        manager = session.get(Manager, manager_id)
        if manager is None or not manager.active:
            name = manager.name if manager is not None else "This manager"
            raise AccessDenied(INACTIVE_MANAGER.format(name=name))
        return Profile.manager(manager.name, manager.id, manager.store_id)
