"""Turning a campaign's list into work: which store calls whom, which manager, who is held out.

One function per user action; each runs in one transaction and returns frozen dataclasses.
Who may do what: the lead assigns, resolves the Unassigned bucket, moves work and rebalances;
a store manager may reassign and hand back only their own store's customers. Every change of
owner leaves an ``AssignmentChange`` row (who, when, from, to, why).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from lastmile_desktop.calling.life import OPEN_STATUSES, is_called, open_status
from lastmile_desktop.campaigns.access import (
    AccessDenied,
    LeadAction,
    Profile,
    check_profile,
    member_visibility,
    require_lead,
    require_store,
)
from lastmile_desktop.campaigns.fair_split import Candidate, split_fairly
from lastmile_desktop.campaigns.holdout import (
    DrawMember,
    check_seed,
    draw_key,
    new_seed,
    plan_store_draw,
    share_is_frozen,
)
from lastmile_desktop.campaigns.members import StoreOverview, store_overviews
from lastmile_desktop.campaigns.ownership import (
    MemberChange,
    MemberState,
    OwnershipChange,
    history,
    load_members,
    load_selected,
    write_changes,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    CampaignState,
    Manager,
    MemberGroup,
    MemberStatus,
    Store,
)
from lastmile_desktop.storage.types import utcnow

__all__ = [
    "AssignmentChanges",
    "AssignmentReport",
    "ManagerShare",
    "MoveReport",
    "OwnershipChange",
    "StoreWithoutManager",
    "assign_campaign",
    "campaign_to_assign",
    "describe_assignment",
    "hand_back",
    "move_work",
    "ownership_history",
    "reassign_members",
    "rebalance",
    "resolve_unassigned",
    "stores_without_manager",
]

REASON_ASSIGNED = "assigned"
REASON_REBALANCED = "rebalanced"


@dataclass(frozen=True)
class AssignmentChanges:
    """What one assignment run changed, counted per kind of change."""

    drawn_to_holdout: int = 0  # new customers set aside as holdout
    drawn_to_call: int = 0  # new customers drawn into the call group
    moved_to_holdout: int = 0  # call group -> holdout: the share went up before the first call
    back_from_holdout: int = 0  # holdout -> call group: the share went down before the first call
    given_manager: int = 0  # call-group customers given a manager (new, or waiting for one)

    @property
    def drawn(self) -> int:
        return self.drawn_to_holdout + self.drawn_to_call

    @property
    def any(self) -> bool:
        return bool(
            self.drawn or self.moved_to_holdout or self.back_from_holdout or self.given_manager
        )


@dataclass(frozen=True)
class AssignmentReport:
    campaign_id: int
    campaign_name: str
    seed: int
    holdout_share: float
    changes: AssignmentChanges  # what this run did
    stores: tuple[StoreOverview, ...]  # the campaign after the run, per store and per manager
    unassigned: int  # members waiting in the Unassigned bucket (no store known)

    @property
    def members(self) -> int:
        return sum(store.members for store in self.stores) + self.unassigned

    @property
    def newly_drawn(self) -> int:
        """Members drawn in this run (into the holdout or the call group)."""
        return self.changes.drawn

    @property
    def newly_held_out(self) -> int:
        """Members set aside as holdout in this run (newly drawn or moved there)."""
        return self.changes.drawn_to_holdout + self.changes.moved_to_holdout

    @property
    def newly_assigned(self) -> int:
        """Call-group members given a manager in this run."""
        return self.changes.given_manager

    @property
    def waiting_for_manager(self) -> int:
        """Call-group customers left with nobody to call them: their store has no manager."""
        return sum(store.without_manager for store in self.stores)

    def stores_waiting_for_manager(self) -> list[str]:
        return [store.store_name for store in self.stores if store.without_manager]


@dataclass(frozen=True)
class StoreWithoutManager:
    """A store whose customers wait to be shared out but which has no active manager."""

    store_id: int
    store_name: str
    waiting: int  # customers not drawn yet, or in the call group with nobody to call them


@dataclass(frozen=True)
class ManagerShare:
    manager_id: int
    name: str
    members: int


@dataclass(frozen=True)
class MoveReport:
    """What a reassign, a move of work or a rebalance changed."""

    moved: int
    to_managers: tuple[ManagerShare, ...] = ()


@dataclass
class _RunCounts:
    """``AssignmentChanges`` while a run adds them up."""

    drawn_to_holdout: int = 0
    drawn_to_call: int = 0
    moved_to_holdout: int = 0
    back_from_holdout: int = 0
    given_manager: int = 0

    def freeze(self) -> AssignmentChanges:
        return AssignmentChanges(
            drawn_to_holdout=self.drawn_to_holdout,
            drawn_to_call=self.drawn_to_call,
            moved_to_holdout=self.moved_to_holdout,
            back_from_holdout=self.back_from_holdout,
            given_manager=self.given_manager,
        )


def assign_campaign(
    db: Database,
    campaign_id: int,
    profile: Profile,
    seed: int | None = None,
    *,
    progress: Progress = NoProgress(),  # noqa: B008 - stateless
) -> AssignmentReport:
    """Assign everything not yet assigned (new imports included).

    Members with a store are drawn into the holdout or the call group; call-group members
    get one of the store's active managers (evenly, value spread). Members with no store
    wait in the Unassigned bucket. ``seed`` fixes the holdout draw; without it the campaign's
    recorded seed is used, or a new one is chosen and recorded at the first assignment.
    Cancelling through ``progress`` leaves everything as it was.
    """
    require_lead(profile, LeadAction.ASSIGN)
    with db.session() as session:
        campaign = _open_campaign(session, campaign_id)
        _settle_seed(session, campaign, seed)
        counts = _assign_pending(session, campaign, profile, progress=progress)
        return _report(session, campaign, profile, counts)


def resolve_unassigned(
    db: Database, profile: Profile, member_ids: Iterable[int], store_id: int
) -> AssignmentReport:
    """Give customers from the Unassigned bucket a store, then draw and assign them there."""
    require_lead(profile, LeadAction.PICK_STORE)
    with db.session() as session:
        store = session.get(Store, store_id)
        if store is None:
            raise UserFacingError("That store no longer exists: refresh the list of stores.")
        members = load_selected(session, member_ids)
        placed = [m for m in members if m.store_id is not None]
        if placed:
            raise UserFacingError(
                f"{_customers(len(placed))} of the selection already belong to a store; "
                "pick a store only for customers in the Unassigned bucket."
            )
        campaign = _campaign_of(session, members)
        changes = [
            MemberChange(m, store.id, None, m.group, m.status, reason=f"store picked: {store.name}")
            for m in members
        ]
        write_changes(session, profile, changes, utcnow())
        _settle_seed(session, campaign, None)
        counts = _assign_pending(session, campaign, profile, store_ids={store.id})
        return _report(session, campaign, profile, counts)


def reassign_members(
    db: Database, profile: Profile, member_ids: Iterable[int], to_manager_id: int, reason: str
) -> MoveReport:
    """Give the selected call-group customers to another manager (and their store)."""
    action = "reassign customers"
    with db.session() as session:
        check_profile(session, profile)
        manager = _active_manager(session, to_manager_id)
        require_store(profile, manager.store_id, action)
        members = load_selected(session, member_ids)
        for member in members:
            require_store(profile, member.store_id, action)
        _campaign_of(session, members)
        _refuse_unowned(members)
        why = reason.strip() or "reassigned"
        changes = [
            MemberChange(m, manager.store_id, manager.id, m.group, m.status, reason=why)
            for m in members
        ]
        moved = write_changes(session, profile, changes, utcnow())
        return MoveReport(moved, (ManagerShare(manager.id, manager.name, moved),) if moved else ())


def move_work(db: Database, profile: Profile, from_manager_id: int, reason: str) -> MoveReport:
    """Spread a manager's open customers (every open campaign) over their store's others."""
    require_lead(profile, LeadAction.MOVE_WORK)
    with db.session() as session:
        leaving = session.get(Manager, from_manager_id)
        if leaving is None:
            raise UserFacingError("That manager no longer exists: refresh the list.")
        open_campaigns = select(Campaign.id).where(Campaign.state == CampaignState.OPEN)
        members = [
            m
            for m in load_members(
                session,
                CampaignMember.manager_id == leaving.id,
                CampaignMember.campaign_id.in_(open_campaigns),
                CampaignMember.group == MemberGroup.CALL,
            )
            if m.is_open
        ]
        why = reason.strip() or f"work moved from {leaving.name}"
        changes: list[MemberChange] = []
        by_place: dict[tuple[int, int | None], list[MemberState]] = defaultdict(list)
        for member in members:
            by_place[(member.campaign_id, member.store_id)].append(member)
        for (campaign_id, store_id), moving in by_place.items():
            managers = [m for m in _active_managers(session, store_id) if m != leaving.id]
            if not managers:
                store = session.get(Store, store_id) if store_id is not None else None
                where = store.name if store is not None else "Their store"
                raise UserFacingError(
                    f"{where} has no other active manager to take {leaving.name}'s customers: "
                    "add one first."
                )
            load = _open_load(session, campaign_id, store_id, managers, excluding=moving)
            changes += _deal(moving, managers, load, why)
        moved = write_changes(session, profile, changes, utcnow())
        return MoveReport(moved, _shares(session, changes))


def rebalance(
    db: Database, profile: Profile, campaign_id: int, store_id: int | None = None
) -> MoveReport:
    """Even out open work inside each store (or one store) between its active managers.

    Customers already tried stay with whoever called them; untried ones, and anyone held by
    a manager who left, are shared out again, moving as few as the even split allows.
    """
    require_lead(profile, LeadAction.REBALANCE)
    with db.session() as session:
        campaign = _open_campaign(session, campaign_id)
        conditions = [
            CampaignMember.campaign_id == campaign.id,
            CampaignMember.group == MemberGroup.CALL,
            CampaignMember.store_id.is_not(None),
        ]
        if store_id is not None:
            conditions.append(CampaignMember.store_id == store_id)
        by_store: dict[int | None, list[MemberState]] = defaultdict(list)
        for member in load_members(session, *conditions):
            if member.is_open:
                by_store[member.store_id].append(member)
        changes: list[MemberChange] = []
        for store, members in by_store.items():
            managers = _active_managers(session, store)
            if not managers:
                continue
            load: dict[int, int] = defaultdict(int)
            movable: list[MemberState] = []
            for member in members:
                if member.manager_id in managers and is_called(member.attempts):
                    load[member.manager_id] += 1
                else:
                    movable.append(member)
            changes += _deal(movable, managers, load, REASON_REBALANCED, keep_current=True)
        moved = write_changes(session, profile, changes, utcnow())
        return MoveReport(moved, _shares(session, changes))


def hand_back(db: Database, profile: Profile, member_id: int, reason: str) -> OwnershipChange:
    """A manager returns a customer to the lead's Unassigned bucket, saying why."""
    return hand_back_members(db, profile, [member_id], reason)[0]


