"""Turn what a young person typed into an ISO 3166-1 alpha-2 country code.

Pure Python (pycountry + rapidfuzz), no Rasa. Never logs its input: the text
is a child's message.

Order of evidence, strongest first:
  1. the whole input is an upper-case code ("SE", "NZ", "IRL") or a flag emoji;
  2. a country name in the text ("i live in sweden", "in scotland rn"),
     with residence phrases ("live in", "moved to") winning over other places,
     then a lower-case code as the whole input ("nz", "ie"; not "no", "in", "me");
  3. a flag emoji, then an upper-case code after "in"/"from"/"the"/"to";
  4. a misspelt name (rapidfuzz), preferring the countries in `known`;
  5. a city or region (GeoNames, actions/places.py): "im in dublin" -> IE;
Names and nationality words come from pycountry, ALIASES, DEMONYMS and every
language's locales/<lang>.yml `countries` ("mieszkam w polsce", "je suis belge").
  6. a nationality about the user ("im swedish"): kind="nationality",
     because nationality is not residence and the caller must confirm it.
Places and nationalities said about someone else ("he's german",
"my friend lives in spain") are ignored.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterable, List, Mapping, Optional, Set, Tuple

import pycountry
from rapidfuzz import fuzz, process

from actions.places import city_mentions
from ally import locales


@dataclass(frozen=True)
class CountryMatch:
    code: str  # ISO 3166-1 alpha-2
    kind: str  # "exact" | "fuzzy" | "city" | "nationality"
    score: float  # 0..100


# Names people use that pycountry lacks (keys are normalised: lowercase, no accents).
ALIASES: Dict[str, str] = {
    "uk": "GB",
    "u k": "GB",
    "the uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "cymru": "GB",
    # Lower-case "ni" is Northern Ireland; a bare upper-case "NI" stays ISO (Nicaragua),
    # because the embedding site's metadata sends ISO codes.
    "ni": "GB",
    "united kingdom": "GB",
    "usa": "US",
    "us of a": "US",
    "the us": "US",
    "america": "US",
    "the states": "US",
    "united states": "US",
    "united states of america": "US",
    "the netherlands": "NL",
    "holland": "NL",
    "nederland": "NL",
    # "aus" alone is German for "from" ("ich komme aus österreich"): only after an English cue.
    "in aus": "AU",
    "from aus": "AU",
    "oz": "AU",
    "eire": "IE",
    "roi": "IE",
    "republic of ireland": "IE",
    "southern ireland": "IE",
    "nz": "NZ",
    "aotearoa": "NZ",
    "russia": "RU",
    "turkey": "TR",
    "czech republic": "CZ",
    "cesko": "CZ",
    "korea": "KR",
    "vatican": "VA",
    "vatican city": "VA",
    "uae": "AE",
    "emirates": "AE",
    "ivory coast": "CI",
    "cape verde": "CV",
    "swaziland": "SZ",
    "macedonia": "MK",
    "burma": "MM",
    "east timor": "TL",
    "palestine": "PS",
    "micronesia": "FM",
    "brunei": "BN",
    "drc": "CD",
    "dr congo": "CD",
    "falklands": "FK",
}

# Names that are also ordinary words or first names ("jordan asked me",
# "captain america"): they count only as the whole input or after "in"/"from"/"to".
CUE_NAMES = {
    "jordan",
    "chad",
    "georgia",
    "turkey",
    "guinea",
    "jersey",
    "china",
    "india",
    "chile",
    "niger",
    "mali",
    "togo",
    "israel",
    "kenya",
    "holland",
    "america",
    "the us",
    "oz",
    "reunion",
    "panama",
}
NAME_CUES = {"in", "from", "to", "near", "outside", "across", "around"}

# Demonyms: "im swedish" says nationality, which the caller must confirm.
DEMONYMS: Dict[str, str] = {
    "swedish": "SE",
    "swede": "SE",
    "irish": "IE",
    "british": "GB",
    "brit": "GB",
    "english": "GB",
    "scottish": "GB",
    "scot": "GB",
    "welsh": "GB",
    "northern irish": "GB",
    "american": "US",
    "canadian": "CA",
    "australian": "AU",
    "aussie": "AU",
    "kiwi": "NZ",
    "new zealander": "NZ",
    "german": "DE",
    "french": "FR",
    "spanish": "ES",
    "italian": "IT",
    "dutch": "NL",
    "polish": "PL",
    "danish": "DK",
    "norwegian": "NO",
    "finnish": "FI",
    "icelandic": "IS",
    "belgian": "BE",
    "swiss": "CH",
    "austrian": "AT",
    "portuguese": "PT",
    "greek": "GR",
    "czech": "CZ",
    "slovak": "SK",
    "hungarian": "HU",
    "romanian": "RO",
    "bulgarian": "BG",
    "croatian": "HR",
    "serbian": "RS",
    "slovenian": "SI",
    "bosnian": "BA",
    "albanian": "AL",
    "ukrainian": "UA",
    "russian": "RU",
    "lithuanian": "LT",
    "latvian": "LV",
    "estonian": "EE",
    "maltese": "MT",
    "cypriot": "CY",
    "luxembourgish": "LU",
    "turkish": "TR",
    "indian": "IN",
    "pakistani": "PK",
    "bangladeshi": "BD",
    "chinese": "CN",
    "japanese": "JP",
    "korean": "KR",
    "south korean": "KR",
    "filipino": "PH",
    "filipina": "PH",
    "vietnamese": "VN",
    "thai": "TH",
    "indonesian": "ID",
    "malaysian": "MY",
    "singaporean": "SG",
    "mexican": "MX",
    "brazilian": "BR",
    "argentinian": "AR",
    "argentine": "AR",
    "chilean": "CL",
    "colombian": "CO",
    "peruvian": "PE",
    "jamaican": "JM",
    "nigerian": "NG",
    "ghanaian": "GH",
    "kenyan": "KE",
    "south african": "ZA",
    "egyptian": "EG",
    "moroccan": "MA",
    "israeli": "IL",
    "iranian": "IR",
    "iraqi": "IQ",
    "syrian": "SY",
    "afghan": "AF",
    "saudi": "SA",
    "lebanese": "LB",
    "somali": "SO",
    "ethiopian": "ET",
    "eritrean": "ER",
    "sudanese": "SD",
    "trinidadian": "TT",
}
# "i am" in Ally's languages (accents stripped): "je suis belge", "ich bin deutsche", "jestem polakiem".
SELF_COPULA = {"im", "am", "iam", "suis", "bin", "ar", "soy", "sono", "ben", "jestem"}
# Words that may surround a bare demonym reply ("swedish!", "i'm half irish lol").
WHOLE_OK = SELF_COPULA | {
    "i",
    "a",
    "an",
    "half",
    "actually",
    "lol",
    "tbh",
    "btw",
    "yeah",
    "ya",
    "yes",
    ",",
    ".",
    "!",
    "?",
}
# "i speak english", "english homework": a language, not a nationality.
LANG_BEFORE = {
    "speak",
    "speaks",
    "speaking",
    "spoke",
    "talk",
    "talking",
    "write",
    "writing",
    "learn",
    "learning",
    "study",
    "studying",
    "in",
    "translate",
    "understand",
    "teach",
}
LANG_AFTER = {
    "class",
    "classes",
    "lesson",
    "lessons",
    "homework",
    "teacher",
    "language",
    "test",
    "exam",
    "food",
    "please",
    "pls",
    "plz",
    "only",
    "speaker",
    "translation",
}

# Codes that are chat slang or school subjects ("DM", "IRL", "fr", "IT", "PE"):
# never a code inside a sentence, and never a lower-case reply.
SLANG_CODES = {
    "irl",
    "brb",
    "dm",
    "gf",
    "bf",
    "gg",
    "vc",
    "fr",
    "pm",
    "ps",
    "pe",
    "np",
    "bs",
    "bb",
    "ai",
    "tv",
    "tt",
    "um",
    "eh",
    "er",
    "na",
    "hm",
    "mm",
    "sm",
    "gl",
    "cu",
    "yt",
    "sc",
    "pw",
    "sh",
    "lb",
    "kg",
    "km",
    "hr",
    "pr",
    "cv",
    "tm",
    "id",
    "bra",
    "af",
    "mc",
    "ad",
    "cd",
    "it",
    "re",
    "im",
}
# US states, Canadian provinces and Australian states written like country codes:
# "i live in CA" is more likely California than Canada, so not in a sentence.
REGION_CODES = {
    "al",
    "ar",
    "ca",
    "co",
    "de",
    "ga",
    "id",
    "il",
    "in",
    "la",
    "ma",
    "md",
    "me",
    "mn",
    "mo",
    "ms",
    "mt",
    "nc",
    "ne",
    "pa",
    "sc",
    "sd",
    "tn",
    "va",
    "nl",
    "sk",
    "sa",
}
# Codes that are words or slang: a lower-case reply "no", "in", "can" is not a code.
WORD_CODES = SLANG_CODES | {
    "in",
    "me",
    "no",
    "it",
    "is",
    "at",
    "be",
    "us",
    "am",
    "as",
    "by",
    "do",
    "my",
    "so",
    "to",
    "la",
    "ma",
    "pa",
    "mo",
    "bo",
    "ne",
    "re",
    "st",
    "mp",
    "ms",
    "can",
    "and",
    "are",
    "per",
    "guy",
    "arm",
    "fin",
    "ton",
    "ben",
    "pan",
    "gin",
    "cod",
    "cub",
    "col",
    "mac",
    "mar",
    "hun",
    "dom",
    "nor",
    "sen",
    "tun",
    "ye",
    "ly",
    "nu",
    "gn",
    "gm",
    "aw",
    "ago",
    "est",
    "esp",
    "lie",
    "gab",
    "com",
    "jam",
    "ken",
    "vat",
}
# Codes that are words of the other languages Ally speaks: "aus" (de), "che", "fra", "bel" (it), "ger" (sv),
# "ind" (da). Never a country inside a sentence ("ich komme aus österreich"), but a reply of just "aus" is.
FOREIGN_WORD_CODES = {"aus", "che", "fra", "bel", "ger", "ind"}
NOT_IN_SENTENCES = WORD_CODES | FOREIGN_WORD_CODES
CODE_CUES = {"in", "from", "the", "to"}

# Who a clause is about: the last subject before a mention decides.
FIRST_PERSON = {"i", "im", "iam", "ive", "id", "ill", "we", "myself"}
THIRD_PERSON = {
    "he",
    "she",
    "they",
    "hes",
    "shes",
    "theyre",
    "theyve",
    "his",
    "their",
    "friend",
    "friends",
    "mate",
    "bestie",
    "bff",
    "bro",
    "brother",
    "sister",
    "sis",
    "cousin",
    "bf",
    "gf",
    "boyfriend",
    "girlfriend",
    "mum",
    "mom",
    "mam",
    "mother",
    "dad",
    "father",
    "parents",
    "family",
    "guy",
    "girl",
    "boy",
    "man",
    "woman",
    "dude",
    "someone",
    "somebody",
    "person",
    "stranger",
}
CLAUSE_BREAKS = {
    ",",
    ".",
    ";",
    "!",
    "?",
    "and",
    "but",
    "though",
    "although",
    "while",
    "whereas",
    "so",
    "because",
    "cos",
    "cause",
}
RESIDENCE = {"live", "living", "lives", "based", "moved", "move", "stay", "staying", "reside", "currently", "rn", "now"}

# Misspellings. One wrong letter in a 6-letter name ("swedan") scores 83.3;
# shorter words, and words with another first letter, need 88.
FUZZY_MIN_LEN = 5
FUZZY_CUTOFF_KNOWN = 83.0  # countries in `known`: 6+ letters and the same first letter
FUZZY_CUTOFF_OTHER = 88.0  # everything else
# Real words that sit one letter away from a country name.
FUZZY_STOP = {
    "noway",
    "whales",
    "samosa",
    "woman",
    "roman",
    "hungry",
    "chilly",
    "fiance",
    "frances",
    "roland",
    "italic",
    "spacing",
    "nigger",
    "tiger",
    "serial",
    "germans",
    # function words: "the start" is not "the states"
    "the",
    "and",
    "for",
    "you",
    "are",
    "was",
    "not",
    "but",
    "with",
    "from",
    "this",
    "that",
    "what",
    "have",
    "just",
    "like",
    "your",
    "his",
    "her",
    "they",
    "she",
}

_TOKEN = re.compile(r"[^\W_]+|[,.;!?]")
_FLAG = re.compile("[\U0001f1e6-\U0001f1ff]{2}")
_TAG_FLAG = re.compile("\U0001f3f4([\U000e0061-\U000e007a]+)\U000e007f")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _tokens(text: str) -> List[str]:
    """Case-preserving tokens: "I'm" -> "Im", "U.K." -> "UK", emoji dropped."""
    text = _strip_accents(text)
    text = re.sub(r"(?<=[A-Za-z])['’`´](?=[A-Za-z])", "", text)
    text = re.sub(r"\b[A-Za-z](?:\.[A-Za-z]\b)+\.?", lambda m: m.group().replace(".", ""), text)
    return _TOKEN.findall(text)


def _key(name: str) -> Tuple[str, ...]:
    return tuple(t.casefold() for t in _tokens(name) if t.isalnum())


@lru_cache(maxsize=1)
def _base_index() -> Dict[Tuple[str, ...], str]:
    """Normalised name tokens -> code, from pycountry plus ALIASES."""
    index: Dict[Tuple[str, ...], str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(c, attr, None)
            if not name:
                continue
            name = re.sub(r"\(.*?\)", "", name)
            variants = [name]
            if ", " in name:  # "Korea, Republic of" -> "Republic of Korea"
                head, tail = name.split(", ", 1)
                variants.append(f"{tail} {head}")
            for v in variants:
                index.setdefault(_key(v), c.alpha_2)
    index.update({_key(k): v for k, v in ALIASES.items()})
    for code, entry in locale_countries("names").items():
        for name in entry:
            key = _key(name)
            # "us", "vs", "de vs": a short word of some language is not a country inside a sentence.
            if key and not (len(key) == 1 and (len(key[0]) <= 2 or key[0] in NOT_IN_SENTENCES)):
                index.setdefault(key, code)
    # "newzealand", "unitedkingdom": run-together multi-word names.
    for key, code in list(index.items()):
        if len(key) > 1:
            index.setdefault(("".join(key),), code)
    return index


KnownKey = Tuple[Tuple[str, Tuple[str, ...]], ...]


def _known_key(known: Mapping[str, Iterable[str]]) -> KnownKey:
    """A hashable copy of `known` (names may be a one-shot iterable or a single string)."""
    return tuple(
        sorted((code.upper(), (names,) if isinstance(names, str) else tuple(names)) for code, names in known.items())
    )


@lru_cache(maxsize=8)
def _index(known_key: KnownKey) -> Dict[Tuple[str, ...], str]:
    index = dict(_base_index())
    for code, names in known_key:
        for name in names:
            key = _key(name)
            # A caller's name that is also a word ("us") must not fire inside sentences.
            if key and not (len(key) == 1 and key[0] in NOT_IN_SENTENCES):
                index[key] = code
    return index


def _code(token: str) -> Optional[str]:
    found = pycountry.countries.get(alpha_2=token) if len(token) == 2 else pycountry.countries.get(alpha_3=token)
    return found.alpha_2 if found else None


def _about_someone_else(tokens: List[str], start: int) -> bool:
    """True when the clause before tokens[start] has a third-person subject last."""
    for i in range(start - 1, -1, -1):
        t = tokens[i]
        if t in CLAUSE_BREAKS:
            return False
        if t in FIRST_PERSON or (t == "me" and (i == 0 or tokens[i - 1] in CLAUSE_BREAKS)):
            return False
        if t in THIRD_PERSON:
            return True
    return False


def _is_residence(tokens: List[str], start: int, end: int) -> bool:
    before = tokens[max(0, start - 3) : start]
    return bool(RESIDENCE & set(before)) or (end < len(tokens) and tokens[end] in {"rn", "now"})


def _cue_ok(tokens: List[str], i: int, n: int) -> bool:
    """tokens[i:i+n] is the whole input or follows "in"/"from"/"to"."""
    rest = [t for t in tokens[:i] + tokens[i + n :] if t.isalnum()]
    return rest in ([], ["the"]) or (i > 0 and tokens[i - 1] in NAME_CUES)


def _find_names(tokens: List[str], index: Dict[Tuple[str, ...], str]) -> List[Tuple[int, int, str]]:
    """Longest-first n-gram scan: "northern ireland" wins over "ireland"."""
    longest = max(len(k) for k in index)
    used = [False] * len(tokens)
    found = []
    for n in range(min(longest, len(tokens)), 0, -1):
        for i in range(len(tokens) - n + 1):
            if any(used[i : i + n]):
                continue
            gram = tuple(tokens[i : i + n])
            code = index.get(gram)
            if code is None:
                continue
            if " ".join(gram) in CUE_NAMES and not _cue_ok(tokens, i, n):
                continue
            used[i : i + n] = [True] * n
            found.append((i, i + n, code))
    return sorted(found)


def _pick(tokens: List[str], mentions: List[Tuple[int, int, str]]) -> Optional[str]:
    """The user's own place: residence phrases first, then the first mention."""
    own = [m for m in mentions if not _about_someone_else(tokens, m[0])]
    for start, end, code in own:
        if _is_residence(tokens, start, end):
            return code
    return own[0][2] if own else None


