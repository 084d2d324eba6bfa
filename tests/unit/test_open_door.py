"""Danger-now and self-harm replies always name someone open at that moment (docs/safety.md, "An open door")."""

from datetime import datetime, timezone

import pytest

from actions import messages
from actions.directory import load_directory
from actions.routes import plan_handoff

DIRECTORY = load_directory()
WORDS = messages.Words.of("en")
# A weekday morning, a weekday evening, a weekend night, Christmas Day at noon (UTC).
MOMENTS = {
    "weekday 07:30 UTC": datetime(2026, 11, 25, 7, 30, tzinfo=timezone.utc),
    "weekday 19:00 UTC": datetime(2026, 11, 25, 19, 0, tzinfo=timezone.utc),
    "Sunday 03:00 UTC": datetime(2026, 11, 29, 3, 0, tzinfo=timezone.utc),
    "Christmas 12:00 UTC": datetime(2026, 12, 25, 12, 0, tzinfo=timezone.utc),
}


def open_lines(country, now):
    return [line for line in country.helplines + country.crisis_lines if line.hours.is_open(now)]


@pytest.mark.parametrize("moment", sorted(MOMENTS))
@pytest.mark.parametrize("code", sorted(DIRECTORY.countries))
def test_self_harm_names_a_line_open_now(code, moment):
    now = MOMENTS[moment]
    country = DIRECTORY.country(code)
    plan = plan_handoff(DIRECTORY, code, "self_harm", None, now=now)
    reply = messages.compact_reply(plan, now, WORDS)
    named_open = [line.name for line in open_lines(country, now) if line.name in reply]
    if country.no_24_7_line is None:
        assert named_open, f"{code} at {moment}: no open line named in\n{reply}"
    elif not named_open:  # no line at all at this hour: the emergency number is the door
        assert country.emergency_numbers and country.emergency_numbers[0] in reply
    assert not reply.rstrip().endswith("closed now)."), reply


@pytest.mark.parametrize("moment", sorted(MOMENTS))
@pytest.mark.parametrize("code", sorted(DIRECTORY.countries))
def test_danger_now_starts_with_the_emergency_number(code, moment):
    now = MOMENTS[moment]
    country = DIRECTORY.country(code)
    plan = plan_handoff(DIRECTORY, code, "immediate_danger", None, now=now)
    reply = messages.emergency_now(plan, DIRECTORY, now, WORDS)
    if country.emergency_numbers:
        assert reply.startswith(f"Call [{country.emergency_numbers[0]}]")
    if plan.helpline is not None and plan.open_now is False and open_lines(country, now):
        assert "Open right now" in reply, reply


def test_germany_on_a_weekday_morning_names_telefonseelsorge():
    """The issue's case: Nummer gegen Kummer is closed in the morning; TelefonSeelsorge answers 24/7."""
    now = MOMENTS["weekday 07:30 UTC"]
    plan = plan_handoff(DIRECTORY, "DE", "self_harm", None, now=now)
    reply = messages.compact_reply(plan, now, WORDS)
    assert "Nummer gegen Kummer" in reply and "closed now" in reply
    assert "TelefonSeelsorge" in reply
    assert WORDS["while_closed"] in reply