def _why_not_handed_back(member: MemberState) -> str | None:
    if member.store_id is None:
        return "is already in the Unassigned bucket"
    if member.group is MemberGroup.HOLDOUT:
        return "is in the holdout group and is never called"
    if member.group is None:
        return "is not assigned yet"
    if not member.is_open:
        return "has no calls left (ended, or asked not to be called)"
    return None


def hand_back_members(
    db: Database, profile: Profile, member_ids: Sequence[int], reason: str
) -> list[OwnershipChange]:
    """A manager returns customers to the lead's Unassigned bucket, all with one reason.

    One action, one commit: when any of them cannot go back, none does, and the message
    says how many and why.
    """
    why = reason.strip()
    if not why:
        raise UserFacingError(
            "Say why the customer goes back to the lead (for example “moved near another store”)."
        )
    with db.session() as session:
        check_profile(session, profile)
        members = load_selected(session, member_ids)
        for member in members:
            require_store(profile, member.store_id, "hand back customers")
        problems = [p for p in map(_why_not_handed_back, members) if p is not None]
        if problems:
            if len(members) == 1:
                raise UserFacingError(f"This customer {problems[0]}: nothing to hand back.")
            raise UserFacingError(
                f"{len(problems)} of the {len(members)} selected customers cannot be handed "
                f"back (for example, one {problems[0]}). Select only customers still to call."
            )
        for campaign_id in {member.campaign_id for member in members}:
            _open_campaign(session, campaign_id)
        changes = [
            MemberChange(member, None, None, member.group, MemberStatus.UNASSIGNED, reason=why)
            for member in members
        ]
        write_changes(session, profile, changes, utcnow())
        return [history(session, member.member_id)[-1] for member in members]


