"""Tests of the helpline directory (actions/helplines.yml, the actions/directory package).

Run: .venv/bin/python -m pytest -q tests/test_directory.py

The optional cross-check against the compiled research reference (2026-11) runs
only when ALLY_HELPLINES_REFERENCE names that YAML file.
"""

import copy
import importlib.util
import os
import re
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import yaml

from actions.directory import (
    ACCEPTED_WEAK_SHORT_CODES,
    DirectoryError,
    Hours,
    load_directory,
    parse_directory,
    tel_link,
)

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "actions" / "helplines.yml").exists())
REFERENCE = Path(os.environ["ALLY_HELPLINES_REFERENCE"]) if os.environ.get("ALLY_HELPLINES_REFERENCE") else None
UTC = timezone.utc


def _report_script():
    """scripts/helplines_report.py, imported as a module (it writes the generated parts of the docs)."""
    spec = importlib.util.spec_from_file_location("helplines_report", ROOT / "scripts" / "helplines_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def directory():
    return load_directory()


# --------------------------------------------------------------------------- the real file


def test_real_file_loads_and_is_cached(directory):
    assert len(directory.countries) >= 53
    assert load_directory() is directory
    assert load_directory(ROOT / "actions" / "helplines.yml") is directory


# Every country of the reference whose child helpline number is confirmed (all but Mexico).
COUNTRIES_WITH_HELPLINE = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO GB CH US CA AU NZ IN PH ZA BR AL RS MD ME UA BA MK JP SG KE LK CO"
).split()


@pytest.mark.parametrize("code", COUNTRIES_WITH_HELPLINE)
def test_country_with_confirmed_helpline_is_present(directory, code):
    country = directory.country(code)
    assert country is not None
    assert country.helplines, f"{code} has no helpline"
    assert country.helplines[0].phones, f"{code}'s main helpline has no phone"


def test_mexico_has_no_child_helpline_but_emergency_and_crisis_line(directory):
    mx = directory.country("MX")
    assert mx.helplines == ()
    assert mx.helpline_for() is None
    assert mx.emergency_numbers == ("911",)
    assert [p.dial for p in mx.crisis_lines[0].phones] == ["8009112000"]


@pytest.mark.skipif(REFERENCE is None, reason="set ALLY_HELPLINES_REFERENCE to the research reference YAML")
def test_every_reference_country_and_first_number_is_present(directory):
    reference = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    countries = [e for e in reference if e.get("entry_type") == "country"]
    assert len(countries) >= 53
    for entry in countries:
        country = directory.country(entry["country_code"])
        assert country is not None, entry["country_code"]
        if entry["phone_numbers"]:
            first = re.sub(r"\D", "", entry["phone_numbers"][0].split("(")[0])
            dials = {re.sub(r"\D", "", p.dial) for h in country.helplines for p in h.phones}
            assert first in dials, (entry["country_code"], first)


@pytest.mark.parametrize(
    "code, display, dial",
    [
        ("GB", "0800 1111", "08001111"),
        ("US", "1-800-422-4453", "18004224453"),  # not childcare.gov's 1-800-422-2253
        ("CA", "1-800-668-6868", "18006686868"),
        ("AU", "1800 55 1800", "1800551800"),
        ("IE", "1800 66 66 66", "1800666666"),  # ISPCC's published number first; 116 111 second
        ("FR", "119", "119"),
        ("IT", "1 96 96", "19696"),
        ("AT", "147", "147"),
        ("SE", "116 111", "116111"),
        ("DE", "116 111", "116111"),
        ("CH", "147", "147"),
        ("IS", "1717", "1717"),
        ("NZ", "0800 376 633", "0800376633"),
        ("IN", "1098", "1098"),
        ("ZA", "116", "116"),
    ],
)
def test_main_helpline_number_matches_reference(directory, code, display, dial):
    phone = directory.country(code).helplines[0].phones[0]
    assert (phone.display, phone.dial) == (display, dial)


@pytest.mark.parametrize("code, dial", [("US", "988"), ("CA", "988"), ("BR", "188"), ("MX", "8009112000")])
def test_crisis_lines(directory, code, dial):
    assert dial in [p.dial for line in directory.country(code).crisis_lines for p in line.phones]


