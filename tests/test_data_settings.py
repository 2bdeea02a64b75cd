"""The database's own settings (region, first day of the week, date order) and the countries."""

from __future__ import annotations

import calendar
import json

import pytest

from lastmile_desktop import countries
from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.campaigns.database_settings import (
    DatabaseSettings,
    load_database_settings,
    save_database_settings,
    save_default_region,
)
from lastmile_desktop.cli import main
from lastmile_desktop.data_settings import default_region
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.model import DateOrder
from lastmile_desktop.storage import Database


@pytest.fixture
def us_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(countries, "locale_name", lambda: "en_US.UTF-8")


def test_a_new_database_has_no_region_and_takes_its_week_from_the_locale(
    db: Database, us_machine: None
) -> None:
    assert load_database_settings(db) == DatabaseSettings(None, calendar.SUNDAY, None)


def test_settings_saved_together_are_read_back_by_any_later_session(db: Database) -> None:
    saved = save_database_settings(
        db, DatabaseSettings("fr", calendar.MONDAY, DateOrder.MONTH_FIRST)
    )
    assert saved == DatabaseSettings("FR", calendar.MONDAY, DateOrder.MONTH_FIRST)
    assert load_database_settings(db) == saved
    with db.read_session() as session:
        assert default_region(session) == "FR"


def test_clearing_the_region_and_the_date_order_goes_back_to_automatic(
    db: Database, us_machine: None
) -> None:
    save_database_settings(db, DatabaseSettings("GB", calendar.MONDAY, DateOrder.DAY_FIRST))
    cleared = save_database_settings(db, DatabaseSettings(None, calendar.MONDAY, None))
    assert cleared == DatabaseSettings(None, calendar.MONDAY, None)
    with db.read_session() as session:
        assert default_region(session) == "US"  # the locale again, for do-not-call entries


def test_an_unknown_region_is_refused_and_nothing_changes(db: Database) -> None:
    save_default_region(db, "DE")
    with pytest.raises(UserFacingError, match="two-letter ISO code"):
        save_database_settings(db, DatabaseSettings("ZZ", calendar.MONDAY, None))
    assert load_database_settings(db).default_region == "DE"


def test_a_store_manager_cannot_change_the_database_settings(db: Database) -> None:
    manager = Profile.manager("Priya Shah", manager_id=1, store_id=1)
    with pytest.raises(AccessDenied, match="Only the regional lead"):
        save_default_region(db, "GB", manager)
    with pytest.raises(AccessDenied):
        save_database_settings(db, DatabaseSettings("GB", 0, None), manager)
    assert load_database_settings(db).default_region is None


def test_the_settings_command_shows_and_changes_the_settings(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str], us_machine: None
) -> None:
    assert main(["--db", db_url, "settings"]) == 0
    out = capsys.readouterr().out
    assert "Region: not set: worked out from each list's numbers" in out
    assert "First day of the week: Sunday" in out

    args = ["--region", "gb", "--first-day", "Mon", "--date-order", "dayfirst", "--json"]
    assert main(["--db", db_url, "settings", *args]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "region": "GB",
        "first_day_of_week": "monday",
        "date_order": "dayfirst",
    }
    assert main(["--db", db_url, "settings", "--region", "none", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["region"] is None


def test_the_settings_command_refuses_a_day_that_is_not_one(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "settings", "--first-day", "someday"]) == 1
    assert "is not a day of the week" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("en_GB.UTF-8", "GB"),
        ("fr_BE", "BE"),
        ("English_United Kingdom", "GB"),  # how Windows names it
        ("C", None),
        ("", None),
        ("en", None),
    ],
)
def test_the_locale_gives_its_country_or_none(
    monkeypatch: pytest.MonkeyPatch, name: str, country: str | None
) -> None:
    monkeypatch.setattr(countries, "locale_name", lambda: name)
    assert countries.locale_country() == country


@pytest.mark.parametrize(
    ("zone", "country"),
    [("Europe/London", "GB"), ("America/Chicago", "US"), ("GB", "GB"), ("UTC", None)],
)
def test_a_time_zone_gives_its_country(zone: str, country: str | None) -> None:
    assert countries.country_of_timezone(zone) == country


def test_countries_are_named_for_people() -> None:
    assert countries.country_name("GB") == "United Kingdom"
    assert countries.numbers_of("GB") == "UK numbers"
    assert countries.numbers_of("JP") == "Japan numbers"
    regions = dict(countries.phone_regions())
    assert regions["FR"] == "France" and len(regions) > 200
