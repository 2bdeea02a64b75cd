from __future__ import annotations

from datetime import time

import pytest

from lastmile_desktop.campaigns.access import Profile, Role
from lastmile_desktop.campaigns.managers import (
    ManagerDraft,
    add_manager,
    deactivate_manager,
    list_managers,
    reactivate_manager,
    update_manager,
)
from lastmile_desktop.campaigns.profiles import available_profiles, profile_for_manager
from lastmile_desktop.campaigns.stores import (
    StoreDraft,
    add_store,
    add_stores_in_session,
    format_opening_hours,
    get_store,
    list_stores,
    parse_opening_hours,
    update_store,
)
from lastmile_desktop.data_settings import DEFAULT_REGION_KEY, set_setting
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import MemberStatus
from tests.campaigns import campaign_data

LEAD = Profile.lead()


@pytest.fixture
def gb_db(db: Database) -> Database:
    with db.session() as session:
        set_setting(session, DEFAULT_REGION_KEY, "GB")
    return db


def _stores(db: Database, *codes: str) -> list[int]:
    with db.session() as session:
        return [campaign_data.add_store(session, code) for code in codes]


def test_stores_are_listed_by_code_as_people_read_them(db: Database) -> None:
    _stores(db, "12", "2", "B7", "100")
    assert [s.code for s in list_stores(db)] == ["2", "12", "100", "B7"]


def test_a_store_is_edited_with_a_checked_time_zone_and_opening_hours(db: Database) -> None:
    (store_id,) = _stores(db, "12")
    hours = parse_opening_hours("Mon-Fri 09:00-18:00, Sat 10:00-16:00")
    info = update_store(db, store_id, StoreDraft("High Street", "12", "Europe/London", hours), LEAD)
    assert (info.name, info.timezone) == ("High Street", "Europe/London")
    assert info.opening_hours is not None
    assert info.opening_hours["fri"] == (time(9), time(18))
    assert "sun" not in info.opening_hours
    assert get_store(db, store_id) == info
    assert format_opening_hours(info.opening_hours) == "Mon-Fri 09:00-18:00, Sat 10:00-16:00"


def test_a_misspelt_time_zone_is_refused_with_a_suggestion(db: Database) -> None:
    (store_id,) = _stores(db, "12")
    with pytest.raises(UserFacingError, match='did you mean "Europe/London"'):
        update_store(db, store_id, StoreDraft("Store 12", "12", "Europe/Lodnon"), LEAD)
    assert get_store(db, store_id).timezone is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mon-Fri 18:00-09:00", "closes"),
        ("Someday 09:00-17:00", "unknown day"),
        ("Mon 25:00-26:00", "not a time of day"),
        ("weekdays nine to five", "Could not read"),
    ],
)
def test_unreadable_opening_hours_say_how_to_write_them(text: str, message: str) -> None:
    with pytest.raises(UserFacingError, match=message):
        parse_opening_hours(text)


def test_store_codes_stay_unique(db: Database) -> None:
    first, second = _stores(db, "12", "14")
    with pytest.raises(UserFacingError, match="already used by Store 12"):
        update_store(db, second, StoreDraft("Store 14", "12"), LEAD)
    with pytest.raises(UserFacingError, match="already used"):
        add_store(db, StoreDraft("Another", " 12 "), LEAD)
    assert get_store(db, second).code == "14"
    assert get_store(db, first).code == "12"


def test_stores_added_together_get_the_same_checks_as_one_added_alone(db: Database) -> None:
    _stores(db, "B7")
    with db.session() as session:
        new_ids = add_stores_in_session(
            session, [StoreDraft(" Leeds ", " 12 "), StoreDraft("Hull", "9", "Europe/London")]
        )
    by_id = {store.id: store for store in list_stores(db)}
    assert [(by_id[i].code, by_id[i].name, by_id[i].timezone) for i in new_ids] == [
        ("12", "Leeds", None),
        ("9", "Hull", "Europe/London"),
    ]


@pytest.mark.parametrize(
    ("drafts", "message"),
    [
        ([StoreDraft("Leeds", "L1"), StoreDraft("Leeds 2", "l1")], 'code "l1" is given to two'),
        ([StoreDraft("York", "Y1"), StoreDraft("Bradford", "b7")], "already used by Store B7"),
        ([StoreDraft("York", "Y1"), StoreDraft("", "Y2")], "Give the store a name"),
        ([StoreDraft("York", "Y" * 33)], "Shorten the store code to 32"),
    ],
)
def test_a_batch_of_new_stores_with_one_bad_store_adds_none(
    db: Database, drafts: list[StoreDraft], message: str
) -> None:
    _stores(db, "B7")
    with pytest.raises(UserFacingError, match=message), db.session() as session:
        add_stores_in_session(session, drafts)
    assert [store.code for store in list_stores(db)] == ["B7"]


