from __future__ import annotations

import statistics
from collections import Counter

import pytest
from sqlalchemy import select, update

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.campaigns.assignment import (
    AssignmentChanges,
    StoreWithoutManager,
    assign_campaign,
    describe_assignment,
    hand_back,
    hand_back_members,
    move_work,
    ownership_history,
    reassign_members,
    rebalance,
    resolve_unassigned,
    stores_without_manager,
)
from lastmile_desktop.campaigns.fair_split import band_sizes
from lastmile_desktop.campaigns.ownership import (
    ConcurrentChangeError,
    MemberChange,
    load_members,
    write_changes,
)
from lastmile_desktop.errors import Cancelled, UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    AssignmentChange,
    Campaign,
    CampaignMember,
    CampaignState,
    Customer,
    Manager,
    MemberGroup,
    MemberStatus,
)
from lastmile_desktop.storage.types import utcnow
from tests.campaigns.member_builders import (
    add_campaign,
    add_managers,
    add_members,
    add_store,
    log_attempt,
    random_customers,
)

LEAD = Profile.lead("Regional lead")


def owners(db: Database, campaign_id: int) -> dict[int, int | None]:
    """member id -> manager id for the campaign's call group."""
    with db.read_session() as session:
        rows = session.execute(
            select(CampaignMember.id, CampaignMember.manager_id).where(
                CampaignMember.campaign_id == campaign_id,
                CampaignMember.group == MemberGroup.CALL,
            )
        )
        return dict(rows.all())


def call_group_with_spend(db: Database, store_id: int) -> list[tuple[int, int, int | None]]:
    """(member id, spend, manager id) for a store's call group, highest spend first."""
    with db.read_session() as session:
        rows = session.execute(
            select(CampaignMember.id, Customer.lifetime_spend_cents, CampaignMember.manager_id)
            .join(Customer, Customer.id == CampaignMember.customer_id)
            .where(CampaignMember.store_id == store_id, CampaignMember.group == MemberGroup.CALL)
            .order_by(Customer.lifetime_spend_cents.desc())
        )
        return [(m, spend or 0, manager) for m, spend, manager in rows]


def test_call_group_is_split_evenly_by_count_and_by_spend_quartile(db: Database) -> None:
    store = add_store(db, "12")
    managers = add_managers(db, store, "Alice", "Bob", "Chen")
    campaign = add_campaign(db)
    add_members(db, campaign, store, random_customers(227, seed=11))

    report = assign_campaign(db, campaign, LEAD, seed=99)

    call_group = call_group_with_spend(db, store)
    counts = Counter(manager for _, _, manager in call_group)
    assert set(counts) == set(managers)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert sum(counts.values()) == report.stores[0].call_group == 227 - 23
    # Each spend quartile of the call group is shared within one customer between managers.
    start = 0
    for size in band_sizes(len(call_group)):
        quartile = Counter(manager for _, _, manager in call_group[start : start + size])
        start += size
        assert max(quartile[m] for m in managers) - min(quartile[m] for m in managers) <= 1
    # And the money itself ends up close: every manager within 5% of the average.
    spend = Counter[int]()
    for _, cents, manager in call_group:
        assert manager is not None
        spend[manager] += cents
    average = statistics.mean(spend.values())
    assert all(abs(total - average) / average < 0.05 for total in spend.values())


def test_the_highest_value_customers_are_spread_not_given_to_one_manager(db: Database) -> None:
    store = add_store(db, "3")
    managers = add_managers(db, store, "Alice", "Bob", "Chen")
    campaign = add_campaign(db, share=0.0)
    add_members(db, campaign, store, random_customers(60, seed=4))

    assign_campaign(db, campaign, LEAD, seed=1)

    top_twelve = call_group_with_spend(db, store)[:12]
    assert Counter(manager for _, _, manager in top_twelve) == dict.fromkeys(managers, 4)


def test_members_without_a_store_wait_in_the_unassigned_bucket(db: Database) -> None:
    store = add_store(db, "1")
    add_managers(db, store, "Alice")
    campaign = add_campaign(db)
    add_members(db, campaign, store, random_customers(10))
    no_store = add_members(db, campaign, None, random_customers(4, start=100))

    report = assign_campaign(db, campaign, LEAD, seed=3)

    assert report.unassigned == 4
    assert report.members == 14
    with db.read_session() as session:
        rows = session.execute(
            select(CampaignMember.status, CampaignMember.group, CampaignMember.manager_id).where(
                CampaignMember.id.in_(no_store)
            )
        ).all()
    assert rows == [(MemberStatus.UNASSIGNED, None, None)] * 4


