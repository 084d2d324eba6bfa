"""Turn what a young person typed about their age into an age and an age band.

Pure Python, no Rasa. Never logs its input: the text is a child's message.
Only the band ("under_13", "13_15", "16_17", "adult") is ever stored.

Decisions (the band is what matters, so ambiguous school years take the
younger common age):
- "turning 15", "nearly 15", "almost 15" mean the user is 14 now; "just turned 15" is 15.
- "year N" (England/Wales, Northern Ireland, NZ, Australia) -> N + 4: year 9 -> 13.
  Northern Ireland numbers one year higher than England and Australia one
  lower; one mapping keeps year 7..13 at 11..17.
- Scotland "S1".."S6" -> 12..17, "P1".."P7" -> 5..11.
- US/Canada "6th grade", "grade 7", "7th grader" -> N + 5; "freshman" 14, "sophomore" 15.
- Ireland "1st year".."6th year" -> 12..17, "transition year" / "in TY" -> 15
  (a bare "ty" is "thank you").
- NZ "form 3" -> 13 (form N -> N + 10); "sixth form" -> 16, "upper sixth" -> 17.
- "primary school" -> 10; "uni", "college", "university" -> no school-year age
  (an explicit "im 19" still counts).
- Other people's ages ("he is 25", "my friend is 14", "a 25 year old guy") and
  ages the user says they lied about ("i told him im 16") are not the user's age.
- A parent, teacher or other adult role ("im his mum") gives no age:
  parse_age returns None and is_adult_role returns True.
"""

import re
import unicodedata
from typing import Any, List, Optional

MIN_AGE, MAX_AGE = 5, 99
BANDS = ("under_13", "13_15", "16_17", "adult")

_UNITS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
]

# Only 5..19 as bare words: "one of them", "two accounts" are never ages.
_WORD_NUMBER = re.compile(
    r"\b(?:(%s)(?:[\s-]?(%s))?|(%s))\b" % ("|".join(_TENS), "|".join(_UNITS[:9]), "|".join(_UNITS[4:]))
)
_ORDINAL = re.compile(r"\b(%s)\b" % "|".join(_ORDINALS))
_TOKEN = re.compile(r"\d+|[^\W\d_]+|[,.;!?%]")

SELF_CUES = {"im", "iam", "am", "age", "aged", "turned", "turning", "turn", "nearly", "almost"}
MINUS_ONE = {"turning", "turn", "nearly", "almost"}  # "turning 15" -> 14
FILLERS = {
    "only",
    "just",
    "like",
    "about",
    "around",
    "literally",
    "actually",
    "really",
    "bout",
    "abt",
    "now",
    "currently",
}
AGE_SUFFIXES = [
    ("yo",),
    ("y", "o"),
    ("yrs", "old"),
    ("yr", "old"),
    ("years", "old"),
    ("year", "old"),
    ("yrsold",),
    ("yearsold",),
    ("years", "of", "age"),
]
# Replies that are just an age: "14", "14 lol", "fourteen!", "14 yrs".
BARE_OK = {
    "yrs",
    "years",
    "yr",
    "y",
    "o",
    "yo",
    "old",
    "lol",
    "btw",
    "tbh",
    "rn",
    "and",
    "but",
    "haha",
    "ok",
    "okay",
    "i",
    "me",
    "m",
    "f",
    "age",
    ",",
    ".",
    "!",
    "?",
}
ORDINAL_SUFFIX = {"st", "nd", "rd", "th"}
# "5 minutes", "10pm", "5 foot", "14th of may": numbers that are not ages.
UNITS = ORDINAL_SUFFIX | {
    "pm",
    "am",
    "ft",
    "foot",
    "feet",
    "cm",
    "kg",
    "kilos",
    "lbs",
    "pounds",
    "quid",
    "euro",
    "euros",
    "dollars",
    "bucks",
    "min",
    "mins",
    "minutes",
    "hours",
    "hrs",
    "h",
    "sec",
    "secs",
    "seconds",
    "days",
    "weeks",
    "wks",
    "months",
    "times",
    "pics",
    "photos",
    "pictures",
    "accounts",
    "people",
    "messages",
    "texts",
    "followers",
    "likes",
    "k",
    "miles",
    "km",
    "oclock",
    "grand",
    "x",
    "%",
    "percent",
    "of",
    "more",
    "robux",
    "vbucks",
    "gb",
}
LONE_OK = {"im", "i", "am", "in", "at", "a", "still", "the", "school"}
UNI_WORDS = {"uni", "university", "college", "campus", "undergrad", "fresher", "freshers"}

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
    "u",
    "you",
    "youre",
    "ur",
    "friend",
    "friends",
    "mate",
    "bestie",
    "bff",
    "bro",
    "brother",
    "brothers",
    "sister",
    "sisters",
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
    "son",
    "daughter",
    "child",
    "kid",
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
    "who",
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
# "he thinks im 16", "i told him im 16": the age is a lie or a guess.
REPORTED = {
    "think",
    "thinks",
    "thought",
    "believe",
    "believes",
    "pretend",
    "pretended",
    "pretending",
    "lied",
    "lie",
    "lying",
    "fake",
    "claimed",
}
TOLD = {"told", "tell", "telling", "said", "say"}
OTHER_OBJECTS = {"him", "her", "them", "he", "she", "they"}

