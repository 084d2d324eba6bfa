"""Answer in the user's language: Rasa's own response generator, one per language.

endpoints.yml names this class (`nlg: type: ally.nlg.LanguageNLG`), so every
response the Rasa server sends goes through it: the rule answers, the
responses the action server asks for, and the offline answers when the
action server is down. It picks the language (ally.locales.choose: the
`language` slot, which the language detector fills from what the user
wrote, else the page's language from the message metadata, else English),
then lets Rasa's TemplatedNaturalLanguageGenerator pick the variant (age
band conditions) from that language's responses (domain.yml for English,
locales/<language>.yml for the others).
"""

from typing import Any, Optional

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from ally import locales


def tracker_language(tracker: DialogueStateTracker) -> str:
    metadata = getattr(tracker.latest_message, "metadata", None) or {}
    page = metadata.get("language") if isinstance(metadata, dict) else None
    return locales.choose(tracker.get_slot("language"), page)


class LanguageNLG(TemplatedNaturalLanguageGenerator):
    """Rasa's generator for English, plus one per language; Rasa sets `responses` once the model is loaded."""

    def __init__(self, endpoint_config: Any = None, domain: Optional[Domain] = None, **_: Any) -> None:
        super().__init__((domain or Domain.empty()).responses)

    @property
    def responses(self) -> dict[str, list[dict[str, Any]]]:
        return self._responses

    @responses.setter
    def responses(self, value: dict[str, list[dict[str, Any]]]) -> None:
        self._responses = value
        self.by_language = {
            language: TemplatedNaturalLanguageGenerator(locales.responses(language, value))
            for language in locales.supported()
            if language != locales.DEFAULT_LANGUAGE
        }

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> Optional[dict[str, Any]]:
        generator = self.by_language.get(tracker_language(tracker))
        if generator is not None:
            message = await generator.generate(utter_action, tracker, output_channel, **kwargs)
            if message is not None:
                return message
            # A missing translation fails the tests; in production English beats silence.
        return await super().generate(utter_action, tracker, output_channel, **kwargs)
