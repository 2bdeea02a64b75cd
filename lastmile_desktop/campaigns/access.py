"""Who is using the app and what they may see: the one place that decides.

Local mode needs no passwords: the profile is picked at start. Every service that lists or
changes members takes a ``Profile`` and filters through ``member_visibility``, so a shared
database can later enforce the same rule in the server without changing callers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import ColumnElement, true

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage.models import CampaignMember


class Role(enum.StrEnum):
    LEAD = "lead"  # the regional lead: sees and manages everything
    MANAGER = "manager"  # a store manager: sees and works only their store's customers


class AccessDenied(UserFacingError):
    pass


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


def member_visibility(profile: Profile) -> ColumnElement[bool]:
    """The WHERE clause that limits campaign members to what ``profile`` may see."""
    if profile.is_lead:
        return true()
    return CampaignMember.store_id == profile.store_id


def require_lead(profile: Profile, action: str) -> None:
    if not profile.is_lead:
        raise AccessDenied(f"Only the regional lead can {action}.")


def require_store(profile: Profile, store_id: int | None, action: str) -> None:
    if not profile.can_see_store(store_id):
        raise AccessDenied(f"You can only {action} for your own store's customers.")


def require_own_store(profile: Profile, store_id: int, action: str) -> None:
    """Store details (name, hours): the lead, or a manager for their own store only."""
    if not profile.can_see_store(store_id):
        raise AccessDenied(f"You can only {action} of your own store.")