def test_old_and_wrong_numbers_are_absent(directory):
    everything = " ".join(
        p.dial for c in directory.countries.values() for h in c.helplines + c.crisis_lines for p in h.phones
    )
    assert "08001110333" not in everything  # Germany's pre-116 111 number
    assert "18004222253" not in everything  # childcare.gov typo for Childhelp
    assert "0800055555" not in everything  # South Africa's withdrawn Childline number


@pytest.mark.parametrize(
    "language, expected",
    [("nl", "be-awel"), ("fr", "be-ecoute-enfants"), (None, "be-awel"), ("de", "be-awel"), ("FR", "be-ecoute-enfants")],
)
def test_belgium_helpline_by_language(directory, language, expected):
    assert directory.country("BE").helpline_for(language).id == expected


def test_adults_get_the_parents_line_first(directory):
    assert directory.country("DE").helpline_for(adult=True).id == "de-elterntelefon"
    assert directory.country("DE").helpline_for().id == "de-nummer-gegen-kummer"
    assert directory.country("SE").helpline_for(adult=True).id == "se-bris"  # no parents' line: fallback


def test_norway_notes_the_violence_abuse_neglect_scope(directory):
    line = directory.country("NO").helplines[0]
    assert line.phones[0].dial == "116111"
    assert "violence" in line.phones[0].note and "neglect" in line.note


def test_116111_countries(directory):
    codes = directory.codes_using_116111
    assert {"SE", "DE", "GB", "IE", "PL", "UA"} <= codes
    assert not codes & {"AT", "BE", "FR", "IT", "CH", "LI", "IS"}
    assert directory.international["eu-116111"].phone_dial == "116111"


def test_every_country_has_emergency_numbers_with_sources(directory):
    for country in directory.countries.values():
        assert country.emergency_numbers, country.code
        assert country.emergency.sources, country.code
    assert directory.country("BA").emergency_numbers[0] == "122"  # 112 does not work in BiH
    assert directory.country("GB").emergency_numbers[0] == "999"


def test_user_facing_links_are_https(directory):
    links = []
    for c in directory.countries.values():
        for line in c.helplines + c.crisis_lines:
            links += [line.chat_url, line.website]
        links += [r.url for r in c.reporting]
    links += [s.url for s in directory.international.values()]
    assert all(link.startswith("https://") for link in links if link)


def test_weakly_checked_numbers_are_the_documented_ones(directory):
    assert set(directory.weakly_checked) == set(ACCEPTED_WEAK_SHORT_CODES)


def test_international_services(directory):
    services = directory.international
    assert services["chi-directory"].url == "https://childhelplineinternational.org/helplines/"
    assert services["take-it-down"].eligible(age=15, country="FR")
    assert not services["stopncii"].eligible(age=15)
    assert services["stopncii"].eligible(age=19)
    assert services["report-remove"].eligible(age=15, country="GB")
    assert not services["report-remove"].eligible(age=15, country="FR")
    assert services["report-remove"].countries == ("GB",)


def test_find_country_by_name(directory):
    assert directory.find_country("Sverige").code == "SE"
    assert directory.find_country("u.k.").code == "GB"
    assert directory.find_country("Scotland").code == "GB"
    assert directory.find_country("United States of America").code == "US"
    assert directory.find_country("gb").code == "GB"
    assert directory.find_country("atlantis") is None
    assert directory.country("se").code == "SE" and directory.country("XX") is None


def test_generated_docs_are_in_sync(directory):
    """The country table and the freshness report in docs/helplines.md match the data."""
    docs = (ROOT / "docs" / "helplines.md").read_text(encoding="utf-8")
    for name in ("table", "report"):
        assert f"<!-- {name}:start -->" in docs and f"<!-- {name}:end -->" in docs, f"lost the {name} markers"
    assert _report_script().render(docs, directory) == docs, "docs/helplines.md is stale: run `make helplines-report`"


