from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, update

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import assign_campaign
from lastmile_desktop.campaigns.holdout import (
    DrawMember,
    draw_key,
    holdout_target,
    plan_store_draw,
    share_is_frozen,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    Customer,
    MemberGroup,
    MemberStatus,
)
from tests.campaigns.member_builders import (
    add_campaign,
    add_managers,
    add_members,
    add_store,
    log_attempt,
    random_customers,
)
from tests.conftest import fresh_database_url

LEAD = Profile.lead()


def holdout_customers(db: Database, campaign_id: int) -> set[uuid.UUID]:
    with db.read_session() as session:
        return set(
            session.scalars(
                select(Customer.uuid)
                .join(CampaignMember, CampaignMember.customer_id == Customer.id)
                .where(
                    CampaignMember.campaign_id == campaign_id,
                    CampaignMember.group == MemberGroup.HOLDOUT,
                )
            )
        )


def holdout_members(db: Database, campaign_id: int) -> set[int]:
    with db.read_session() as session:
        return set(
            session.scalars(
                select(CampaignMember.id).where(
                    CampaignMember.campaign_id == campaign_id,
                    CampaignMember.group == MemberGroup.HOLDOUT,
                )
            )
        )


def build_region(db: Database, *, reverse: bool = False) -> int:
    """Three stores of different sizes; ``reverse`` inserts the same customers backwards."""
    campaign = add_campaign(db, share=0.10)
    for code, size in (("1", 57), ("2", 140), ("3", 9)):
        store = add_store(db, code)
        add_managers(db, store, f"Manager {code}")
        customers = random_customers(size, seed=int(code), start=int(code) * 1000)
        add_members(db, campaign, store, customers[::-1] if reverse else customers)
    return campaign


def test_the_same_seed_holds_out_the_same_customers_in_any_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    drawn = []
    for name, reverse in (("a", False), ("b", True)):
        db, _ = open_database(fresh_database_url(request, tmp_path, name))
        campaign = build_region(db, reverse=reverse)
        assign_campaign(db, campaign, LEAD, seed=2024)
        drawn.append(holdout_customers(db, campaign))
        db.dispose()

    assert drawn[0] == drawn[1]
    assert len(drawn[0]) == 6 + 14 + 1


