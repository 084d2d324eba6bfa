"""Install Ally's safeguards into the Rasa server: one explicit, idempotent call.

`install()` is called by ally.tracker_store.PrivacyTrackerStore when Rasa
creates it from endpoints.yml, which happens in every way the server starts
(`make run`, `rasa run`, `rasa shell`, the cluster), before any message is
handled. It puts in place:

* the log privacy filter (ally/log_privacy.py): no chat text in any log line;
* the answer when the action server is down or slow (ally/action_fallback.py);
* the action-answer check built once instead of on every call (ally/action_validation.py).

ally/guard.py refuses to serve unless `installed()` is true once the server
has started (docs/architecture.md shows where each part hooks in).
"""

from ally import action_fallback, action_validation, log_privacy


def install() -> None:
    log_privacy.install()
    action_fallback.install()
    action_validation.install()


def installed() -> bool:
    return log_privacy.installed() and action_fallback.installed() and action_validation.installed()
