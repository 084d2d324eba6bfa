"""Ally's custom actions, served by `rasa run actions`.

Modules, one concern each:
  directory.py  the helpline directory (actions/helplines.yml): load, validate, opening hours
  country.py    country names, native names, misspellings, flags -> ISO code
  age.py        ages and school years -> age band
  routes.py     who to hand the user to, for a country, scenario and age
  messages.py   the words and the structured payload of a hand-off
  slots.py      action_validate_slot_mappings: clean slot values, metadata
  handoff.py    the hand-off actions
"""
# Importing `ally` installs the log privacy filter in the action server too.
import ally  # noqa: F401
