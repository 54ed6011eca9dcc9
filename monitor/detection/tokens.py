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
from functools import lru_cache
from operator import attrgetter

from .numbers import NUM, parse_number

# Alternatives in the order of how often they occur: Python's engine tries them left to right at
# every position, and this order made tokenising four times faster than legal forms first.
# Legal forms ("e. V.", "GmbH & Co. KG") are joined from their words afterwards (_join_legal).
# The spaces before a token are part of its match (no token starts with one; the token is its
# group): the engine then makes one attempt per token instead of failing all seven alternatives
# at every space, which made tokenising about 40 % faster.
_TOKEN = re.compile(
    r"\s*(?:(?P<word>[^\W\d_][\w'’]*(?:[-/&][\w'’]+|\.[A-ZÄÖÜ][\w'’]+)*\.?)"  # "Umwelttechnologien.NRW"
    r"|(?P<numword>\d{1,7}-[^\W\d_][\w-]*)"  # "100-Mitglieder-Marke", "500-member"
    rf"|(?P<ord>{NUM}(?:st|nd|rd|th|-?ste[nmrs]?|-?te[nmrs]?)\b)"
    r"|(?P<dec>(?<![\d.,])\d{1,3}[.,]\d{1,2}(?!\d)(?![.,]\d))"  # "4.0", "1,5"
    rf"|(?P<num>{NUM}\.?)"
    r"|(?P<quote>[„“”‚‘’\"«»‹›])"
    r"|(?P<punct>[^\w\s]))",
)
_LEGAL_WORDS = frozenset("GmbH gGmbH mbH AG KG KGaA SE eG UG GbR OHG LLC plc Inc. Ltd Ltd. Srl SpA AB Oy ASA".split())
# Initials joined by full stops: "e. V.", "e.V.", "e. K.", "S.A.", "B.V."
_INITIALS = {("e", "V"), ("e", "K"), ("e", "G"), ("S", "A"), ("B", "V"), ("N", "V")}
# A trailing dot on a word is kept only for abbreviations that are part of names ("Co.", "Nr.").
_KEEP_DOT = frozenset("co nr no st dr prof ing dipl bzw ca inc ltd corp mr mrs ms jr sr".split())
# The words a legal form starts with: a sentence with none of them (most) skips _join_legal.
_LEGAL_STARTS = _LEGAL_WORDS | {first for first, _ in _INITIALS}
_TEXT = attrgetter("text")
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


def _join_legal(sentence: str, toks: list[Token]) -> list[Token]:
    """Legal forms as one token each: "e. V.", "GmbH & Co. KG", "UG (haftungsbeschränkt)"."""
    out: list[Token] = []
    i = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        if t.kind == "word" and i + 3 < n and (t.text, toks[i + 2].text) in _INITIALS \
                and toks[i + 1].text == "." and toks[i + 3].text == ".":
            end = toks[i + 3].start + 1
            out.append(Token(sentence[t.start:end], sentence[t.start:end].lower(), "legal", t.start))
            i += 4
            continue
        if t.kind == "word" and t.text in _LEGAL_WORDS:
            j = i + 1
            # "GmbH & Co. KG", "AG & Co. KGaA"
            if j + 2 < n and toks[j].text == "&" and toks[j + 1].low == "co." and toks[j + 2].text in ("KG", "KGaA"):
                j += 3
            elif j + 3 < n and toks[j].text == "(" and toks[j + 1].low == "haftungsbeschränkt" \
                    and toks[j + 2].text == ")":
                j += 3
            last = toks[j - 1]
            text = sentence[t.start:last.start + len(last.text)]
            out.append(Token(text, text.lower(), "legal", t.start))
            i = j
            continue
        out.append(t)
        i += 1
    return out


# A sentence is tokenised for its frames and again for the document model's names; the lists are
# never changed by their readers, so one list serves both. (A few hundred entries: one document's
# sentences, not a corpus; a benchmark repeating its texts gains nothing from it.)
@lru_cache(maxsize=256)
def tokenize(sentence: str) -> list[Token]:
    out: list[Token] = []
    append = out.append
    lowered = sentence.lower()
    # Slices of the lower-cased sentence are the tokens' lower forms, unless lower-casing changed
    # a length somewhere ("İ"); then each token is lower-cased on its own.
    aligned = len(lowered) == len(sentence)
    for m in _TOKEN.finditer(sentence):
        kind = m.lastgroup or "punct"
        start, end = m.span(kind)
        text = sentence[start:end]
        low = lowered[start:end] if aligned else text.lower()
        if kind == "word":
            if text[-1] == "." and low[:-1] not in _KEEP_DOT:
                append(Token(text[:-1], low[:-1], "word", start))
                append(Token(".", ".", "punct", end - 1))
            else:
                append(Token(text, low, "word", start))
        elif kind == "num":
            dot = text[-1] == "."
            digits = text[:-1] if dot else text
            try:
                value: int | None = parse_number(digits)
            except ValueError:
                value = None
            append(Token(digits, digits, "num", start, value, dot))
        elif kind == "ord":
            try:
                value = parse_number(_ORD_SUFFIX.sub("", text))
            except ValueError:
                value = None
            append(Token(text, low, "ord", start, value))
        elif kind == "numword":
            append(Token(text, low, "numword", start, int(text.partition("-")[0])))
        else:
            append(Token(text, low, kind, start))
    return out if _LEGAL_STARTS.isdisjoint(map(_TEXT, out)) else _join_legal(sentence, out)


def is_ordinal(tokens: list[Token], i: int) -> bool:
    """"100th", "100-ste", or "100." followed by a word (not the end of the sentence)."""
    tok = tokens[i]
    if tok.kind == "ord":
        return True
    return tok.kind == "num" and tok.dot and i + 1 < len(tokens) and tokens[i + 1].kind in ("word", "quote")
