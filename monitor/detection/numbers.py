"""Numerals as press releases write them: "1.000", "1 600", "1,700", "5.000.", "3.750-ste",
"100th", and number words ("tausendstes", "one hundredth") through text2num."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product, repeat

from text_to_num import alpha2digit

# A cardinal: digit groups with a thousands separator (dot, comma, space, narrow/no-break
# space) or a plain run of digits. The lookarounds stop "2008 100" from reading as one number
# and keep decimals ("1,5") and dates ("24.03.2016") from half-matching.
# A grouped number never starts with 0: "2023-03 335 Mitglieder" is a month and 335.
# (Swiss German separates thousands with an apostrophe: "12’563 Mitglieder")
NUM = r"(?<![\d.,])(?:[1-9]\d{0,2}(?:[.,\u00a0\u202f '’]\d{3})+(?!\d|[.,]\d)|\d{1,7}(?!\d|[.,]\d))"

_SEPARATORS = re.compile(r"[.,\u00a0\u202f '’]")
_DIGIT = re.compile(r"\d")

_DE_WORDS = frozenset(("der", "die", "das", "und", "ist", "mit", "wurde", "des", "sich"))
_EN_WORDS = frozenset(("the", "and", "is", "of", "with", "has", "was", "its"))
# (one vote per function word: English words count up, German words down)
_VOTES = {**dict.fromkeys(_DE_WORDS, -1), **dict.fromkeys(_EN_WORDS, 1)}
# The same votes under every mix of upper and lower case ("Der", "THE"), so that the text's words are
# looked up as they stand: lower-casing the text cost as much as counting. (Of all characters only
# ASCII letters lower-case to these words' letters, and the Kelvin sign to a "k" none of them has.)
_VOTES_ANY_CASE = {"".join(spelling): vote for word, vote in _VOTES.items()
                   for spelling in product(*((c, c.upper()) for c in word))}


class NumberFormatError(ValueError):
    """Raised when a string is not a numeral this module writes."""


def parse_number(text: str) -> int:
    """Integer value of a matched cardinal ("1.700" -> 1700, "1 600" -> 1600)."""
    digits = _SEPARATORS.sub("", text.strip())
    if not digits.isdigit():
        raise NumberFormatError(text)
    return int(digits)


def guess_language(text: str) -> str:
    """'de' or 'en' from function-word counts; press releases here are mostly German."""
    words = text[:1500].split()
    return "en" if sum(map(_VOTES_ANY_CASE.get, words, repeat(0))) > 0 else "de"


_LETTER_WORD = re.compile(r"[^\W\d_]{3,}")


@lru_cache(maxsize=100_000)
def _is_number_word(word: str, lang: str) -> bool:
    """Asks text2num itself whether a word is a numeral, once per word: the library stays the
    only source of number words, and sentences without any skip the costly conversion."""
    try:
        return alpha2digit(word, lang) != word
    except (ValueError, IndexError, KeyError):
        return False


# Words text2num has already judged, per language: set operations in C answer most
# sentences without a Python call per word.
_NUMBER_WORDS: dict[str, set[str]] = {}
_OTHER_WORDS: dict[str, set[str]] = {}
_MAX_REMEMBERED = 200_000


# "22 Millionen", "1,3 Mio.", "2.5 million": text2num reads the scale word alone (as 1000000).
_SCALED = re.compile(r"\b(\d{1,3}(?:[.,]\d{1,3})?)\s*(Millionen|Million|Mio\.?|Milliarden|Milliarde|Mrd\.?|millions?|"
                     r"billions?)(?!\w)", re.IGNORECASE)


# "eine halbe Million", "half a million", "a quarter of a million"
_FRACTION_SCALED = re.compile(r"\b(?:eine\s+halbe|einer\s+halben|half\s+a)\s+(Million|Milliarde|million|billion)\b",
                              re.IGNORECASE)


def _scaled(sentence: str, lang: str) -> str:
    if "hal" in sentence:
        sentence = _FRACTION_SCALED.sub(
            lambda m: str(500_000_000 if m.group(1).lower() in ("milliarde", "billion") else 500_000), sentence)

    def value(m: re.Match[str]) -> str:
        number, word = m.group(1), m.group(2).lower()
        factor = 1_000_000_000 if word.startswith(("milliard", "mrd", "bil")) else 1_000_000
        decimal = "," if lang == "de" else "."
        whole, _, frac = number.replace("." if decimal == "," else ",", "").partition(decimal)
        return str(int(whole) * factor + (int(frac) * factor // 10 ** len(frac) if frac else 0))
    return _SCALED.sub(value, sentence)


def has_number_words(sentence: str, lang: str) -> bool:
    """Does the sentence spell out a number ("fünfzig", "tausendstes", "one hundred")?"""
    # (a scaled number has a digit: the case-insensitive pattern is asked only then)
    if _DIGIT.search(sentence) and _SCALED.search(sentence) or "hal" in sentence and _FRACTION_SCALED.search(sentence):
        return True
    words = set(_LETTER_WORD.findall(sentence.lower()))
    numbers = _NUMBER_WORDS.setdefault(lang, set())
    if not words.isdisjoint(numbers):
        return True
    others = _OTHER_WORDS.setdefault(lang, set())
    unknown = words - others
    if not unknown:
        return False
    if len(others) > _MAX_REMEMBERED:  # bounded memory on endless streams of new words
        others.clear()
    found = False
    for word in unknown:
        if _is_number_word(word, lang):
            numbers.add(word)
            found = True
        else:
            others.add(word)
    return found


def words_to_digits(sentence: str, lang: str, check: bool = True) -> str:
    """Number words to digits ("tausendstes" -> "1000.", "one hundredth" -> "100th").

    German "ein"/"eine" stay words (text2num leaves isolated small numbers alone), so
    "ein neues Mitglied" is not read as a count of one. `check=False` skips the test for
    number words when the caller has already made it.
    """
    if check and not has_number_words(sentence, lang):
        return sentence
    sentence = _scaled(sentence, lang)
    # English capitalises a number word only inside a name ("the Big Ten Conference", "Group of
    # Seven"): those stay words.
    shielded = _NAMED_NUMBER.sub(lambda m: m.group(0).replace(m.group(2), m.group(2)[0] + "\u2060" + m.group(2)[1:]),
                                 sentence) if lang == "en" else sentence
    try:
        out = alpha2digit(shielded, lang)
    except (ValueError, IndexError, KeyError):
        # text2num rejects odd inputs in rare corners; the digits in the text still count.
        return sentence
    return out.replace("\u2060", "") if shielded is not sentence else out


_NAMED_NUMBER = re.compile(r"(?<=[A-Za-z])(\s+)(One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Eleven|Twelve|"
                           r"Twenty|Hundred|Thousand)\b")
