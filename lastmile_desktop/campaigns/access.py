"""Who is using the app and what they may see: the one place that decides.

Local mode needs no passwords: the profile is picked at start. Every service that hands out
customers' personal data takes a ``Profile`` and filters through the functions below, so a
shared database can later enforce the same rule in the server without changing callers.

The regional lead sees and changes everything. A store manager sees:
- the members of their own store's lists, and of those only the call group by name and
  phone (``member_visibility``). The holdout is never called, so a manager sees it only as a
  count (``member_figures`` decides what the counts cover): a number on screen invites a call;
- the do-not-call entries that match one of those customers, by phone or head office's
  customer id (``dnc_visibility``);
- the managers of their own store (``manager_visibility``);
- the rejected rows of an import whose store column names their store, read the way the
  import reads stores (``Store 12``, ``12`` and ``012`` are one store); a row that names no
  known store belongs to no store yet, so only the lead sees it (``can_see_store``);
- the imports that brought customers to their store or rejected rows naming it.

A store manager may hand back, reassign among their store's managers, add to the do-not-call
list and edit their store's name, time zone and hours. Everything else is the lead's
(``require_lead``, with the reason in ``lead_only``, which the screens show as well).
A manager deactivated, or moved to another store, since their profile was picked is refused
by every service (``check_profile``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, or_, select, true
from sqlalchemy.orm import Session

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage.models import (
    CampaignMember,
    Customer,
    DoNotCall,
    Manager,
    MemberGroup,
)


class Role(enum.StrEnum):
    LEAD = "lead"  # the regional lead: sees and manages everything
    MANAGER = "manager"  # a store manager: sees and works only their store's customers


class AccessDenied(UserFacingError):
    pass


class LeadAction(enum.StrEnum):
    """What only the lead does, worded to end "Only the regional lead can ...".

    The services refuse a manager with this sentence and the screens show it on what they
    disable, so the two never disagree.
    """

    IMPORT = "import customer lists"
    ASSIGN = "assign a campaign's list"
    PICK_STORE = "pick a store for unassigned customers"
    MOVE_WORK = "move work between managers"
    REBALANCE = "rebalance the managers' lists"
    FORGET = "erase a customer's personal data"
    REMOVE_DNC = "remove entries from the do-not-call list"
    IMPORT_DNC = "import a suppression file"
    CREATE_CAMPAIGNS = "create campaigns"
    CHANGE_CAMPAIGNS = "change campaigns"
    CLOSE_CAMPAIGNS = "close campaigns"
    REOPEN_CAMPAIGNS = "reopen campaigns"
    ADD_STORES = "add stores"
    CHANGE_STORE_CODE = "change a store's code"
    ADD_MANAGERS = "add managers"
    CHANGE_MANAGERS = "change managers"
    DEACTIVATE_MANAGERS = "deactivate managers"
    REACTIVATE_MANAGERS = "reactivate managers"
    IMPORT_RESULTS = "import store results"


@dataclass(frozen=True)
class Profile:
    role: Role
    name: str
    manager_id: int | None = None
    store_id: int | None = None

    @classmethod
    def lead(cls, name: str = "Regional lead") -> Profile:
        return cls(Role.LEAD, name)

    @classmethod
    def manager(cls, name: str, manager_id: int, store_id: int) -> Profile:
        return cls(Role.MANAGER, name, manager_id, store_id)

    @property
    def is_lead(self) -> bool:
        return self.role is Role.LEAD

    def can_see_store(self, store_id: int | None) -> bool:
        return self.is_lead or (store_id is not None and store_id == self.store_id)


INACTIVE_MANAGER = (
    "{name} is no longer active as a store manager: pick another profile, or ask the "
    "regional lead to reactivate them."
)


def check_profile(session: Session, profile: Profile) -> None:
    """Refuse a manager deactivated, or moved to another store, since the profile was picked.

    Every service a manager may use calls this inside its session; the lead's profile needs
    no check. Lead-only services refuse a manager before reading anything (``require_lead``).
    """
    if profile.is_lead:
        return
    found = session.execute(
        select(Manager.active, Manager.store_id).where(Manager.id == profile.manager_id)
    ).first()
    if found is None or not found.active:
        raise AccessDenied(INACTIVE_MANAGER.format(name=profile.name))
    if found.store_id != profile.store_id:
        raise AccessDenied(
            f"{profile.name} now works at another store: pick the profile again "
            "(Profile > Switch profile) to see that store's customers."
        )


def profile_still_valid(profile: Profile) -> ColumnElement[bool]:
    """What ``check_profile`` checks, as a condition: for a service that folds the check
    into its one statement (a round trip fewer on a server). When the condition fails, the
    service calls ``check_profile``, which says why."""
    if profile.is_lead:
        return true()
    return exists().where(
        Manager.id == profile.manager_id,
        Manager.active,
        Manager.store_id == profile.store_id,
    )


def member_visibility(profile: Profile) -> ColumnElement[bool]:
    """The WHERE clause for the campaign members whose names and phones ``profile`` may see.

    A manager sees their store's members, but never the holdout's: they are not to be called.
    """
    if profile.is_lead:
        return true()
    return (CampaignMember.store_id == profile.store_id) & or_(
        CampaignMember.group.is_(None), CampaignMember.group != MemberGroup.HOLDOUT
    )


def member_figures(profile: Profile) -> ColumnElement[bool]:
    """The WHERE clause for the members ``profile``'s counts cover: the holdout included."""
    if profile.is_lead:
        return true()
    return CampaignMember.store_id == profile.store_id


def dnc_visibility(profile: Profile) -> ColumnElement[bool]:
    """The WHERE clause for the do-not-call entries ``profile`` may see.

    A manager sees the entries that match, by phone or customer id, a customer they may see.
    """
    if profile.is_lead:
        return true()
    visible = select(CampaignMember.customer_id).where(member_visibility(profile))
    customers = Customer.id.in_(visible)
    return or_(
        DoNotCall.phone.in_(select(Customer.phone).where(customers)),
        DoNotCall.phone.in_(select(Customer.phone_alt).where(customers)),
        # Ids compare trimmed and case-blind, as customer_id_key compares them in Python.
        func.lower(func.trim(DoNotCall.customer_external_id)).in_(
            select(func.lower(func.trim(Customer.external_id))).where(customers)
        ),
    )


def manager_visibility(profile: Profile) -> ColumnElement[bool]:
    """The WHERE clause for the managers (names, phones, emails) ``profile`` may see."""
    if profile.is_lead:
        return true()
    return Manager.store_id == profile.store_id


def lead_only(action: str) -> str:
    """Why a manager may not do ``action``: the services' refusal and the screens' tooltip."""
    return f"Only the regional lead can {action}."


def require_lead(profile: Profile, action: str) -> None:
    if not profile.is_lead:
        raise AccessDenied(lead_only(action))


def require_store(profile: Profile, store_id: int | None, action: str) -> None:
    if not profile.can_see_store(store_id):
        raise AccessDenied(f"You can only {action} for your own store's customers.")


def require_own_store(profile: Profile, store_id: int, action: str) -> None:
    """Store details (name, hours): the lead, or a manager for their own store only."""
    if not profile.can_see_store(store_id):
        raise AccessDenied(f"You can only {action} of your own store.")
