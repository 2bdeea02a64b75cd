"""Reading members for assignment and writing their changes, with the record every owner
change leaves behind (who, when, from, to, why).

All writes are Core bulk updates that bump ``version`` themselves and check it, so a change
racing with a call being logged on another computer is refused instead of lost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    Table,
    Text,
    insert,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session, aliased

from lastmile_desktop.calling.life import check_transition, is_open, is_untried
from lastmile_desktop.calling.member_facts import refresh_members
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage.models import (
    AssignmentChange,
    Base,
    CampaignMember,
    Customer,
    Manager,
    MemberGroup,
    MemberStatus,
    Store,
)
from lastmile_desktop.storage.types import UTCDateTime

_MEMBERS: Table = Base.metadata.tables[CampaignMember.__tablename__]
_CHANGES: Table = Base.metadata.tables[AssignmentChange.__tablename__]


class ConcurrentChangeError(UserFacingError):
    pass


@dataclass(frozen=True, slots=True)
class MemberState:
    """A member as assignment reads it (never an ORM object: these are bulk operations)."""

    member_id: int
    campaign_id: int
    customer_uuid: str  # canonical text form: what the holdout draw hashes
    store_id: int | None
    manager_id: int | None
    group: MemberGroup | None
    status: MemberStatus
    attempts: int
    version: int
    spend_cents: int | None
    last_purchase: date | None

    @property
    def is_open(self) -> bool:
        return is_open(self.status)

    @property
    def untried(self) -> bool:
        return is_untried(self.status, self.attempts)


@dataclass(frozen=True, slots=True)
class MemberChange:
    """The state a member moves to, and why (the reason is kept when the owner changes)."""

    member: MemberState
    store_id: int | None
    manager_id: int | None
    group: MemberGroup | None
    status: MemberStatus
    reason: str = ""

    @property
    def changes_owner(self) -> bool:
        return (self.store_id, self.manager_id) != (self.member.store_id, self.member.manager_id)

    @property
    def changes_anything(self) -> bool:
        old = self.member
        return self.changes_owner or (self.group, self.status) != (old.group, old.status)


@dataclass(frozen=True)
class OwnershipChange:
    """One line of a member's ownership history, with names ready to show."""

    changed_at: datetime
    changed_by: str
    from_store_id: int | None
    from_store: str | None
    to_store_id: int | None
    to_store: str | None
    from_manager_id: int | None
    from_manager: str | None
    to_manager_id: int | None
    to_manager: str | None
    reason: str


def load_members(session: Session, *conditions: ColumnElement[bool]) -> list[MemberState]:
    stmt = (
        select(
            CampaignMember.id,
            CampaignMember.campaign_id,
            # As stored (36-character text): no UUID object per row at 100k members.
            type_coerce(Customer.uuid, String),
            CampaignMember.store_id,
            CampaignMember.manager_id,
            CampaignMember.group,
            CampaignMember.status,
            CampaignMember.attempts,
            CampaignMember.version,
            Customer.lifetime_spend_cents,
            Customer.last_purchase_date,
        )
        .join(Customer, Customer.id == CampaignMember.customer_id)
        .where(*conditions)
        .order_by(CampaignMember.id)
    )
    return [
        MemberState(
            member_id=member_id,
            campaign_id=campaign_id,
            customer_uuid=customer_uuid,
            store_id=store_id,
            manager_id=manager_id,
            group=MemberGroup(group) if group is not None else None,
            status=MemberStatus(status),
            attempts=attempts,
            version=version,
            spend_cents=spend,
            last_purchase=last_purchase,
        )
        for (
            member_id,
            campaign_id,
            customer_uuid,
            store_id,
            manager_id,
            group,
            status,
            attempts,
            version,
            spend,
            last_purchase,
        ) in session.execute(stmt)
    ]


def load_selected(session: Session, member_ids: Iterable[int]) -> list[MemberState]:
    """The members the user selected; refuses when some vanished since the list was shown."""
    wanted = set(member_ids)
    if not wanted:
        raise UserFacingError("Select one or more customers first.")
    found = [
        member
        for chunk in _chunks(sorted(wanted))
        for member in load_members(session, CampaignMember.id.in_(chunk))
    ]
    if len(found) != len(wanted):
        raise UserFacingError(
            "Some of the selected customers are no longer in the list: refresh it and try again."
        )
    return found


