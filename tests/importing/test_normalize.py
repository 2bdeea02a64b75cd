"""Cells to clean values: phones, dates, money, counts, stores and names."""

from __future__ import annotations

import random
from datetime import date, datetime

import phonenumbers
import pytest
from phonenumbers import PhoneNumber
from phonenumbers.phonemetadata import PhoneMetadata

from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.importing.dates import (
    DateOrderEvidence,
    NumericDate,
    decide_date_order,
    parse_date_cell,
)
from lastmile_desktop.importing.normalize import (
    StoreRef,
    clean_text,
    read_count,
    read_money_cents,
    read_store,
    region_date_order,
    split_full_name,
)
from lastmile_desktop.importing.phones import PhoneReader, RegionValidity

MOBILE = "+447911123456"
LANDLINE = "+442079460018"


@pytest.mark.parametrize(
    "cell",
    [
        "07911 123456",
        "07911123456",
        "07911-123-456",
        "(07911) 123 456",
        "+44 7911 123456",
        "+44 (0)7911 123456",
        "0044 7911 123456",
        "00447911123456",
        7911123456,  # a number cell: the leading 0 is lost
        7911123456.0,  # the same number read as a float
        447911123456.0,  # typed with the country code into a number cell
        4.47911123456e11,  # the same, shown in scientific notation by Excel
        "07911 123456 x123",
        "07911 123456 ext. 12",
        "07911 123456 ext 12",
        "tel: 07911 123456",
        " 07911\u00a0123456 ",
    ],
)
def test_every_way_of_writing_a_uk_mobile_gives_the_same_e164(cell: object) -> None:
    reading = PhoneReader("GB").read(cell)  # type: ignore[arg-type]
    assert reading.numbers == (MOBILE,)
    assert reading.invalid is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("07911 123456 / 020 7946 0018", (MOBILE, LANDLINE)),
        ("07911 123456; 020 7946 0018", (MOBILE, LANDLINE)),
        ("07911 123456, 020 7946 0018", (MOBILE, LANDLINE)),
        ("07911 123456 or 020 7946 0018", (MOBILE, LANDLINE)),
        ("07911 123456\n020 7946 0018", (MOBILE, LANDLINE)),
        ("07911 123456 / 07911 123456", (MOBILE,)),  # the same number twice counts once
    ],
)
def test_several_numbers_in_one_cell_are_all_kept(cell: str, expected: tuple[str, ...]) -> None:
    assert PhoneReader("GB").read(cell).numbers == expected


def test_a_slash_inside_one_number_is_not_taken_for_two_numbers() -> None:
    assert PhoneReader("DE").read("030/1234567").numbers == ("+49301234567",)


def test_numbers_of_another_country_are_kept_with_their_country_code() -> None:
    reader = PhoneReader("GB")
    assert reader.read("+33 6 12 34 56 78").numbers == ("+33612345678",)
    assert reader.read("0033 6 12 34 56 78").numbers == ("+33612345678",)
    assert PhoneReader("US").read("00 44 7911 123456").numbers == (MOBILE,)
    assert PhoneReader("US").read("(201) 555-0123").numbers == ("+12015550123",)


@pytest.mark.parametrize("cell", ["0123", "n/a", "07911 12345", "123456789012345678", "tbc"])
def test_numbers_that_cannot_be_dialled_are_reported_as_written(cell: str) -> None:
    reading = PhoneReader("GB").read(cell)
    assert reading.numbers == ()
    assert reading.invalid == cell


@pytest.mark.parametrize("cell", [None, "", "   ", True])
def test_an_empty_phone_cell_is_neither_a_number_nor_a_bad_one(cell: object) -> None:
    reading = PhoneReader("GB").read(cell)  # type: ignore[arg-type]
    assert reading.numbers == ()
    assert reading.invalid is None


def test_italian_numbers_keep_their_leading_zero() -> None:
    reader = PhoneReader("IT")
    assert reader.read("06 1234 5678").numbers == ("+390612345678",)
    assert reader.read("+39 06 12345678").numbers == ("+390612345678",)


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown region"):
        PhoneReader("XX")


def _slow_e164(text: str, region: str) -> str | None:
    """What phonenumbers alone makes of ``text``: the reference for the fast path."""
    candidates = [text] + (["+" + text[2:]] if text.startswith("00") else [])
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return None


