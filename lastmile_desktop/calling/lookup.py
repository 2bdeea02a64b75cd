"""Finding what a call desk action names: the campaign, a manager by name, a member by
UUID, each with a message that says what to do when it is not there (a store by code:
``campaigns.stores.store_by_code``)."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    CampaignState,
    Customer,
    Manager,
    Store,
)


class MemberNotFound(UserFacingError):
    pass


def campaign_for_desk(session: Session, name: str | None) -> Campaign:
    """The campaign called ``name`` (any case), else the most recent open one."""
    if name is None or not name.strip():
        campaign = session.scalars(
            select(Campaign)
            .where(Campaign.state == CampaignState.OPEN)
            .order_by(Campaign.created_at.desc(), Campaign.id.desc())
            .limit(1)
        ).first()
        if campaign is None:
            raise UserFacingError(
                "There is no open campaign to call for: import a list and assign it first."
            )
        return campaign
    campaign = session.scalars(
        select(Campaign).where(func.lower(Campaign.name) == name.strip().lower())
    ).first()
    if campaign is None:
        known = ", ".join(f'"{n}"' for n in session.scalars(select(Campaign.name)))
        raise UserFacingError(f'No campaign is called "{name}". Campaigns: {known or "none yet"}.')
    return campaign


def manager_by_name(session: Session, name: str, store_id: int | None = None) -> Manager:
    """A manager by name (any case, spaces squeezed), within a store when one is given."""
    wanted = " ".join(name.split()).lower()
    query = select(Manager).where(func.lower(Manager.name) == wanted)
    if store_id is not None:
        query = query.where(Manager.store_id == store_id)
    found = list(session.scalars(query.order_by(Manager.active.desc(), Manager.id)))
    if not found:
        raise UserFacingError(f'No manager is called "{name}": see lastmile manager list.')
    active = [manager for manager in found if manager.active]
    if len(active) > 1:
        codes = ", ".join(
            session.scalars(select(Store.code).where(Store.id.in_([m.store_id for m in active])))
        )
        raise UserFacingError(
            f'Several managers are called "{name}" (stores {codes}): give the store too.'
        )
    return (active or found)[0]


def member_by_uuid(session: Session, profile: Profile, member: uuid.UUID | str) -> CampaignMember:
    """The member with this UUID, if the profile may see it."""
    key = member_key(member)
    return visible_member(profile, key, session.scalars(_by_uuid(key)).first())


def member_in_context(
    session: Session, profile: Profile, member: uuid.UUID | str
) -> tuple[CampaignMember, Campaign, Customer, Store | None]:
    """The member with this UUID, if the profile may see it, with its campaign, customer and
    store, in one statement (logging a call needs all four)."""
    key = member_key(member)
    found = session.execute(
        _by_uuid(key)
        .add_columns(Campaign, Customer, Store)
        .join(Campaign, Campaign.id == CampaignMember.campaign_id)
        .join(Customer, Customer.id == CampaignMember.customer_id)
        .outerjoin(Store, Store.id == CampaignMember.store_id)
    ).first()
    row = visible_member(profile, key, found[0] if found is not None else None)
    assert found is not None
    return row, found[1], found[2], found[3]


def member_key(member: uuid.UUID | str) -> uuid.UUID:
    """The member's UUID as given (a UUID, or its text from the command line)."""
    try:
        return member if isinstance(member, uuid.UUID) else uuid.UUID(str(member).strip())
    except ValueError:
        raise MemberNotFound(
            f'"{member}" is not a member id: copy it from lastmile queue --json.'
        ) from None


def _by_uuid(key: uuid.UUID) -> Select[CampaignMember]:
    return select(CampaignMember).where(CampaignMember.uuid == key)


def visible_member(profile: Profile, key: uuid.UUID, row: CampaignMember | None) -> CampaignMember:
    """``row``, the member read for ``key``, if it is there and the profile may see it."""
    if row is None:
        raise MemberNotFound(
            f"No campaign member has the id {key}: it may belong to another database."
        )
    if not profile.can_see_store(row.store_id):
        raise AccessDenied("You can only call your own store's customers.")
    return row
