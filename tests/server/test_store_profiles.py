"""A store's PC opens the app with its store's login: its profile choices are that store's
managers, never the lead."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.campaigns.managers import ManagerDraft, add_manager, deactivate_manager
from lastmile_desktop.campaigns.profiles import available_profiles
from lastmile_desktop.storage import open_database
from lastmile_desktop.storage.server_roles import STORE_ROLE
from lastmile_desktop.ui.profile import (
    ProfileDialog,
    choose_profile_at_start,
    remember_profile,
    remembered_profile,
)
from tests.calling.desk_data import LEAD
from tests.conftest import run_admin_sql
from tests.server.chain import Chain, drop_roles

pytestmark = pytest.mark.postgres


def test_a_store_login_is_offered_its_own_managers_and_never_the_lead(chain: Chain) -> None:
    region = chain.region
    add_manager(region.db, ManagerDraft("Cara Lewis", region.stores["LON"]), LEAD)

    at_london = available_profiles(chain.open_as("LON"))
    with_owner = available_profiles(region.db)

    assert [p.name for p in at_london] == ["Alice Smith", "Cara Lewis"]
    assert not any(p.is_lead for p in at_london)
    names = ["Regional lead", "Bob Jones", "Alice Smith", "Cara Lewis"]  # Leeds, then London
    assert [p.name for p in with_owner] == names


def test_a_store_login_without_a_store_is_told_what_to_ask_for(chain: Chain) -> None:
    login = f"store_nowhere_{uuid.uuid4().hex[:8]}"
    run_admin_sql(chain.server, f"CREATE ROLE {login} LOGIN IN ROLE {STORE_ROLE}")
    db, _ = open_database(chain.url(login))
    try:
        with pytest.raises(AccessDenied, match=f"add-store-login CODE --login {login}"):
            available_profiles(db)
    finally:
        db.dispose()
        drop_roles(chain.server, login)


def test_a_store_whose_managers_all_left_cannot_be_worked_as(chain: Chain) -> None:
    alice = chain.region.managers["Alice"]
    assert alice.manager_id is not None
    deactivate_manager(chain.region.db, alice.manager_id, LEAD)
    with pytest.raises(AccessDenied, match="No active manager works at London Camden"):
        available_profiles(chain.open_as("LON"))


def test_a_store_with_one_manager_opens_as_them_without_asking(
    chain: Chain, qsettings_isolated: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(_self: QDialog) -> int:
        raise AssertionError("nothing to choose: the picker must not open")

    monkeypatch.setattr(ProfileDialog, "exec", fail)
    remember_profile(Profile.lead())  # this PC was once the lead's
    lon = chain.open_as("LON")

    assert remembered_profile(lon) is None
    assert choose_profile_at_start(lon) == chain.region.managers["Alice"]


def test_the_picker_on_a_store_login_lists_its_managers_only(
    qtbot: QtBot, chain: Chain, qsettings_isolated: None
) -> None:
    add_manager(chain.region.db, ManagerDraft("Cara Lewis", chain.region.stores["LON"]), LEAD)
    dialog = ProfileDialog(chain.open_as("LON"))
    qtbot.addWidget(dialog)
    labels = [dialog.list.item(row).text() for row in range(dialog.list.count())]
    assert labels == ["Alice Smith — London Camden (LON)", "Cara Lewis — London Camden (LON)"]
    assert dialog.selected_profile() == chain.region.managers["Alice"]
