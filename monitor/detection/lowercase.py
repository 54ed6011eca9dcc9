"""Case-insensitive patterns tried on lower-cased text first (see ``LowerCased``)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from re import _compiler, _constants, _parser  # type: ignore[attr-defined]

_ESCAPE = re.compile(r"\\.")


def lowered(string: str) -> str | None:
    """The lower-cased string, or None when it has a letter that matches "i" or "s"
    case-insensitively but lower-cases to something else: İ (to two characters, which shifts
    offsets), ı and ſ (to themselves)."""
    # The frames ask one sentence's text many patterns in a row: its lower case is remembered (one
    # string, by identity; one tuple, so that threads never see one string with another's answer).
    global _last_lowered
    last = _last_lowered
    if last[0] is string:
        return last[1]
    low = string.lower()
    answer = None if len(low) != len(string) or "ı" in low or "ſ" in low else low
    _last_lowered = (string, answer)
    return answer


_last_lowered: tuple[str, str | None] = ("", "")


class LowerCased:
    """A case-insensitive pattern written in lower case, asked of the lower-cased text first.

    Python's engine tries a case-insensitive alternation of many words at every position of a
    text, several times slower than the same pattern without the flag on the lower-cased text, and
    most texts do not match. Lower-casing keeps every offset, and a letter matches case-insensitively
    just what it lower-cases to (word characters stay word characters), except for the letters
    ``_lowered`` leaves to the original: so the lower-case pattern matches where the original does.
    Only where it matches is the original asked, and callers get the very match they got before."""

    __slots__ = ("compiled", "pattern", "_lower", "_lower_anywhere")

    def __init__(self, compiled: re.Pattern[str]) -> None:
        bare = _ESCAPE.sub("", compiled.pattern)
        if not compiled.flags & re.IGNORECASE or bare != bare.lower():
            raise ValueError(f"not a case-insensitive pattern in lower case: {compiled.pattern[:60]}")
        self.compiled = compiled
        self.pattern = compiled.pattern
        self._lower = _existence_pattern(compiled.pattern, compiled.flags & ~re.IGNORECASE, anchored=True)
        self._lower_anywhere = _existence_pattern(compiled.pattern, compiled.flags & ~re.IGNORECASE, anchored=False)

    # (Each method asks the lower-case pattern itself: a shared helper cost a third of the time of
    # a question most texts answer with no.)
    def found(self, string: str) -> bool:
        """Whether the pattern matches somewhere: here the lower-case pattern's answer is the
        original's (the converse holds too: what a letter lower-cases to matches it)."""
        low = lowered(string)
        return (self._lower_anywhere.search(low) if low is not None else self.compiled.search(string)) is not None

    def found_in(self, string: str, low: str | None) -> bool:
        """``found`` for a caller that asks several patterns of one text: ``low`` is
        ``lowered(string)``, made once."""
        return (self._lower_anywhere.search(low) if low is not None else self.compiled.search(string)) is not None

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        low = lowered(string)
        if low is not None and self._lower_anywhere.search(low, pos, endpos) is None:
            return None
        return self.compiled.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        low = lowered(string)
        if low is not None and self._lower.match(low, pos, endpos) is None:
            return None
        return self.compiled.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        low = lowered(string)
        if low is not None and self._lower.fullmatch(low, pos, endpos) is None:
            return None
        return self.compiled.fullmatch(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        low = lowered(string)
        if low is not None and self._lower_anywhere.search(low, pos, endpos) is None:
            return iter(())
        return self.compiled.finditer(string, pos, endpos)


# The lower-case pattern only answers whether there is a match (the original gives the match), so it
# is compiled in a form the engine tries faster: an alternation of many words ("vorstand|präsidium|
# …") is tried alternative by alternative at every position of the text, and the same words as a
# tree by their first letters ("v(?:orstand|…)|p(?:räsidium|…)") fail after a handful of tests.
# Alternatives that start with different letters cannot match at the same place, so grouping them
# changes no answer; one that does not start with a letter keeps its place among the others.
_LITERAL, _BRANCH, _SUBPATTERN = _constants.LITERAL, _constants.BRANCH, _constants.SUBPATTERN
_NESTED = {_constants.MAX_REPEAT: 2, _constants.MIN_REPEAT: 2, _constants.POSSESSIVE_REPEAT: 2,
           _constants.ASSERT: 1, _constants.ASSERT_NOT: 1}  # (where the nested pattern stands)


def _existence_pattern(pattern: str, flags: int, anchored: bool) -> re.Pattern[str]:
    """``pattern`` for the question whether it matches; ``anchored``: at the position asked (match,
    fullmatch), else anywhere after it (search)."""
    parsed = _parser.parse(pattern, flags)
    if not anchored:
        parsed = _without_leading_repeat(parsed)
    return _compiler.compile(_factored(parsed), flags)  # type: ignore[no-any-return]


def _without_leading_repeat(sub: _parser.SubPattern) -> _parser.SubPattern:
    """The pattern without what may repeat none or more times where a match starts ("\\w*gemeinschaft"
    is found where "gemeinschaft" is): there is a match with it exactly where there is one without it,
    a few characters on, and the engine no longer runs to a word's end and back at every letter.
    (Also at the start of each alternative of a group the pattern starts with; not into a numbered
    group, whose text a back-reference may repeat.) Only for a search: a match must start where
    it is asked for."""
    data = list(sub.data)
    while data and data[0][0] in (_constants.MAX_REPEAT, _constants.MIN_REPEAT) and data[0][1][0] == 0 \
            and not _numbered_group(data[0][1][2]):
        del data[0]
    if data and data[0][0] is _SUBPATTERN and data[0][1][0] is None and not any(data[0][1][1:3]):
        data[0] = (_SUBPATTERN, (None, 0, 0, _without_leading_repeat(data[0][1][3])))
    elif data and data[0][0] is _BRANCH:
        data[0] = (_BRANCH, (data[0][1][0], [_without_leading_repeat(alt) for alt in data[0][1][1]]))
    return _parser.SubPattern(sub.state, data)


def _numbered_group(sub: _parser.SubPattern) -> bool:
    """Whether a numbered group stands in the pattern (a back-reference may repeat its text)."""
    return any(op is _SUBPATTERN and av[0] is not None or op is _SUBPATTERN and _numbered_group(av[3])
               or op is _BRANCH and any(_numbered_group(alt) for alt in av[1])
               or op in _NESTED and _numbered_group(av[_NESTED[op]])
               or op is _constants.ATOMIC_GROUP and _numbered_group(av)
               or op is _constants.GROUPREF_EXISTS
               for op, av in sub.data)


def _factored(sub: _parser.SubPattern) -> _parser.SubPattern:
    if sub.state.flags & re.IGNORECASE:
        return sub  # ("a…" and "A…" would be two branches that match the same text)
    out = []
    for op, av in sub.data:
        if op is _SUBPATTERN and av[1] & re.IGNORECASE:
            pass  # (a case-insensitive group, "(?i:…)", stays as it is)
        elif op is _BRANCH:
            av = (av[0], _by_first_letter(sub.state, [_factored(alt) for alt in av[1]]))
        elif op is _SUBPATTERN:
            av = (*av[:3], _factored(av[3]))
        elif op in _NESTED:
            at = _NESTED[op]
            av = (*av[:at], _factored(av[at]), *av[at + 1:])
        elif op is _constants.ATOMIC_GROUP:
            av = _factored(av)
        out.append((op, av))
    return _parser.SubPattern(sub.state, out)


def _by_first_letter(state: _parser.State, alternatives: list[_parser.SubPattern]) -> list[_parser.SubPattern]:
    out: list[_parser.SubPattern] = []
    run: dict[int, list[list[tuple]]] = {}  # first letter -> the rests of the alternatives it starts

    def flush() -> None:
        for first, rests in run.items():
            if len(rests) == 1:
                out.append(_parser.SubPattern(state, [(_LITERAL, first), *rests[0]]))
            else:
                tree = _by_first_letter(state, [_parser.SubPattern(state, rest) for rest in rests])
                group = _parser.SubPattern(state, [(_BRANCH, (None, tree))])
                out.append(_parser.SubPattern(state, [(_LITERAL, first), (_SUBPATTERN, (None, 0, 0, group))]))
        run.clear()

    for alt in alternatives:
        if alt.data and alt.data[0][0] is _LITERAL:
            run.setdefault(alt.data[0][1], []).append(list(alt.data[1:]))
        else:
            flush()
            out.append(alt)
    flush()
    return out
