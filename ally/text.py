"""One way to fold what a teenager typed, for every pattern Ally matches on it.

Lexicons, language-switch phrases and role phrases are all written in this
folded form: lowercase, apostrophes removed ("i'm" -> "im", "j'ai" -> "jai"),
accents removed ("dö" -> "do", "ß" -> "ss", "ł" -> "l"), whitespace collapsed.
"""

import re
import unicodedata

# Letters that Unicode decomposition does not reduce to a base letter.
_FOLD_LETTERS = str.maketrans({"ß": "ss", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ı": "i"})
_APOSTROPHES = re.compile(r"[’'`´]")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().translate(_FOLD_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_APOSTROPHES.sub("", text).split())
