"""The helpline directory: load, validate and query actions/helplines.yml.

actions/helplines.yml is the single source of truth for every number, link
and opening time Ally shows. This package reads it (`load`), checks it as a
whole (`validate`), and answers questions about it (`records`, `hours`,
`phones`). It has no Rasa dependency, so scripts and tests can import it.
docs/helplines.md describes the format and the rules.
"""

from actions.directory.hours import DAYS, Hours
from actions.directory.load import DEFAULT_PATH, load_directory, parse_directory
from actions.directory.phones import ACCEPTED_WEAK_SHORT_CODES, check_dial, tel_link
from actions.directory.records import (
    EU_116111,
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
from actions.directory.validate import AUDIENCES, VERIFIED_HOW, DirectoryError, validate

__all__ = [
    "ACCEPTED_WEAK_SHORT_CODES",
    "AUDIENCES",
    "DAYS",
    "DEFAULT_PATH",
    "EU_116111",
    "VERIFIED_HOW",
    "Country",
    "Directory",
    "DirectoryError",
    "Eligibility",
    "Emergency",
    "Helpline",
    "Hours",
    "No24x7Line",
    "Phone",
    "ReportingRoute",
    "Service",
    "TextContact",
    "check_dial",
    "load_directory",
    "parse_directory",
    "tel_link",
    "validate",
]
