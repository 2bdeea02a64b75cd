"""Which country a list's phone numbers are from, when nothing said so.

A number written "07911 123456" means nothing without a country, and the same digits are
often valid in several. When neither ``--region`` nor the wizard's picker settles it, the
import weighs the candidates it has reasons for: the database's own region, the region of
its stores (from their time zones), the countries of the numbers written with a country
code, the computer's locale, and the app's fallback. The first of those is kept unless
another makes clearly more of the numbers written without a country code valid.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from lastmile_desktop.countries import country_of_timezone, locale_country, numbers_of
from lastmile_desktop.data_settings import FALLBACK_REGION, stored_default_region
from lastmile_desktop.importing.model import PhoneRegion
from lastmile_desktop.importing.phones import (
    PhoneReader,
    country_code_written,
    national_digits,
    national_number_check,
)
from lastmile_desktop.spreadsheets.cells import CellValue
from lastmile_desktop.storage.models import Store

# Numbers looked at to decide; the rows they come from are read before the rest of the file.
SAMPLE_NUMBERS = 300
SAMPLE_ROWS = 1_000
# "Clearly more": this share of the numbers looked at, and at least one number.
CLEAR_MARGIN = 0.1
# Where head-office lists come from, tried when most numbers fail in the region used.
LIKELY_REGIONS = (
    "GB", "IE", "FR", "DE", "NL", "BE", "ES", "IT", "PT", "CH", "AT", "LU", "DK", "SE", "NO",
    "FI", "PL", "CZ", "US", "CA", "AU", "NZ", "ZA", "IN",
)  # fmt: skip
SHOWN_REGIONS = 5


@dataclass(frozen=True)
class RegionReasons:
    """What the database and the computer say about the region, before the numbers speak."""

    database: str | None  # the database's setting
    stores: tuple[str, ...]  # the stores' countries, the most stores first
    locale: str | None  # the computer's locale


def region_reasons(session: Session) -> RegionReasons:
    zones = session.execute(select(Store.timezone).where(Store.timezone.is_not(None))).scalars()
    countries = Counter(country for zone in zones if (country := country_of_timezone(zone)))
    return RegionReasons(
        database=stored_default_region(session),
        stores=tuple(country for country, _ in countries.most_common()),
        locale=locale_country(),
    )


def _unique(codes: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(code for code in codes if code))


def candidate_regions(reasons: RegionReasons, written_codes: Sequence[int]) -> list[str]:
    """The regions to weigh, the most trusted first; ``written_codes``: country codes seen."""
    by_code = Counter(written_codes)
    from_numbers = [
        phonenumbers.region_code_for_country_code(code) for code, _ in by_code.most_common()
    ]
    return _unique(
        [
            reasons.database,
            *reasons.stores,
            *(code for code in from_numbers if code != phonenumbers.UNKNOWN_REGION),
            reasons.locale,
            FALLBACK_REGION,
        ]
    )


def infer_region(values: Iterable[CellValue], reasons: RegionReasons) -> str:
    """The region that reads ``values`` (phone cells from the top of the list) best.

    The most trusted candidate is kept unless another makes clearly more of the numbers
    written without a country code valid; then the one that makes the most valid.
    """
    national: list[str] = []
    written_codes: list[int] = []
    for value in values:
        digits = national_digits(value)
        if digits is not None:
            national.append(digits)
            if len(national) >= SAMPLE_NUMBERS:
                break
        elif (code := country_code_written(value)) is not None:
            written_codes.append(code)
    candidates = candidate_regions(reasons, written_codes)
    if not national:
        return candidates[0]
    scores = {region: sum(map(national_number_check(region), national)) for region in candidates}
    trusted = candidates[0]
    best = max(candidates, key=lambda region: scores[region])  # the first of equals
    margin = max(1, math.ceil(len(national) * CLEAR_MARGIN))
    return best if scores[best] >= scores[trusted] + margin else trusted


def sample_phone_values(
    rows: Iterable[Sequence[CellValue]], phone_columns: Sequence[int]
) -> list[CellValue]:
    """The phone cells of the first rows, main phone first, for ``infer_region``."""
    return [
        values[column]
        for values in itertools.islice(rows, SAMPLE_ROWS)
        for column in phone_columns
        if column < len(values)
    ]


def regions_that_fit(region: str, invalid_samples: Sequence[str]) -> tuple[str, ...]:
    """Likely regions in which nearly all of these numbers, invalid in ``region``, are valid."""
    if not invalid_samples:
        return ()
    readers = (PhoneReader(other) for other in LIKELY_REGIONS if other != region)
    return tuple(
        reader.region
        for reader in readers
        if sum(1 for text in invalid_samples if reader.read(text).numbers) * 5
        >= len(invalid_samples) * 4
    )


def region_note(report: PhoneRegion) -> str | None:
    """What the summary says about a region worked out from the numbers."""
    if not report.worked_out or report.national == 0:
        return None
    numbers = numbers_of(report.region)
    return (
        f"Phone numbers read as {numbers} ({report.region}): {report.valid_national:,} of "
        f"{report.national:,} written without a country code are valid {numbers}."
    )


def regions_that_fit_better(report: PhoneRegion) -> str:
    """ "FR, DE or NL": the first few regions the numbers would be valid in."""
    shown = report.fits_better[:SHOWN_REGIONS]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def wrong_region_note(report: PhoneRegion) -> str | None:
    """When most numbers fail in the region used but would be valid in another."""
    if not report.fits_better:
        return None
    return (
        f"Most phone numbers are not valid {numbers_of(report.region)} ({report.region}), but "
        f"they would be valid in {regions_that_fit_better(report)}. If the list is from "
        "another country, choose that country as the phone region and import again."
    )
