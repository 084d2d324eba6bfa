"""Opening hours of one line, in the country's own timezone.

Hours are stored as local wall-clock times so that daylight-saving changes
need no special data, and "unknown" is a value of its own: the bot must not
say "open" or "closed" when nobody has confirmed the hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class Hours:
    """Weekly opening hours in one IANA timezone (the country's).

    Built from the YAML value by `Hours.parse`:

    * ``"24/7"`` -> always open;
    * ``null`` -> unknown (`known` is False; `is_open` and `next_opening` return None);
    * a map ``{mon: ["09:00-20:00"], ..., sun: []}``: a missing day is closed,
      ``"24:00"`` is allowed as an end, and a range whose end is before its
      start runs past midnight into the next day (``"20:00-02:00"``).
    """

    timezone: str
    always_open: bool = False
    known: bool = True
    # For each weekday (Monday = 0): ranges as (start, end) minutes after midnight.
    # end may be 1440 ("24:00"); end < start means the range ends the next day.
    weekly: tuple[tuple[tuple[int, int], ...], ...] = ((),) * 7

    @classmethod
    def parse(cls, spec: Any, tz_name: str) -> Hours:
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
        """A compact English description, e.g. "Mon 09:00-20:00; Tue ..." (for docs and logs)."""
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
