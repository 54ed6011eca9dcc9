"""LowerCased gives what its case-insensitive pattern gives, also on the letters that lower-case
to something else (İ, ı, ſ), and refuses a pattern it could not answer for."""

from __future__ import annotations

import re

import pytest

from monitor.detection.frames import _ATTENDANCE, _HISTORY, _PAST
from monitor.detection.lexicon import NOT_PROGRAMMES, ORG_HEADS
from monitor.detection.lowercase import LowerCased

TEXTS = [
    "Der Vorstand des Vereins tagte.", "DER VORSTAND", "The Board met.", "EU-Mitgliedstaaten", "ein Teamleiter",
    "Die İnitiative Nord", "Der Vorſtand", "ıhk Köln", "İHK-Präsidium", "ΣΟΦΙΑ Verein", "die Kompetenznetzwerke",
    "Arbeitsgemeinschaft", "der Hub", "Hubert", "e. V.", "E.V.", "50 Mitglieder kamen zur Versammlung",
    "Brings together", "hatte 40 Mitglieder", "", "ohne Treffer", "Gegründet 1990, DAMALS 12", "İm Gründungsjahr",
]


@pytest.mark.parametrize("pattern", [NOT_PROGRAMMES, ORG_HEADS, _ATTENDANCE, _PAST, _HISTORY])
def test_same_answers_as_the_pattern(pattern: LowerCased) -> None:
    for text in TEXTS:
        for how in ("search", "match", "fullmatch"):
            want, got = getattr(pattern.compiled, how)(text), getattr(pattern, how)(text)
            assert (want and (want.span(), want.group())) == (got and (got.span(), got.group())), (how, text)
        assert pattern.found(text) == (pattern.compiled.search(text) is not None), text
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in pattern.compiled.finditer(text)]
        for pos in range(0, len(text), 3):
            want, got = pattern.compiled.search(text, pos, pos + 8), pattern.search(text, pos, pos + 8)
            assert (want and want.span()) == (got and got.span()), (text, pos)


def test_refuses_what_it_cannot_answer_for() -> None:
    with pytest.raises(ValueError):
        LowerCased(re.compile(r"verein", 0))  # case-sensitive
    with pytest.raises(ValueError):
        LowerCased(re.compile(r"Verein|[A-Z]+", re.IGNORECASE))  # upper-case letters
    assert LowerCased(re.compile(r"\bverein\W\s\S", re.IGNORECASE)).found("Der VEREIN, hier")