def _flags(text: str) -> List[str]:
    # A flag is two regional indicator symbols: 🇸🇪 = S + E.
    codes = ["".join(chr(ord(ch) - 0x1F1E6 + ord("A")) for ch in pair) for pair in _FLAG.findall(text)]
    # England/Scotland/Wales flags are tag sequences starting "gb".
    codes += [
        chr(ord(tag[0]) - 0xE0000).upper() + chr(ord(tag[1]) - 0xE0000).upper()
        for tag in _TAG_FLAG.findall(text)
        if len(tag) >= 2
    ]
    return [c for c in codes if pycountry.countries.get(alpha_2=c)]


@lru_cache(maxsize=8)
def _fuzzy_choices(known_key: KnownKey) -> Dict[Tuple[bool, int], Dict[str, str]]:
    """Candidate names by (known country?, word count)."""
    known_codes = {code for code, _ in known_key}
    by_len: Dict[Tuple[bool, int], Dict[str, str]] = {}
    for key, code in _index(known_key).items():
        name = " ".join(key)
        if len(name.replace(" ", "")) < FUZZY_MIN_LEN or key[0] == "the":
            continue
        by_len.setdefault((False, len(key)), {})[name] = code
        if code in known_codes:
            by_len.setdefault((True, len(key)), {})[name] = code
    return by_len