@pytest.mark.parametrize("region", ["GB", "US", "FR", "DE", "IT", "NL", "AR", "BR", "AU", "IN"])
def test_the_fast_path_agrees_with_phonenumbers(region: str) -> None:
    rng = random.Random(region)
    metadata = PhoneMetadata.metadata_for_region(region)
    assert metadata is not None
    prefix = metadata.national_prefix or ""
    code = str(metadata.country_code)
    examples = [
        str(example.national_number)
        for kind in range(12)
        if (example := phonenumbers.example_number_for_type(region, kind)) is not None
    ]
    accepted = 0
    for _ in range(400):
        digits = list(rng.choice(examples))
        for position in rng.sample(range(1, len(digits)), k=min(2, len(digits) - 1)):
            digits[position] = rng.choice("0123456789")
        national = "".join(digits)
        text = rng.choice(
            [national, prefix + national, f"+{code} {national}", f"{prefix}{national[:3]} "
             f"{national[3:]}", f"+{code}{national}"]
        )  # fmt: skip
        reader = PhoneReader(region)
        fast = reader._fast(text)
        if fast is not None:
            accepted += 1
            assert fast == _slow_e164(text, region), text
        assert reader.read(text).numbers == (
            (_slow_e164(text, region),) if _slow_e164(text, region) else ()
        )
    assert accepted > 50  # the fast path is actually taken


def test_the_compiled_validity_rule_is_phonenumbers_own() -> None:
    rng = random.Random(7)
    for region in ("GB", "US", "FR", "DE", "JE", "SG", "NZ", "ZA", "MX", "CN"):
        metadata = PhoneMetadata.metadata_for_region(region)
        assert metadata is not None
        valid = RegionValidity(metadata)
        for _ in range(300):
            national = str(rng.randint(1, 9)) + "".join(
                rng.choice("0123456789") for _ in range(rng.randint(5, 11))
            )
            number = PhoneNumber(country_code=metadata.country_code, national_number=int(national))
            assert valid(national) == phonenumbers.is_valid_number_for_region(number, region)


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (date(2024, 3, 5), date(2024, 3, 5)),
        (datetime(2024, 3, 5, 14, 30), date(2024, 3, 5)),
        ("2024-03-05", date(2024, 3, 5)),
        ("2024-03-05T10:00:00", date(2024, 3, 5)),
        ("2024/3/5", date(2024, 3, 5)),
        ("20240305", date(2024, 3, 5)),
        ("5 March 2024", date(2024, 3, 5)),
        ("05-Mar-2024", date(2024, 3, 5)),
        ("March 5, 2024", date(2024, 3, 5)),
        ("Mar 5th 2024", date(2024, 3, 5)),
        ("5. März 2024", date(2024, 3, 5)),
        ("5 mars 2024", date(2024, 3, 5)),
        (45356, date(2024, 3, 5)),  # an Excel serial number in a cell not formatted as date
    ],
)
def test_dates_that_say_which_part_is_the_month_are_read_directly(
    cell: object, expected: date
) -> None:
    assert parse_date_cell(cell) == expected  # type: ignore[arg-type]


def test_a_numeric_text_date_waits_for_the_column_to_decide() -> None:
    parsed = parse_date_cell("03/04/2024")
    assert parsed == NumericDate(3, 4, 2024)
    assert isinstance(parsed, NumericDate)
    assert parsed.resolve(DateOrder.DAY_FIRST) == date(2024, 4, 3)
    assert parsed.resolve(DateOrder.MONTH_FIRST) == date(2024, 3, 4)
    assert parse_date_cell("3.4.24") == NumericDate(3, 4, 2024)


@pytest.mark.parametrize("cell", ["soon", "31/31/2024", "2024-02-30", "", None])
def test_what_is_not_a_date_is_none(cell: object) -> None:
    result = parse_date_cell(cell)  # type: ignore[arg-type]
    assert result is None or (
        isinstance(result, NumericDate)
        and result.resolve(DateOrder.DAY_FIRST) is None
        and result.resolve(DateOrder.MONTH_FIRST) is None
    )


def _evidence(*texts: str) -> DateOrderEvidence:
    evidence = DateOrderEvidence()
    for text in texts:
        parsed = parse_date_cell(text)
        assert isinstance(parsed, NumericDate)
        evidence.observe(parsed, text)
    return evidence


def test_a_day_over_twelve_settles_the_column_as_day_first() -> None:
    decision = decide_date_order(
        _evidence("03/04/2024", "25/04/2024"), DateOrder.MONTH_FIRST, "US", "Last visit"
    )
    assert decision.order is DateOrder.DAY_FIRST
    assert decision.note is None


def test_a_second_part_over_twelve_settles_the_column_as_month_first() -> None:
    decision = decide_date_order(_evidence("03/04/2024", "04/25/2024"), None, "GB", "Last visit")
    assert decision.order is DateOrder.MONTH_FIRST
    assert decision.note is None


