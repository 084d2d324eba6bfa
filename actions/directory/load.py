"""Reading actions/helplines.yml into a `Directory`.

Records are built only after the whole file validated, and the result is
cached per path: the bot reads the file once, scripts and tests can load
another copy.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from actions.directory.hours import Hours
from actions.directory.records import (
    Country,
    Directory,
    Eligibility,
    Emergency,
    Helpline,
    No24x7Line,
    Phone,
    ReportingRoute,
    Service,
    TextContact,
)
from actions.directory.validate import DirectoryError, validate

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "helplines.yml"


def _date(value: Any) -> date:
    """A validated record's date (validation has refused a record without one)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _phone(raw: Mapping | None, region: str | None) -> Phone | None:
    if raw is None:
        return None
    return Phone(display=raw["display"], dial=raw["dial"], note=raw.get("note"), region=region)


def _helpline(code: str, tz_name: str, raw: Mapping) -> Helpline:
    text = raw.get("text")
    return Helpline(
        id=raw["id"],
        country=code,
        name=raw["name"],
        operator=raw.get("operator"),
        audience=raw["audience"],
        phones=tuple(phone for phone in (_phone(p, code) for p in raw.get("phones") or []) if phone),
        text=TextContact(text["display"], text["number"], text.get("keyword")) if text else None,
        chat_url=raw.get("chat_url"),
        website=raw.get("website"),
        hours=Hours.parse(raw.get("hours"), tz_name),
        languages=tuple(raw.get("languages") or []),
        age_max=raw.get("age_max"),
        note=raw.get("note"),
        sources=tuple(raw["sources"]),
        verified=_date(raw["verified"]),
        verified_how=raw["verified_how"],
        age_min=raw.get("age_min"),
    )


def _no_line(raw: Mapping | None) -> No24x7Line | None:
    if raw is None:
        return None
    return No24x7Line(
        note=raw["note"],
        sources=tuple(raw["sources"]),
        verified=_date(raw["verified"]),
        verified_how=raw["verified_how"],
    )


def _build(data: Mapping, weak: list[tuple[str, str]], path: Path | None) -> Directory:
    countries = {}
    for code, raw in data["countries"].items():
        em = raw["emergency"]
        countries[code] = Country(
            code=code,
            name=raw["name"],
            names=tuple(raw["names"]),
            timezone=raw["timezone"],
            languages=tuple(raw["languages"]),
            emergency=Emergency(
                numbers=tuple(em.get("numbers") or []),
                note=em.get("note"),
                sources=tuple(em.get("sources") or []),
                verified=_date(em.get("verified")),
                verified_how=em.get("verified_how"),
            ),
            helplines=tuple(_helpline(code, raw["timezone"], h) for h in raw["helplines"]),
            crisis_lines=tuple(_helpline(code, raw["timezone"], h) for h in raw["crisis_lines"]),
            reporting=tuple(
                ReportingRoute(
                    id=r["id"],
                    country=code,
                    name=r["name"],
                    kind=r["kind"],
                    url=r["url"],
                    phone=_phone(r.get("phone"), code),
                    note=r.get("note"),
                    sources=tuple(r["sources"]),
                    verified=_date(r["verified"]),
                    verified_how=r["verified_how"],
                    minors_only=bool(r.get("minors_only")),
                )
                for r in raw["reporting"]
            ),
            no_24_7_line=_no_line(raw.get("no_24_7_line")),
        )
    services = {}
    for sid, raw in data["international"].items():
        el = raw.get("eligibility") or {}
        eligibility = Eligibility(
            age_min=el.get("age_min"), age_max=el.get("age_max"), countries=tuple(el.get("countries") or [])
        )
        listed = tuple(raw.get("countries") or []) or eligibility.countries
        region = listed[0] if raw.get("countries") else None
        services[sid] = Service(
            id=sid,
            name=raw["name"],
            kind=raw["kind"],
            url=raw.get("url"),
            phone=_phone(raw.get("phone"), region),
            countries=listed,
            eligibility=eligibility,
            website=raw.get("website"),
            note=raw.get("note"),
            sources=tuple(raw["sources"]),
            verified=_date(raw["verified"]),
            verified_how=raw["verified_how"],
        )
    return Directory(countries=countries, international=services, weakly_checked=tuple(sorted(set(weak))), path=path)


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


@cache
def _load(path: str) -> Directory:
    file = Path(path)
    return parse_directory(file.read_text(encoding="utf-8"), path=file)


def load_directory(path: str | Path | None = None) -> Directory:
    """Load and validate the directory (default: actions/helplines.yml), cached per path.

    Call `load_directory.cache_clear()` after editing the file in a running process.
    """
    return _load(str(Path(path or DEFAULT_PATH).resolve()))


load_directory.cache_clear = _load.cache_clear  # type: ignore[attr-defined]