_ADULT_ROLE = re.compile(
    r"\b(?:im|i am|iam|as)\s+(?:(?:a|an|the|his|her|their|a single|a foster|also a|just a)\s+)?"
    r"(?:parent|mum|mom|mam|mother|dad|father|carer|caregiver|guardian|teacher|"
    r"teaching assistant|social worker|youth worker|counsell?or|school counsell?or|"
    r"safeguarding lead|grandparent|grandma|grandmother|grandad|granddad|grandfather|"
    r"step ?mum|step ?mom|step ?dad|foster parent|adult|grown up|nurse|police officer)s?\b"
    r"|\bmy\s+(?:son|daughter|child|kid|kids|children|stepson|stepdaughter|pupils?|students?)\b"
)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"(?<=[a-z])['’`´](?=[a-z])", "", text)  # i'm -> im
    text = _WORD_NUMBER.sub(_word_to_digits, text)  # twenty-one -> 21
    text = _ORDINAL.sub(lambda m: f"{_ORDINALS.index(m.group(1)) + 1}th", text)
    return text


def _word_to_digits(m: re.Match) -> str:
    if m.group(3):
        return str(_UNITS.index(m.group(3)) + 1)
    value = (_TENS.index(m.group(1)) + 2) * 10
    return str(value + (_UNITS.index(m.group(2)) + 1 if m.group(2) else 0))


def _tokens(text: str) -> List[str]:
    """Digits split from letters: "14yo" -> ["14", "yo"], "s3" -> ["s", "3"]."""
    return _TOKEN.findall(text)


def is_adult_role(text: str) -> bool:
    """True for "im a parent", "i'm his mum", "im a teacher", "my son is 14"."""
    return bool(text) and bool(_ADULT_ROLE.search(_normalise(text)))


def _about_someone_else(tokens: List[str], start: int) -> bool:
    """The last subject before tokens[start] in its clause is someone else,
    or the clause reports a lie ("he thinks im 16", "i told him im 16")."""
    clause: List[str] = []
    for t in reversed(tokens[:start]):
        if t in CLAUSE_BREAKS:
            break
        clause.insert(0, t)
    if REPORTED & set(clause):
        return True
    if any(t in TOLD and n in OTHER_OBJECTS for t, n in zip(clause, clause[1:])):
        return True
    for i in range(len(clause) - 1, -1, -1):
        if clause[i] in FIRST_PERSON or (clause[i] == "me" and i == 0):
            return False
        if clause[i] in THIRD_PERSON:
            return True
    return False


def _school_age(t: List[str], i: int, n: int, uni: bool) -> Optional[int]:
    """Age from a school year around the number t[i] == n, if any."""
    prev = t[i - 1] if i > 0 else ""
    nxt = t[i + 1] if i + 1 < len(t) else ""
    after = t[i + 2] if i + 2 < len(t) else ""
    if nxt in ORDINAL_SUFFIX:  # 7th grade, 1st year, 6th form
        if after in {"grade", "grader", "graders"} and 1 <= n <= 12:
            return n + 5
        if after == "year" and 1 <= n <= 6 and not uni:  # Irish secondary
            return n + 11
        if after == "form" and 1 <= n <= 7:
            return n + 10
        if prev in {"lower", "upper"} and n == 6:  # lower/upper sixth
            return 16 if prev == "lower" else 17
        return None
    if prev in {"year", "yr", "y"} and 1 <= n <= 13 and not uni:
        return n + 4
    if prev in {"grade", "gr", "grd"} and 1 <= n <= 12:
        return n + 5
    if prev == "form" and 1 <= n <= 7:
        return n + 10
    before_prev = t[i - 2] if i > 1 else ""
    if prev == "s" and 1 <= n <= 6 and not before_prev.isdigit():  # Scottish S1..S6
        return n + 11
    if prev == "p" and 1 <= n <= 7 and not before_prev.isdigit():  # Scottish P1..P7
        return n + 4
    return None