def test_the_lead_adds_a_manager_with_a_normalised_phone(gb_db: Database) -> None:
    (store_id,) = _stores(gb_db, "12")
    info = add_manager(
        gb_db, ManagerDraft(" Sam  Taylor ", store_id, "07911 123456", "sam@example.com"), LEAD
    )
    assert (info.name, info.phone, info.email) == ("Sam Taylor", "+447911123456", "sam@example.com")
    assert (info.store_code, info.active, info.open_members) == ("12", True, 0)


@pytest.mark.parametrize(
    ("phone", "email", "message"),
    [("12", None, "phone number"), (None, "sam at example", "email address")],
)
def test_bad_contact_details_are_refused(
    gb_db: Database, phone: str | None, email: str | None, message: str
) -> None:
    (store_id,) = _stores(gb_db, "12")
    with pytest.raises(UserFacingError, match=message):
        add_manager(gb_db, ManagerDraft("Sam", store_id, phone, email), LEAD)
    assert list_managers(gb_db, LEAD, include_inactive=True) == []


def test_a_manager_who_leaves_is_deactivated_not_deleted(db: Database) -> None:
    (store_id,) = _stores(db, "12")
    sam = add_manager(db, ManagerDraft("Sam", store_id), LEAD)
    kim = add_manager(db, ManagerDraft("Kim", store_id), LEAD)
    with db.session() as session:
        campaign = campaign_data.add_campaign(session)
        customer = campaign_data.add_customer(session)
        campaign_data.add_member(session, campaign, customer, store_id=store_id, manager_id=sam.id)

    left = deactivate_manager(db, sam.id, LEAD)

    assert not left.active and left.open_members == 1
    assert [m.name for m in list_managers(db, LEAD)] == ["Kim"]
    assert [m.name for m in list_managers(db, LEAD, include_inactive=True)] == ["Kim", "Sam"]
    assert [p.name for p in available_profiles(db)] == ["Regional lead", "Kim"]
    assert reactivate_manager(db, sam.id, LEAD).active
    assert kim.id != sam.id


def test_a_manager_with_work_cannot_be_moved_to_another_store(db: Database) -> None:
    north, south = _stores(db, "1", "2")
    sam = add_manager(db, ManagerDraft("Sam", north), LEAD)
    with db.session() as session:
        campaign = campaign_data.add_campaign(session)
        customer = campaign_data.add_customer(session)
        campaign_data.add_member(
            session,
            campaign,
            customer,
            store_id=north,
            manager_id=sam.id,
            status=MemberStatus.IN_PROGRESS,
        )
    with pytest.raises(UserFacingError, match="move that work"):
        update_manager(db, sam.id, ManagerDraft("Sam", south), LEAD)
    assert update_manager(db, sam.id, ManagerDraft("Sam Taylor", north), LEAD).name == "Sam Taylor"


def test_managers_are_filtered_by_store(db: Database) -> None:
    north, south = _stores(db, "1", "2")
    add_manager(db, ManagerDraft("Ann", north), LEAD)
    add_manager(db, ManagerDraft("Bob", south), LEAD)
    assert [m.name for m in list_managers(db, LEAD, store_id=south)] == ["Bob"]


def test_profiles_are_the_lead_then_each_active_manager_with_their_store(db: Database) -> None:
    north, south = _stores(db, "1", "2")
    bob = add_manager(db, ManagerDraft("Bob", south), LEAD)
    ann = add_manager(db, ManagerDraft("Ann", north), LEAD)
    profiles = available_profiles(db)
    assert profiles[0].role is Role.LEAD
    assert [(p.name, p.manager_id, p.store_id) for p in profiles[1:]] == [
        ("Ann", ann.id, north),
        ("Bob", bob.id, south),
    ]
    assert profile_for_manager(db, bob.id) == profiles[2]
    deactivate_manager(db, bob.id, LEAD)
    with pytest.raises(UserFacingError, match="no longer active"):
        profile_for_manager(db, bob.id)
