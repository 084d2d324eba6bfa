"""Routing: scenario x age x country -> the right helpline and routes (table-driven)."""

from datetime import datetime, timezone

import pytest

from actions.directory import load_directory
from actions.routes import plan_handoff
from ally import scenarios

DIRECTORY = load_directory()
NOON_UTC = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)  # a Wednesday

# country -> (main helpline id, routes expected for sextortion at 14)
MAIN = {
    "GB": ("gb-childline", {"report-remove", "take-it-down", "gb-ceop", "gb-iwf"}),
    "IE": ("ie-ispcc-childline", {"take-it-down", "ie-hotline-ie"}),
    "US": ("us-childhelp", {"take-it-down", "us-ncmec-cybertipline"}),
    "CA": ("ca-kids-help-phone", {"take-it-down", "ca-needhelpnow", "ca-cybertip"}),
    "AU": ("au-kids-helpline", {"take-it-down", "au-esafety"}),
    "NZ": ("nz-youthline", {"take-it-down", "nz-netsafe"}),
    "SE": ("se-bris", {"take-it-down"}),
    "DE": ("de-nummer-gegen-kummer", {"take-it-down", "de-internet-beschwerdestelle"}),
    "FR": ("fr-119", {"take-it-down", "fr-point-de-contact"}),
    "ES": ("es-anar", {"take-it-down", "es-incibe-hotline"}),
    "IT": ("it-telefono-azzurro", {"take-it-down", "it-stop-it"}),
    "NL": ("nl-kindertelefoon", {"take-it-down", "nl-meldpunt-kinderporno"}),
}
REGISTRY = scenarios.load()
SCENARIOS = REGISTRY.risk
AGES = ["under_13", "13_15", "16_17", None]


def ids(plan):
    return {route.id for route in plan.routes}


@pytest.mark.parametrize("country", sorted(MAIN))
@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("age_band", AGES)
def test_every_scenario_and_age_gets_the_country_helpline(country, scenario, age_band):
    plan = plan_handoff(DIRECTORY, country, scenario, age_band, now=NOON_UTC)
    assert plan.helpline.id == MAIN[country][0]
    assert plan.emergency_numbers, "every one of these countries has an emergency number"
    removal = {r.id for r in plan.routes if r.kind == "removal"}
    if scenario in REGISTRY.with_route("removal"):
        assert "take-it-down" in removal  # an image taken under 18, any country
        assert "stopncii" not in removal  # adults only
    else:
        assert not removal


@pytest.mark.parametrize("country", sorted(MAIN))
def test_sextortion_routes_for_a_14_year_old(country):
    plan = plan_handoff(DIRECTORY, country, "sextortion", "13_15", now=NOON_UTC)
    assert MAIN[country][1] <= ids(plan)


@pytest.mark.parametrize("country", ["GB", "US", "SE"])
def test_adults_get_stopncii_not_child_services(country):
    plan = plan_handoff(DIRECTORY, country, "image_shared", "adult", now=NOON_UTC)
    assert "stopncii" in ids(plan)
    assert not {"take-it-down", "report-remove"} & ids(plan)


def test_an_adult_at_risk_gets_no_route_for_under_18s():
    """The IWF removes child sexual abuse imagery and CEOP takes reports about children (minors_only)."""
    child = ids(plan_handoff(DIRECTORY, "GB", "image_shared", "16_17", now=NOON_UTC))
    adult = ids(plan_handoff(DIRECTORY, "GB", "image_shared", "adult", now=NOON_UTC))
    assert {"gb-iwf", "gb-ceop"} <= child
    assert not {"gb-iwf", "gb-ceop"} & adult
    # A parent talks about a child: the child's routes.
    assert "gb-ceop" in ids(plan_handoff(DIRECTORY, "GB", "image_shared", "adult", now=NOON_UTC, role="parent"))


def test_report_remove_is_only_for_the_uk():
    for country in ("IE", "US", "SE"):
        assert "report-remove" not in ids(plan_handoff(DIRECTORY, country, "image_shared", "13_15", now=NOON_UTC))


def test_ceop_for_uk_grooming_but_not_for_self_harm():
    assert "gb-ceop" in ids(plan_handoff(DIRECTORY, "GB", "offer_to_meet", None, now=NOON_UTC))
    assert "gb-ceop" not in ids(plan_handoff(DIRECTORY, "GB", "self_harm", None, now=NOON_UTC))


def test_self_harm_brings_crisis_lines_where_the_directory_has_them():
    plan = plan_handoff(DIRECTORY, "US", "self_harm", "16_17", now=NOON_UTC)
    assert "us-988" in {line.id for line in plan.crisis_lines}


def test_unknown_country_gets_no_helpline_but_take_it_down_for_images():
    plan = plan_handoff(DIRECTORY, None, "sextortion", None, now=NOON_UTC)
    assert plan.country is None and plan.helpline is None
    assert ids(plan) == {"take-it-down"}


def test_belgium_follows_the_page_language():
    assert plan_handoff(DIRECTORY, "BE", "sextortion", None, language="fr").helpline.id == "be-ecoute-enfants"
    assert plan_handoff(DIRECTORY, "BE", "sextortion", None, language="nl").helpline.id == "be-awel"


def test_a_closed_helpline_reports_its_next_opening_and_open_alternatives():
    # Croatia's Hrabri telefon: Mon-Fri 09:00-20:00 (Europe/Zagreb).
    saturday_night = datetime(2026, 11, 28, 22, 0, tzinfo=timezone.utc)
    plan = plan_handoff(DIRECTORY, "HR", "sextortion", None, now=saturday_night)
    assert plan.open_now is False
    assert plan.next_opening is not None and plan.next_opening > saturday_night
    assert all(line.hours.is_open(saturday_night) for line in plan.alternatives)
