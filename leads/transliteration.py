"""Person names folded to one Latin skeleton, so a name written in Cyrillic or Latin agrees.

Russian and Uzbek names are spelled in both alphabets and in several Latin systems
(Шахноза / Shaxnoza / Shakhnoza, Юлия / Yuliya / Iuliia, Фёдор / Fyodor / Fedor); Lithuanian
names are typed with and without their diacritics (Šarūnas / Sarunas). Each spelling is first
turned into plain Latin letters, then variants that stand for one sound are folded together
(х/kh/x → h, ж/zh/j → j, ц/ts → c, й/y/i → i, ё/yo → e, ю/yu → iu, я/ya → ia, ...). The
skeleton is lossy on purpose: it is a look-up key, never shown.
"""

from __future__ import annotations

import re
import unicodedata

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Uzbek Cyrillic
    "ў": "o", "ғ": "g", "қ": "q", "ҳ": "h",
    # Kazakh, Ukrainian and Belarusian letters people of the region also write
    "ә": "a", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i", "ї": "i",
    "є": "ye", "ґ": "g",
}
_TRANSLATE = str.maketrans(_CYRILLIC)
# Uzbek Latin writes o' and g' with any of these; the tutuq belgisi (ʼ) is dropped too.
_APOSTROPHES = str.maketrans("", "", "'`ʻʼ’‘′´")
_NOT_LETTER = re.compile(r"[^a-z]")
# Applied in order on plain a-z text; longer spellings before the shorter ones they contain.
_FOLDS = tuple(
    (re.compile(spelled), folded)
    for spelled, folded in (
        ("shch|sch", "sh"), ("dzh|dj|zh", "j"), ("kh|ks|x", "h"), ("ts|tz", "c"), ("w", "v"),
        ("q", "k"), ("y", "i"), ("i+", "i"), ("i[eo]", "e"),
    )
)


def latin_letters(word: str) -> str:
    """`word` in lower-case Latin letters a-z only: Cyrillic transliterated, diacritics gone."""
    text = unicodedata.normalize("NFC", word).lower().translate(_APOSTROPHES)
    text = text.translate(_TRANSLATE)
    text = unicodedata.normalize("NFKD", text)
    return _NOT_LETTER.sub("", text)


def skeleton(word: str) -> str:
    """The folded Latin skeleton of one word of a name: equal for spellings of one name."""
    text = latin_letters(word)
    for spelled, folded in _FOLDS:
        text = spelled.sub(folded, text)
    return text
