"""The directory as read-only records, and the questions the bot asks of them.

The records are built only from data that passed validation, so code that
uses them never has to check a field again (`hours` is never None, every
`dial` is valid for its country, every record says where its facts came from).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from actions.directory.hours import Hours
from actions.directory.phones import tel_link

EU_116111 = "eu-116111"


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
    age_min: int | None = None

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
    minors_only: bool = False  # for under-18s only (child abuse material, child-protection police)


@dataclass(frozen=True)
class Emergency:
    numbers: tuple[str, ...]
    note: str | None
    sources: tuple[str, ...]
    verified: date | None
    verified_how: str | None


@dataclass(frozen=True)
class No24x7Line:
    """The sourced statement that a country has no line open 24/7 for a young person in crisis.

    `note` says what was checked and what to do instead (the emergency number,
    the international options), so "closed now" is never the whole answer.
    """

    note: str
    sources: tuple[str, ...]
    verified: date
    verified_how: str


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
    no_24_7_line: No24x7Line | None = None

    @property
    def emergency_numbers(self) -> tuple[str, ...]:
        """Dialable emergency numbers, main one first; empty if none is confirmed."""
        return self.emergency.numbers

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def lines_24_7(self) -> tuple[Helpline, ...]:
        """The helplines and crisis lines open around the clock, helplines first."""
        return tuple(line for line in self.helplines + self.crisis_lines if line.hours.always_open)

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
        # The language chooses among the lines for the same people only: a Dutch teenager who
        # writes in English still gets the Dutch child helpline, not an English-speaking adult line.
        same_audience = [line for line in ordered if line.audience == ordered[0].audience]
        if language:
            language = language.lower()[:2]
            for line in same_audience:
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
