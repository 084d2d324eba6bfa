"""Validation of the raw YAML data, before any record is built.

A wrong number is a severe bug, so the whole file is checked every time it is
loaded and *every* problem is reported at once (an editor fixes them in one
pass). docs/helplines.md lists the rules for editors.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Iterable, Mapping
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry

from actions.directory.hours import Hours
from actions.directory.phones import ACCEPTED_WEAK_SHORT_CODES, DIAL, check_dial, digits, same_number
from actions.directory.records import EU_116111

AUDIENCES = ("children", "parents", "everyone")
VERIFIED_HOW = ("reference", "official page", "public page")
ROUTE_KINDS = ("inhope_hotline", "police_online", "image_removal", "regulator", "online_safety")
SERVICE_KINDS = ("helpline_number", "directory", "image_removal", "reporting", "hotline_network")

# Country names are turned into NLU training data (scripts/generate_country_data.py):
# a name that is also an everyday word would send users to the wrong country.
COMMON_WORDS = frozenset(
    {
        "a",
        "an",
        "as",
        "at",
        "be",
        "bra",
        "can",
        "col",
        "do",
        "est",
        "fin",
        "hi",
        "i",
        "id",
        "ie",
        "in",
        "is",
        "it",
        "ken",
        "la",
        "lie",
        "me",
        "my",
        "no",
        "nor",
        "of",
        "on",
        "or",
        "per",
        "so",
        "to",
        "we",
    }
)

_ID = re.compile(r"^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_SERVICE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

COUNTRY_KEYS = ("name", "names", "timezone", "languages", "emergency", "helplines", "crisis_lines", "reporting")
COUNTRY_OPTIONAL = ("no_24_7_line",)
HELPLINE_KEYS = (
    "id",
    "name",
    "operator",
    "audience",
    "phones",
    "text",
    "chat_url",
    "website",
    "hours",
    "languages",
    "age_max",
    "note",
    "sources",
    "verified",
    "verified_how",
)
HELPLINE_OPTIONAL = ("age_min",)
NO_LINE_KEYS = ("note", "sources", "verified", "verified_how")
ROUTE_KEYS = ("id", "name", "kind", "url", "note", "sources", "verified", "verified_how")
SERVICE_KEYS = ("name", "kind", "note", "sources", "verified", "verified_how")
SERVICE_OPTIONAL = ("url", "phone", "countries", "website", "eligibility")


class DirectoryError(ValueError):
    """The directory file is invalid. `problems` lists every problem found."""

    def __init__(self, problems: list[str], path: Any = None) -> None:
        self.problems = list(problems)
        where = f" in {path}" if path else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s){where}:\n{lines}")


class _Checker:
    """Collects problems while walking the raw YAML data."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.problems: list[str] = []
        self.ids: dict[str, str] = {}
        self.weak: list[tuple[str, str]] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def keys(self, where: str, record: Any, required: Iterable[str], optional: Iterable[str] = ()) -> bool:
        if not isinstance(record, Mapping):
            self.add(where, "expected a mapping")
            return False
        required, optional = list(required), list(optional)
        for key in required:
            if key not in record:
                self.add(where, f"missing key '{key}'")
        for key in record:
            if key not in required and key not in optional:
                self.add(where, f"unknown key '{key}'")
        return True

    def https(self, where: str, url: Any, required: bool = False) -> None:
        if url is None:
            if required:
                self.add(where, "a URL is required")
            return
        parsed = urlparse(str(url))
        if parsed.scheme != "https" or not parsed.netloc or " " in str(url):
            self.add(where, f"{url!r} is not an https URL")

    def provenance(self, where: str, record: Mapping) -> None:
        sources = record.get("sources")
        if not isinstance(sources, list) or not sources:
            self.add(where, "sources must be a non-empty list")
        else:
            for src in sources:
                parsed = urlparse(str(src))
                if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in str(src):
                    self.add(where, f"source {src!r} is not an absolute URL")
        verified = record.get("verified")
        if isinstance(verified, str):
            try:
                verified = date.fromisoformat(verified)
            except ValueError:
                pass
        if isinstance(verified, datetime) or not isinstance(verified, date):
            self.add(where, f"verified must be a date (YYYY-MM-DD), not {verified!r}")
        elif verified > self.today:
            self.add(where, f"verified date {verified} is in the future")
        if record.get("verified_how") not in VERIFIED_HOW:
            self.add(where, f"verified_how must be one of {list(VERIFIED_HOW)}")

    def record_id(self, where: str, value: Any, code: str | None) -> None:
        pattern = _ID if code else _SERVICE_ID
        if not isinstance(value, str) or not pattern.match(value):
            self.add(
                where, f"id {value!r} must be a lowercase slug" + (f" starting with '{code.lower()}-'" if code else "")
            )
        elif code and not value.startswith(code.lower() + "-"):
            self.add(where, f"id {value!r} must start with '{code.lower()}-'")
        if isinstance(value, str):
            if value in self.ids:
                self.add(where, f"duplicate id {value!r} (also at {self.ids[value]})")
            else:
                self.ids[value] = where

    def phone(self, where: str, phone: Any, region: str) -> str | None:
        if not self.keys(where, phone, ("display", "dial"), ("note",)):
            return None
        display, dial = phone.get("display"), phone.get("dial")
        if not isinstance(display, str) or not display.strip():
            self.add(where, "display must be a non-empty string")
            return None
        if not isinstance(dial, str):
            self.add(where, f"dial must be a quoted string, not {dial!r}")
            return None
        self.dial_result(where, dial, region)
        if not same_number(display, dial, region):
            self.add(where, f"display {display!r} and dial {dial!r} show different digits")
        return dial

    def dial_result(self, where: str, dial: str, region: str) -> None:
        result = check_dial(dial, region)
        if result is None:
            self.add(where, f"{dial!r} is not a valid number for {region}")
        elif result == "weak-short":
            if (region, dial) in ACCEPTED_WEAK_SHORT_CODES:
                self.weak.append((region, dial))
            else:
                self.add(
                    where,
                    f"{dial!r} is only a *possible* short code for {region}; check it in an "
                    "official source, then add it to ACCEPTED_WEAK_SHORT_CODES",
                )

    def languages(self, where: str, codes: Any) -> None:
        if not isinstance(codes, list):
            self.add(where, "languages must be a list")
            return
        for code in codes:
            if not isinstance(code, str) or len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
                self.add(where, f"{code!r} is not an ISO 639-1 language code")


