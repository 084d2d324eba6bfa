"""Turn a hand-off plan into short, plain replies and a structured payload, in the user's language.

The words come from locales/<language>.yml (`phrases`, and `countries` for
country names); the facts from the plan. Links use the Markdown form
[label](url): the widget renders it as a safe link, `rasa shell` shows it as
it is. Phone numbers are `tel:` links.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional

from actions.directory import tel_link
from actions.routes import HandoffPlan, Link, generic_help, local_time
from ally import locales

# Replies that must name someone who is open at this moment.
CRISIS_SCENARIOS = {"self_harm", "immediate_danger"}


@dataclass(frozen=True)
class Words:
    """The phrases of one language, and its names for countries."""

    language: str
    phrases: Dict[str, Any]
    countries: Dict[str, Any]

    @classmethod
    def of(cls, language: Optional[str] = None) -> "Words":
        code = locales.normalise(language) or locales.DEFAULT_LANGUAGE
        return cls(code, locales.phrases(code), locales.locale(code).get("countries") or {})

    def __getitem__(self, key: str) -> Any:
        return self.phrases[key]

    def country(self, country: Any) -> str:
        """The country's name as this language writes it in "In {country} ..."."""
        native = (self.countries.get(country.code) or {}).get("name")
        if native:
            return native
        return in_country(country.name) if self.language == locales.DEFAULT_LANGUAGE else country.name

    def either(self, items: List[str]) -> str:
        return self["or"].join(items)


def in_country(name: str) -> str:
    """ "the United Kingdom", "the Netherlands", but "Sweden"."""
    needs_article = name.startswith(("United ", "Czech ", "Dominican ")) or name in ("Netherlands", "Philippines")
    return f"the {name}" if needs_article else name


def phone_link(phone: Any, country_code: Optional[str]) -> str:
    return f"[{phone.display}]({tel_link(phone, country_code)})"


def number_link(number: str) -> str:
    return f"[{number}](tel:{number})"


def opening_phrase(plan: HandoffPlan, now: datetime, words: Words) -> str:
    opening = words["opening"]
    assert plan.helpline is not None
    if plan.helpline.hours.always_open:
        return opening["always"]
    if plan.open_now:
        return opening["open_now"]
    if plan.open_now is None:  # hours not confirmed in the directory
        return opening["unknown"]
    if plan.next_opening is None:
        return opening["closed"]
    opens = local_time(plan, plan.next_opening)
    today = local_time(plan, now).date()
    day = opening["today"] if opens.date() == today else opening["days"][opens.weekday()]
    return opening["closed_opens"].format(day=day, time=f"{opens:%H:%M}")


def helpline_line(plan: HandoffPlan, now: datetime, words: Words) -> str:
    """One line: who to talk to, how, and whether they are open."""
    line = plan.helpline
    assert line is not None and plan.country is not None
    phones = words.either([phone_link(p, plan.country.code) for p in line.phones[:2]])
    text = words["helpline_intro"].format(country=words.country(plan.country), name=line.name)
    if phones:
        text += words["helpline_call"].format(phones=phones)
    text += f" ({opening_phrase(plan, now, words)})."
    if line.chat_url:
        text += " " + words["chat_online"].format(url=line.chat_url)
    return text


def route_lines(routes: List[Link], words: Words) -> List[str]:
    return [f"• {words['route_leads'][r.kind]}: [{r.name}]({r.url})" for r in routes if r.url]


def alternative_lines(plan: HandoffPlan, words: Words) -> List[str]:
    lines = []
    if plan.helpline is not None and plan.country is not None and not plan.open_now:
        for alt in plan.alternatives[:2]:
            phones = words.either([phone_link(p, plan.country.code) for p in alt.phones[:1]])
            key = "open_right_now_call" if phones else "open_right_now"
            lines.append("• " + words[key].format(name=alt.name, phones=phones))
    return lines


def open_crisis_lines(plan: HandoffPlan, now: datetime) -> List[Any]:
    """The crisis lines open at this moment (24/7 first), not already named as alternatives."""
    shown = {id(line) for line in plan.alternatives[:2]} if plan.helpline is not None and not plan.open_now else set()
    open_now = [c for c in plan.crisis_lines if c.hours.is_open(now) and id(c) not in shown]
    return sorted(open_now, key=lambda c: not c.hours.always_open)


def crisis_lines(plan: HandoffPlan, now: datetime, words: Words) -> List[str]:
    """A suicide or crisis line open right now: shown at once for self-harm."""
    lines = []
    assert plan.country is not None
    for crisis in open_crisis_lines(plan, now)[:1]:
        phones = words.either([phone_link(p, plan.country.code) for p in crisis.phones[:1]])
        how = words["call_phones"].format(phones=phones) if phones else ""
        if crisis.text:
            how += ("; " if how else "") + crisis.text.display
        key = "crisis_line_how" if how else "crisis_line"
        lines.append("• " + words[key].format(name=crisis.name, how=how))
    return lines


def emergency_line(plan: HandoffPlan, words: Words) -> Optional[str]:
    if not plan.emergency_numbers:
        return None
    return words["emergency_line"].format(number=number_link(plan.emergency_numbers[0]))


