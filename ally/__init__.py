"""Ally's plugins for the Rasa server (NLU components, tracker store, channel).

Importing any part of this package installs the log privacy filter first:
Rasa imports the project's components when it loads a model or an endpoint
configuration, so the protection is active however the server is started
(`make run`, `rasa run --debug ...`, `rasa shell`), not only through a flag.
"""
from ally import log_privacy

log_privacy.install()