def test_inactive_managers_get_no_customers(db: Database) -> None:
    store = add_store(db, "1")
    (active,) = add_managers(db, store, "Alice")
    (gone,) = add_managers(db, store, "Gone", active=False)
    campaign = add_campaign(db, share=0.0)
    add_members(db, campaign, store, random_customers(9))

    assign_campaign(db, campaign, LEAD, seed=3)

    assert set(owners(db, campaign).values()) == {active}
    assert gone not in owners(db, campaign).values()


def test_a_later_import_is_assigned_without_moving_anyone_already_assigned(
    db: Database,
) -> None:
    store = add_store(db, "1")
    managers = add_managers(db, store, "Alice", "Bob")
    campaign = add_campaign(db)
    add_members(db, campaign, store, random_customers(41, seed=1))
    assign_campaign(db, campaign, LEAD, seed=5)
    before = owners(db, campaign)
    (chen,) = add_managers(db, store, "Chen")

    new = add_members(db, campaign, store, random_customers(30, seed=2, start=100))
    report = assign_campaign(db, campaign, LEAD)

    after = owners(db, campaign)
    assert {m: after[m] for m in before} == before
    assert report.newly_drawn == 30
    assert report.newly_assigned == len([m for m in new if m in after])
    counts = Counter(after.values())
    # The newcomer catches up first: the three lists end up within one of each other.
    assert max(counts.values()) - min(counts.values()) <= 1
    assert set(counts) == {*managers, chen}


def test_a_store_without_managers_keeps_its_call_group_waiting_until_one_is_added(
    db: Database,
) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    add_members(db, campaign, store, random_customers(20))

    first = assign_campaign(db, campaign, LEAD, seed=5)
    assert first.stores[0].without_manager == 18
    assert first.newly_assigned == 0

    (alice,) = add_managers(db, store, "Alice")
    second = assign_campaign(db, campaign, LEAD)
    assert second.newly_drawn == 0
    assert second.newly_assigned == 18
    assert set(owners(db, campaign).values()) == {alice}


def test_assign_now_after_a_manager_joins_reports_the_customers_it_gave_out(
    db: Database,
) -> None:
    store = add_store(db, "3")
    campaign = add_campaign(db)
    add_members(db, campaign, store, random_customers(20))
    first = assign_campaign(db, campaign, LEAD, seed=5)
    assert first.changes == AssignmentChanges(drawn_to_holdout=2, drawn_to_call=18)
    assert describe_assignment(first) == (
        "20 customers drawn: 2 set aside as holdout, 18 into the call group. 18 customers in "
        "the call group wait for a manager in Store 3: add managers there, then assign again."
    )

    add_managers(db, store, "Alice")
    second = assign_campaign(db, campaign, LEAD)

    assert second.changes == AssignmentChanges(given_manager=18)
    assert describe_assignment(second) == "18 customers given to managers."
    third = assign_campaign(db, campaign, LEAD)
    assert not third.changes.any
    assert describe_assignment(third) == (
        "Nothing changed: everyone with a store had already been drawn and given out."
    )


def test_a_changed_holdout_share_is_reported_as_moves_in_and_out_of_the_holdout(
    db: Database,
) -> None:
    store = add_store(db, "1")
    add_managers(db, store, "Alice")
    campaign = add_campaign(db, share=0.10)
    add_members(db, campaign, store, random_customers(40))
    assign_campaign(db, campaign, LEAD, seed=5)

    def set_share(share: float) -> None:
        with db.session() as session:
            session.execute(
                update(Campaign).where(Campaign.id == campaign).values(holdout_share=share)
            )

    set_share(0.20)
    raised = assign_campaign(db, campaign, LEAD)
    set_share(0.05)
    lowered = assign_campaign(db, campaign, LEAD)

    assert raised.changes == AssignmentChanges(moved_to_holdout=4)
    assert describe_assignment(raised) == (
        "4 customers moved from the call group to the holdout (the holdout share went up)."
    )
    assert lowered.changes == AssignmentChanges(back_from_holdout=6, given_manager=6)
    assert describe_assignment(lowered) == (
        "6 customers back from the holdout into the call group (the holdout share went "
        "down); 6 customers given to managers."
    )


