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

# The action server sees chat text too: keep it out of its logs. ally.log_privacy
# is standard library only, so the action image needs no Rasa (docs/architecture.md).
from ally import log_privacy

log_privacy.install()
