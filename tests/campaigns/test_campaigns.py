from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.campaigns.campaigns import (
    CampaignDraft,
    CampaignNotFound,
    HoldoutLocked,
    add_campaign_in_session,
    close_campaign,
    create_campaign,
    current_script_version,
    find_campaign,
    get_campaign,
    list_campaigns,
    reopen_campaign,
    script_versions,
    update_campaign,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CampaignState, ScriptVersion
from tests.campaigns.campaign_data import add_attempt, add_campaign, add_customer, add_member

LEAD = Profile.lead("Lena Lead")
MANAGER = Profile.manager("Sam Taylor", manager_id=1, store_id=1)


def test_a_new_campaign_gets_the_defaults_of_the_issue(db: Database) -> None:
    info = create_campaign(db, CampaignDraft(name="  Spring win-back "), LEAD)
    assert info.name == "Spring win-back"
    assert info.attribution_window_days == 30
    assert info.max_attempts == 3
    assert info.min_hours_between_attempts == 20
    assert info.holdout_share == pytest.approx(0.10)
    assert info.state is CampaignState.OPEN and info.is_open
    assert info.script_version == 1
    assert info.members == 0 and not info.holdout_locked
    assert get_campaign(db, info.id) == info


def test_only_the_lead_creates_or_changes_campaigns(db: Database) -> None:
    with pytest.raises(AccessDenied, match="regional lead"):
        create_campaign(db, CampaignDraft(name="Mine"), MANAGER)
    info = create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    with pytest.raises(AccessDenied):
        update_campaign(db, info.id, replace(info.to_draft(), offer="free"), MANAGER)
    with pytest.raises(AccessDenied):
        close_campaign(db, info.id, MANAGER)
    assert get_campaign(db, info.id).offer == ""


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "   "}, "name"),
        ({"attribution_window_days": 0}, "attribution window"),
        ({"max_attempts": 0}, "Maximum attempts"),
        ({"min_hours_between_attempts": -1}, "Hours between attempts"),
        ({"holdout_share": 0.95}, "holdout share"),
        ({"holdout_share": -0.1}, "holdout share"),
        ({"start_date": date(2025, 5, 1), "end_date": date(2025, 4, 1)}, "end date"),
    ],
)
def test_invalid_values_are_refused_with_what_to_fix(
    db: Database, changes: dict[str, object], message: str
) -> None:
    draft = replace(CampaignDraft(name="Spring"), **changes)  # type: ignore[arg-type]
    with pytest.raises(UserFacingError, match=message):
        create_campaign(db, draft, LEAD)
    assert list_campaigns(db) == []


def test_campaign_names_are_unique_whatever_the_case(db: Database) -> None:
    create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    with pytest.raises(UserFacingError, match="already exists"):
        create_campaign(db, CampaignDraft(name="SPRING"), LEAD)


def test_editing_the_script_or_offer_adds_a_version_and_other_edits_do_not(db: Database) -> None:
    info = create_campaign(db, CampaignDraft(name="Spring", script="Hi {first_name}"), LEAD)
    info = update_campaign(db, info.id, replace(info.to_draft(), max_attempts=5), LEAD)
    assert (info.max_attempts, info.script_version) == (5, 1)
    info = update_campaign(db, info.id, replace(info.to_draft(), script="Hello {first_name}"), LEAD)
    info = update_campaign(db, info.id, replace(info.to_draft(), offer="20% off"), LEAD)
    versions = script_versions(db, info.id)
    assert [(v.version, v.offer, v.script) for v in versions] == [
        (1, "", "Hi {first_name}"),
        (2, "", "Hello {first_name}"),
        (3, "20% off", "Hello {first_name}"),
    ]
    assert versions[-1].created_by == "Lena Lead"
    with db.read_session() as session:
        current = current_script_version(session, info.id)
    assert (current.version, current.offer) == (3, "20% off")


def test_the_holdout_share_is_frozen_once_the_first_call_is_logged(db: Database) -> None:
    info = create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    info = update_campaign(db, info.id, replace(info.to_draft(), holdout_share=0.2), LEAD)
    assert info.holdout_share == pytest.approx(0.2)
    with db.session() as session:
        member = add_member(session, info.id, add_customer(session))
        add_attempt(session, member)
    assert get_campaign(db, info.id).holdout_locked

    with pytest.raises(HoldoutLocked, match="calls have been logged"):
        update_campaign(db, info.id, replace(info.to_draft(), holdout_share=0.15), LEAD)

    assert get_campaign(db, info.id).holdout_share == pytest.approx(0.2)
    # Everything else can still change, and saving the same share is no change.
    edited = update_campaign(db, info.id, replace(info.to_draft(), max_attempts=4), LEAD)
    assert edited.max_attempts == 4
    assert edited.holdout_share == pytest.approx(0.2)


def test_close_and_reopen(db: Database) -> None:
    info = create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    closed = close_campaign(db, info.id, LEAD)
    assert closed.state is CampaignState.CLOSED and not closed.is_open
    assert reopen_campaign(db, info.id, LEAD).is_open


def test_list_shows_open_campaigns_first_with_member_counts(db: Database) -> None:
    old = create_campaign(db, CampaignDraft(name="Winter"), LEAD)
    new = create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    done = create_campaign(db, CampaignDraft(name="Autumn"), LEAD)
    close_campaign(db, done.id, LEAD)
    with db.session() as session:
        add_member(session, old.id, add_customer(session))
        add_member(session, old.id, add_customer(session))
    listed = list_campaigns(db)
    assert [c.name for c in listed] == ["Spring", "Winter", "Autumn"]
    assert [c.members for c in listed] == [0, 2, 0]
    assert find_campaign(db, "winter").id == old.id
    assert new.id != old.id


def test_an_unknown_campaign_is_named_in_the_error(db: Database) -> None:
    create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    with pytest.raises(CampaignNotFound, match='"Spring"'):
        find_campaign(db, "Sprung")
    with pytest.raises(CampaignNotFound):
        get_campaign(db, 999)


def test_a_campaign_made_without_the_editor_gets_its_first_version_on_demand(
    db: Database,
) -> None:
    with db.session() as session:
        campaign_id = add_campaign(session, "From import", script="Hi", offer="10%")
    with db.session() as session:
        first = current_script_version(session, campaign_id)
        again = current_script_version(session, campaign_id)
    assert (first.version, first.script, first.offer) == (1, "Hi", "10%")
    assert again.id == first.id


def test_other_services_create_campaigns_inside_their_own_transaction(db: Database) -> None:
    with db.session() as session:
        campaign_id = add_campaign_in_session(session, CampaignDraft(name="list.xlsx"), "import")
        versions = session.scalars(
            select(ScriptVersion.version).where(ScriptVersion.campaign_id == campaign_id)
        ).all()
    assert versions == [1]
    assert get_campaign(db, campaign_id).holdout_share == pytest.approx(0.10)