def test_stores_whose_waiting_customers_would_go_to_nobody_are_named_before_assigning(
    db: Database,
) -> None:
    staffed = add_store(db, "1")
    add_managers(db, staffed, "Alice")
    empty = add_store(db, "12")
    left = add_store(db, "3")
    add_managers(db, left, "Gone", active=False)
    untouched = add_store(db, "7")
    add_managers(db, untouched, "Dev")  # staffed, no customers: never listed anyway
    campaign = add_campaign(db)
    add_members(db, campaign, staffed, random_customers(10))
    add_members(db, campaign, empty, random_customers(20, start=100))
    add_members(db, campaign, left, random_customers(5, start=200))
    add_members(db, campaign, None, random_customers(4, start=300))

    before = stores_without_manager(db, campaign, LEAD)

    assert before == [
        StoreWithoutManager(left, "Store 3", 5),
        StoreWithoutManager(empty, "Store 12", 20),
    ]
    assign_campaign(db, campaign, LEAD, seed=1)
    # Drawn now: the holdout needs nobody, the call group still waits for a manager.
    assert [(s.store_name, s.waiting) for s in stores_without_manager(db, campaign, LEAD)] == [
        ("Store 3", 4),
        ("Store 12", 18),
    ]
    add_managers(db, empty, "Bo")
    add_managers(db, left, "Cy")
    assert stores_without_manager(db, campaign, LEAD) == []


def test_reassign_records_who_when_from_to_and_why(db: Database) -> None:
    store = add_store(db, "1", "Leeds")
    alice, bob = add_managers(db, store, "Alice", "Bob")
    campaign = add_campaign(db, share=0.0)
    add_members(db, campaign, store, random_customers(6))
    assign_campaign(db, campaign, LEAD, seed=5)
    alices = [m for m, owner in owners(db, campaign).items() if owner == alice]

    result = reassign_members(db, LEAD, alices[:2], bob, "Alice is on holiday")

    assert result.moved == 2
    assert [(s.name, s.members) for s in result.to_managers] == [("Bob", 2)]
    history = ownership_history(db, LEAD, alices[0])
    assert [(h.from_manager, h.to_manager, h.reason) for h in history] == [
        (None, "Alice", "assigned"),
        ("Alice", "Bob", "Alice is on holiday"),
    ]
    assert history[-1].changed_by == "Regional lead"
    assert history[-1].from_store == history[-1].to_store == "Leeds"
    assert history[-1].changed_at.tzinfo is not None
    assert owners(db, campaign)[alices[2]] == alice  # not selected: not moved


def test_hand_back_puts_the_customer_in_the_unassigned_bucket_with_the_reason(
    db: Database,
) -> None:
    store = add_store(db, "1", "Leeds")
    (alice,) = add_managers(db, store, "Alice")
    campaign = add_campaign(db, share=0.0)
    (member, *_) = add_members(db, campaign, store, random_customers(3))
    assign_campaign(db, campaign, LEAD, seed=5)
    alice_profile = Profile.manager("Alice", alice, store)

    change = hand_back(db, alice_profile, member, "moved near another store")

    assert (change.from_store, change.from_manager) == ("Leeds", "Alice")
    assert (change.to_store, change.to_manager) == (None, None)
    assert change.changed_by == "Alice"
    assert ownership_history(db, LEAD, member)[-1] == change
    with db.read_session() as session:
        row = session.get_one(CampaignMember, member)
        assert (row.store_id, row.manager_id, row.status) == (None, None, "unassigned")
    # Out of her store now, so no longer hers to see.
    with pytest.raises(AccessDenied):
        ownership_history(db, alice_profile, member)


def test_hand_back_needs_a_reason(db: Database) -> None:
    store = add_store(db, "1")
    (alice,) = add_managers(db, store, "Alice")
    campaign = add_campaign(db, share=0.0)
    (member,) = add_members(db, campaign, store, random_customers(1))
    assign_campaign(db, campaign, LEAD, seed=5)

    with pytest.raises(UserFacingError, match="Say why"):
        hand_back(db, Profile.manager("Alice", alice, store), member, "   ")


