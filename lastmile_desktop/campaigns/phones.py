"""Phone numbers typed by a person (a manager's number, a do-not-call entry) to E.164."""

from __future__ import annotations

import phonenumbers

from lastmile_desktop.errors import UserFacingError


def normalise_phone(raw: str, region: str) -> str:
    """``raw`` as E.164 ("+442079460123"); ``region`` decides numbers written without +country.

    Only a number ``phonenumbers`` knows as valid is taken, as the import takes a list's
    numbers: a number that only looks possible is refused rather than stored, since a
    mistyped do-not-call entry would stop nobody's calls. Raises a UserFacingError of one line
    that says how to write it.
    """
    text = raw.strip()
    candidates = [text]
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("00"):
        candidates.append("+" + digits[2:])
    elif text == digits and len(digits) >= 11 and not digits.startswith("0"):
        candidates.append("+" + digits)  # a spreadsheet number cell drops the leading +
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    raise UserFacingError(_refusal(text, region))


def _refusal(text: str, region: str) -> str:
    if text.startswith(("+", "00")):
        return f'"{text}" is not a valid phone number: check the digits.'
    code = phonenumbers.country_code_for_region(region)
    return (
        f'"{text}" is not a valid {region} phone number: check the digits, or write it with '
        f"its country code (+{code} for {region})."
    )
