"""Store managers: added by the lead, deactivated (never deleted) when they leave.

A deactivated manager keeps their history: the attempts they logged and the customers they
owned still name them. They stop receiving new work and leave the profile picker.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lastmile_desktop.calling.life import OPEN_STATUSES
from lastmile_desktop.campaigns.access import (
    AccessDenied,
    LeadAction,
    Profile,
    check_profile,
    manager_visibility,
    require_lead,
)
from lastmile_desktop.campaigns.phones import normalise_phone
from lastmile_desktop.campaigns.stores import store_sort_key
from lastmile_desktop.data_settings import default_region
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.defaults import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    CampaignState,
    Manager,
    Store,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ManagerNotFound(UserFacingError):
    pass


@dataclass(frozen=True)
class ManagerDraft:
    name: str
    store_id: int
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ManagerInfo:
    id: int
    uuid: uuid.UUID
    name: str
    store_id: int
    store_code: str
    store_name: str
    phone: str | None  # E.164
    email: str | None
    active: bool
    created_at: datetime
    # Customers still to call in open campaigns: work to move when the manager leaves.
    open_members: int

    def to_draft(self) -> ManagerDraft:
        return ManagerDraft(self.name, self.store_id, self.phone, self.email)


def _open_work_counts(session: Session, manager_ids: list[int] | None = None) -> dict[int, int]:
    # Grouped by an expression rather than the column, members without a manager dropped
    # afterwards: SQLite then counts through the members' queue index (campaign, store,
    # manager, status; about 10 ms at 100,000 members) instead of walking the manager index
    # and reading every member row (about 90 ms).
    owner = (CampaignMember.manager_id + 0).label("owner")
    query = (
        select(owner, func.count())
        .join(Campaign, Campaign.id == CampaignMember.campaign_id)
        .where(Campaign.state == CampaignState.OPEN)
        .where(CampaignMember.status.in_(OPEN_STATUSES))  # their open work
        .group_by(owner)
    )
    if manager_ids is not None:
        query = query.where(CampaignMember.manager_id.in_(manager_ids))
    return {manager_id: count for manager_id, count in session.execute(query) if manager_id}


def _to_info(manager: Manager, store: Store, open_members: int) -> ManagerInfo:
    return ManagerInfo(
        id=manager.id,
        uuid=manager.uuid,
        name=manager.name,
        store_id=store.id,
        store_code=store.code,
        store_name=store.name,
        phone=manager.phone,
        email=manager.email,
        active=manager.active,
        created_at=manager.created_at,
        open_members=open_members,
    )


def _load(session: Session, manager_id: int) -> Manager:
    manager = session.get(Manager, manager_id)
    if manager is None:
        raise ManagerNotFound(f"Manager {manager_id} does not exist; reload the list.")
    return manager


def _info(session: Session, manager: Manager) -> ManagerInfo:
    store = session.get(Store, manager.store_id)
    assert store is not None  # the foreign key guarantees it
    return _to_info(manager, store, _open_work_counts(session, [manager.id]).get(manager.id, 0))


def list_managers(
    db: Database, profile: Profile, store_id: int | None = None, include_inactive: bool = False
) -> list[ManagerInfo]:
    """Managers by store (as ``list_stores`` orders them), then name; only the active ones
    unless asked.

    A store manager gets their own store's managers only.
    """
    with db.read_session() as session:
        check_profile(session, profile)
        query = (
            select(Manager, Store)
            .join(Store, Store.id == Manager.store_id)
            .where(manager_visibility(profile))
        )
        if store_id is not None:
            query = query.where(Manager.store_id == store_id)
        if not include_inactive:
            query = query.where(Manager.active.is_(True))
        rows = session.execute(query).all()
        counts = _open_work_counts(session)
        infos = [_to_info(m, s, counts.get(m.id, 0)) for m, s in rows]
    return sorted(infos, key=manager_sort_key)


def manager_sort_key(manager: ManagerInfo) -> tuple[object, ...]:
    """Managers by store (in the stores' one order), then by name."""
    return (
        store_sort_key(manager.store_name, manager.store_code),
        manager.name.casefold(),
        manager.id,
    )


def get_manager(db: Database, manager_id: int, profile: Profile) -> ManagerInfo:
    with db.read_session() as session:
        check_profile(session, profile)
        manager = _load(session, manager_id)
        if not profile.can_see_store(manager.store_id):
            raise AccessDenied("You can only see the managers of your own store.")
        return _info(session, manager)


def _clean(session: Session, draft: ManagerDraft) -> ManagerDraft:
    name = " ".join(draft.name.split())
    if not name:
        raise UserFacingError("Give the manager's name.")
    if len(name) > NAME_MAX_LENGTH:
        raise UserFacingError(f"Shorten the name to {NAME_MAX_LENGTH} characters.")
    if session.get(Store, draft.store_id) is None:
        raise UserFacingError("Pick the manager's store from the list of stores.")
    phone = None
    if draft.phone and draft.phone.strip():
        phone = normalise_phone(draft.phone, default_region(session))
    email = (draft.email or "").strip() or None
    if email is not None and (len(email) > EMAIL_MAX_LENGTH or not _EMAIL.match(email)):
        raise UserFacingError(f'"{email}" is not an email address: write it as name@example.com.')
    return ManagerDraft(name, draft.store_id, phone, email)


def add_manager(db: Database, draft: ManagerDraft, profile: Profile) -> ManagerInfo:
    require_lead(profile, LeadAction.ADD_MANAGERS)
    with db.session() as session:
        clean = _clean(session, draft)
        manager = Manager(
            name=clean.name,
            store_id=clean.store_id,
            phone=clean.phone,
            email=clean.email,
            active=True,
        )
        session.add(manager)
        session.flush()
        return _info(session, manager)


def update_manager(
    db: Database, manager_id: int, draft: ManagerDraft, profile: Profile
) -> ManagerInfo:
    """Correct a manager's details. A move to another store waits until their work is moved."""
    require_lead(profile, LeadAction.CHANGE_MANAGERS)
    with db.session() as session:
        manager = _load(session, manager_id)
        clean = _clean(session, draft)
        if clean.store_id != manager.store_id:
            open_work = _open_work_counts(session, [manager.id]).get(manager.id, 0)
            if open_work:
                raise UserFacingError(
                    f"{manager.name} still has {open_work} customers to call at their store: "
                    "move that work to another manager first, then change the store."
                )
        manager.name = clean.name
        manager.store_id = clean.store_id
        manager.phone = clean.phone
        manager.email = clean.email
        session.flush()
        return _info(session, manager)


def _set_active(db: Database, manager_id: int, active: bool) -> ManagerInfo:
    with db.session() as session:
        manager = _load(session, manager_id)
        manager.active = active
        session.flush()
        return _info(session, manager)


def deactivate_manager(db: Database, manager_id: int, profile: Profile) -> ManagerInfo:
    """The manager left: no new work, gone from the profile picker, history kept.

    Customers they still own stay theirs until the lead moves the work (``open_members``
    in the result says how many), so nothing is reassigned behind the lead's back.
    """
    require_lead(profile, LeadAction.DEACTIVATE_MANAGERS)
    return _set_active(db, manager_id, False)


def reactivate_manager(db: Database, manager_id: int, profile: Profile) -> ManagerInfo:
    require_lead(profile, LeadAction.REACTIVATE_MANAGERS)
    return _set_active(db, manager_id, True)