def ownership_history(db: Database, profile: Profile, member_id: int) -> list[OwnershipChange]:
    """Every change of owner of one member, oldest first."""
    with db.read_session() as session:
        check_profile(session, profile)
        visible = session.scalar(
            select(exists().where(CampaignMember.id == member_id, member_visibility(profile)))
        )
        if not visible:
            if session.get(CampaignMember, member_id) is not None:
                raise AccessDenied(
                    "You can only see the history of your own store's customers in the call "
                    "group; the holdout is shown only as a count."
                )
            raise UserFacingError("That customer is no longer in the list: refresh it.")
        return history(session, member_id)


def stores_without_manager(
    db: Database, campaign_id: int, profile: Profile
) -> list[StoreWithoutManager]:
    """Stores with customers waiting to be shared out and no active manager to take them.

    Assign now would draw those customers and give them to nobody: the window and
    ``lastmile assign`` say so before it runs, so the lead can add managers first.
    """
    with db.read_session() as session:
        check_profile(session, profile)
        staffed = set(
            session.scalars(select(Manager.store_id).where(Manager.active.is_(True)).distinct())
        )
        return [
            StoreWithoutManager(
                store.store_id, store.store_name, store.undrawn + store.without_manager
            )
            for store in store_overviews(session, profile, campaign_id)
            if store.store_id is not None
            and store.store_id not in staffed
            and store.undrawn + store.without_manager
        ]