def test_freshness_report_measures_age_from_the_newest_date():
    report = _report_script()
    data = minimal()
    data["countries"]["SE"]["reporting"][0]["verified"] = "2025-10-31"  # a year and a day before DAY
    text = report.freshness_report(parse_directory(yaml.safe_dump(data), today=date(2026, 12, 1)))
    assert "Newest `verified` date in the file: **2026-11-01**" in text
    assert "| SE | se-ecpat-hotline | 2025-10-31 | official page |" in text
    assert "| SE | se-bris |" not in text.split("### Records older than 12 months")[1].split("###")[0]


# --------------------------------------------------------------------------- coverage and provenance


def test_every_country_has_a_24_7_line_or_says_why_not(directory):
    """A young person in crisis can always be given a line open now, or the sourced reason there is none."""
    without = sorted(c.code for c in directory.countries.values() if not c.lines_24_7 and c.no_24_7_line is None)
    assert not without, f"no line with hours 24/7 and no `no_24_7_line` statement: {without}"
    contradicting = sorted(c.code for c in directory.countries.values() if c.lines_24_7 and c.no_24_7_line)
    assert not contradicting, f"has a 24/7 line but also a `no_24_7_line` statement: {contradicting}"


# A page read "on the operator's site" cannot be a mirror or an encyclopedia.
NOT_OFFICIAL = ("github.com", "wikipedia.org", "qwe.wiki")


def _provenance_records(directory):
    for c in directory.countries.values():
        if c.emergency.verified is not None:
            yield f"{c.code} emergency", c.emergency
        for record in (*c.helplines, *c.crisis_lines, *c.reporting):
            yield record.id, record
        if c.no_24_7_line is not None:
            yield f"{c.code} no_24_7_line", c.no_24_7_line
    yield from directory.international.items()


def test_official_page_records_lead_with_an_official_source(directory):
    suspicious = [
        (name, record.sources[0])
        for name, record in _provenance_records(directory)
        if record.verified_how == "official page"
        and any(urlparse(record.sources[0]).netloc.endswith(host) for host in NOT_OFFICIAL)
    ]
    assert not suspicious, f"`verified_how: official page` but the first source is a mirror: {suspicious}"


# --------------------------------------------------------------------------- tel links


@pytest.mark.parametrize(
    "code, line, index, expected",
    [
        ("SE", 0, 0, "tel:116111"),  # short code keeps its digits
        ("US", 0, 0, "tel:+18004224453"),  # E.164
        ("GB", 0, 0, "tel:08001111"),  # toll-free: national form, as phonenumbers advises
        ("PL", 0, 1, "tel:+48116111"),  # written with + on purpose (Ukrainian SIM cards)
        ("EE", 0, 1, "tel:+3726004434"),  # from abroad
        ("AT", 0, 0, "tel:147"),
    ],
)
def test_tel_link(directory, code, line, index, expected):
    assert tel_link(directory.country(code).helplines[line].phones[index]) == expected


def test_tel_link_from_strings():
    assert tel_link("116111", "SE") == "tel:116111"
    assert tel_link("18006686868", "CA") == "tel:+18006686868"
    assert tel_link("131114", "AU") == "tel:131114"  # cannot be dialled as +61 13 11 14
    assert tel_link("+46 8 123 456 78") == "tel:+46812345678"


# --------------------------------------------------------------------------- opening hours