def validate(data: Any, today: date | None = None) -> tuple[list[str], list[tuple[str, str]]]:
    """Check the raw YAML data. Returns (problems, weakly checked numbers)."""
    check = _Checker(today or date.today())
    if not isinstance(data, Mapping):
        return ["top level: expected a mapping with 'version', 'countries' and 'international'"], []
    check.keys("top level", data, ("version", "countries", "international"))
    if data.get("version") != 1:
        check.add("top level", "version must be 1")
    countries = data.get("countries") or {}
    if not isinstance(countries, Mapping) or not countries:
        check.add("countries", "expected a non-empty mapping of ISO codes")
        countries = {}
    all_names: dict[str, str] = {}
    uses_116111: set[str] = set()
    for code, country in countries.items():
        _validate_country(check, str(code), country, all_names, uses_116111)
    _validate_international(check, data.get("international"), set(map(str, countries)), uses_116111)
    return check.problems, check.weak


def _validate_country(check: _Checker, code: str, country: Any, all_names: dict, uses_116111: set) -> None:
    where = f"countries.{code}"
    if not re.fullmatch(r"[A-Z]{2}", code) or pycountry.countries.get(alpha_2=code) is None:
        check.add(where, f"{code!r} is not an ISO 3166-1 alpha-2 code")
    if not check.keys(where, country, COUNTRY_KEYS, COUNTRY_OPTIONAL):
        return
    if not isinstance(country.get("name"), str) or not country["name"].strip():
        check.add(where, "name must be a non-empty string")
    names = country.get("names")
    if not isinstance(names, list):
        check.add(where, "names must be a list")
        names = []
    for name in names + ([country["name"].lower()] if isinstance(country.get("name"), str) else []):
        if not isinstance(name, str) or name != " ".join(name.lower().split()) or not name:
            check.add(where, f"name {name!r} must be lowercase with single spaces")
            continue
        if name in COMMON_WORDS:
            check.add(where, f"name {name!r} is an everyday word and would be matched by mistake")
        owner = all_names.setdefault(name, code)
        if owner != code:
            check.add(where, f"name {name!r} is also a name of {owner}")
    tz_name = country.get("timezone")
    tz_ok = False
    try:
        ZoneInfo(str(tz_name))
        tz_ok = isinstance(tz_name, str)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    if not tz_ok:
        check.add(where, f"timezone {tz_name!r} is not a valid IANA zone")
    check.languages(where, country.get("languages"))

    emergency = country.get("emergency")
    ewhere = f"{where}.emergency"
    if check.keys(ewhere, emergency, ("numbers", "sources", "verified", "verified_how"), ("note",)):
        numbers = emergency.get("numbers")
        if not isinstance(numbers, list):
            check.add(ewhere, "numbers must be a list (empty if none is confirmed)")
            numbers = []
        for number in numbers:
            if not isinstance(number, str) or not number.isdigit():
                check.add(ewhere, f"number {number!r} must be a quoted string of digits")
                continue
            check.dial_result(ewhere, number, code)
        if len(set(numbers)) != len(numbers):
            check.add(ewhere, "numbers are listed twice")
        if numbers or emergency.get("sources"):
            check.provenance(ewhere, emergency)

    seen_dials: dict[str, str] = {}
    for group in ("helplines", "crisis_lines"):
        records = country.get(group)
        if not isinstance(records, list):
            check.add(where, f"{group} must be a list")
            continue
        for i, record in enumerate(records):
            _validate_helpline(
                check, f"{where}.{group}[{i}]", code, record, tz_name if tz_ok else None, seen_dials, uses_116111
            )
    no_line = country.get("no_24_7_line")
    if no_line is not None:
        nwhere = f"{where}.no_24_7_line"
        if check.keys(nwhere, no_line, NO_LINE_KEYS):
            note = no_line.get("note")
            if not isinstance(note, str) or not note.strip():
                check.add(nwhere, "note must say what was checked and what to do instead")
            check.provenance(nwhere, no_line)
    routes = country.get("reporting")
    if not isinstance(routes, list):
        check.add(where, "reporting must be a list")
        routes = []
    for i, route in enumerate(routes):
        rwhere = f"{where}.reporting[{i}]"
        if not check.keys(rwhere, route, ROUTE_KEYS, ("phone", "minors_only")):
            continue
        if route.get("minors_only") not in (None, True):
            check.add(rwhere, "minors_only is true or left out")
        check.record_id(rwhere, route.get("id"), code)
        if route.get("kind") not in ROUTE_KINDS:
            check.add(rwhere, f"kind must be one of {list(ROUTE_KINDS)}")
        check.https(f"{rwhere}.url", route.get("url"), required=True)
        if route.get("phone") is not None:
            check.phone(f"{rwhere}.phone", route["phone"], code)
        check.provenance(rwhere, route)