def describe_assignment(
    report: AssignmentReport,
    number: Callable[[int], str] = "{:,}".format,
) -> str:
    """What an assignment run did, each kind of change with its count, and who still waits
    for a manager. The window passes its locale's ``number``; the command line keeps 1,234.
    """

    def customers(count: int) -> str:
        return f"{number(count)} customer" + ("" if count == 1 else "s")

    changes = report.changes
    parts = []
    if changes.drawn:
        parts.append(
            f"{customers(changes.drawn)} drawn: {number(changes.drawn_to_holdout)} set aside as "
            f"holdout, {number(changes.drawn_to_call)} into the call group"
        )
    if changes.moved_to_holdout:
        parts.append(
            f"{customers(changes.moved_to_holdout)} moved from the call group to the holdout "
            "(the holdout share went up)"
        )
    if changes.back_from_holdout:
        parts.append(
            f"{customers(changes.back_from_holdout)} back from the holdout into the call group "
            "(the holdout share went down)"
        )
    if changes.given_manager:
        parts.append(f"{customers(changes.given_manager)} given to managers")
    waiting = report.waiting_for_manager
    if parts:
        sentence = "; ".join(parts) + "."
        text = sentence[0].upper() + sentence[1:]
    elif waiting:
        text = "Nothing changed: everyone with a store had already been drawn."
    else:
        text = "Nothing changed: everyone with a store had already been drawn and given out."
    if waiting:
        text += (
            f" {customers(waiting)} in the call group wait for a manager in "
            f"{list_names(report.stores_waiting_for_manager())}: add managers there, "
            "then assign again."
        )
    return text


