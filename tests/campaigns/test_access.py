"""A manager profile cannot change other stores' data: checked in the services, not the UI."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.campaigns.campaigns import CampaignDraft, create_campaign, get_campaign
from lastmile_desktop.campaigns.do_not_call import (
    add_entry,
    list_entries,
    remove_entry,
)
from lastmile_desktop.campaigns.managers import (
    ManagerDraft,
    add_manager,
    deactivate_manager,
    list_managers,
)
from lastmile_desktop.campaigns.privacy import forget_customer
from lastmile_desktop.campaigns.stores import StoreDraft, add_store, get_store, update_store
from lastmile_desktop.importing.suppression_list import import_suppression_file
from lastmile_desktop.storage import Database
from tests.campaigns import campaign_data

LEAD = Profile.lead()


@pytest.fixture
def two_stores(db: Database) -> tuple[int, int, Profile]:
    with db.session() as session:
        own = campaign_data.add_store(session, "1")
        other = campaign_data.add_store(session, "2")
        manager = campaign_data.add_manager(session, own, "Sam")
    return own, other, Profile.manager("Sam", manager, own)


def test_a_manager_edits_their_own_store_but_not_another(
    db: Database, two_stores: tuple[int, int, Profile]
) -> None:
    own, other, sam = two_stores
    info = update_store(db, own, StoreDraft("Sam's shop", "1", "Europe/London"), sam)
    assert info.name == "Sam's shop"
    with pytest.raises(AccessDenied, match="your own store"):
        update_store(db, other, StoreDraft("Taken over", "2", "Europe/Paris"), sam)
    assert (get_store(db, other).name, get_store(db, other).timezone) == ("Store 2", None)


def test_a_manager_cannot_change_even_their_own_stores_code(
    db: Database, two_stores: tuple[int, int, Profile]
) -> None:
    own, _, sam = two_stores
    with pytest.raises(AccessDenied, match="regional lead"):
        update_store(db, own, StoreDraft("Store 1", "1A"), sam)
    assert get_store(db, own).code == "1"


def test_a_manager_cannot_add_stores_or_manage_managers(
    db: Database, two_stores: tuple[int, int, Profile]
) -> None:
    own, other, sam = two_stores
    with pytest.raises(AccessDenied):
        add_store(db, StoreDraft("New", "9"), sam)
    with pytest.raises(AccessDenied):
        add_manager(db, ManagerDraft("Intruder", other), sam)
    with pytest.raises(AccessDenied):
        deactivate_manager(db, sam.manager_id or 0, sam)
    assert [m.name for m in list_managers(db, LEAD)] == ["Sam"]
    assert own != other


def test_a_manager_cannot_change_campaigns(
    db: Database, two_stores: tuple[int, int, Profile]
) -> None:
    _, _, sam = two_stores
    info = create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    with pytest.raises(AccessDenied):
        create_campaign(db, replace(info.to_draft(), name="Sam's"), sam)
    assert get_campaign(db, info.id).name == "Spring"


def test_a_manager_may_add_to_the_do_not_call_list_but_only_the_lead_lifts_or_imports(
    db: Database, two_stores: tuple[int, int, Profile], tmp_path: Path
) -> None:
    _, _, sam = two_stores
    result = add_entry(db, customer_id="C-1", reason="asked on the phone", profile=sam)
    assert result.entry.added_by == "Sam"
    with pytest.raises(AccessDenied):
        remove_entry(db, result.entry.id, reason="I disagree", profile=sam)
    (tmp_path / "list.csv").write_text("phone\n+447911123456\n", encoding="utf-8")
    with pytest.raises(AccessDenied):
        import_suppression_file(db, tmp_path / "list.csv", sam)
    assert [e.customer_id for e in list_entries(db, LEAD)] == ["C-1"]


def test_a_manager_cannot_forget_a_customer(
    db: Database, two_stores: tuple[int, int, Profile]
) -> None:
    _, _, sam = two_stores
    with db.session() as session:
        customer = campaign_data.add_customer(session, first_name="Keep")
    with pytest.raises(AccessDenied):
        forget_customer(db, customer, sam)
