"""`python -m actions.directory`: validate actions/helplines.yml and say so (exit 1 on problems)."""

import sys

from actions.directory import DirectoryError, load_directory

try:
    directory = load_directory()
except DirectoryError as exc:
    print(exc, file=sys.stderr)
    sys.exit(1)
weak = ", ".join(f"{c} {n}" for c, n in directory.weakly_checked)
print(f"{directory.path}: valid, {len(directory.countries)} countries; weak short-code checks: {weak}")