def list_names(names: Sequence[str], shown: int = 4) -> str:
    """ "Store 3", "Store 3 and Store 12", "Store 3, Store 12 and 2 more stores"."""
    if len(names) > shown:
        return f"{', '.join(names[:shown])} and {len(names) - shown} more stores"
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def campaign_to_assign(db: Database, name: str | None = None) -> int:
    """The campaign called ``name`` (case-insensitive), else the most recent open one."""
    with db.read_session() as session:
        if name is None:
            campaign_id = session.scalar(
                select(Campaign.id)
                .where(Campaign.state == CampaignState.OPEN)
                .order_by(Campaign.created_at.desc(), Campaign.id.desc())
                .limit(1)
            )
            if campaign_id is None:
                raise UserFacingError(
                    "There is no open campaign: import a list first (lastmile import FILE)."
                )
            return campaign_id
        campaign_id = session.scalar(
            select(Campaign.id).where(func.lower(Campaign.name) == name.strip().lower())
        )
        if campaign_id is None:
            known = ", ".join(session.scalars(select(Campaign.name).order_by(Campaign.name)))
            raise UserFacingError(
                f"There is no campaign called “{name}”."
                + (f" Campaigns: {known}." if known else " Import a list first.")
            )
        return campaign_id


# --- the assignment run ---------------------------------------------------------------


def _assign_pending(
    session: Session,
    campaign: Campaign,
    profile: Profile,
    store_ids: set[int] | None = None,
    progress: Progress = NoProgress(),  # noqa: B008 - stateless
) -> _RunCounts:
    """Draw and assign every pending member of the campaign (optionally of some stores)."""
    assert campaign.holdout_seed is not None
    frozen = share_is_frozen(session, campaign.id)
    conditions = [
        CampaignMember.campaign_id == campaign.id,
        CampaignMember.store_id.is_not(None),
    ]
    if store_ids is not None:
        conditions.append(CampaignMember.store_id.in_(store_ids))
    by_store: dict[int | None, list[MemberState]] = defaultdict(list)
    for member in load_members(session, *conditions):
        by_store[member.store_id].append(member)

    counts = _RunCounts()
    changes: list[MemberChange] = []
    # Planning is most of the Python work, writing most of the database's: half each.
    steps = 2 * len(by_store)
    for done, (store_id, members) in enumerate(by_store.items()):
        progress.report(done, steps, "Drawing the holdout and sharing out each store's list")
        managers = _active_managers(session, store_id)
        changes += _assign_store(campaign, members, managers, frozen=frozen, counts=counts)
    progress.report(len(by_store), steps, "Saving the assignment")
    write_changes(session, profile, changes, utcnow())
    progress.report(steps, steps, "Assigned")
    return counts


@dataclass(slots=True)
class _Plan:
    """Where one member is heading during an assignment run (mutable while planning)."""

    member: MemberState
    manager_id: int | None
    group: MemberGroup | None
    status: MemberStatus
    reason: str = ""

    def to_change(self) -> MemberChange:
        m = self.member
        return MemberChange(m, m.store_id, self.manager_id, self.group, self.status, self.reason)

    @property
    def changed(self) -> bool:
        m = self.member
        return (self.manager_id, self.group, self.status) != (m.manager_id, m.group, m.status)


