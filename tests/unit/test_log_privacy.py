"""The log filter removes chat text from every record, whatever the shape."""

import logging

import pytest

from ally import log_privacy

CANARY = "purple giraffe canary 8317 on the roof"


@pytest.fixture
def captured():
    log_privacy.install()
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    logger = logging.getLogger("ally.test")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield logger, records
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    "template,args",
    [
        ("processor.message.parse parse_data_text=%r", (CANARY,)),
        ("%s", ({"text": CANARY, "intent": {"name": "greet"}},)),
        ('{"event": "user", "text": "%s", "parse_data": {}}', (CANARY,)),
        ("UserUttered(text: %s, intent: greet)", (CANARY,)),
        ("text=%r", (CANARY,)),
    ],
)
def test_known_shapes_are_redacted(captured, template, args):
    logger, records = captured
    logger.debug(template, *args)
    assert CANARY not in records[-1]
    assert log_privacy.REDACTED in records[-1]


def test_remembered_text_is_redacted_in_any_shape(captured):
    logger, records = captured
    unique = "my secret is the blue fox 4411"
    log_privacy.remember_text(unique)
    logger.warning("something odd about <%s> happened", unique)
    logger.info("escaped: %s", unique.encode("unicode_escape").decode())
    assert all(unique not in r for r in records)


def test_ordinary_lines_are_kept(captured):
    logger, records = captured
    logger.info("Action server is up on port %d", 5055)
    assert records[-1] == "Action server is up on port 5055"


@pytest.mark.parametrize(
    "line",
    [
        '{"entities": [{"entity": "country", "value": "%s", "start": 3}]}' % CANARY,
        "rasa_events=[SlotSet(key: country, value: %s)]" % CANARY,
    ],
)
def test_entity_and_slot_values_are_redacted(captured, line):
    logger, records = captured
    logger.debug(line)
    assert CANARY not in records[-1]