def _validate_helpline(
    check: _Checker, where: str, code: str, record: Any, tz_name: str | None, seen_dials: dict, uses_116111: set
) -> None:
    if not check.keys(where, record, HELPLINE_KEYS, HELPLINE_OPTIONAL):
        return
    check.record_id(where, record.get("id"), code)
    if not isinstance(record.get("name"), str) or not record["name"].strip():
        check.add(where, "name must be a non-empty string")
    if record.get("audience") not in AUDIENCES:
        check.add(where, f"audience must be one of {list(AUDIENCES)}")
    phones = record.get("phones")
    if not isinstance(phones, list):
        check.add(where, "phones must be a list")
        phones = []
    for j, phone in enumerate(phones):
        dial = check.phone(f"{where}.phones[{j}]", phone, code)
        if dial is None:
            continue
        if dial in seen_dials:
            check.add(where, f"number {dial} is already listed at {seen_dials[dial]}")
        else:
            seen_dials[dial] = where
        if digits(dial) == "116111" and not dial.startswith("+"):
            uses_116111.add(code)
    text = record.get("text")
    if text is not None and check.keys(f"{where}.text", text, ("display", "number"), ("keyword",)):
        number = text.get("number")
        if not isinstance(number, str) or not DIAL.match(number):
            check.add(f"{where}.text", f"number {number!r} must be a quoted string of digits")
        elif not same_number(str(text.get("display")), number, code):
            check.add(f"{where}.text", f"display {text.get('display')!r} and number {number!r} differ")
        keyword = text.get("keyword")
        if keyword is not None and (not isinstance(keyword, str) or keyword not in str(text.get("display"))):
            check.add(f"{where}.text", f"keyword {keyword!r} must appear in display")
    check.https(f"{where}.chat_url", record.get("chat_url"))
    check.https(f"{where}.website", record.get("website"))
    if not phones and text is None and not record.get("chat_url"):
        check.add(where, "needs at least one way to get in touch (phones, text or chat_url)")
    if tz_name:
        try:
            Hours.parse(record.get("hours"), tz_name)
        except ValueError as exc:
            check.add(f"{where}.hours", str(exc))
    check.languages(where, record.get("languages"))
    age_max = record.get("age_max")
    if age_max is not None and (not isinstance(age_max, int) or isinstance(age_max, bool) or not 5 <= age_max <= 30):
        check.add(where, f"age_max must be null or an age in years, not {age_max!r}")
        age_max = None
    age_min = record.get("age_min")
    if age_min is not None and (not isinstance(age_min, int) or isinstance(age_min, bool) or not 0 <= age_min <= 30):
        check.add(where, f"age_min must be null or an age in years (0-30), not {age_min!r}")
    elif age_min is not None and age_max is not None and age_min > age_max:
        check.add(where, f"age_min {age_min} is above age_max {age_max}")
    check.provenance(where, record)


