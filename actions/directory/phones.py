"""Phone numbers: how a `dial` string is checked and turned into a `tel:` link.

phonenumbers decides what is a valid number for a country. Its short-code data
has gaps, so a few real short codes only pass a much weaker "possible" check;
those are accepted only when listed by hand in `ACCEPTED_WEAK_SHORT_CODES`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import phonenumbers
from phonenumbers import shortnumberinfo

if TYPE_CHECKING:
    from actions.directory.records import Phone

# Short codes that phonenumbers' metadata does not list as valid for their country
# but accepts as *possible* short codes. The possible-check alone accepts almost any
# 3-6 digit string (a typo like "11611" would pass), so each such code must be listed
# here after it was confirmed in the cited sources; anything else that only passes
# the weak check is an error. docs/helplines.md shows the same list.
ACCEPTED_WEAK_SHORT_CODES = frozenset(
    {
        ("BR", "188"),  # CVV emotional support / suicide prevention
        ("CO", "141"),  # ICBF Línea 141
        ("GR", "11525"),  # Together for Children
        ("IN", "14416"),  # Tele-MANAS
        ("KE", "911"),  # emergency (National Police Service lists 999, 112, 911)
        ("MT", "179"),  # Supportline 179
        ("NL", "113"),  # 113 Zelfmoordpreventie (crisis line)
        ("PH", "163"),  # Bantay Bata 163
        ("PT", "1411"),  # Linha 1411, national suicide-prevention line
        ("RO", "119"),  # Telefonul Copilului 119 (state child-abuse line)
        ("UA", "7333"),  # Lifeline Ukraine (crisis line)
        ("ZA", "116"),  # Childline South Africa
    }
)

DIAL = re.compile(r"^\+?[0-9]{2,15}$")


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _parse(dial: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(dial, None if dial.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None


def tel_link(phone: Phone | str, region: str | None = None) -> str:
    """A `tel:` link for a phone (or a dial string plus its country).

    * Short codes only work inside the country and keep their digits:
      116 111 -> "tel:116111".
    * Full numbers are formatted by phonenumbers for dialling from a mobile
      phone in the country (`format_number_for_mobile_dialing`): the E.164
      form where that is safe (US 1-800-422-4453 -> "tel:+18004224453"), the
      national form where phonenumbers says the international form may fail,
      as for many toll-free and non-geographic numbers (GB 0800 1111 ->
      "tel:08001111", AU 13 11 14 -> "tel:131114").
    * A `dial` written with "+" was chosen on purpose (e.g. "+372 600 4434,
      from abroad") and keeps its E.164 form: "tel:+3726004434".
    """
    if isinstance(phone, str):
        dial = phone
    else:
        dial, region = phone.dial, phone.region or region
    dial = dial.strip()
    if dial.startswith("+"):
        number = _parse(dial, None)
        if number is not None:
            return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return "tel:+" + digits(dial)
    if region:
        region = region.upper()
        number = _parse(dial, region)
        if number is not None and phonenumbers.is_valid_number_for_region(number, region):
            mobile = phonenumbers.format_number_for_mobile_dialing(number, region, False)
            if mobile:
                return "tel:" + mobile
    return "tel:" + digits(dial)


def check_dial(dial: str, region: str) -> str | None:
    """How `dial` validates for `region`: "valid", "short", "weak-short", or None (invalid)."""
    if not isinstance(dial, str) or not DIAL.match(dial):
        return None
    region = region.upper()
    number = _parse(dial, region)
    if number is None:
        return None
    if phonenumbers.is_valid_number(number):
        # A number of another country (e.g. "+44 ..." listed under FR) is an error.
        return "valid" if phonenumbers.is_valid_number_for_region(number, region) else None
    # Short codes ("+48 116 111" is the short code 116111 written with its country prefix).
    if dial.startswith("+"):
        home = phonenumbers.region_code_for_country_code(number.country_code or 0)
        if home != region:
            return None
        short = phonenumbers.parse(phonenumbers.national_significant_number(number), region)
    else:
        short = number
    if shortnumberinfo.is_valid_short_number_for_region(short, region):
        return "short"
    if shortnumberinfo.is_possible_short_number_for_region(short, region):
        return "weak-short"
    return None


def same_number(display: str, dial: str, region: str) -> bool:
    """Display and dial show the same digits, ignoring a +CC prefix or a trunk 0."""
    a, b = digits(display), digits(dial)
    if a == b:
        return True
    if display.strip().startswith("+") or dial.startswith("+"):
        na, nb = _parse(display, region), _parse(dial, region)
        if na is not None and nb is not None:
            return (na.country_code, na.national_number) == (nb.country_code, nb.national_number)
    return False
