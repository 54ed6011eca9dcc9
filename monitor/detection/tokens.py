"""Tokens of one sentence: words, numbers (with their value), ordinals, legal forms, punctuation.

The detector reads sentences as token sequences rather than as strings, so that a frame can ask
"what stands two words after this number" instead of spelling out every phrasing in a regular
expression. Number words become digits first (text2num, see ``numbers.words_to_digits``).

A general tokenizer (SoMaJo) was measured at about 2 ms a sentence; the detector must keep
2,000 releases a second, and the few things it needs from tokens (numbers with German thousands
separators, ordinals such as "100.", legal forms such as "e. V." and "GmbH & Co. KG" kept whole)
are exactly what a general tokenizer does not do for it. So this one is small and specialised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import NUM, parse_number

_LEGAL = (
    r"e\.\s?V\.|e\.\s?K\.|gGmbH|GmbH\s?&\s?Co\.\s?KG(?:aA)?|GmbH|mbH|AG\s?&\s?Co\.\s?KG|AG|KGaA|KG|SE|eG|UG"
    r"(?:\s?\(haftungsbeschränkt\))?|Inc\.|Ltd\.?|LLC|plc|e\.\s?G\.|GbR|OHG|S\.A\.|B\.V\.|N\.V\."
)
_TOKEN = re.compile(
    rf"(?P<legal>(?<![\w-])(?:{_LEGAL})(?![\w-]))"
    rf"|(?P<numword>\d{{1,7}}-[^\W\d_][\w-]*)"  # "100-Mitglieder-Marke", "500-member"
    rf"|(?P<ord>{NUM}(?:st|nd|rd|th|-?ste[nmrs]?|-?te[nmrs]?)\b)"
    r"|(?P<dec>(?<![\d.,])\d{1,3}[.,]\d{1,2}(?!\d)(?![.,]\d))"  # "4.0", "1,5"
    rf"|(?P<num>{NUM}\.?)"
    r"|(?P<word>[^\W\d_][\w'’]*(?:[-/&][\w'’]+|\.[A-ZÄÖÜ][\w'’]+)*\.?)"  # "Umwelttechnologien.NRW"
    r"|(?P<quote>[„“”‚‘’\"«»‹›])"
    r"|(?P<punct>[^\w\s])",
)
# A trailing dot on a word is kept only for abbreviations that are part of names ("Co.", "Nr.").
_KEEP_DOT = frozenset("co nr no st dr prof ing dipl bzw ca inc ltd corp mr mrs ms jr sr".split())
_ORD_SUFFIX = re.compile(r"(?:st|nd|rd|th|-?ste[nmrs]?|-?te[nmrs]?)$")


@dataclass(slots=True)
class Token:
    text: str
    low: str
    kind: str  # word, num, ord, legal, numword, quote, punct
    start: int
    value: int | None = None  # numbers and ordinals
    dot: bool = False  # a number written with a full stop after it: "100." (German ordinal?)

    @property
    def cap(self) -> bool:
        return self.kind == "word" and self.text[:1].isupper()


def tokenize(sentence: str) -> list[Token]:
    out: list[Token] = []
    for m in _TOKEN.finditer(sentence):
        kind = m.lastgroup or "punct"
        text = m.group()
        start = m.start()
        if kind == "word" and text.endswith(".") and text[:-1].lower() not in _KEEP_DOT:
            out.append(Token(text[:-1], text[:-1].lower(), "word", start))
            out.append(Token(".", ".", "punct", start + len(text) - 1))
            continue
        if kind == "num":
            dot = text.endswith(".")
            digits = text[:-1] if dot else text
            try:
                value = parse_number(digits)
            except ValueError:
                value = None
            out.append(Token(digits, digits, "num", start, value, dot))
            continue
        if kind == "ord":
            digits = _ORD_SUFFIX.sub("", text)
            try:
                value = parse_number(digits)
            except ValueError:
                value = None
            out.append(Token(text, text.lower(), "ord", start, value))
            continue
        if kind == "numword":
            head, _, rest = text.partition("-")
            out.append(Token(text, text.lower(), "numword", start, int(head)))
            continue
        out.append(Token(text, text.lower(), kind, start))
    return out


def is_ordinal(tokens: list[Token], i: int) -> bool:
    """"100th", "100-ste", or "100." followed by a word (not the end of the sentence)."""
    tok = tokens[i]
    if tok.kind == "ord":
        return True
    return tok.kind == "num" and tok.dot and i + 1 < len(tokens) and tokens[i + 1].kind in ("word", "quote")