def _validate_international(check: _Checker, services: Any, codes: set[str], uses_116111: set[str]) -> None:
    if not isinstance(services, Mapping) or not services:
        check.add("international", "expected a non-empty mapping")
        return
    for key in (EU_116111, "chi-directory"):
        if key not in services:
            check.add("international", f"missing the '{key}' service")
    for sid, service in services.items():
        where = f"international.{sid}"
        if not check.keys(where, service, SERVICE_KEYS, SERVICE_OPTIONAL):
            continue
        check.record_id(where, sid, None)
        if service.get("kind") not in SERVICE_KINDS:
            check.add(where, f"kind must be one of {list(SERVICE_KINDS)}")
        if service.get("url") is None and service.get("phone") is None:
            check.add(where, "needs a url or a phone")
        check.https(f"{where}.url", service.get("url"))
        check.https(f"{where}.website", service.get("website"))
        phone = service.get("phone")
        if phone is not None and check.keys(f"{where}.phone", phone, ("display", "dial"), ("note",)):
            dial = phone.get("dial")
            countries = service.get("countries") or []
            region = countries[0] if countries else "US"
            if check_dial(str(dial), region) is None:
                check.add(f"{where}.phone", f"dial {dial!r} is not valid for {region}")
            if not same_number(str(phone.get("display")), str(dial), region):
                check.add(f"{where}.phone", "display and dial show different digits")
        listed = service.get("countries")
        if listed is not None:
            if not isinstance(listed, list):
                check.add(where, "countries must be a list")
                listed = []
            for c in listed:
                if c not in codes:
                    check.add(where, f"country {c!r} is not in the directory")
            if sid == EU_116111:
                for c in sorted(set(listed) - uses_116111):
                    check.add(where, f"{c} is listed but none of its helplines has 116 111")
                for c in sorted(uses_116111 - set(listed)):
                    check.add(where, f"{c} has a 116 111 helpline but is not listed")
        eligibility = service.get("eligibility")
        if eligibility is not None and check.keys(
            f"{where}.eligibility", eligibility, (), ("age_min", "age_max", "countries")
        ):
            for key in ("age_min", "age_max"):
                value = eligibility.get(key)
                if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                    check.add(f"{where}.eligibility", f"{key} must be an integer")
            for c in eligibility.get("countries") or []:
                if pycountry.countries.get(alpha_2=str(c)) is None:
                    check.add(f"{where}.eligibility", f"{c!r} is not an ISO country code")
        check.provenance(where, service)