def _plain_age(t: List[str], i: int, n: int) -> Optional[int]:
    """An age stated as a number, when the words around it say it is one."""
    nxt = tuple(t[i + 1 : i + 4])
    has_suffix = any(nxt[: len(s)] == s for s in AGE_SUFFIXES)
    if not has_suffix and nxt and (nxt[0] in UNITS or nxt[0].isdigit()):  # "5 mins", "5'4"
        return None
    # Walk back over fillers: "im only 14", "im nearly 15", "turning 15".
    j, adjust, cued = i - 1, 0, False
    while j >= 0 and (t[j] in FILLERS or t[j] in MINUS_ONE):
        adjust = -1 if t[j] in MINUS_ONE else adjust
        cued = cued or t[j] in MINUS_ONE
        j -= 1
    prev = t[j] if j >= 0 else ""
    if prev in SELF_CUES or (prev == "m" and j > 0 and t[j - 1] == "i"):
        cued = True
    if t[max(0, j - 2) : j + 1] == ["my", "age", "is"]:
        cued = True
    # "a 25 year old (guy)" describes someone; "im a 14 year old" is the user.
    if prev in {"a", "an"}:
        if not (j > 0 and t[j - 1] in {"im", "am", "iam"}):
            return None
        cued = True
    words = [w for k, w in enumerate(t) if k != i]
    bare = all(w in BARE_OK for w in words) and not any(w.isdigit() for w in words)
    first = i == 0 and (not nxt or nxt[0] in CLAUSE_BREAKS | {"btw", "lol"})
    return n + adjust if (cued or has_suffix or bare or first) else None


def parse_age(text: str) -> Optional[int]:
    """The user's own age from free text, or None. See the module docstring."""
    if not text or is_adult_role(text):
        return None
    t = _tokens(_normalise(text))
    uni = bool(UNI_WORDS & set(t))
    stated: List[int] = []
    school: List[int] = []
    for i, tok in enumerate(t):
        if not tok.isdigit() or len(tok) > 3:
            continue
        n = int(tok)
        age = _school_age(t, i, n, uni)
        target = school
        if age is None and (i == 0 or t[i - 1] not in {"year", "yr", "y", "grade", "form"}):
            age, target = _plain_age(t, i, n), stated
        if age is not None and MIN_AGE <= age <= MAX_AGE and not _about_someone_else(t, i):
            target.append(age)
    if not stated and not school and not uni:
        school += _school_words(t)
    # A stated number beats a school year ("im 14, year 9").
    found = stated or school
    return found[0] if found else None


def _school_words(t: List[str]) -> List[int]:
    """ "im in primary school", "sixth form", "transition year", "freshman"."""

    def alone(k: int) -> bool:  # the whole message is about this word
        return all(w in LONE_OK or w in CLAUSE_BREAKS for w in t[:k] + t[k + 1 :])

    found = []
    for k, w in enumerate(t):
        prev = t[k - 1] if k else ""
        pair = t[k : k + 2]
        if w in {"primary", "elementary"} and (alone(k) or prev in {"in", "at"}):
            age = 10
        elif pair == ["transition", "year"] or (w == "ty" and prev in {"in", "doing"}):
            age = 15
        elif w in {"freshman", "sophomore"} and (alone(k) or prev in {"a", "im"}):
            age = 14 if w == "freshman" else 15
        else:
            continue
        if not _about_someone_else(t, k):
            found.append(age)
    return found


def age_band(age: Optional[int]) -> Optional[str]:
    if age is None:
        return None
    if age < 13:
        return "under_13"
    if age < 16:
        return "13_15"
    if age < 18:
        return "16_17"
    return "adult"


def band_from_entity_or_metadata(value: Any) -> Optional[str]:
    """A band from metadata (14, "14") or an entity ("year 9", "fourteen", "13_15")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            return None
        age = int(value)
        return age_band(age) if MIN_AGE <= age <= MAX_AGE else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    as_band = re.sub(r"[\s-]+", "_", text.casefold())
    if as_band in BANDS:
        return as_band
    return age_band(parse_age(text))