def test_several_customers_are_handed_back_in_one_action_with_one_reason(db: Database) -> None:
    store = add_store(db, "1", "Leeds")
    (alice,) = add_managers(db, store, "Alice")
    campaign = add_campaign(db, share=0.0)
    members = add_members(db, campaign, store, random_customers(4))
    assign_campaign(db, campaign, LEAD, seed=5)
    alice_profile = Profile.manager("Alice", alice, store)

    changes = hand_back_members(db, alice_profile, members[:3], "moved to York")

    assert [c.reason for c in changes] == ["moved to York"] * 3
    with db.read_session() as session:
        stores = {m: session.get_one(CampaignMember, m).store_id for m in members}
    assert stores == {members[0]: None, members[1]: None, members[2]: None, members[3]: store}


def test_when_one_selected_customer_cannot_go_back_none_does(db: Database) -> None:
    store = add_store(db, "1", "Leeds")
    (alice,) = add_managers(db, store, "Alice")
    campaign = add_campaign(db, share=0.0)
    members = add_members(db, campaign, store, random_customers(3))
    assign_campaign(db, campaign, LEAD, seed=5)
    alice_profile = Profile.manager("Alice", alice, store)
    hand_back(db, alice_profile, members[0], "moved")  # already in Unassigned now

    with pytest.raises(UserFacingError, match="1 of the 3 selected customers"):
        hand_back_members(db, LEAD, members, "moved")

    with db.read_session() as session:
        still_in_leeds = [session.get_one(CampaignMember, m).store_id for m in members[1:]]
    assert still_in_leeds == [store, store]


def test_resolving_the_unassigned_bucket_draws_and_assigns_in_the_picked_store(
    db: Database,
) -> None:
    leeds, york = add_store(db, "1", "Leeds"), add_store(db, "2", "York")
    add_managers(db, leeds, "Alice")
    (dan,) = add_managers(db, york, "Dan")
    campaign = add_campaign(db, share=0.10)
    add_members(db, campaign, york, random_customers(20))
    waiting = add_members(db, campaign, None, random_customers(10, start=100))
    assign_campaign(db, campaign, LEAD, seed=8)

    report = resolve_unassigned(db, LEAD, waiting, york)

    assert report.unassigned == 0
    (york_row,) = [s for s in report.stores if s.store_name == "York"]
    assert york_row.members == 30
    assert york_row.holdout == 3  # the store's total stays on 10%
    assert york_row.without_manager == 0
    with db.read_session() as session:
        rows = session.execute(
            select(CampaignMember.group, CampaignMember.manager_id, CampaignMember.status).where(
                CampaignMember.id.in_(waiting)
            )
        ).all()
    assert all(
        (group, manager, status) in {("call", dan, "to_call"), ("holdout", None, "holdout")}
        for group, manager, status in rows
    )
    history = ownership_history(db, LEAD, waiting[0])
    assert (history[0].from_store, history[0].to_store) == (None, "York")


def test_a_handed_back_customer_keeps_their_group_when_given_a_new_store(db: Database) -> None:
    leeds, york = add_store(db, "1", "Leeds"), add_store(db, "2", "York")
    (alice,) = add_managers(db, leeds, "Alice")
    (dan,) = add_managers(db, york, "Dan")
    campaign = add_campaign(db, share=0.0)
    (member,) = add_members(db, campaign, leeds, random_customers(1))
    assign_campaign(db, campaign, LEAD, seed=8)
    log_attempt(db, member)
    hand_back(db, Profile.manager("Alice", alice, leeds), member, "moved to York")

    resolve_unassigned(db, LEAD, [member], york)

    with db.read_session() as session:
        row = session.get_one(CampaignMember, member)
        assert (row.store_id, row.manager_id, row.group, row.status) == (
            york,
            dan,
            "call",
            "in_progress",
        )
    reasons = [h.reason for h in ownership_history(db, LEAD, member)]
    assert reasons == ["assigned", "moved to York", "store picked: York", "assigned"]


def test_resolve_refuses_customers_that_already_have_a_store(db: Database) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    placed = add_members(db, campaign, store, random_customers(2))

    with pytest.raises(UserFacingError, match="already belong to a store"):
        resolve_unassigned(db, LEAD, placed, store)