def test_an_ambiguous_column_follows_the_users_choice_without_a_note() -> None:
    decision = decide_date_order(_evidence("03/04/2024"), DateOrder.MONTH_FIRST, "GB", "Visit")
    assert decision == decide_date_order(_evidence("03/04/2024"), DateOrder.MONTH_FIRST, "FR", "V")
    assert decision.order is DateOrder.MONTH_FIRST
    assert decision.note is None


def test_an_ambiguous_column_is_read_the_regions_way_and_the_summary_says_so() -> None:
    british = decide_date_order(_evidence("03/04/2024"), None, "GB", "Last visit")
    american = decide_date_order(_evidence("03/04/2024"), None, "US", "Last visit")
    assert british.order is DateOrder.DAY_FIRST
    assert american.order is DateOrder.MONTH_FIRST
    assert british.note is not None and american.note is not None
    assert '"Last visit"' in british.note
    assert "03/04/2024" in british.note
    assert "day first" in british.note and "GB" in british.note and "--monthfirst" in british.note
    assert "month first" in american.note and "--dayfirst" in american.note


def test_dates_with_day_equal_to_month_need_no_note() -> None:
    decision = decide_date_order(_evidence("05/05/2024", "11/11/2023"), None, "GB", "Visit")
    assert decision.note is None


def test_region_date_order_knows_the_month_first_countries() -> None:
    assert region_date_order("US") is DateOrder.MONTH_FIRST
    assert region_date_order("ph") is DateOrder.MONTH_FIRST
    assert region_date_order("GB") is DateOrder.DAY_FIRST
    assert region_date_order("DE") is DateOrder.DAY_FIRST


# --- money and counts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "cents"),
    [
        (1234.5, 123450),
        (12, 1200),
        ("1.234,50 €", 123450),
        ("£1,234.50", 123450),
        ("1 234,50", 123450),
        ("1\u00a0234,50 EUR", 123450),
        ("$1,234", 123400),
        ("12,5", 1250),
        ("12.50", 1250),
        ("0,99", 99),
        ("1'234.50 CHF", 123450),
        ("(12.50)", -1250),
        ("-3", -300),
        ("1.234.567,89", 123456789),
        ("12,50 zł", 1250),
        ("US$ 12", 1200),
        ("R$ 12,50", 1250),
    ],
)
def test_money_in_any_common_spelling_becomes_cents(cell: object, cents: int) -> None:
    assert read_money_cents(cell) == cents  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", ["", None, "n/a", "12-3", "1,23,4"])
def test_text_that_is_not_an_amount_is_none(cell: object) -> None:
    assert read_money_cents(cell) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", ["C123", "REF-0042", "A12B", "12 visits", "1e5"])
def test_numbers_with_letters_other_than_a_currency_are_not_amounts(cell: str) -> None:
    assert read_money_cents(cell) is None
    assert read_count(cell) is None


@pytest.mark.parametrize(
    ("cell", "count"), [(12, 12), (12.0, 12), ("12", 12), ("1,234", 1234), (" 7 ", 7)]
)
def test_counts_are_whole_numbers(cell: object, count: int) -> None:
    assert read_count(cell) == count  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", [12.5, "-1", "many", None])
def test_what_is_not_a_count_is_none(cell: object) -> None:
    assert read_count(cell) is None  # type: ignore[arg-type]


# --- stores and names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", [12, 12.0, "12", "012", "Store 12", "store #12", "STORE NO. 12", "Shop 12", " 12 "]
)
def test_every_spelling_of_store_twelve_is_one_store(cell: object) -> None:
    assert read_store(cell) == StoreRef(code="12", name="Store 12")  # type: ignore[arg-type]


def test_a_named_store_keeps_its_name() -> None:
    store = read_store("  Manchester   Arndale ")
    assert store == StoreRef(code="Manchester Arndale", name="Manchester Arndale")
    assert store.key == "manchester arndale"
    assert read_store(None) is None
    assert read_store("") is None


@pytest.mark.parametrize(
    ("cell", "first", "last"),
    [
        ("Anna Smith", "Anna", "Smith"),
        ("Smith, Anna", "Anna", "Smith"),
        ("  Mary Ann   Smith ", "Mary Ann", "Smith"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Müller, Jürgen", "Jürgen", "Müller"),
        ("Cher", None, "Cher"),
        ("Zoë Ødegård", "Zoë", "Ødegård"),
    ],
)
def test_full_names_are_split_both_ways(cell: str, first: str | None, last: str) -> None:
    assert split_full_name(cell) == (first, last)


def test_text_is_trimmed_with_unicode_kept_and_composed() -> None:
    assert clean_text("  Chlo\u0065\u0301  ") == "Chlo\u00e9"  # e + combining accent -> é
    assert clean_text("Anna   Maria") == "Anna Maria"
    assert clean_text("   ") is None
    assert clean_text(12.0) == "12"
    assert clean_text(None) is None
