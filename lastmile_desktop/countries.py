"""Countries as phone numbers, dates and settings need them: names, time zones, the locale.

The names and the time zone of each country come from the tz database's own tables
(``iso3166.tab``, ``zone.tab``, the links in ``tzdata.zi``) shipped in the ``tzdata``
package, which the app depends on anyway, so there is no second list to keep up to date.
"""

from __future__ import annotations

import functools
import locale
from importlib import resources

import phonenumbers

# The tz tables name a few countries their own way, or not at all.
_NAME_OVERRIDES = {
    "GB": "United Kingdom",
    "AC": "Ascension Island",
    "TA": "Tristan da Cunha",
    "XK": "Kosovo",
}
# How a summary names a country's numbers ("UK numbers"); others use the country's name.
_NUMBER_ADJECTIVES = {
    "GB": "UK", "US": "US", "IE": "Irish", "FR": "French", "DE": "German", "NL": "Dutch",
    "BE": "Belgian", "ES": "Spanish", "IT": "Italian", "PT": "Portuguese", "CH": "Swiss",
    "AT": "Austrian", "DK": "Danish", "SE": "Swedish", "NO": "Norwegian", "FI": "Finnish",
    "PL": "Polish", "CZ": "Czech", "CA": "Canadian", "AU": "Australian", "NZ": "New Zealand",
    "ZA": "South African", "IN": "Indian",
}  # fmt: skip


def _tz_table(name: str) -> list[list[str]]:
    text = resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@functools.cache
def _names() -> dict[str, str]:
    names = {row[0]: row[1].strip() for row in _tz_table("iso3166.tab") if len(row) >= 2}
    names.update(_NAME_OVERRIDES)
    return names


def country_name(code: str) -> str:
    """ "FR" -> "France"; an unknown code comes back as it is."""
    return _names().get(code.upper(), code.upper())


def phone_regions() -> list[tuple[str, str]]:
    """Every country phone numbers can be read for, as (code, name), sorted by name."""
    names = _names()
    regions = [(code, names.get(code, code)) for code in phonenumbers.SUPPORTED_REGIONS]
    return sorted(regions, key=lambda item: item[1].casefold())


def is_phone_region(code: str) -> bool:
    return code.upper() in phonenumbers.SUPPORTED_REGIONS


def numbers_of(code: str) -> str:
    """How a sentence names the country's phone numbers: "UK numbers", "Japan numbers"."""
    code = code.upper()
    return f"{_NUMBER_ADJECTIVES.get(code) or country_name(code)} numbers"


@functools.cache
def _zone_countries() -> dict[str, str]:
    """Time zone name -> country code, links (``GB``, ``US/Eastern``) included."""
    countries = {row[2]: row[0] for row in _tz_table("zone.tab") if len(row) >= 3}
    zi = resources.files("tzdata.zoneinfo").joinpath("tzdata.zi").read_text(encoding="utf-8")
    for line in zi.splitlines():
        if line.startswith("L "):
            _, target, link = line.split()[:3]
            if link not in countries and target in countries:
                countries[link] = countries[target]
    return countries


def country_of_timezone(zone: str | None) -> str | None:
    """ "Europe/London" -> "GB"; None for zones of no one country ("UTC", "Etc/GMT+1")."""
    if not zone:
        return None
    return _zone_countries().get(zone.strip())


def locale_name() -> str:
    """The computer's locale as Python sees it ("en_GB", "C"); tests replace this function."""
    return locale.getlocale()[0] or ""


def locale_country() -> str | None:
    """The country of the computer's locale ("en_GB" -> "GB"), None for "C" or a bare language."""
    parts = locale_name().replace("-", "_").split(".")[0].split("_", 1)
    if len(parts) < 2:
        return None
    territory = parts[1].strip()
    if len(territory) == 2 and territory.isalpha():
        code = territory.upper()
    else:  # Windows writes the country's name: "English_United Kingdom"
        by_name = {name.casefold(): code for code, name in _names().items()}
        code = by_name.get(territory.casefold(), "")
    return code if is_phone_region(code) else None