STOCKHOLM = "Europe/Stockholm"
WEEKDAYS_9_17 = {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat")}  # Sunday closed
OVERNIGHT = {"fri": ["20:00-02:00"]}


def at(text, tz=STOCKHOLM):
    """A local time in `tz` ("2026-11-27 23:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


@pytest.mark.parametrize(
    "spec, moment, open_",
    [
        ("24/7", at("2026-11-29 03:00"), True),
        (WEEKDAYS_9_17, at("2026-11-27 09:00"), True),  # Friday, opening minute
        (WEEKDAYS_9_17, at("2026-11-27 16:59"), True),
        (WEEKDAYS_9_17, at("2026-11-27 17:00"), False),  # end is exclusive
        (WEEKDAYS_9_17, at("2026-11-29 12:00"), False),  # Sunday: missing day = closed
        (OVERNIGHT, at("2026-11-27 19:59"), False),  # Friday before the range
        (OVERNIGHT, at("2026-11-27 23:00"), True),  # Friday before midnight
        (OVERNIGHT, at("2026-11-28 01:30"), True),  # Saturday after midnight
        (OVERNIGHT, at("2026-11-28 02:00"), False),
        (OVERNIGHT, at("2026-11-25 01:00"), False),  # Wednesday: Tuesday had no range
        ({"mon": ["20:00-24:00"], "tue": ["00:00-02:00"]}, at("2026-11-24 01:00"), True),
        # From UTC: 08:30 UTC is 09:30 in Stockholm in winter (UTC+1) ...
        (WEEKDAYS_9_17, datetime(2026, 11, 27, 8, 30, tzinfo=UTC), True),
        (WEEKDAYS_9_17, datetime(2026, 11, 27, 7, 30, tzinfo=UTC), False),
        # ... and 07:30 UTC is 09:30 in summer (UTC+2).
        (WEEKDAYS_9_17, datetime(2026, 7, 3, 7, 30, tzinfo=UTC), True),
        # From another zone: 03:30 in New York is 09:30 in Stockholm.
        (WEEKDAYS_9_17, at("2026-11-27 03:30", "America/New_York"), True),
        # DST week (clocks go forward on Sunday 29 March 2026, back on Sunday 25 October 2026):
        (WEEKDAYS_9_17, datetime(2026, 3, 28, 7, 30, tzinfo=UTC), False),  # Sat 08:30 CET
        (WEEKDAYS_9_17, datetime(2026, 3, 30, 7, 30, tzinfo=UTC), True),  # Mon 09:30 CEST
        ({"sun": ["02:00-03:00"]}, datetime(2026, 10, 25, 0, 30, tzinfo=UTC), True),  # 02:30 CEST
        ({"sun": ["02:00-03:00"]}, datetime(2026, 10, 25, 1, 30, tzinfo=UTC), True),  # 02:30 CET, again
        ({"sun": ["02:00-03:00"]}, datetime(2026, 10, 25, 2, 30, tzinfo=UTC), False),  # 03:30 CET
    ],
)
def test_is_open(spec, moment, open_):
    assert Hours.parse(spec, STOCKHOLM).is_open(moment) is open_


@pytest.mark.parametrize(
    "spec, moment, expected",
    [
        ("24/7", at("2026-11-29 03:00"), at("2026-11-29 03:00")),  # open now: itself
        (WEEKDAYS_9_17, at("2026-11-27 12:00"), at("2026-11-27 12:00")),
        (WEEKDAYS_9_17, at("2026-11-27 07:00"), at("2026-11-27 09:00")),  # later today
        (WEEKDAYS_9_17, at("2026-11-28 18:00"), at("2026-11-30 09:00")),  # skips closed Sunday
        (OVERNIGHT, at("2026-11-28 03:00"), at("2026-12-04 20:00")),  # a week later
        (WEEKDAYS_9_17, datetime(2026, 11, 27, 20, 0, tzinfo=UTC), at("2026-11-28 09:00")),  # from UTC
        # DST: Saturday 28 March opens at 09:00 CET (08:00 UTC), Monday 30 March at 09:00 CEST (07:00 UTC).
        (WEEKDAYS_9_17, datetime(2026, 3, 28, 6, 0, tzinfo=UTC), datetime(2026, 3, 28, 8, 0, tzinfo=UTC)),
        (WEEKDAYS_9_17, datetime(2026, 3, 28, 17, 0, tzinfo=UTC), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
        # An opening time inside the spring-forward gap moves to the first real instant (03:00 CEST).
        ({"sun": ["02:30-04:00"]}, datetime(2026, 3, 28, 23, 0, tzinfo=UTC), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        ({}, at("2026-11-27 12:00"), None),  # never opens
        (None, at("2026-11-27 12:00"), None),  # unknown hours
    ],
)
def test_next_opening(spec, moment, expected):
    result = Hours.parse(spec, STOCKHOLM).next_opening(moment)
    assert result == expected
    if result is not None:
        assert result.tzinfo is not None and str(result.tzinfo) == STOCKHOLM


def test_unknown_hours():
    hours = Hours.parse(None, STOCKHOLM)
    assert hours.known is False and hours.is_open(at("2026-11-27 12:00")) is None
    assert hours.describe() == "unknown"


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        Hours.parse("24/7", STOCKHOLM).is_open(datetime(2026, 11, 27, 12, 0))


def test_denmark_is_open_around_the_clock_with_sms(directory):
    line = directory.country("DK").helplines[0]  # BørneTelefonen: 24/7 since November 2021
    assert line.hours.always_open and line.text.number == "116111"
    assert line.is_open(at("2026-11-30 03:30", "Europe/Copenhagen"))


@pytest.mark.parametrize("code", ["DE", "DK", "BE", "FI", "IE", "LT", "AT", "FR"])
def test_a_line_is_open_in_the_middle_of_the_night(directory, code):
    """'i want to die' at 03:30 on a Monday must find someone open now (issue 11)."""
    country = directory.country(code)
    night = at("2026-11-30 03:30", country.timezone)
    assert any(line.is_open(night) for line in country.helplines + country.crisis_lines), code


# --------------------------------------------------------------------------- validation rules

SRC = ["https://example.org/source"]
DAY = "2026-11-01"


def helpline(**changes):
    record = {
        "id": "se-bris",
        "name": "BRIS",
        "operator": None,
        "audience": "children",
        "phones": [{"display": "116 111", "dial": "116111", "note": None}],
        "text": None,
        "chat_url": None,
        "website": "https://www.bris.se/",
        "hours": "24/7",
        "languages": ["sv"],
        "age_max": None,
        "note": None,
        "sources": SRC,
        "verified": DAY,
        "verified_how": "reference",
    }
    record.update(changes)
    return record


def minimal():
    """The smallest valid directory: one country, 116 111 and the CHI directory."""
    return {
        "version": 1,
        "countries": {
            "SE": {
                "name": "Sweden",
                "names": ["sverige"],
                "timezone": "Europe/Stockholm",
                "languages": ["sv"],
                "emergency": {
                    "numbers": ["112"],
                    "note": None,
                    "sources": SRC,
                    "verified": DAY,
                    "verified_how": "reference",
                },
                "helplines": [helpline()],
                "crisis_lines": [],
                "reporting": [
                    {
                        "id": "se-ecpat-hotline",
                        "name": "ECPAT",
                        "kind": "inhope_hotline",
                        "url": "https://ecpat.se/",
                        "note": None,
                        "sources": SRC,
                        "verified": DAY,
                        "verified_how": "official page",
                    }
                ],
            },
        },
        "international": {
            "eu-116111": {
                "name": "116 111",
                "kind": "helpline_number",
                "phone": {"display": "116 111", "dial": "116111"},
                "countries": ["SE"],
                "note": None,
                "sources": SRC,
                "verified": DAY,
                "verified_how": "reference",
            },
            "chi-directory": {
                "name": "CHI",
                "kind": "directory",
                "url": "https://childhelplineinternational.org/helplines/",
                "note": None,
                "sources": SRC,
                "verified": DAY,
                "verified_how": "reference",
            },
        },
    }


def write(tmp_path, data):
    path = tmp_path / "helplines.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_problems(tmp_path, data):
    with pytest.raises(DirectoryError) as info:
        load_directory(write(tmp_path, data))
    return info.value.problems


def test_minimal_file_is_valid(tmp_path):
    directory = load_directory(write(tmp_path, minimal()))
    assert directory.country("SE").helplines[0].phones[0].region == "SE"


def test_age_min_and_no_24_7_line_load(tmp_path):
    data = minimal()
    data["countries"]["SE"]["helplines"][0].update(age_min=6, age_max=17, hours=None)
    data["countries"]["SE"]["no_24_7_line"] = {
        "note": "Bris hours unknown in this test; call 112 in danger.",
        "sources": SRC,
        "verified": DAY,
        "verified_how": "official page",
    }
    country = load_directory(write(tmp_path, data)).country("SE")
    assert (country.helplines[0].age_min, country.helplines[0].age_max) == (6, 17)
    assert country.lines_24_7 == ()
    assert country.no_24_7_line.note.startswith("Bris") and country.no_24_7_line.verified == date(2026, 11, 1)


def test_country_without_emergency_number_is_allowed(tmp_path):
    data = minimal()
    data["countries"]["SE"]["emergency"] = {
        "numbers": [],
        "note": None,
        "sources": [],
        "verified": None,
        "verified_how": None,
    }
    country = load_directory(write(tmp_path, data)).country("SE")
    assert country.emergency_numbers == ()


def _set(path, value):
    """A mutation: set data[path...] = value (path items are keys or indexes)."""

    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _line(**changes):
    return _set(["countries", "SE", "helplines", 0], helpline(**changes))


SE = ["countries", "SE"]

BAD_RECORDS = [
    (
        "unknown country code",
        lambda d: d["countries"].update({"XX": d["countries"].pop("SE")}),
        "not an ISO 3166-1 alpha-2 code",
    ),
    (
        "invalid number",
        _line(phones=[{"display": "999 999 999 999", "dial": "999999999999", "note": None}]),
        "is not a valid number for SE",
    ),
    (
        "short code that is only 'possible'",
        _line(phones=[{"display": "116 11", "dial": "11611", "note": None}]),
        "only a *possible* short code",
    ),
    (
        "number of another country",
        _line(phones=[{"display": "+44 20 7946 0000", "dial": "+442079460000", "note": None}]),
        "not a valid number for SE",
    ),
    (
        "display and dial differ",
        _line(phones=[{"display": "116 123", "dial": "116111", "note": None}]),
        "show different digits",
    ),
    ("dial not a string", _line(phones=[{"display": "112", "dial": 112, "note": None}]), "quoted string"),
    ("http website", _line(website="http://www.bris.se/"), "is not an https URL"),
    ("http chat", _line(chat_url="http://www.bris.se/chat"), "is not an https URL"),
    ("reporting route without url", _set(SE + ["reporting", 0, "url"], None), "a URL is required"),
    (
        "duplicate id",
        lambda d: d["countries"]["SE"]["helplines"].append(
            helpline(phones=[{"display": "0800 123 456", "dial": "0800123456", "note": None}])
        ),
        "duplicate id",
    ),
    (
        "duplicate number",
        lambda d: d["countries"]["SE"]["helplines"].append(helpline(id="se-other")),
        "is already listed",
    ),
    ("bad id", _line(id="Bris"), "lowercase slug"),
    ("empty sources", _line(sources=[]), "sources must be a non-empty list"),
    ("source not a URL", _line(sources=["bris website"]), "is not an absolute URL"),
    ("future verified date", _line(verified="2999-01-01"), "is in the future"),
    ("missing verified date", _line(verified=None), "verified must be a date"),
    ("bad verified_how", _line(verified_how="memory"), "verified_how must be one of"),
    ("invalid timezone", _set(SE + ["timezone"], "Europe/Atlantis"), "not a valid IANA zone"),
    ("hours out of range", _line(hours={"mon": ["25:00-26:00"]}), "impossible time"),
    ("hours bad format", _line(hours={"mon": ["9-17"]}), "is not 'HH:MM-HH:MM'"),
    ("hours unknown day", _line(hours={"monday": ["09:00-17:00"]}), "unknown weekday"),
    ("hours empty range", _line(hours={"mon": ["09:00-09:00"]}), "is empty"),
    ("hours free text", _line(hours="weekdays"), "hours must be"),
    ("bad language", _line(languages=["swedish"]), "ISO 639-1"),
    ("bad audience", _line(audience="teens"), "audience must be one of"),
    ("unknown key", _line(webiste="https://www.bris.se/"), "unknown key 'webiste'"),
    ("missing key", lambda d: d["countries"]["SE"]["helplines"][0].pop("hours"), "missing key 'hours'"),
    ("no way to get in touch", _line(phones=[], text=None, chat_url=None), "at least one way"),
    (
        "text keyword not in display",
        _line(text={"display": "Text 50101", "number": "50101", "keyword": "TALK"}),
        "must appear in display",
    ),
    ("everyday word as a name", _set(SE + ["names"], ["sverige", "no"]), "everyday word"),
    ("upper-case name", _set(SE + ["names"], ["Sverige"]), "lowercase"),
    ("bad emergency number", _set(SE + ["emergency", "numbers"], ["11"]), "not a valid number for SE"),
    ("emergency number without sources", _set(SE + ["emergency", "sources"], []), "sources must be"),
    ("116 111 helpline not listed", _set(["international", "eu-116111", "countries"], []), "not listed"),
    (
        "116 111 listed without helpline",
        _line(phones=[{"display": "0800 123 456", "dial": "0800123456", "note": None}]),
        "none of its helplines has 116 111",
    ),
    ("missing CHI directory", lambda d: d["international"].pop("chi-directory"), "missing the 'chi-directory'"),
    ("bad route kind", _set(SE + ["reporting", 0, "kind"], "hotline"), "kind must be one of"),
    ("bad version", _set(["version"], 2), "version must be 1"),
    ("age_min not a number", _line(age_min="12"), "age_min must be null or an age"),
    ("age_min out of range", _line(age_min=31), "age_min must be null or an age"),
    ("age_min above age_max", _line(age_min=14, age_max=12), "is above age_max"),
    (
        "no_24_7_line without sources",
        _set(
            SE + ["no_24_7_line"], {"note": "checked", "sources": [], "verified": DAY, "verified_how": "official page"}
        ),
        "no_24_7_line: sources must be a non-empty list",
    ),
    (
        "no_24_7_line with a relative source",
        _set(
            SE + ["no_24_7_line"],
            {"note": "checked", "sources": ["bris.se/hours"], "verified": DAY, "verified_how": "official page"},
        ),
        "is not an absolute URL",
    ),
    (
        "no_24_7_line verified in the future",
        _set(
            SE + ["no_24_7_line"],
            {"note": "checked", "sources": SRC, "verified": "2999-01-01", "verified_how": "official page"},
        ),
        "no_24_7_line: verified date 2999-01-01 is in the future",
    ),
    (
        "no_24_7_line without a note",
        _set(SE + ["no_24_7_line"], {"note": "", "sources": SRC, "verified": DAY, "verified_how": "official page"}),
        "what to do instead",
    ),
    (
        "no_24_7_line bad verified_how",
        _set(SE + ["no_24_7_line"], {"note": "checked", "sources": SRC, "verified": DAY, "verified_how": "memory"}),
        "verified_how must be one of",
    ),
    (
        "no_24_7_line unknown key",
        _set(
            SE + ["no_24_7_line"],
            {"note": "checked", "sources": SRC, "verified": DAY, "verified_how": "reference", "url": "x"},
        ),
        "unknown key 'url'",
    ),
    ("source not http(s)", _line(sources=["ftp://example.org/list"]), "is not an absolute URL"),
]


@pytest.mark.parametrize("label, mutate, message", BAD_RECORDS, ids=[b[0] for b in BAD_RECORDS])
def test_each_rule_rejects_a_bad_record(tmp_path, label, mutate, message):
    data = minimal()
    mutate(data)
    problems = load_problems(tmp_path, data)
    assert any(message in p for p in problems), problems


def test_all_problems_are_reported_at_once(tmp_path):
    data = minimal()
    data["countries"]["SE"]["timezone"] = "Mars/Olympus"
    data["countries"]["SE"]["helplines"][0].update(website="http://x.se", verified="2999-01-01", languages=["xx"])
    problems = load_problems(tmp_path, data)
    assert len(problems) >= 4
    text = str(DirectoryError(problems))
    assert text.startswith(f"{len(problems)} problem(s)")


def test_yaml_syntax_error_is_a_directory_error():
    with pytest.raises(DirectoryError, match="YAML syntax"):
        parse_directory("countries: [unclosed")


def test_verified_date_is_checked_against_today():
    data = copy.deepcopy(minimal())
    text = yaml.safe_dump(data)
    with pytest.raises(DirectoryError, match="in the future"):
        parse_directory(text, today=date(2026, 10, 1))
    parse_directory(text, today=date(2026, 11, 29))