def test_move_work_spreads_a_departed_managers_open_customers_over_the_others(
    db: Database,
) -> None:
    store = add_store(db, "1")
    alice, bob, chen = add_managers(db, store, "Alice", "Bob", "Chen")
    campaign = add_campaign(db, share=0.0)
    add_members(db, campaign, store, random_customers(30))
    assign_campaign(db, campaign, LEAD, seed=2)
    alices = sorted(m for m, owner in owners(db, campaign).items() if owner == alice)
    log_attempt(db, alices[0])  # tried, still open: moves too
    with db.session() as session:
        done = session.get_one(CampaignMember, alices[1])
        done.status = MemberStatus.DONE  # finished: stays with whoever finished it
        session.get_one(Manager, alice).active = False

    result = move_work(db, LEAD, alice, "Alice left the company")

    assert result.moved == len(alices) - 1
    after = owners(db, campaign)
    assert after[alices[1]] == alice
    assert {after[m] for m in alices if m != alices[1]} <= {bob, chen}
    counts = Counter(owner for m, owner in after.items() if m != alices[1])
    assert abs(counts[bob] - counts[chen]) <= 1
    assert ownership_history(db, LEAD, alices[0])[-1].reason == "Alice left the company"


def test_move_work_refuses_when_the_store_has_no_other_active_manager(db: Database) -> None:
    store = add_store(db, "1", "Leeds")
    (alice,) = add_managers(db, store, "Alice")
    campaign = add_campaign(db, share=0.0)
    add_members(db, campaign, store, random_customers(3))
    assign_campaign(db, campaign, LEAD, seed=2)

    with pytest.raises(UserFacingError, match="Leeds has no other active manager"):
        move_work(db, LEAD, alice, "left")
    assert set(owners(db, campaign).values()) == {alice}


def test_rebalance_gives_a_new_manager_an_even_share_of_the_untried_customers(
    db: Database,
) -> None:
    store = add_store(db, "1")
    alice, bob = add_managers(db, store, "Alice", "Bob")
    campaign = add_campaign(db, share=0.0)
    add_members(db, campaign, store, random_customers(40))
    assign_campaign(db, campaign, LEAD, seed=2)
    tried = sorted(owners(db, campaign))[:6]
    for member in tried:
        log_attempt(db, member)
    before = owners(db, campaign)
    (chen,) = add_managers(db, store, "Chen")

    result = rebalance(db, LEAD, campaign)

    after = owners(db, campaign)
    counts = Counter(after.values())
    assert max(counts.values()) - min(counts.values()) <= 1
    assert counts[chen] == 13
    assert all(after[m] == before[m] for m in tried)
    # Only what the even split needs moves: Chen's share, nobody shuffled between Alice and Bob.
    assert result.moved == sum(1 for m in after if after[m] != before[m]) == 13
    assert [(s.name, s.members) for s in result.to_managers] == [("Chen", 13)]
    assert {before[m] for m in after if after[m] == chen} <= {alice, bob}


def test_a_manager_cannot_see_or_change_other_stores_customers(db: Database) -> None:
    leeds, york = add_store(db, "1"), add_store(db, "2")
    (alice,) = add_managers(db, leeds, "Alice")
    dan, eve = add_managers(db, york, "Dan", "Eve")
    campaign = add_campaign(db, share=0.0)
    add_members(db, campaign, leeds, random_customers(4))
    york_members = add_members(db, campaign, york, random_customers(4, start=50))
    assign_campaign(db, campaign, LEAD, seed=2)
    alice_profile = Profile.manager("Alice", alice, leeds)

    with pytest.raises(AccessDenied):
        reassign_members(db, alice_profile, york_members[:1], eve, "")
    with pytest.raises(AccessDenied):
        reassign_members(db, alice_profile, york_members[:1], alice, "")
    with pytest.raises(AccessDenied):
        hand_back(db, alice_profile, york_members[0], "not mine")
    with pytest.raises(AccessDenied):
        ownership_history(db, alice_profile, york_members[0])
    with pytest.raises(AccessDenied):
        assign_campaign(db, campaign, alice_profile)
    with pytest.raises(AccessDenied):
        rebalance(db, alice_profile, campaign)
    with pytest.raises(AccessDenied):
        move_work(db, alice_profile, dan, "")
    assert {owners(db, campaign)[m] for m in york_members} <= {dan, eve}


def test_a_manager_can_reassign_inside_their_own_store(db: Database) -> None:
    store = add_store(db, "1")
    dan, eve = add_managers(db, store, "Dan", "Eve")
    campaign = add_campaign(db, share=0.0)
    add_members(db, campaign, store, random_customers(4))
    assign_campaign(db, campaign, LEAD, seed=2)
    dans = [m for m, owner in owners(db, campaign).items() if owner == dan]

    reassign_members(db, Profile.manager("Dan", dan, store), dans, eve, "")

    assert set(owners(db, campaign).values()) == {eve}
    assert ownership_history(db, LEAD, dans[0])[-1].reason == "reassigned"


