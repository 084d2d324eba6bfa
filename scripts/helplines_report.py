"""Regenerate the generated sections of docs/helplines.md from actions/helplines.yml.

A helpline partner must be able to see at a glance how far to trust each
number: where it came from, when it was checked, and where no line is open
around the clock. Two sections of docs/helplines.md are generated, each between
marker comments, and tests/test_directory.py fails when either is stale:

* `<!-- table:start -->` ... `<!-- table:end -->`: one row per country (main
  helpline, emergency numbers, reporting routes, the sites cited);
* `<!-- report:start -->` ... `<!-- report:end -->`: the freshness report
  (verification per record, countries without a 24/7 line, records older than
  12 months, the share verified on an official page).

"Older than 12 months" is measured from the newest `verified` date in the file,
not from today, so the generated text only changes when the data changes.

Usage: .venv/bin/python scripts/helplines_report.py [--check]   (make helplines-report)
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.directory import Directory, load_directory  # noqa: E402

DOC = ROOT / "docs" / "helplines.md"
SECTIONS = ("table", "report")
HOW_ORDER = ("official page", "public page", "reference")


def _site(url: str) -> str:
    host = urlparse(url).netloc.removeprefix("www.")
    return "CHI directory mirror (GitHub)" if host == "github.com" else host


def _cell(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")


def markdown_table(directory: Directory) -> str:
    """The provenance table: one row per country."""
    rows = [
        "| Code | Country | Main helpline | Phone | Hours | Emergency | Reporting routes | Checked | Sources (sites) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for code in sorted(directory.countries):
        c = directory.countries[code]
        main = c.helplines[0] if c.helplines else None
        records = [*c.helplines, *c.crisis_lines, *c.reporting]
        how = sorted(
            {r.verified_how for r in records} | ({c.emergency.verified_how} if c.emergency.verified_how else set())
        )
        sites: list[str] = []
        for src in [*c.emergency.sources, *(s for r in records for s in r.sources)]:
            site = _site(src)
            if site not in sites:
                sites.append(site)
        rows.append(
            "| "
            + " | ".join(
                [
                    code,
                    c.name,
                    main.name if main else "— (none)",
                    main.phones[0].display if main and main.phones else "—",
                    main.hours.describe() if main else "—",
                    ", ".join(c.emergency_numbers) or "— (none confirmed)",
                    ", ".join(r.name for r in c.reporting) or "—",
                    ", ".join(how),
                    ", ".join(sites[:6]) + (f" (+{len(sites) - 6})" if len(sites) > 6 else ""),
                ]
            ).replace("\n", " ")
            + " |"
        )
    return "\n".join(rows) + "\n"


def _records(directory: Directory):
    """(country code, id, type, record) for every record that carries provenance."""
    for code in sorted(directory.countries):
        c = directory.countries[code]
        if c.emergency.verified is not None:
            yield code, "emergency", "emergency", c.emergency
        for line in c.helplines:
            yield code, line.id, "helpline", line
        for line in c.crisis_lines:
            yield code, line.id, "crisis line", line
        for route in c.reporting:
            yield code, route.id, "reporting", route
        if c.no_24_7_line is not None:
            yield code, "no_24_7_line", "no 24/7 line", c.no_24_7_line
    for sid in sorted(directory.international):
        yield "intl", sid, "international", directory.international[sid]


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({round(100 * part / whole) if whole else 0}%)"


def freshness_report(directory: Directory) -> str:
    """The freshness report: how and when each record was checked."""
    records = list(_records(directory))
    newest = max(r.verified for *_, r in records)
    cutoff = _year_before(newest)
    lines_ = [r for _, _, kind, r in records if kind in ("helpline", "crisis line")]
    official_lines = sum(r.verified_how == "official page" for r in lines_)
    official_all = sum(r.verified_how == "official page" for *_, r in records)
    out = [
        f'Newest `verified` date in the file: **{newest}**. "Older than 12 months" means verified before '
        f"{cutoff} (12 months before that date, so this text changes only when the data does).",
        "",
        f"* Helpline records (helplines and crisis lines) verified on an official page: "
        f"**{_share(official_lines, len(lines_))}**.",
        f"* All records (also emergency blocks, reporting routes, `no_24_7_line` statements and international "
        f"services) verified on an official page: {_share(official_all, len(records))}.",
        "",
        "### Countries without a 24/7 line",
        "",
    ]
    missing = [c for _, c in sorted(directory.countries.items()) if not c.lines_24_7]
    if not missing:
        out.append("None: every country has a helpline or crisis line with `hours: 24/7`.")
    else:
        out += ["| Code | Country | Statement (`no_24_7_line`) | Verified |", "|---|---|---|---|"]
        for c in missing:
            stmt = c.no_24_7_line
            out.append(
                f"| {c.code} | {c.name} | "
                + (
                    f"{_cell(stmt.note)} | {stmt.verified} ({stmt.verified_how})"
                    if stmt
                    else "**missing: no 24/7 line and no statement** | —"
                )
                + " |"
            )
    old = [(code, rid, r) for code, rid, _, r in records if r.verified < cutoff]
    out += ["", "### Records older than 12 months", ""]
    if not old:
        out.append(f"None (no record was verified before {cutoff}).")
    else:
        out += ["| Country | Record | Verified | How |", "|---|---|---|---|"]
        out += [f"| {code} | {rid} | {r.verified} | {r.verified_how} |" for code, rid, r in old]
    out += [
        "",
        "### Per country",
        "",
        "24/7 lines, and how many of the country's records were verified each way "
        "(helplines, crisis lines, reporting routes, emergency block, `no_24_7_line`).",
        "",
        "| Code | Country | Open 24/7 | official page | public page | reference | Verified |",
        "|---|---|---|---|---|---|---|",
    ]
    for code in sorted(directory.countries):
        c = directory.countries[code]
        own = [r for cc, _, _, r in records if cc == code]
        counts = [sum(r.verified_how == how for r in own) for how in HOW_ORDER]
        dates = sorted({r.verified for r in own})
        when = str(dates[0]) if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
        open_ = (
            ", ".join(
                f"{line.name} ({line.phones[0].display if line.phones else 'chat/text'})" for line in c.lines_24_7
            )
            or "— (none)"
        )
        out.append(f"| {code} | {c.name} | {_cell(open_)} | " + " | ".join(map(str, counts)) + f" | {when} |")
    out += [
        "",
        "### Every record",
        "",
        "| Country | Record | Type | How | Verified | Leading source |",
        "|---|---|---|---|---|---|",
    ]
    for code, rid, kind, r in records:
        out.append(f"| {code} | {rid} | {kind} | {r.verified_how} | {r.verified} | {_site(r.sources[0])} |")
    return "\n".join(out) + "\n"


def render(text: str, directory: Directory) -> str:
    """`text` (docs/helplines.md) with both generated sections replaced."""
    bodies = {"table": markdown_table(directory), "report": freshness_report(directory)}
    for name in SECTIONS:
        pattern = re.compile(rf"(<!-- {name}:start -->\n)(.*?)(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"{DOC}: the markers <!-- {name}:start --> / <!-- {name}:end --> are missing")
        body = bodies[name]
        text = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(3), text, count=1)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/helplines.md is stale; change nothing")
    args = parser.parse_args(argv)
    current = DOC.read_text(encoding="utf-8")
    wanted = render(current, load_directory())
    if args.check:
        if wanted != current:
            print(f"{DOC.relative_to(ROOT)} is stale: run `make helplines-report`", file=sys.stderr)
            return 1
        return 0
    if wanted != current:
        DOC.write_text(wanted, encoding="utf-8")
        print(f"updated {DOC.relative_to(ROOT)}")
    else:
        print(f"{DOC.relative_to(ROOT)} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
