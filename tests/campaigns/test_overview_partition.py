"""The Assign page's overview on the demo region: each figure has one definition and the
columns add up (list = holdout + call group + waiting + taken out; call group = done + left)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select

from lastmile_desktop.calling.life import OPEN_STATUSES, called_condition
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.members import StoreOverview, assignment_overview
from lastmile_desktop.demo import generate_demo
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import Campaign, CampaignMember, Manager, MemberGroup
from tests.conftest import fresh_database_url

LEAD = Profile.lead()


@pytest.fixture(scope="module")
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, int]]:
    db, _ = open_database(fresh_database_url(request, tmp_path_factory.mktemp("overview"), "demo"))
    generate_demo(db, customers=1200, seed=3, today=date(2025, 3, 12))
    with db.read_session() as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
    yield db, campaign_id
    db.dispose()


def assert_adds_up(store: StoreOverview) -> None:
    assert store.members == store.holdout + store.call_group + store.undrawn + store.taken_out
    assert store.call_group == store.done + store.left_to_call
    assert store.left_to_call == (
        sum(m.left_to_call for m in store.managers) + store.without_manager
    )
    for manager in store.managers:
        assert manager.members == manager.done + manager.left_to_call
        assert manager.called <= manager.members


def test_every_line_of_the_overview_adds_up_on_the_demo_region(
    demo: tuple[Database, int],
) -> None:
    db, campaign_id = demo
    overview = assignment_overview(db, LEAD, campaign_id)

    for store in overview:
        assert_adds_up(store)
    with db.read_session() as session:
        members = session.scalar(
            select(func.count()).where(CampaignMember.campaign_id == campaign_id)
        )
    assert sum(store.members for store in overview) == members
    # The demo has every kind of line: finished and open work, holdout, the Unassigned bucket.
    assert all(store.done and store.left_to_call and store.holdout for store in overview[:-1])
    assert overview[-1].is_unassigned_bucket and overview[-1].undrawn == overview[-1].members


def test_called_and_left_use_the_member_life_definitions(demo: tuple[Database, int]) -> None:
    db, campaign_id = demo
    overview = assignment_overview(db, LEAD, campaign_id)
    in_call_group = [
        CampaignMember.campaign_id == campaign_id,
        CampaignMember.group == MemberGroup.CALL,
    ]
    with db.read_session() as session:
        called = session.scalar(select(func.count()).where(*in_call_group, called_condition()))
        left = session.scalar(
            select(func.count()).where(*in_call_group, CampaignMember.status.in_(OPEN_STATUSES))
        )
    assert sum(store.called for store in overview) == called
    assert sum(store.left_to_call for store in overview) == left


def test_a_managers_overview_adds_up_too(demo: tuple[Database, int]) -> None:
    db, campaign_id = demo
    with db.read_session() as session:
        manager = session.scalars(select(Manager).order_by(Manager.id)).first()
        assert manager is not None
        profile = Profile.manager(manager.name, manager.id, manager.store_id)
    (store,) = assignment_overview(db, profile, campaign_id)
    assert_adds_up(store)
    assert store.store_id == profile.store_id
