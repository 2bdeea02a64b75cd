"""Guessing which column holds which field, and remembering what the user confirmed."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from lastmile_desktop.importing.mapping import (
    guess_mapping,
    header_signature,
    normalise_header,
    remember_mapping,
    remembered_mapping,
)
from lastmile_desktop.importing.model import Field
from lastmile_desktop.spreadsheets.cells import CellValue
from lastmile_desktop.storage import Database


def fields_of(
    headers: Sequence[str], columns: Sequence[Sequence[CellValue]] = (), region: str = "GB"
) -> list[Field | None]:
    return [guess.field for guess in guess_mapping(headers, columns, region)]


def test_plain_english_headers_map_with_full_confidence() -> None:
    headers = [
        "Customer ID", "First name", "Last name", "Mobile", "Email", "Store",
        "Last purchase", "Lifetime spend", "Visits", "Notes",
    ]  # fmt: skip
    guesses = guess_mapping(headers, [], "GB")
    assert [guess.field for guess in guesses] == [
        Field.CUSTOMER_ID, Field.FIRST_NAME, Field.LAST_NAME, Field.PHONE, Field.EMAIL,
        Field.STORE, Field.LAST_PURCHASE_DATE, Field.LIFETIME_SPEND, Field.VISITS, Field.NOTES,
    ]  # fmt: skip
    assert all(guess.confidence == 1.0 for guess in guesses)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Kundennummer", "Vorname", "Nachname", "Telefon", "E-Mail", "Filiale", "Umsatz"],
            [Field.CUSTOMER_ID, Field.FIRST_NAME, Field.LAST_NAME, Field.PHONE, Field.EMAIL,
             Field.STORE, Field.LIFETIME_SPEND],
        ),
        (
            ["N° client", "Prénom", "Nom", "Téléphone portable", "Magasin", "Dernier achat"],
            [Field.CUSTOMER_ID, Field.FIRST_NAME, Field.LAST_NAME, Field.PHONE, Field.STORE,
             Field.LAST_PURCHASE_DATE],
        ),
        (
            ["Klantnummer", "Voornaam", "Achternaam", "Telefoonnummer", "Winkel", "Bezoeken"],
            [Field.CUSTOMER_ID, Field.FIRST_NAME, Field.LAST_NAME, Field.PHONE, Field.STORE,
             Field.VISITS],
        ),
        (
            ["Cust. No.", "Full Name", "Tel", "Home phone", "Store #", "Total spent (£)",
             "No. of visits", "Comments", "Segment"],
            [Field.CUSTOMER_ID, Field.FULL_NAME, Field.PHONE, Field.PHONE_ALT, Field.STORE,
             Field.LIFETIME_SPEND, Field.VISITS, Field.NOTES, None],
        ),
    ],
)  # fmt: skip
def test_renamed_headers_in_other_spellings_and_languages_map(
    headers: list[str], expected: list[Field | None]
) -> None:
    assert fields_of(headers) == expected


@pytest.mark.parametrize(
    ("first_header", "last_header"),
    [
        ("Given", "Family"),
        ("Given name", "Family name"),
        ("Forename", "Surname"),
        ("Prénoms", "Nom de famille"),
        ("Rufname", "Zuname"),
        ("Voornamen", "Geslachtsnaam"),
        ("Nombre de pila", "Primer apellido"),
    ],
)
def test_given_and_family_name_headers_map_to_first_and_last_name(
    first_header: str, last_header: str
) -> None:
    guesses = guess_mapping(["Customer ID", first_header, last_header, "Mobile"], [], "GB")
    assert [guess.field for guess in guesses[1:3]] == [Field.FIRST_NAME, Field.LAST_NAME]
    assert [guess.confidence for guess in guesses[1:3]] == [1.0, 1.0]


def test_a_typo_still_maps_by_fuzzy_matching_with_less_confidence() -> None:
    guesses = guess_mapping(["Custmer ID", "Phnoe number"], [], "GB")
    assert [guess.field for guess in guesses] == [Field.CUSTOMER_ID, Field.PHONE]
    assert all(0.62 <= guess.confidence < 1.0 for guess in guesses)


def test_a_vague_header_over_phone_numbers_is_the_phone() -> None:
    headers = ["Name", "Contact", "Col 4"]
    columns = [
        ["Ann Lee", "Bob Ray", "Cy Young"],
        ["07911 123456", "020 7946 0018", "+44 7400 123456"],
        ["x", "y", "z"],
    ]
    guesses = guess_mapping(headers, columns, "GB")
    assert [guess.field for guess in guesses] == [Field.FULL_NAME, Field.PHONE, None]
    assert guesses[1].samples == ["07911 123456", "020 7946 0018", "+44 7400 123456"]


def test_values_that_do_not_fit_make_a_header_less_sure() -> None:
    with_phones = guess_mapping(["Tel"], [["07911 123456", "020 7946 0018"]], "GB")
    with_words = guess_mapping(["Tel"], [["yes", "no", "maybe"]], "GB")
    assert with_phones[0].field is with_words[0].field is Field.PHONE
    assert with_words[0].confidence < with_phones[0].confidence
    # A header that only resembles a field does not survive values that contradict it.
    assert guess_mapping(["Phnoe"], [["yes", "no", "maybe"]], "GB")[0].field is None


@pytest.mark.parametrize("first_header", ["Name", "First name"])
def test_a_reference_column_of_letter_and_digit_codes_is_never_the_spend(
    first_header: str,
) -> None:
    headers = ["Ref", first_header, "Mobile"]
    columns = [
        ["C123", "C124", "C125", "C126"],
        ["Ann Lee", "Bob Ray", "Cy Young", "Di Moss"],
        ["07911 123456", "07911 123457", "07911 123458", "07911 123459"],
    ]
    reference = guess_mapping(headers, columns, "GB")[0]
    assert reference.field in (Field.CUSTOMER_ID, None)


def test_a_second_phone_column_becomes_the_other_phone() -> None:
    assert fields_of(["Phone 1", "Phone 2"]) == [Field.PHONE, Field.PHONE_ALT]


def test_name_beside_surname_is_the_first_name() -> None:
    assert fields_of(["Name", "Surname", "Phone"]) == [
        Field.FIRST_NAME,
        Field.LAST_NAME,
        Field.PHONE,
    ]


def test_each_field_goes_to_one_column_only() -> None:
    fields = fields_of(["Email", "E-mail address", "Phone"])
    assert fields.count(Field.EMAIL) == 1
    assert fields[0] is Field.EMAIL


def test_unknown_columns_stay_unmapped_and_say_how_sure_that_is() -> None:
    guesses = guess_mapping(["Loyalty tier", "Phone"], [["Gold"], ["07911 123456"]], "GB")
    assert guesses[0].field is None
    # "Loyalty" recalls "loyalty number": less sure than for a header like nothing at all.
    assert 0.3 < guesses[0].confidence < guess_mapping(["Zzz"], [["Gold"]], "GB")[0].confidence


def test_headers_normalise_case_accents_and_abbreviations() -> None:
    assert normalise_header("  Téléphone N° ") == "telephone number"
    assert normalise_header("Cust. No.") == "cust number"
    assert normalise_header("Store #") == "store number"
    assert normalise_header("E-Mail") == "e mail"


def test_the_signature_ignores_spelling_details_but_not_order() -> None:
    assert header_signature(["Customer ID", "Phone"]) == header_signature(["customer  id", "PHONE"])
    assert header_signature(["Customer ID", "Phone"]) != header_signature(["Phone", "Customer ID"])
    assert header_signature(["Phone"]) != header_signature(["Phone", "Email"])


def test_a_confirmed_mapping_is_remembered_for_the_same_headers(db: Database) -> None:
    headers = ["Ref", "Contact", "Misc"]
    chosen: dict[int, Field | None] = {0: Field.CUSTOMER_ID, 1: Field.PHONE, 2: None}
    with db.session() as session:
        assert remembered_mapping(session, headers) is None
        remember_mapping(session, headers, chosen)
    with db.read_session() as session:
        assert remembered_mapping(session, ["ref", "CONTACT", "misc"]) == chosen
        assert remembered_mapping(session, ["Ref", "Contact"]) is None


def test_remembering_again_replaces_the_earlier_mapping(db: Database) -> None:
    headers = ["A", "B"]
    with db.session() as session:
        remember_mapping(session, headers, {0: Field.PHONE, 1: None})
    with db.session() as session:
        remember_mapping(session, headers, {0: Field.PHONE_ALT, 1: Field.NOTES})
    with db.read_session() as session:
        assert remembered_mapping(session, headers) == {0: Field.PHONE_ALT, 1: Field.NOTES}