def _assign_store(
    campaign: Campaign,
    members: Sequence[MemberState],
    managers: list[int],
    *,
    frozen: bool,
    counts: _RunCounts,
) -> list[MemberChange]:
    seed = campaign.holdout_seed
    assert seed is not None
    keys = {m.member_id: draw_key(seed, m.customer_uuid) for m in members}
    drawable = [m for m in members if not (m.group is None and m.status is MemberStatus.SUPPRESSED)]
    draw = plan_store_draw(
        campaign.holdout_share,
        [DrawMember(m.member_id, keys[m.member_id], m.group, m.untried) for m in drawable],
        frozen=frozen,
    )
    counts.drawn_to_holdout += len(draw.to_holdout)
    counts.drawn_to_call += len(draw.to_call)
    counts.moved_to_holdout += len(draw.call_to_holdout)
    counts.back_from_holdout += len(draw.holdout_to_call)

    plans = {m.member_id: _Plan(m, m.manager_id, m.group, m.status) for m in members}
    share_note = f"moved to the holdout group (holdout share now {campaign.holdout_share:.0%})"
    moved_by_share = set(draw.call_to_holdout)
    for member_id in (*draw.to_holdout, *draw.call_to_holdout):
        plan = plans[member_id]
        plan.group, plan.manager_id, plan.status = MemberGroup.HOLDOUT, None, MemberStatus.HOLDOUT
        if member_id in moved_by_share:
            plan.reason = share_note
    for member_id in (*draw.to_call, *draw.holdout_to_call):
        plans[member_id].group = MemberGroup.CALL
    for plan in plans.values():
        if plan.group is MemberGroup.CALL and plan.status in _WAITING:
            # New, back from the holdout, or handed back and now placed in this store.
            plan.manager_id, plan.status = None, open_status(plan.member.attempts)

    unowned = [p.member for p in plans.values() if _open_call(p) and p.manager_id is None]
    if managers and unowned:
        load: dict[int, int] = defaultdict(int)
        for plan in plans.values():
            if _open_call(plan) and plan.manager_id in managers:
                load[plan.manager_id] += 1
        for member_id, manager_id in _split(unowned, managers, load, keys=keys).items():
            plans[member_id].manager_id = manager_id
            plans[member_id].reason = REASON_ASSIGNED
        counts.given_manager += len(unowned)
    return [plan.to_change() for plan in plans.values() if plan.changed]


def _open_call(plan: _Plan) -> bool:
    return plan.group is MemberGroup.CALL and plan.status in _OPEN


_WAITING = (MemberStatus.UNASSIGNED, MemberStatus.HOLDOUT)
_OPEN = OPEN_STATUSES


def _split(
    members: Sequence[MemberState],
    managers: Sequence[int],
    load: dict[int, int],
    *,
    keep_current: bool = False,
    keys: dict[int, int] | None = None,
) -> dict[int, int]:
    candidates = [
        Candidate(
            member_id=m.member_id,
            spend_cents=m.spend_cents,
            last_purchase=m.last_purchase,
            tiebreak=(keys or {}).get(m.member_id, m.member_id),
            current_manager_id=m.manager_id if keep_current else None,
        )
        for m in members
    ]
    return split_fairly(candidates, managers, load)


def _deal(
    members: Sequence[MemberState],
    managers: Sequence[int],
    load: dict[int, int],
    reason: str,
    *,
    keep_current: bool = False,
) -> list[MemberChange]:
    """Share members out and return the changes for those whose manager changes."""
    split = _split(members, managers, load, keep_current=keep_current)
    return [
        MemberChange(m, m.store_id, split[m.member_id], m.group, m.status, reason=reason)
        for m in members
        if split[m.member_id] != m.manager_id
    ]


# --- helpers ----------------------------------------------------------------------------


def _open_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise UserFacingError("That campaign no longer exists: refresh the list of campaigns.")
    if campaign.state != CampaignState.OPEN:
        raise UserFacingError(
            f"The campaign “{campaign.name}” is closed: reopen it to change its assignment."
        )
    return campaign


def _campaign_of(session: Session, members: Sequence[MemberState]) -> Campaign:
    campaign_ids = {m.campaign_id for m in members}
    if len(campaign_ids) != 1:
        raise UserFacingError("Select customers of one campaign at a time.")
    return _open_campaign(session, campaign_ids.pop())


def _settle_seed(session: Session, campaign: Campaign, seed: int | None) -> int:
    if seed is not None:
        check_seed(seed)
    if campaign.holdout_seed is None:
        campaign.holdout_seed = seed if seed is not None else new_seed()
    elif seed is not None and seed != campaign.holdout_seed:
        drawn = session.scalar(
            select(
                exists().where(
                    CampaignMember.campaign_id == campaign.id, CampaignMember.group.is_not(None)
                )
            )
        )
        if drawn:
            raise UserFacingError(
                f"The holdout of “{campaign.name}” was drawn with seed {campaign.holdout_seed}; "
                "run without a seed (or with that one) so the draw stays reproducible."
            )
        campaign.holdout_seed = seed
    session.flush()
    return campaign.holdout_seed