def write_changes(
    session: Session, profile: Profile, changes: Sequence[MemberChange], now: datetime
) -> int:
    """Apply the changes in bulk, record every owner change and refresh the members' kept
    facts (``member_facts.refresh_members``). Returns how many changed.

    Members heading to the same state are written together (``WHERE id IN (...)``), which
    at 100k members is a few hundred statements instead of 100k parameter sets; each
    statement checks the versions it was planned against.
    """
    effective = [change for change in changes if change.changes_anything]
    if not effective:
        return 0
    for change in effective:
        check_transition(change.member.status, change.status)
    same_state: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for change in effective:
        target = (change.member.version, change.store_id, change.manager_id, change.group)
        same_state[(*target, change.status)].append(change.member.member_id)
    for (version, store_id, manager_id, group, status), member_ids in same_state.items():
        for chunk in _chunks(member_ids):
            result = session.execute(
                update(_MEMBERS)
                .where(_MEMBERS.c.id.in_(chunk), _MEMBERS.c.version == version)
                .values(
                    store_id=store_id,
                    manager_id=manager_id,
                    group=group,
                    status=status,
                    version=_MEMBERS.c.version + 1,
                    updated_at=now,
                )
            )
            if result.rowcount != len(chunk):  # type: ignore[attr-defined]
                raise ConcurrentChangeError(
                    "Someone changed some of these customers at the same moment (a call was "
                    "logged?); nothing was changed. Refresh and try again."
                )
    _record_owner_changes(session, profile, effective, now)
    # A member's leaderboard facts and store tallies move with its store and group, and when
    # it was first assigned decides its days to the first call.
    refresh_members(session, [change.member.member_id for change in effective])
    return len(effective)


def _record_owner_changes(
    session: Session, profile: Profile, changes: Sequence[MemberChange], now: datetime
) -> None:
    """One history row per owner change; the new owner is read back from the updated row."""
    same_origin: dict[tuple[int | None, int | None, str], list[int]] = defaultdict(list)
    for change in changes:
        if change.changes_owner:
            origin = (change.member.store_id, change.member.manager_id, change.reason)
            same_origin[origin].append(change.member.member_id)
    columns = [
        "member_id",
        "changed_at",
        "changed_by",
        "from_store_id",
        "from_manager_id",
        "reason",
        "to_store_id",
        "to_manager_id",
    ]
    for (from_store_id, from_manager_id, reason), member_ids in same_origin.items():
        for chunk in _chunks(member_ids):
            rows = select(
                _MEMBERS.c.id,
                literal(now, UTCDateTime()),
                literal(profile.name, String()),
                literal(from_store_id, Integer()),
                literal(from_manager_id, Integer()),
                literal(reason, Text()),
                _MEMBERS.c.store_id,
                _MEMBERS.c.manager_id,
            ).where(_MEMBERS.c.id.in_(chunk))
            session.execute(insert(_CHANGES).from_select(columns, rows))


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    """Id lists short enough for any database's limit on bound parameters."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def history(session: Session, member_id: int) -> list[OwnershipChange]:
    from_store, to_store = aliased(Store), aliased(Store)
    from_manager, to_manager = aliased(Manager), aliased(Manager)
    stmt = (
        select(
            AssignmentChange.changed_at,
            AssignmentChange.changed_by,
            AssignmentChange.from_store_id,
            from_store.name,
            AssignmentChange.to_store_id,
            to_store.name,
            AssignmentChange.from_manager_id,
            from_manager.name,
            AssignmentChange.to_manager_id,
            to_manager.name,
            AssignmentChange.reason,
        )
        .outerjoin(from_store, from_store.id == AssignmentChange.from_store_id)
        .outerjoin(to_store, to_store.id == AssignmentChange.to_store_id)
        .outerjoin(from_manager, from_manager.id == AssignmentChange.from_manager_id)
        .outerjoin(to_manager, to_manager.id == AssignmentChange.to_manager_id)
        .where(AssignmentChange.member_id == member_id)
        .order_by(AssignmentChange.changed_at, AssignmentChange.id)
    )
    return [OwnershipChange(*row) for row in session.execute(stmt)]