def compact_reply(plan: HandoffPlan, now: datetime, words: Words) -> str:
    """The helpline inside a risk reply: short, because many users leave after one reply."""
    parts = []
    if plan.helpline is not None:
        parts.append(helpline_line(plan, now, words))
    else:
        parts.append(words["no_helpline"].format(country=words.country(plan.country)))
    parts += alternative_lines(plan, words)
    if plan.scenario in CRISIS_SCENARIOS:
        parts += crisis_lines(plan, now, words)
        if plan.helpline is not None and not plan.open_now:
            parts.append(words["while_closed"])
    parts += route_lines(plan.routes, words)
    if plan.helpline is None or not plan.open_now or plan.scenario in CRISIS_SCENARIOS:
        extra = emergency_line(plan, words)
        if extra:
            parts.append(extra)
    return "\n".join(parts)


def full_reply(plan: HandoffPlan, now: datetime, words: Words) -> str:
    """Every way to reach the helpline, plus routes and the emergency number."""
    line = plan.helpline
    if line is None or plan.country is None:
        return compact_reply(plan, now, words)
    code = plan.country.code
    parts = [
        words["full_intro"].format(
            name=line.name, country=words.country(plan.country), opening=opening_phrase(plan, now, words)
        )
    ]
    for phone in line.phones:
        note = f" ({phone.note})" if phone.note else ""
        parts.append("• " + words["call_item"].format(phone=phone_link(phone, code), note=note))
    if line.text:
        parts.append(f"• {line.text.display}")
    if line.chat_url:
        parts.append("• " + words["chat_online"].format(url=line.chat_url))
    if line.website and line.website != line.chat_url:
        parts.append("• " + words["website"].format(url=line.website))
    parts += alternative_lines(plan, words)
    if plan.scenario in CRISIS_SCENARIOS:
        parts += crisis_lines(plan, now, words)
    parts += route_lines(plan.routes, words)
    extra = emergency_line(plan, words)
    if extra:
        parts.append(extra)
    return "\n".join(parts)


def emergency_list(directory: Any, words: Words) -> str:
    """ "112 in Europe, 999 in the United Kingdom, 911 in the United States, ..." from the directory."""
    by_number: Dict[str, List[str]] = {}
    for code, number in generic_help(directory)["emergency"].items():
        by_number.setdefault(number, []).append(words.country(directory.country(code)))
    regions = [
        words["emergency_list_item"].format(number=number, places=words["and"].join(names))
        for number, names in by_number.items()
    ]
    return ", ".join([words["emergency_list_europe"]] + regions)


def emergency_now(plan: HandoffPlan, directory: Any, now: datetime, words: Words) -> str:
    """Danger now: the emergency number first, then the helpline."""
    if plan.country is not None and plan.emergency_numbers:
        lines = [words["emergency_now"].format(number=number_link(plan.emergency_numbers[0]))]
        if plan.helpline is not None:
            lines.append(helpline_line(plan, now, words))
            lines += alternative_lines(plan, words)  # someone open right now when the helpline is closed
        return "\n".join(lines)
    return words["emergency_generic"].format(list=emergency_list(directory, words))


def generic_reply(directory: Any, words: Words) -> str:
    """Help when the country is unknown or the user would rather not say."""
    help_ = generic_help(directory)
    eu = help_["eu_116111"]
    uk = directory.country("GB").helpline_for()
    generic = words["generic"]
    return "\n".join(
        [
            generic["intro"],
            "• " + generic["eu"].format(number=eu.phone_display, link=f"[{eu.phone_display}](tel:{eu.phone_dial})"),
            "• " + generic["uk"].format(name=uk.name, link=f"[{uk.phones[0].display}]({tel_link(uk.phones[0], 'GB')})"),
            "• " + generic["anywhere"].format(url=help_["chi_directory"].url),
            "• " + generic["danger"].format(list=emergency_list(directory, words)),
        ]
    )


def platform_line(platform: Any, words: Words) -> str:
    """Block and report in that app: its own steps in English, in general terms in other languages."""
    if words.language == locales.DEFAULT_LANGUAGE:
        return "• " + words["platform_steps"].format(
            platform=platform.name,
            block=platform.block[:1].upper() + platform.block[1:],
            report=platform.report[:1].upper() + platform.report[1:],
            url=platform.help_url,
        )
    return "• " + words["platform_general"].format(platform=platform.name, url=platform.help_url)


def payload(plan: Optional[HandoffPlan], now: datetime) -> Dict[str, Any]:
    """Structured hand-off for the widget and the embedding site."""
    if plan is None or plan.country is None:
        return {
            "ally_handoff": {
                "country": None,
                "helpline": None,
                "routes": [
                    {"id": r.id, "name": r.name, "url": r.url, "kind": r.kind} for r in (plan.routes if plan else [])
                ],
            }
        }
    line = plan.helpline
    helpline = None
    if line is not None:
        helpline = {
            "id": line.id,
            "name": line.name,
            "phones": [
                {"display": p.display, "tel": tel_link(p, plan.country.code), "note": p.note} for p in line.phones
            ],
            "text": line.text.display if line.text else None,
            "chat_url": line.chat_url,
            "website": line.website,
            "open_now": plan.open_now,
            "next_opening": plan.next_opening.isoformat() if plan.next_opening else None,
        }
    return {
        "ally_handoff": {
            "country": plan.country.code,
            "helpline": helpline,
            "emergency": plan.emergency_numbers,
            "routes": [{"id": r.id, "name": r.name, "url": r.url, "kind": r.kind} for r in plan.routes],
        }
    }