def _active_managers(session: Session, store_id: int | None) -> list[int]:
    if store_id is None:
        return []
    return list(
        session.scalars(
            select(Manager.id)
            .where(Manager.store_id == store_id, Manager.active.is_(True))
            .order_by(Manager.id)
        )
    )


def _active_manager(session: Session, manager_id: int) -> Manager:
    manager = session.get(Manager, manager_id)
    if manager is None:
        raise UserFacingError("That manager no longer exists: refresh the list.")
    if not manager.active:
        raise UserFacingError(f"{manager.name} has left (inactive): pick an active manager.")
    return manager


def _open_load(
    session: Session,
    campaign_id: int,
    store_id: int | None,
    managers: Sequence[int],
    excluding: Sequence[MemberState],
) -> dict[int, int]:
    """Open call-group members each manager already holds in a campaign's store."""
    skip = {m.member_id for m in excluding}
    rows = session.execute(
        select(CampaignMember.manager_id, CampaignMember.id).where(
            CampaignMember.campaign_id == campaign_id,
            CampaignMember.store_id == store_id,
            CampaignMember.manager_id.in_(managers),
            CampaignMember.group == MemberGroup.CALL,
            CampaignMember.status.in_(_OPEN),
        )
    )
    load: dict[int, int] = defaultdict(int)
    for manager_id, member_id in rows:
        if member_id not in skip and manager_id is not None:
            load[manager_id] += 1
    return load


def _refuse_unowned(members: Sequence[MemberState]) -> None:
    """Only call-group members with a store have an owner to change."""
    problems = [
        (
            [m for m in members if m.store_id is None],
            "wait in the Unassigned bucket: pick a store for them first",
        ),
        (
            [m for m in members if m.group is MemberGroup.HOLDOUT],
            "are in the holdout group, which is never called",
        ),
        (
            [m for m in members if m.status is MemberStatus.SUPPRESSED],
            "are on the do-not-call list",
        ),
        (
            [m for m in members if m.group is None and m.store_id is not None],
            "are not assigned yet: press Assign first",
        ),
    ]
    for found, why in problems:
        if found:
            raise UserFacingError(f"{_customers(len(found))} of the selection {why}.")


def _customers(count: int) -> str:
    return "1 customer" if count == 1 else f"{count} customers"


def _shares(session: Session, changes: Sequence[MemberChange]) -> tuple[ManagerShare, ...]:
    per_manager: dict[int, int] = defaultdict(int)
    for change in changes:
        if change.changes_owner and change.manager_id is not None:
            per_manager[change.manager_id] += 1
    if not per_manager:
        return ()
    names: dict[int, str] = dict(
        session.execute(select(Manager.id, Manager.name).where(Manager.id.in_(per_manager))).all()
    )
    return tuple(
        ManagerShare(manager_id, names.get(manager_id, "?"), count)
        for manager_id, count in sorted(
            per_manager.items(), key=lambda item: names.get(item[0], "")
        )
    )


def _report(
    session: Session, campaign: Campaign, profile: Profile, counts: _RunCounts
) -> AssignmentReport:
    overviews = store_overviews(session, profile, campaign.id)
    stores = tuple(o for o in overviews if not o.is_unassigned_bucket)
    unassigned = sum(o.members for o in overviews if o.is_unassigned_bucket)
    assert campaign.holdout_seed is not None
    return AssignmentReport(
        campaign_id=campaign.id,
        campaign_name=campaign.name,
        seed=campaign.holdout_seed,
        holdout_share=campaign.holdout_share,
        changes=counts.freeze(),
        stores=stores,
        unassigned=unassigned,
    )
