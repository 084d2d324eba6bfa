"""Turn a hand-off plan into short, plain replies and a structured payload.

Links use the Markdown form [label](url): the widget renders it as a safe
link, `rasa shell` shows it as it is. Phone numbers are `tel:` links.
"""
from datetime import datetime
from typing import Any, Dict, List, Optional

from actions.directory import tel_link
from actions.routes import HandoffPlan, Link, generic_help, local_time

ROUTE_LEADS = {
    "removal": "Get the picture or video taken down",
    "police": "Report it to specialist police",
    "hotline": "Report illegal images",
    "advice": "Get help reporting it",
}


def in_country(name: str) -> str:
    """"the United Kingdom", "the Netherlands", but "Sweden"."""
    needs_article = name.startswith(("United ", "Czech ", "Dominican ")) or name in ("Netherlands", "Philippines")
    return f"the {name}" if needs_article else name


def phone_link(phone, country_code: Optional[str]) -> str:
    return f"[{phone.display}]({tel_link(phone, country_code)})"


def opening_phrase(plan: HandoffPlan, now: datetime) -> str:
    hours = plan.helpline.hours
    if hours.always_open:
        return "open 24/7"
    if plan.open_now:
        return "open now"
    if plan.open_now is None:  # hours not confirmed in the directory
        return "check their website for opening hours"
    if plan.next_opening is None:
        return "closed now"
    opens = local_time(plan, plan.next_opening)
    today = local_time(plan, now).date()
    day = "today" if opens.date() == today else opens.strftime("%A")
    return f"closed now, opens {day} at {opens:%H:%M}"


def helpline_line(plan: HandoffPlan, now: datetime) -> str:
    """One line: who to talk to, how, and whether they are open."""
    line = plan.helpline
    code = plan.country.code
    phones = " or ".join(phone_link(p, code) for p in line.phones[:2])
    text = f"In {in_country(plan.country.name)} you can talk to {line.name}"
    if phones:
        text += f": call {phones}"
    text += f" ({opening_phrase(plan, now)})."
    if line.chat_url:
        text += f" Chat online: {line.chat_url}"
    return text


def route_lines(routes: List[Link]) -> List[str]:
    return [f"• {ROUTE_LEADS[r.kind]}: [{r.name}]({r.url})" for r in routes if r.url]


def alternative_lines(plan: HandoffPlan, now: datetime) -> List[str]:
    lines = []
    if plan.helpline is not None and not plan.open_now:
        for alt in plan.alternatives[:2]:
            phones = " or ".join(phone_link(p, plan.country.code) for p in alt.phones[:1])
            lines.append(f"• Open right now: {alt.name}" + (f", call {phones}" if phones else ""))
    return lines


def crisis_lines(plan: HandoffPlan) -> List[str]:
    """Suicide and crisis lines: shown at once for self-harm."""
    lines = []
    for crisis in plan.crisis_lines[:1]:
        phones = " or ".join(phone_link(p, plan.country.code) for p in crisis.phones[:1])
        how = f"call {phones}" if phones else ""
        if crisis.text:
            how += ("; " if how else "") + crisis.text.display
        lines.append(f"• If you're thinking about hurting yourself or ending your life: {crisis.name}" + (f", {how}" if how else ""))
    return lines


def emergency_line(plan: HandoffPlan) -> Optional[str]:
    if not plan.emergency_numbers:
        return None
    number = plan.emergency_numbers[0]
    return f"In danger right now? Call [{number}](tel:{number})."


def compact_reply(plan: HandoffPlan, now: datetime) -> str:
    """The helpline inside a risk reply: short, because many users leave after one reply."""
    parts = []
    if plan.helpline is not None:
        parts.append(helpline_line(plan, now))
    else:
        parts.append(f"I don't know a child helpline in {in_country(plan.country.name)} yet.")
    parts += alternative_lines(plan, now)
    if plan.scenario == "self_harm":
        parts += crisis_lines(plan)
    parts += route_lines(plan.routes)
    if plan.helpline is None or not plan.open_now or plan.scenario == "self_harm":
        extra = emergency_line(plan)
        if extra:
            parts.append(extra)
    return "\n".join(parts)


def full_reply(plan: HandoffPlan, now: datetime) -> str:
    """Every way to reach the helpline, plus routes and the emergency number."""
    line = plan.helpline
    if line is None:
        return compact_reply(plan, now)
    code = plan.country.code
    parts = [f"Here's how to reach {line.name} in {in_country(plan.country.name)} ({opening_phrase(plan, now)}):"]
    for phone in line.phones:
        note = f" ({phone.note})" if phone.note else ""
        parts.append(f"• Call {phone_link(phone, code)}{note}")
    if line.text:
        parts.append(f"• {line.text.display}")
    if line.chat_url:
        parts.append(f"• Chat online: {line.chat_url}")
    if line.website and line.website != line.chat_url:
        parts.append(f"• Website: {line.website}")
    parts += alternative_lines(plan, now)
    if plan.scenario == "self_harm":
        parts += crisis_lines(plan)
    parts += route_lines(plan.routes)
    extra = emergency_line(plan)
    if extra:
        parts.append(extra)
    return "\n".join(parts)


def emergency_list(directory) -> str:
    """"112 in Europe, 999 in the United Kingdom, 911 in the United States, ..." from the directory."""
    by_number: Dict[str, List[str]] = {}
    for name, number in generic_help(directory)["emergency"].items():
        by_number.setdefault(number, []).append(in_country(name))
    regions = [f"{number} in {' and '.join(names)}" for number, names in by_number.items()]
    return ", ".join(["112 in Europe"] + regions)


def generic_reply(directory) -> str:
    """Help when the country is unknown or the user would rather not say."""
    help_ = generic_help(directory)
    eu = help_["eu_116111"]
    uk = directory.country("GB").helpline_for()
    return "\n".join([
        "Here's where you can find a real person to talk to:",
        f"• In most EU countries the child helpline is {eu.phone_display}: call [{eu.phone_display}](tel:{eu.phone_dial}). It's free.",
        f"• In the UK, call {uk.name} on [{uk.phones[0].display}]({tel_link(uk.phones[0], 'GB')}).",
        f"• Anywhere else, find the child helpline in your country: {help_['chi_directory'].url}",
        f"• In danger right now? Call {emergency_list(directory)}.",
    ])


def payload(plan: Optional[HandoffPlan], now: datetime) -> Dict[str, Any]:
    """Structured hand-off for the widget and the embedding site."""
    if plan is None or plan.country is None:
        return {"ally_handoff": {"country": None, "helpline": None, "routes": [
            {"id": r.id, "name": r.name, "url": r.url, "kind": r.kind} for r in (plan.routes if plan else [])
        ]}}
    line = plan.helpline
    helpline = None
    if line is not None:
        helpline = {
            "id": line.id,
            "name": line.name,
            "phones": [{"display": p.display, "tel": tel_link(p, plan.country.code), "note": p.note} for p in line.phones],
            "text": line.text.display if line.text else None,
            "chat_url": line.chat_url,
            "website": line.website,
            "open_now": plan.open_now,
            "next_opening": plan.next_opening.isoformat() if plan.next_opening else None,
        }
    return {"ally_handoff": {
        "country": plan.country.code,
        "helpline": helpline,
        "emergency": plan.emergency_numbers,
        "routes": [{"id": r.id, "name": r.name, "url": r.url, "kind": r.kind} for r in plan.routes],
    }}