def test_another_seed_holds_out_other_customers(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    drawn = []
    for seed in (1, 2):
        db, _ = open_database(fresh_database_url(request, tmp_path, f"seed{seed}"))
        campaign = build_region(db)
        assign_campaign(db, campaign, LEAD, seed=seed)
        drawn.append(holdout_customers(db, campaign))
        db.dispose()

    assert len(drawn[0]) == len(drawn[1])
    assert drawn[0] != drawn[1]


@pytest.mark.parametrize("share", [0.10, 0.25, 0.33])
def test_every_store_holds_out_its_share_within_one_customer(db: Database, share: float) -> None:
    campaign = add_campaign(db, share=share)
    sizes = {"1": 1, "2": 7, "3": 23, "4": 150, "5": 64}
    stores = {}
    for code, size in sizes.items():
        stores[code] = add_store(db, code)
        add_members(db, campaign, stores[code], random_customers(size, seed=int(code)))

    report = assign_campaign(db, campaign, LEAD, seed=7)

    by_store = {s.store_id: s for s in report.stores}
    for code, size in sizes.items():
        row = by_store[stores[code]]
        assert row.members == size
        assert abs(row.holdout - share * size) <= 1
        assert row.holdout + row.call_group == size


def test_holdout_members_are_never_given_a_manager_or_a_call_status(db: Database) -> None:
    store = add_store(db, "1")
    add_managers(db, store, "Alice", "Bob")
    campaign = add_campaign(db, share=0.2)
    add_members(db, campaign, store, random_customers(50))

    assign_campaign(db, campaign, LEAD, seed=3)

    with db.read_session() as session:
        rows = session.execute(
            select(CampaignMember.status, CampaignMember.manager_id).where(
                CampaignMember.group == MemberGroup.HOLDOUT
            )
        ).all()
    assert len(rows) == 10
    assert set(rows) == {(MemberStatus.HOLDOUT, None)}


def test_customers_from_a_later_import_are_drawn_with_the_same_share(db: Database) -> None:
    store = add_store(db, "1")
    add_managers(db, store, "Alice")
    campaign = add_campaign(db, share=0.10)
    first = add_members(db, campaign, store, random_customers(100, seed=1))
    assign_campaign(db, campaign, LEAD, seed=3)
    first_holdout = holdout_members(db, campaign)
    called = next(m for m in first if m not in first_holdout)
    log_attempt(db, called)  # calling has started: the first draw is final

    later = add_members(db, campaign, store, random_customers(55, seed=2, start=500))
    report = assign_campaign(db, campaign, LEAD)

    assert report.newly_drawn == 55
    holdout = holdout_members(db, campaign)
    assert first_holdout <= holdout
    assert holdout - first_holdout <= set(later)
    assert abs(len(holdout) - 0.10 * 155) <= 1
    assert report.stores[0].holdout == len(holdout)


def test_the_seed_is_recorded_at_the_first_assignment_and_kept(db: Database) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    add_members(db, campaign, store, random_customers(30))

    first = assign_campaign(db, campaign, LEAD)
    with db.read_session() as session:
        assert session.get_one(Campaign, campaign).holdout_seed == first.seed
    again = assign_campaign(db, campaign, LEAD, seed=first.seed)
    assert again.seed == first.seed
    with pytest.raises(UserFacingError, match=f"drawn with seed {first.seed}"):
        assign_campaign(db, campaign, LEAD, seed=first.seed + 1)


def test_a_seed_outside_the_recordable_range_is_refused(db: Database) -> None:
    campaign = add_campaign(db)
    with pytest.raises(UserFacingError, match="whole number from 0"):
        assign_campaign(db, campaign, LEAD, seed=-1)


def test_a_share_changed_before_the_first_call_is_followed_then_frozen(db: Database) -> None:
    store = add_store(db, "1")
    add_managers(db, store, "Alice")
    campaign = add_campaign(db, share=0.10)
    members = add_members(db, campaign, store, random_customers(80))
    assign_campaign(db, campaign, LEAD, seed=5)
    at_ten = holdout_members(db, campaign)

    def set_share(share: float) -> None:
        with db.session() as session:
            session.execute(
                update(Campaign).where(Campaign.id == campaign).values(holdout_share=share)
            )

    set_share(0.20)
    assign_campaign(db, campaign, LEAD)
    at_twenty = holdout_members(db, campaign)
    assert len(at_twenty) == 16
    assert at_ten < at_twenty  # the draw grows; nobody already held out is released

    with db.read_session() as session:
        assert not share_is_frozen(session, campaign)
    log_attempt(db, next(m for m in members if m not in at_twenty))
    with db.read_session() as session:
        assert share_is_frozen(session, campaign)

    set_share(0.05)  # the editor refuses this; even if the database says so, the draw stays
    report = assign_campaign(db, campaign, LEAD)
    assert holdout_members(db, campaign) == at_twenty
    assert report.newly_held_out == 0


def test_suppressed_customers_are_not_drawn(db: Database) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db, share=0.5)
    members = add_members(db, campaign, store, random_customers(10))
    with db.session() as session:
        session.execute(
            update(CampaignMember)
            .where(CampaignMember.id.in_(members[:4]))
            .values(status=MemberStatus.SUPPRESSED)
        )

    report = assign_campaign(db, campaign, LEAD, seed=1)

    (row,) = report.stores
    assert (row.members, row.suppressed, row.holdout, row.call_group) == (10, 4, 3, 3)


def test_the_draw_key_depends_only_on_the_seed_and_the_customer() -> None:
    customer = uuid.UUID("6a1f0f4e-8a53-4d8e-9b7e-3f1c2d4e5a6b")
    assert draw_key(7, customer) == draw_key(7, uuid.UUID(str(customer)))
    assert draw_key(7, customer) != draw_key(8, customer)
    assert draw_key(7, customer) != draw_key(7, uuid.uuid5(uuid.NAMESPACE_DNS, "other"))


def test_holdout_target_rounds_half_up_and_stays_inside_the_store() -> None:
    assert holdout_target(0.10, 25) == 3  # 2.5 rounds up
    assert holdout_target(0.10, 24) == 2
    assert holdout_target(0.10, 0) == 0
    assert holdout_target(1.0, 4) == 4


def test_the_draw_takes_the_smallest_keys_among_the_undrawn() -> None:
    members = [
        DrawMember(member_id=i, key=key, group=None) for i, key in enumerate([50, 10, 40, 20, 30])
    ]

    draw = plan_store_draw(0.4, members, frozen=True)

    assert draw.to_holdout == (1, 3)
    assert draw.to_call == (4, 2, 0)


def test_a_frozen_draw_never_moves_drawn_members_even_when_over_target() -> None:
    members = [
        DrawMember(1, 1, MemberGroup.HOLDOUT, movable=True),
        DrawMember(2, 2, MemberGroup.HOLDOUT, movable=True),
        DrawMember(3, 3, MemberGroup.CALL, movable=True),
        DrawMember(4, 4, None),
    ]

    frozen = plan_store_draw(0.25, members, frozen=True)
    unfrozen = plan_store_draw(0.25, members, frozen=False)

    assert frozen.to_call == (4,)
    assert frozen.holdout_to_call == ()
    assert unfrozen.holdout_to_call == (2,)  # the largest key goes back first