def test_holdout_and_unassigned_customers_cannot_be_reassigned(db: Database) -> None:
    store = add_store(db, "1")
    (alice,) = add_managers(db, store, "Alice")
    campaign = add_campaign(db, share=0.5)
    members = add_members(db, campaign, store, random_customers(4))
    waiting = add_members(db, campaign, None, random_customers(1, start=10))
    assign_campaign(db, campaign, LEAD, seed=2)
    held = [m for m in members if m not in owners(db, campaign)]

    with pytest.raises(UserFacingError, match="holdout"):
        reassign_members(db, LEAD, held, alice, "")
    with pytest.raises(UserFacingError, match="Unassigned bucket"):
        reassign_members(db, LEAD, waiting, alice, "")


def test_a_change_racing_with_a_logged_call_is_refused_and_nothing_changes(
    db: Database,
) -> None:
    store = add_store(db, "1")
    alice, bob = add_managers(db, store, "Alice", "Bob")
    campaign = add_campaign(db, share=0.0)
    (member,) = add_members(db, campaign, store, random_customers(1))
    assign_campaign(db, campaign, LEAD, seed=2)
    with db.read_session() as session:
        (seen,) = load_members(session, CampaignMember.id == member)
    log_attempt(db, member)  # another computer logs a call meanwhile

    with pytest.raises(ConcurrentChangeError), db.session() as session:
        target = bob if seen.manager_id == alice else alice
        change = MemberChange(seen, store, target, seen.group, seen.status, reason="late")
        write_changes(session, LEAD, [change], utcnow())

    assert owners(db, campaign)[member] == seen.manager_id
    assert [h.reason for h in ownership_history(db, LEAD, member)] == ["assigned"]


def test_a_closed_campaign_is_not_assigned(db: Database) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    add_members(db, campaign, store, random_customers(2))
    with db.session() as session:
        session.execute(
            update(Campaign).where(Campaign.id == campaign).values(state=CampaignState.CLOSED)
        )

    with pytest.raises(UserFacingError, match="closed: reopen it"):
        assign_campaign(db, campaign, LEAD)


class CancelAfter:
    """A progress sink whose user presses Cancel after ``reports`` reports."""

    def __init__(self, reports: int) -> None:
        self.left = reports
        self.seen: list[tuple[int, int | None]] = []

    def report(self, done: int, total: int | None, message: str = "") -> None:
        self.seen.append((done, total))
        self.left -= 1
        if self.left < 0:
            raise Cancelled()


def test_assignment_reports_progress_and_a_cancel_changes_nothing(db: Database) -> None:
    for code in ("1", "2", "3"):
        store = add_store(db, code)
        add_managers(db, store, f"Manager {code}")
    campaign = add_campaign(db)
    for store in (1, 2, 3):
        add_members(db, campaign, store, random_customers(10, seed=store, start=store * 100))

    with pytest.raises(Cancelled):
        assign_campaign(db, campaign, LEAD, seed=4, progress=CancelAfter(3))

    assert owners(db, campaign) == {}
    with db.read_session() as session:
        assert session.get_one(Campaign, campaign).holdout_seed is None
    watched = CancelAfter(100)
    assign_campaign(db, campaign, LEAD, seed=4, progress=watched)
    assert watched.seen[-1] == (6, 6)
    assert [done for done, _ in watched.seen] == sorted(done for done, _ in watched.seen)


def test_a_selection_of_a_thousand_customers_moves_in_full_with_a_record_each(
    db: Database,
) -> None:
    store = add_store(db, "1")
    alice, bob = add_managers(db, store, "Alice", "Bob")
    campaign = add_campaign(db, share=0.0)
    members = add_members(db, campaign, store, random_customers(1_200))
    assign_campaign(db, campaign, LEAD, seed=2)

    result = reassign_members(db, LEAD, members, bob, "Alice is away")

    assert result.moved == 600  # Bob's own half does not move
    assert set(owners(db, campaign).values()) == {bob}
    with db.read_session() as session:
        reasons = session.scalars(
            select(AssignmentChange.reason).where(AssignmentChange.from_manager_id == alice)
        ).all()
    assert reasons == ["Alice is away"] * 600