def _fuzzy(tokens: List[str], known_key: KnownKey, skip: Set[int]) -> Optional[CountryMatch]:
    """Closest name to any 1-3 word run; `skip` holds token positions already read
    as something else (a demonym, a name rejected for lack of a cue)."""
    choices = _fuzzy_choices(known_key)
    best: Optional[Tuple[float, float, str]] = None  # (rank, score, name)
    for n in (1, 2, 3):
        for i in range(len(tokens) - n + 1):
            gram = tokens[i : i + n]
            if skip & set(range(i, i + n)) or any(not t.isalpha() or len(t) < 3 or t in FUZZY_STOP for t in gram):
                continue
            query = " ".join(gram)
            if len(query.replace(" ", "")) < FUZZY_MIN_LEN or _about_someone_else(tokens, i):
                continue
            for is_known, cutoff in ((True, FUZZY_CUTOFF_KNOWN), (False, FUZZY_CUTOFF_OTHER)):
                names = tuple(choices.get((is_known, n), ()))  # match names, not codes
                hit = process.extractOne(query, names, scorer=fuzz.ratio, score_cutoff=cutoff)
                # The looser band is for longer words that start right ("swedan"),
                # not "shells" ~ "hellas" or "brain" ~ "britain".
                if hit and hit[1] < FUZZY_CUTOFF_OTHER and (min(len(query), len(hit[0])) < 6 or query[0] != hit[0][0]):
                    hit = None
                # "captain amerika" is no more a country than "captain america".
                if hit and hit[0] in CUE_NAMES and not _cue_ok(tokens, i, n):
                    hit = None
                if hit:
                    # Known countries get a small bonus so they win near-ties.
                    rank = hit[1] + (1.0 if is_known else 0.0)
                    if best is None or rank > best[0]:
                        best = (rank, hit[1], hit[0])
                    break
    if best is None:
        return None
    code = choices[(False, len(best[2].split()))][best[2]]
    return CountryMatch(code, "fuzzy", round(best[1], 1))


