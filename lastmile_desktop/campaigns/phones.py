"""Phone numbers typed by a person (a manager's number, a do-not-call entry) to E.164."""

from __future__ import annotations

import phonenumbers

from lastmile_desktop.errors import UserFacingError


def normalise_phone(raw: str, region: str) -> str:
    """``raw`` as E.164 ("+447700900123"); ``region`` decides numbers written without +country.

    A number of a possible length is accepted even where ``phonenumbers`` does not know the
    range as assigned (new ranges, reserved test ranges): a list that stops calls should
    rather hold one number too many. Raises a UserFacingError that says how to write it.
    """
    text = raw.strip()
    code = phonenumbers.country_code_for_region(region)
    hint = f"check the digits, or write it with its country code (+{code} for {region})"
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
        if phonenumbers.is_valid_number(number) or phonenumbers.is_possible_number(number):
            return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    raise UserFacingError(f'"{text}" is not a phone number that can be dialled: {hint}.')
