"""Decide who a young person should be handed to: pure logic, no Rasa.

Given the directory, a country (or none), the scenario and the age band,
`plan_handoff` returns everything a reply needs: the helpline and whether it
is open, 24/7 alternatives, the emergency numbers and the reporting or
removal routes that fit. actions/messages.py turns a plan into words.
"""

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, List, Optional
from zoneinfo import ZoneInfo

from actions.directory import Directory
from actions.directory.records import Country, Helpline
from ally import scenarios

# Which scenarios get which kind of route comes from the scenario registry (scenarios.yml).
REGISTRY = scenarios.load()
# The main regions whose emergency numbers the generic help lists.
MAIN_EMERGENCY_REGIONS = ["GB", "US", "CA", "AU", "NZ"]


@dataclass(frozen=True)
class Link:
    id: str
    name: str
    url: Optional[str]
    kind: str  # removal | police | hotline | advice | directory | helpline
    phone: Optional[str] = None


@dataclass
class HandoffPlan:
    scenario: Optional[str]
    country: Optional[Country] = None  # directory Country, None if unknown
    helpline: Optional[Helpline] = None  # directory Helpline
    open_now: Optional[bool] = None
    next_opening: Optional[datetime] = None
    alternatives: List[Helpline] = field(default_factory=list)  # helplines open 24/7
    crisis_lines: List[Helpline] = field(default_factory=list)
    emergency_numbers: List[str] = field(default_factory=list)
    routes: List[Link] = field(default_factory=list)


def plan_handoff(
    directory: Directory,
    country_code: Optional[str],
    scenario: Optional[str],
    age_band: Optional[str],
    now: Optional[datetime] = None,
    language: Optional[str] = None,
    role: Optional[str] = None,
) -> HandoffPlan:
    """`role` is who is talking when it is not the young person: "parent" or "educator".
    A parent or teacher gets the parents' line and the routes for the child (a minor);
    an adult at risk themselves (age band "adult", no role) gets lines for everyone and
    the adult removal route (StopNCII)."""
    now = now or datetime.now(timezone.utc)
    country = directory.country(country_code) if country_code else None
    plan = HandoffPlan(scenario=scenario, country=country)
    if country is None:
        plan.routes = removal_routes(directory, None, scenario, age_band)
        return plan

    plan.emergency_numbers = list(country.emergency_numbers)
    plan.crisis_lines = list(country.crisis_lines)
    plan.helpline = choose_helpline(country, language, age_band, role)
    if plan.helpline is not None:
        hours = plan.helpline.hours
        plan.open_now = hours.is_open(now)
        if not plan.open_now:
            plan.next_opening = hours.next_opening(now)
            plan.alternatives = [
                line
                for line in country.helplines + country.crisis_lines
                if line is not plan.helpline and line.hours.is_open(now)
            ]
    # A parent or teacher talks about a child: the routes are the child's.
    plan.routes = removal_routes(directory, country, scenario, None if role else age_band) + national_routes(
        country, scenario, adult=age_band == "adult" and not role
    )
    return plan


def choose_helpline(country: Any, language: Optional[str], age_band: Optional[str], role: Optional[str]) -> Any:
    """The line to show: the child helpline, the parents' line for a parent or teacher,
    a line for everyone (not a children's line) for an adult at risk."""
    if role:
        return country.helpline_for(language=language, adult=True)
    if age_band == "adult":
        lines = country.helplines + country.crisis_lines
        for_everyone = [line for line in lines if line.audience == "everyone"]
        # else a young people's line that still takes adults (Childline UK to 19, Kids Helpline AU to 25)
        for_them = for_everyone or [
            line for line in lines if line.audience == "children" and (line.age_max is None or line.age_max >= 18)
        ]
        spoken = [line for line in for_them if language and language[:2] in line.languages]
        return (spoken or for_them or [country.helpline_for(language=language)])[0]
    return country.helpline_for(language=language)


def removal_routes(directory: Directory, country, scenario: Optional[str], age_band: Optional[str]) -> List[Link]:
    """Image removal services that fit the age and country (minors by default)."""
    if scenario not in REGISTRY.with_route("removal"):
        return []
    services = directory.international
    if age_band == "adult":
        return [_service_link(services["stopncii"], "removal")]
    links = []
    if country is not None:
        # National removal first: Report Remove in the UK, NeedHelpNow.ca in Canada.
        if "GB" in services["report-remove"].countries and country.code == "GB":
            links.append(_service_link(services["report-remove"], "removal"))
        links += [_route_link(r, "removal") for r in country.reporting if r.kind == "image_removal"]
    links.append(_service_link(services["take-it-down"], "removal"))
    return links


def national_routes(country, scenario: Optional[str], adult: bool = False) -> List[Link]:
    """Police, hotline and advice routes of the country for this scenario; an adult at risk
    themselves does not get the routes for under-18s (`minors_only`)."""
    if scenario not in REGISTRY.with_route("police"):
        return []
    links = []
    for route in country.reporting:
        if adult and route.minors_only:
            continue
        if route.kind == "police_online" or route.kind in ("regulator", "online_safety"):
            links.append(_route_link(route, "police" if route.kind == "police_online" else "advice"))
        elif route.kind == "inhope_hotline" and scenario in REGISTRY.with_route("hotline"):
            links.append(_route_link(route, "hotline"))
    return links


def generic_help(directory: Directory) -> dict:
    """Help for a user whose country is unknown: 116 111, CHI's directory, emergency numbers."""
    eu = directory.international["eu-116111"]
    emergency = {}
    for code in MAIN_EMERGENCY_REGIONS:
        country = directory.country(code)
        if country and country.emergency_numbers:
            emergency[code] = country.emergency_numbers[0]
    return {
        "eu_116111": eu,
        "chi_directory": directory.international["chi-directory"],
        "emergency": emergency,
    }


def local_time(plan: HandoffPlan, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(plan.country.timezone)) if plan.country else moment


def _service_link(service, kind: str) -> Link:
    return Link(id=service.id, name=service.name, url=service.url, kind=kind, phone=getattr(service, "phone", None))


def _route_link(route, kind: str) -> Link:
    return Link(id=route.id, name=route.name, url=route.url, kind=kind, phone=getattr(route, "phone", None))