def locale_countries(field: str) -> Dict[str, List[str]]:
    """Every language's `names` or `nationality` words per country code (locales/<lang>.yml)."""
    found: Dict[str, List[str]] = {}
    for data in locales.catalog().values():
        for code, entry in (data.get("countries") or {}).items():
            if isinstance(entry, dict):
                found.setdefault(str(code).upper(), []).extend(str(w) for w in entry.get(field) or [])
    return found


@lru_cache(maxsize=1)
def _demonym_index() -> Dict[Tuple[str, ...], str]:
    index = {_key(k): v for k, v in DEMONYMS.items()}
    for code, words in locale_countries("nationality").items():
        for word in words:
            index.setdefault(_key(word), code)
    return index


def _nationality(tokens: List[str], mentions: List[Tuple[int, int, str]]) -> Optional[str]:
    for start, end, code in mentions:
        before = tokens[max(0, start - 4) : start]
        after = tokens[end] if end < len(tokens) else ""
        if (before and before[-1] in LANG_BEFORE) or after in LANG_AFTER:
            continue
        whole = all(t in WHOLE_OK for t in tokens[:start] + tokens[end:])
        if (whole or SELF_COPULA & set(before)) and not _about_someone_else(tokens, start):
            return code
    return None


def resolve_country(text: str, known: Mapping[str, Iterable[str]]) -> Optional[CountryMatch]:
    """Best guess at the country the user lives in, or None."""
    if not text or not text.strip():
        return None
    known_key = _known_key(known)
    original = _tokens(text)
    words = [t for t in original if t.isalnum()]
    tokens = [t.casefold() for t in original]
    flags = _flags(text)

    # 1. A bare upper-case code, as metadata and NLU synonyms send it: "SE", "NO", "IRL".
    bare = words[1:] if len(words) == 2 and words[0].casefold() == "the" else words
    bare_code = _code(bare[0].upper()) if len(bare) == 1 and len(bare[0]) in (2, 3) and bare[0].isalpha() else None
    if bare_code and bare[0].isupper():
        return CountryMatch(bare_code, "exact", 100.0)
    if not words and flags:
        return CountryMatch(flags[0], "exact", 100.0)

    # 2. Names, aliases and the caller's native names; then a typed code ("nz"),
    # unless it is a word ("no", "in", "me").
    code = _pick(tokens, _find_names(tokens, _index(known_key)))
    if code:
        return CountryMatch(code, "exact", 100.0)
    if bare_code and bare[0].casefold() not in WORD_CODES:
        return CountryMatch(bare_code, "exact", 100.0)
    # 3. Flags, then upper-case codes in a mixed-case sentence ("i live in the US").
    if flags:
        return CountryMatch(flags[0], "exact", 100.0)
    if any(ch.islower() for ch in text):
        for i, tok in enumerate(original):
            if (
                i > 0
                and 2 <= len(tok) <= 3
                and tok.isalpha()
                and tok.isupper()
                and tokens[i - 1] in CODE_CUES
                and tok.casefold() not in SLANG_CODES | REGION_CODES
                and not _about_someone_else(tokens, i)
            ):
                code = _code(tok)
                if code:
                    return CountryMatch(code, "exact", 100.0)
    # 4. Misspellings, not of words already read as a name or a demonym.
    index = _index(known_key)
    demonyms = _find_names(tokens, _demonym_index())
    skip = {k for s, e, _ in demonyms for k in range(s, e)}
    skip |= {
        k
        for n in (1, 2, 3)
        for i in range(len(tokens) - n + 1)
        if tuple(tokens[i : i + n]) in index
        for k in range(i, i + n)
    }
    match = _fuzzy(tokens, known_key, skip)
    if match:
        return match
    # 5. A city or region ("im in dublin", "münchen"): its country, unless it is about someone else.
    for start, _, code in city_mentions(tokens, known):
        if not _about_someone_else(tokens, start):
            return CountryMatch(code, "city", 100.0)
    # 6. Nationality, which the caller must confirm.
    code = _nationality(tokens, demonyms)
    return CountryMatch(code, "nationality", 100.0) if code else None


def flag(code: str) -> str:
    """ "SE" -> "🇸🇪"."""
    code = code.upper()
    if len(code) != 2 or not code.isalpha():
        raise ValueError("expected an ISO 3166-1 alpha-2 code")
    return "".join(chr(0x1F1E6 + ord(ch) - ord("A")) for ch in code)


def country_name(code: str) -> str:
    """ "GB" -> "United Kingdom", "KR" -> "South Korea"."""
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        raise KeyError(code)
    return getattr(country, "common_name", None) or country.name
