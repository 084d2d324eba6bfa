"""Cities and regions as young people name them (actions/places.py through actions/country.py)."""

import pytest

from actions.country import resolve_country
from actions.slots import known_country_names

KNOWN = known_country_names()


@pytest.mark.parametrize(
    "text,code",
    [
        ("im in dublin", "IE"),
        ("glasgow", "GB"),
        ("ich wohne in münchen", "DE"),
        ("j'habite à lyon", "FR"),
        ("jag bor i göteborg", "SE"),
        ("mieszkam w krakowie", "PL"),  # Polish declines the name: Kraków
        ("jestem z gdańska", "PL"),
        ("mieszkam we wrocławiu", "PL"),
        ("mieszkam w łodzi", "PL"),
        ("mieszkam w katowicach", "PL"),
    ],
)
def test_a_city_gives_its_country(text, code):
    match = resolve_country(text, KNOWN)
    assert match is not None and match.code == code, match


@pytest.mark.parametrize(
    "text",
    ["mieszkam z mamą", "jestem w szkole", "czy gadanie z ludźmi w grach jest niebezpieczne", "w domu", "i come home"],
)
def test_ordinary_words_are_not_cities(text):
    assert resolve_country(text, KNOWN) is None
