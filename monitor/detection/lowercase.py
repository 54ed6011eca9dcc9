"""Case-insensitive patterns tried on lower-cased text first (see ``LowerCased``)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator

_ESCAPE = re.compile(r"\\.")


def lowered(string: str) -> str | None:
    """The lower-cased string, or None when it has a letter that matches "i" or "s"
    case-insensitively but lower-cases to something else: İ (to two characters, which shifts
    offsets), ı and ſ (to themselves)."""
    low = string.lower()
    if len(low) != len(string) or "ı" in low or "ſ" in low:
        return None
    return low


class LowerCased:
    """A case-insensitive pattern written in lower case, asked of the lower-cased text first.

    Python's engine tries a case-insensitive alternation of many words at every position of a
    text, several times slower than the same pattern without the flag on the lower-cased text, and
    most texts do not match. Lower-casing keeps every offset, and a letter matches case-insensitively
    just what it lower-cases to (word characters stay word characters), except for the letters
    ``_lowered`` leaves to the original: so the lower-case pattern matches where the original does.
    Only where it matches is the original asked, and callers get the very match they got before."""

    __slots__ = ("compiled", "pattern", "_lower")

    def __init__(self, compiled: re.Pattern[str]) -> None:
        bare = _ESCAPE.sub("", compiled.pattern)
        if not compiled.flags & re.IGNORECASE or bare != bare.lower():
            raise ValueError(f"not a case-insensitive pattern in lower case: {compiled.pattern[:60]}")
        self.compiled = compiled
        self.pattern = compiled.pattern
        self._lower = re.compile(compiled.pattern, compiled.flags & ~re.IGNORECASE)

    def found(self, string: str) -> bool:
        """Whether the pattern matches somewhere: here the lower-case pattern's answer is the
        original's (the converse holds too: what a letter lower-cases to matches it)."""
        return self.found_in(string, lowered(string))

    def found_in(self, string: str, low: str | None) -> bool:
        """``found`` for a caller that asks several patterns of one text: ``low`` is
        ``lowered(string)``, made once."""
        return (self._lower.search(low) if low is not None else self.compiled.search(string)) is not None

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._ask(self._lower.search, self.compiled.search, string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._ask(self._lower.match, self.compiled.match, string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._ask(self._lower.fullmatch, self.compiled.fullmatch, string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        low = lowered(string)
        if low is not None and self._lower.search(low, pos, endpos) is None:
            return iter(())
        return self.compiled.finditer(string, pos, endpos)

    @staticmethod
    def _ask(lower: Callable[[str, int, int], re.Match[str] | None],
             original: Callable[[str, int, int], re.Match[str] | None],
             string: str, pos: int, endpos: int) -> re.Match[str] | None:
        low = lowered(string)
        if low is not None and lower(low, pos, endpos) is None:
            return None
        return original(string, pos, endpos)
