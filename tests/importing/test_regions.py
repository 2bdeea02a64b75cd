"""Which country a list's phone numbers are read in when nothing says so, and the summary's word.

The computer's locale is set per test by replacing ``countries.locale_name``, the one function
that reads it, so the machine running the tests does not matter.
"""

from __future__ import annotations

import json
from pathlib import Path

import phonenumbers
import pytest

from lastmile_desktop import countries
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.stores import StoreDraft, add_store
from lastmile_desktop.cli import main
from lastmile_desktop.data_settings import DEFAULT_REGION_KEY, set_setting
from lastmile_desktop.importing.model import ImportOptions
from lastmile_desktop.importing.regions import RegionReasons, infer_region
from lastmile_desktop.importing.service import inspect_file, run_import
from lastmile_desktop.storage import Database
from tests.importing.service_support import customers_by_id, write_list

# A UK list as head office writes it: national numbers, one written the international way.
UK_NUMBERS = [
    "07911 123456",
    "020 7946 0018",
    "07400 100001",
    "0161 496 0000",
    "07400 100002",
    "0113 496 0000",
    "07911 123457",
    "020 7946 0019",
]
# Valid both as US numbers and as UK ones (02x is London's range): only context tells.
US_AND_UK_NUMBERS = ["(201) 555-0123", "(201) 234-5678", "(201) 555-0124", "(201) 234-5679"]
FRENCH_MOBILES = [f"06 12 34 56 {n:02d}" for n in range(10, 18)]
HEADER = ["Customer ID", "Name", "Phone"]


def on_a_machine_with_locale(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(countries, "locale_name", lambda: name)


def phone_list(path: Path, numbers: list[str]) -> Path:
    rows = [[f"C{n:03d}", f"Customer {n}", number] for n, number in enumerate(numbers, 1)]
    return write_list(path, rows, HEADER)


def set_database_region(db: Database, region: str) -> None:
    with db.session() as session:
        set_setting(session, DEFAULT_REGION_KEY, region)


def add_store_in(db: Database, code: str, zone: str) -> None:
    add_store(db, StoreDraft(name=f"Store {code}", code=code, timezone=zone), Profile.lead())


@pytest.mark.parametrize("locale_name", ["en_US.UTF-8", "C"])
def test_a_uk_list_on_a_machine_with_another_locale_reads_as_uk_numbers_and_says_so(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locale_name: str
) -> None:
    on_a_machine_with_locale(monkeypatch, locale_name)
    path = phone_list(tmp_path / "uk.xlsx", UK_NUMBERS)

    summary = run_import(db, path, ImportOptions())

    assert summary.counts.imported == len(UK_NUMBERS)
    assert summary.counts.rejected == 0
    assert summary.phone_region.region == "GB" and summary.phone_region.worked_out
    assert customers_by_id(db)["C001"].phone == "+447911123456"
    assert customers_by_id(db)["C002"].phone == "+442079460018"
    assert (
        "Phone numbers read as UK numbers (GB): 8 of 8 written without a country code are "
        "valid UK numbers." in summary.notes
    )


@pytest.mark.parametrize("locale_name", ["en_US.UTF-8", "C"])
def test_the_command_line_reads_a_uk_list_on_another_machine_as_uk_numbers(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    locale_name: str,
) -> None:
    on_a_machine_with_locale(monkeypatch, locale_name)
    path = phone_list(tmp_path / "uk.xlsx", [*UK_NUMBERS, "07911 12"])

    assert main(["--db", db_url, "import", str(path), "--json"]) == 0

    payload = json.loads(capsys.readouterr().out)
    assert payload["imported"] == 8 and payload["rejected"] == 1
    assert payload["region"] == "GB"
    assert (
        "Phone numbers read as UK numbers (GB): 8 of 9 written without a country code are "
        "valid UK numbers." in payload["notes"]
    )


def test_a_region_given_on_the_command_line_wins_over_the_numbers(
    db: Database,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    on_a_machine_with_locale(monkeypatch, "en_GB.UTF-8")
    path = phone_list(tmp_path / "uk.xlsx", UK_NUMBERS)

    assert main(["--db", db_url, "import", str(path), "--region", "US"]) == 0

    out = capsys.readouterr().out
    assert "8 rows read = 0 imported" in out
    assert "not a valid US number" in out
    assert "Phone numbers read as" not in out  # nothing was worked out: the region was given
    assert "Most phone numbers are not valid US numbers (US)" in out
    assert "lastmile import FILE --region GB --again" in out


def test_the_database_region_gives_way_when_the_numbers_clearly_fit_another(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_machine_with_locale(monkeypatch, "C")
    set_database_region(db, "US")
    summary = run_import(db, phone_list(tmp_path / "uk.xlsx", UK_NUMBERS), ImportOptions())
    assert summary.phone_region.region == "GB"
    assert summary.counts.imported == len(UK_NUMBERS)


def test_the_database_region_stays_when_the_numbers_fit_it_as_well_as_another(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_machine_with_locale(monkeypatch, "en_GB.UTF-8")
    set_database_region(db, "US")
    path = phone_list(tmp_path / "us.xlsx", US_AND_UK_NUMBERS)
    summary = run_import(db, path, ImportOptions())
    assert summary.phone_region.region == "US"
    assert customers_by_id(db)["C001"].phone == "+12015550123"


def test_the_stores_time_zone_decides_between_regions_the_numbers_fit_alike(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_machine_with_locale(monkeypatch, "en_GB.UTF-8")
    path = phone_list(tmp_path / "us.xlsx", US_AND_UK_NUMBERS)
    assert inspect_file(db, path).phone_region.region == "GB"  # the locale, for want of better

    add_store_in(db, "NY1", "America/New_York")
    preview = inspect_file(db, path)

    assert preview.phone_region.region == "US"
    assert "Phone numbers read as US numbers (US): 4 of 4" in " ".join(preview.notes)


def test_numbers_written_with_a_country_code_make_their_country_a_candidate(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_machine_with_locale(monkeypatch, "en_GB.UTF-8")
    national_only = phone_list(tmp_path / "fr1.xlsx", FRENCH_MOBILES)
    assert inspect_file(db, national_only).phone_region.region == "GB"

    with_codes = phone_list(tmp_path / "fr2.xlsx", ["+33 6 12 34 56 99", *FRENCH_MOBILES])
    summary = run_import(db, with_codes, ImportOptions())

    assert summary.phone_region.region == "FR"
    assert summary.counts.imported == 9
    assert (
        "Phone numbers read as French numbers (FR): 8 of 8 written without a country code are "
        "valid French numbers." in summary.notes
    )


def test_working_out_the_region_does_not_call_the_full_phone_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real_parse = phonenumbers.parse

    def counting_parse(number: str, region: str | None = None, *args: object) -> object:
        calls.append(number)
        return real_parse(number, region, *args)

    monkeypatch.setattr(phonenumbers, "parse", counting_parse)
    reasons = RegionReasons(database=None, stores=(), locale="US")
    assert infer_region(UK_NUMBERS * 50, reasons) == "GB"
    assert calls == []


def test_one_number_more_does_not_move_the_trusted_region_but_many_do() -> None:
    # Valid in both GB and DE, and one German mobile that is no UK number.
    both = ["07911 123456", "07400 100001", "07400 100002", "07911 123457"]
    german = "0171 1234567"
    reasons = RegionReasons(database="GB", stores=("DE",), locale=None)
    assert infer_region([*both * 5, german], reasons) == "GB"  # 20 against 21 of 21
    assert infer_region([*both, german, german], reasons) == "DE"  # 4 against 6 of 6
