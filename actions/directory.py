"""The helpline directory: load, validate and query actions/helplines.yml.

actions/helplines.yml is the single source of truth for every phone number,
link and opening time Ally shows. A wrong number is a severe bug, so the file
is validated as a whole every time it is loaded, and loading fails with a
`DirectoryError` that lists *all* problems at once.

Validation rules (docs/helplines.md explains them for editors):

* country codes are ISO 3166-1 alpha-2 codes known to pycountry; language
  codes are ISO 639-1 codes known to pycountry; timezones load in zoneinfo;
* every `dial` string is a valid number for its country (phonenumbers). Short
  codes (116 111, 147, 1098, 988, ...) are checked with
  `shortnumberinfo.is_valid_short_number_for_region`. A few short codes that
  phonenumbers' metadata does not list as valid but accepts as *possible*
  short codes pass the weaker `is_possible_short_number_for_region` check.
  That check accepts almost any short digit string, so each such code must
  also be listed in `ACCEPTED_WEAK_SHORT_CODES`; `Directory.weakly_checked`
  lists the ones in use (see docs/helplines.md);
* the digits of `display` equal the digits of `dial` (a `+<country code>`
  prefix or a trunk `0` on either side is ignored: "+372 600 4434" == "6004434");
* user-facing links (websites, chat pages, reporting pages) use https;
  `sources` are citations and must be absolute http(s) URLs;
* ids are unique and look like `<cc>-<slug>`; no number is listed twice
  within a country's helplines and crisis lines;
* every record has non-empty `sources`, a `verified` date that is not in the
  future and a `verified_how` of `reference`, `official page` or `public page`;
* opening hours parse (see `Hours`);
* the 116 111 service lists exactly the countries whose helplines use 116111.

The module has no Rasa dependency, so scripts and tests can import it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import pycountry
import yaml
from phonenumbers import shortnumberinfo

DEFAULT_PATH = Path(__file__).resolve().parent / "helplines.yml"

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
AUDIENCES = ("children", "parents", "everyone")
VERIFIED_HOW = ("reference", "official page", "public page")
ROUTE_KINDS = ("inhope_hotline", "police_online", "image_removal", "regulator", "online_safety")
SERVICE_KINDS = ("helpline_number", "directory", "image_removal", "reporting", "hotline_network")
EU_116111 = "eu-116111"

# Short codes that phonenumbers' metadata does not list as valid for their country
# but accepts as *possible* short codes. The possible-check alone accepts almost any
# 3-6 digit string (a typo like "11611" would pass), so each such code must be listed
# here after it was confirmed in the cited sources; anything else that only passes
# the weak check is an error. docs/helplines.md shows the same list.
ACCEPTED_WEAK_SHORT_CODES = frozenset({
    ("BR", "188"),    # CVV emotional support / suicide prevention
    ("CO", "141"),    # ICBF Línea 141
    ("GR", "11525"),  # Together for Children
    ("IN", "14416"),  # Tele-MANAS
    ("KE", "911"),    # emergency (National Police Service lists 999, 112, 911)
    ("MT", "179"),    # Supportline 179
    ("PH", "163"),    # Bantay Bata 163
    ("ZA", "116"),    # Childline South Africa
})

# Country names are turned into NLU training data (scripts/generate_country_data.py):
# a name that is also an everyday word would send users to the wrong country.
COMMON_WORDS = frozenset({
    "a", "an", "as", "at", "be", "bra", "can", "col", "do", "est", "fin", "hi", "i", "id", "ie",
    "in", "is", "it", "ken", "la", "lie", "me", "my", "no", "nor", "of", "on", "or", "per", "so",
    "to", "we",
})

_ID = re.compile(r"^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_SERVICE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DIAL = re.compile(r"^\+?[0-9]{2,15}$")
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class DirectoryError(ValueError):
    """The directory file is invalid. `problems` lists every problem found."""

    def __init__(self, problems: list[str], path: Path | None = None) -> None:
        self.problems = list(problems)
        where = f" in {path}" if path else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s){where}:\n{lines}")


# --------------------------------------------------------------------------- hours

@dataclass(frozen=True)
class Hours:
    """Weekly opening hours in one IANA timezone (the country's).

    Built from the YAML value by `Hours.parse`:

    * ``"24/7"`` -> always open;
    * ``null`` -> unknown (`known` is False; `is_open` and `next_opening` return None);
    * a map ``{mon: ["09:00-20:00"], ..., sun: []}``: a missing day is closed,
      ``"24:00"`` is allowed as an end, and a range whose end is before its
      start runs past midnight into the next day (``"20:00-02:00"``).

    Times are local wall-clock times, so daylight-saving changes need no
    special data: 09:00 is 09:00 in winter and in summer.
    """

    timezone: str
    always_open: bool = False
    known: bool = True
    # For each weekday (Monday = 0): ranges as (start, end) minutes after midnight.
    # end may be 1440 ("24:00"); end < start means the range ends the next day.
    weekly: tuple[tuple[tuple[int, int], ...], ...] = ((),) * 7

    @classmethod
    def parse(cls, spec: Any, tz_name: str) -> "Hours":
        """Parse a YAML hours value; raises ValueError with a readable message."""
        ZoneInfo(tz_name)  # raises if the zone is unknown
        if spec is None:
            return cls(timezone=tz_name, known=False)
        if spec == "24/7":
            return cls(timezone=tz_name, always_open=True)
        if not isinstance(spec, Mapping):
            raise ValueError(f"hours must be '24/7', null or a map of weekdays, not {spec!r}")
        unknown = set(spec) - set(DAYS)
        if unknown:
            raise ValueError(f"unknown weekday key(s) {sorted(map(str, unknown))}; use {', '.join(DAYS)}")
        weekly = []
        for day in DAYS:
            ranges = spec.get(day) or []
            if not isinstance(ranges, list):
                raise ValueError(f"{day}: expected a list of 'HH:MM-HH:MM' strings")
            weekly.append(tuple(sorted(_parse_range(day, r) for r in ranges)))
        return cls(timezone=tz_name, weekly=tuple(weekly))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_open(self, at: datetime) -> bool | None:
        """Whether the line is open at the aware datetime `at` (None if hours are unknown)."""
        _require_aware(at)
        if not self.known:
            return None
        if self.always_open:
            return True
        local = at.astimezone(self.tz)
        now = local.hour * 60 + local.minute + local.second / 60
        today = local.weekday()
        for start, end in self.weekly[today]:
            if start < end and start <= now < end:
                return True
            if end < start and now >= start:  # overnight range, first part
                return True
        for start, end in self.weekly[(today - 1) % 7]:
            if end < start and now < end:  # yesterday's overnight range, second part
                return True
        return False

    def next_opening(self, at: datetime) -> datetime | None:
        """When the line next opens, as an aware datetime in the line's timezone.

        Returns `at` itself (in the line's timezone) if the line is open at `at`,
        and None if the hours are unknown or the line never opens. An opening
        time that falls in a daylight-saving gap is moved to the first real
        instant after the gap (02:30 on a spring-forward night -> 03:30).
        """
        _require_aware(at)
        if not self.known:
            return None
        if self.is_open(at):
            return at.astimezone(self.tz)
        tz = self.tz
        local = at.astimezone(tz)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            for start, _end in self.weekly[day.weekday()]:
                wall = datetime.combine(day, time()) + timedelta(minutes=start)
                # fold=0 + round trip through UTC normalises times inside a DST gap.
                candidate = wall.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)
                if candidate > at:
                    return candidate
        return None

    def describe(self) -> str:
        """A compact English description, e.g. "Mon-Fri 09:00-20:00" (for docs and logs)."""
        if not self.known:
            return "unknown"
        if self.always_open:
            return "24/7"
        parts = []
        for i, day in enumerate(DAYS):
            if self.weekly[i]:
                parts.append(f"{day.capitalize()} " + ", ".join(f"{_fmt(s)}-{_fmt(e)}" for s, e in self.weekly[i]))
        return "; ".join(parts) or "closed"


def _parse_range(day: str, text: Any) -> tuple[int, int]:
    match = _RANGE.match(str(text)) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{day}: {text!r} is not 'HH:MM-HH:MM'")
    sh, sm, eh, em = (int(g) for g in match.groups())
    if sh > 23 or sm > 59 or em > 59 or eh > 24 or (eh == 24 and em != 0):
        raise ValueError(f"{day}: {text!r} has an impossible time")
    start, end = sh * 60 + sm, eh * 60 + em
    if start == end:
        raise ValueError(f"{day}: {text!r} is empty (start equals end)")
    if end == 0:
        raise ValueError(f"{day}: {text!r} ends at 00:00; write 24:00")
    return start, end


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")


# --------------------------------------------------------------------------- records

@dataclass(frozen=True)
class Phone:
    """A phone number as people write it (`display`) and as it is dialled (`dial`)."""

    display: str
    dial: str
    note: str | None = None
    region: str | None = None  # ISO code of the country whose rules apply to `dial`

    @property
    def tel(self) -> str:
        return tel_link(self)


@dataclass(frozen=True)
class TextContact:
    """An SMS or messaging contact: "Text 50101", "Text CONNECT to 686868"."""

    display: str
    number: str
    keyword: str | None = None


@dataclass(frozen=True)
class Helpline:
    """A helpline or crisis line. `hours` is never None: unknown hours have `known=False`."""

    id: str
    country: str
    name: str
    operator: str | None
    audience: str
    phones: tuple[Phone, ...]
    text: TextContact | None
    chat_url: str | None
    website: str | None
    hours: Hours
    languages: tuple[str, ...]
    age_max: int | None
    note: str | None
    sources: tuple[str, ...]
    verified: date
    verified_how: str

    def is_open(self, at: datetime) -> bool | None:
        return self.hours.is_open(at)

    @property
    def dials(self) -> tuple[str, ...]:
        return tuple(p.dial for p in self.phones)


@dataclass(frozen=True)
class ReportingRoute:
    """A national route to report abuse or get images removed."""

    id: str
    country: str
    name: str
    kind: str
    url: str
    phone: Phone | None
    note: str | None
    sources: tuple[str, ...]
    verified: date
    verified_how: str


@dataclass(frozen=True)
class Emergency:
    numbers: tuple[str, ...]
    note: str | None
    sources: tuple[str, ...]
    verified: date | None
    verified_how: str | None


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    names: tuple[str, ...]
    timezone: str
    languages: tuple[str, ...]
    emergency: Emergency
    helplines: tuple[Helpline, ...]
    crisis_lines: tuple[Helpline, ...]
    reporting: tuple[ReportingRoute, ...]

    @property
    def emergency_numbers(self) -> tuple[str, ...]:
        """Dialable emergency numbers, main one first; empty if none is confirmed."""
        return self.emergency.numbers

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def helpline_for(self, language: str | None = None, adult: bool = False) -> Helpline | None:
        """The helpline to show: the main one, unless `language` or `adult` picks a better one.

        * `language` (ISO 639-1, e.g. "fr"): the first line that speaks it
          (Belgium: "nl" -> Awel 102, "fr" -> 103 Écoute-Enfants);
        * `adult=True`: lines for parents or everyone come before children's lines.

        Falls back to the first helpline; None if the country has none (Mexico).
        """
        if not self.helplines:
            return None
        wanted = ("parents", "everyone", "children") if adult else ("children", "everyone", "parents")
        ordered = sorted(self.helplines, key=lambda h: wanted.index(h.audience))
        if language:
            language = language.lower()[:2]
            for line in ordered:
                if language in line.languages:
                    return line
        return ordered[0]


@dataclass(frozen=True)
class Eligibility:
    age_min: int | None = None
    age_max: int | None = None
    countries: tuple[str, ...] = ()  # empty = any country


@dataclass(frozen=True)
class Service:
    """An international service (116 111, CHI directory, Take It Down, ...)."""

    id: str
    name: str
    kind: str
    url: str | None
    phone: Phone | None
    countries: tuple[str, ...]  # 116 111: where it works; others: eligibility.countries
    eligibility: Eligibility
    website: str | None
    note: str | None
    sources: tuple[str, ...]
    verified: date
    verified_how: str

    @property
    def phone_display(self) -> str | None:
        return self.phone.display if self.phone else None

    @property
    def phone_dial(self) -> str | None:
        return self.phone.dial if self.phone else None

    def eligible(self, age: int | None = None, country: str | None = None) -> bool:
        """Whether someone of this age (if known) in this country (if known) may use it."""
        e = self.eligibility
        if age is not None and e.age_min is not None and age < e.age_min:
            return False
        if age is not None and e.age_max is not None and age > e.age_max:
            return False
        if country is not None and e.countries and country.upper() not in e.countries:
            return False
        return True


@dataclass(frozen=True)
class Directory:
    countries: dict[str, Country]
    international: dict[str, Service]
    weakly_checked: tuple[tuple[str, str], ...] = ()  # (country, dial) that passed only the weak check
    path: Path | None = None

    def country(self, code: str | None) -> Country | None:
        """The country for an ISO alpha-2 code (any case), or None."""
        if not code:
            return None
        return self.countries.get(code.strip().upper())

    def find_country(self, name: str | None) -> Country | None:
        """Resolve a code, an English name or one of the `names` ("sverige", "uk")."""
        if not name:
            return None
        key = " ".join(name.strip().lower().split())
        by_code = self.country(key) if len(key) == 2 else None
        if by_code:
            return by_code
        for country in self.countries.values():
            if key == country.name.lower() or key in country.names:
                return country
        return None

    @property
    def codes_using_116111(self) -> frozenset[str]:
        """Countries where 116 111 reaches the child helpline (from the eu-116111 service)."""
        service = self.international.get(EU_116111)
        return frozenset(service.countries) if service else frozenset()

    def helpline(self, helpline_id: str) -> Helpline | None:
        for country in self.countries.values():
            for line in country.helplines + country.crisis_lines:
                if line.id == helpline_id:
                    return line
        return None


# --------------------------------------------------------------------------- phone helpers

def _digits(text: str) -> str:
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
    if isinstance(phone, Phone):
        dial, region = phone.dial, phone.region or region
    else:
        dial = phone
    dial = dial.strip()
    if dial.startswith("+"):
        number = _parse(dial, None)
        if number is not None:
            return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return "tel:+" + _digits(dial)
    if region:
        region = region.upper()
        number = _parse(dial, region)
        if number is not None and phonenumbers.is_valid_number_for_region(number, region):
            mobile = phonenumbers.format_number_for_mobile_dialing(number, region, False)
            if mobile:
                return "tel:" + mobile
    return "tel:" + _digits(dial)


def check_dial(dial: str, region: str) -> str | None:
    """How `dial` validates for `region`: "valid", "short", "weak-short", or None (invalid)."""
    if not isinstance(dial, str) or not _DIAL.match(dial):
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
        home = phonenumbers.region_code_for_country_code(number.country_code)
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


def _same_number(display: str, dial: str, region: str) -> bool:
    """Display and dial show the same digits, ignoring a +CC prefix or a trunk 0."""
    a, b = _digits(display), _digits(dial)
    if a == b:
        return True
    if display.strip().startswith("+") or dial.startswith("+"):
        na, nb = _parse(display, region), _parse(dial, region)
        if na is not None and nb is not None:
            return (na.country_code, na.national_number) == (nb.country_code, nb.national_number)
    return False


# --------------------------------------------------------------------------- validation

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
            self.add(where, f"id {value!r} must be a lowercase slug" + (f" starting with '{code.lower()}-'" if code else ""))
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
        if not _same_number(display, dial, region):
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
                self.add(where, f"{dial!r} is only a *possible* short code for {region}; check it in an "
                                "official source, then add it to ACCEPTED_WEAK_SHORT_CODES")

    def languages(self, where: str, codes: Any) -> None:
        if not isinstance(codes, list):
            self.add(where, "languages must be a list")
            return
        for code in codes:
            if not isinstance(code, str) or len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
                self.add(where, f"{code!r} is not an ISO 639-1 language code")


HELPLINE_KEYS = ("id", "name", "operator", "audience", "phones", "text", "chat_url", "website", "hours",
                 "languages", "age_max", "note", "sources", "verified", "verified_how")
ROUTE_KEYS = ("id", "name", "kind", "url", "note", "sources", "verified", "verified_how")
SERVICE_KEYS = ("name", "kind", "note", "sources", "verified", "verified_how")
SERVICE_OPTIONAL = ("url", "phone", "countries", "website", "eligibility")


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
    if not check.keys(where, country, ("name", "names", "timezone", "languages", "emergency", "helplines",
                                       "crisis_lines", "reporting")):
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
            _validate_helpline(check, f"{where}.{group}[{i}]", code, record, tz_name if tz_ok else None,
                               seen_dials, uses_116111)
    routes = country.get("reporting")
    if not isinstance(routes, list):
        check.add(where, "reporting must be a list")
        routes = []
    for i, route in enumerate(routes):
        rwhere = f"{where}.reporting[{i}]"
        if not check.keys(rwhere, route, ROUTE_KEYS, ("phone",)):
            continue
        check.record_id(rwhere, route.get("id"), code)
        if route.get("kind") not in ROUTE_KINDS:
            check.add(rwhere, f"kind must be one of {list(ROUTE_KINDS)}")
        check.https(f"{rwhere}.url", route.get("url"), required=True)
        if route.get("phone") is not None:
            check.phone(f"{rwhere}.phone", route["phone"], code)
        check.provenance(rwhere, route)


def _validate_helpline(check: _Checker, where: str, code: str, record: Any, tz_name: str | None,
                       seen_dials: dict, uses_116111: set) -> None:
    if not check.keys(where, record, HELPLINE_KEYS):
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
        if _digits(dial) == "116111" and not dial.startswith("+"):
            uses_116111.add(code)
    text = record.get("text")
    if text is not None and check.keys(f"{where}.text", text, ("display", "number"), ("keyword",)):
        number = text.get("number")
        if not isinstance(number, str) or not _DIAL.match(number):
            check.add(f"{where}.text", f"number {number!r} must be a quoted string of digits")
        elif not _same_number(str(text.get("display")), number, code):
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
            if not _same_number(str(phone.get("display")), str(dial), region):
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
        if eligibility is not None and check.keys(f"{where}.eligibility", eligibility, (),
                                                  ("age_min", "age_max", "countries")):
            for key in ("age_min", "age_max"):
                value = eligibility.get(key)
                if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                    check.add(f"{where}.eligibility", f"{key} must be an integer")
            for c in eligibility.get("countries") or []:
                if pycountry.countries.get(alpha_2=str(c)) is None:
                    check.add(f"{where}.eligibility", f"{c!r} is not an ISO country code")
        check.provenance(where, service)


# --------------------------------------------------------------------------- building

def _date(value: Any) -> date | None:
    if isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _phone(raw: Mapping | None, region: str | None) -> Phone | None:
    if raw is None:
        return None
    return Phone(display=raw["display"], dial=raw["dial"], note=raw.get("note"), region=region)


def _helpline(code: str, tz_name: str, raw: Mapping) -> Helpline:
    text = raw.get("text")
    return Helpline(
        id=raw["id"], country=code, name=raw["name"], operator=raw.get("operator"),
        audience=raw["audience"],
        phones=tuple(_phone(p, code) for p in raw.get("phones") or []),
        text=TextContact(text["display"], text["number"], text.get("keyword")) if text else None,
        chat_url=raw.get("chat_url"), website=raw.get("website"),
        hours=Hours.parse(raw.get("hours"), tz_name),
        languages=tuple(raw.get("languages") or []), age_max=raw.get("age_max"), note=raw.get("note"),
        sources=tuple(raw["sources"]), verified=_date(raw["verified"]), verified_how=raw["verified_how"],
    )


def _build(data: Mapping, weak: list[tuple[str, str]], path: Path | None) -> Directory:
    countries = {}
    for code, raw in data["countries"].items():
        em = raw["emergency"]
        countries[code] = Country(
            code=code, name=raw["name"], names=tuple(raw["names"]), timezone=raw["timezone"],
            languages=tuple(raw["languages"]),
            emergency=Emergency(numbers=tuple(em.get("numbers") or []), note=em.get("note"),
                                sources=tuple(em.get("sources") or []), verified=_date(em.get("verified")),
                                verified_how=em.get("verified_how")),
            helplines=tuple(_helpline(code, raw["timezone"], h) for h in raw["helplines"]),
            crisis_lines=tuple(_helpline(code, raw["timezone"], h) for h in raw["crisis_lines"]),
            reporting=tuple(
                ReportingRoute(id=r["id"], country=code, name=r["name"], kind=r["kind"], url=r["url"],
                               phone=_phone(r.get("phone"), code), note=r.get("note"),
                               sources=tuple(r["sources"]), verified=_date(r["verified"]),
                               verified_how=r["verified_how"])
                for r in raw["reporting"]
            ),
        )
    services = {}
    for sid, raw in data["international"].items():
        el = raw.get("eligibility") or {}
        eligibility = Eligibility(age_min=el.get("age_min"), age_max=el.get("age_max"),
                                  countries=tuple(el.get("countries") or []))
        listed = tuple(raw.get("countries") or []) or eligibility.countries
        region = listed[0] if raw.get("countries") else None
        services[sid] = Service(
            id=sid, name=raw["name"], kind=raw["kind"], url=raw.get("url"), phone=_phone(raw.get("phone"), region),
            countries=listed, eligibility=eligibility, website=raw.get("website"), note=raw.get("note"),
            sources=tuple(raw["sources"]), verified=_date(raw["verified"]), verified_how=raw["verified_how"],
        )
    return Directory(countries=countries, international=services, weakly_checked=tuple(sorted(set(weak))),
                     path=path)


def parse_directory(text: str, path: Path | None = None, today: date | None = None) -> Directory:
    """Parse and validate YAML text; raises DirectoryError listing every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DirectoryError([f"YAML syntax: {exc}"], path) from exc
    problems, weak = validate(data, today=today)
    if problems:
        raise DirectoryError(problems, path)
    return _build(data, weak, path)


@lru_cache(maxsize=None)
def _load(path: str) -> Directory:
    file = Path(path)
    return parse_directory(file.read_text(encoding="utf-8"), path=file)


def load_directory(path: str | Path | None = None) -> Directory:
    """Load and validate the directory (default: actions/helplines.yml), cached per path.

    Call `load_directory.cache_clear()` after editing the file in a running process.
    """
    return _load(str(Path(path or DEFAULT_PATH).resolve()))


load_directory.cache_clear = _load.cache_clear  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- docs

def markdown_table(directory: Directory | None = None) -> str:
    """The provenance table of docs/helplines.md: one row per country."""
    directory = directory or load_directory()
    rows = [
        "| Code | Country | Main helpline | Phone | Hours | Emergency | Reporting routes | Checked | Sources (sites) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for code in sorted(directory.countries):
        c = directory.countries[code]
        main = c.helplines[0] if c.helplines else None
        records = [*c.helplines, *c.crisis_lines, *c.reporting]
        how = sorted({r.verified_how for r in records} | ({c.emergency.verified_how} if c.emergency.verified_how else set()))
        sites: list[str] = []
        for src in [*c.emergency.sources, *(s for r in records for s in r.sources)]:
            host = urlparse(src).netloc.removeprefix("www.")
            if host == "github.com":
                host = "CHI directory mirror (GitHub)"
            if host not in sites:
                sites.append(host)
        rows.append("| " + " | ".join([
            code,
            c.name,
            main.name if main else "— (none)",
            main.phones[0].display if main and main.phones else "—",
            main.hours.describe() if main else "—",
            ", ".join(c.emergency_numbers) or "— (none confirmed)",
            ", ".join(r.name for r in c.reporting) or "—",
            ", ".join(how),
            ", ".join(sites[:6]) + (f" (+{len(sites) - 6})" if len(sites) > 6 else ""),
        ]).replace("\n", " ") + " |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # python -m actions.directory: validate and print the docs table
    d = load_directory()
    print(markdown_table(d))
    print(f"{len(d.countries)} countries; weak short-code checks: {', '.join(f'{c} {n}' for c, n in d.weakly_checked)}")
