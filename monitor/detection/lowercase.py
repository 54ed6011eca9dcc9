"""Case-insensitive patterns tried on lower-cased text first (see ``LowerCased``)."""

from __future__ import annotations

import re
import sys

# Letters that match "i" or "s" case-insensitively but lower-case to something else (İ even to two
# characters, which would shift offsets): a text with one of them is left to the pattern itself.
_ODD = re.compile("[\u0130\u0131\u017f]")  # İ ı ſ
_ESCAPE = re.compile(r"\\.")


class LowerCased:
    """A case-insensitive pattern written in lower case, asked of the lower-cased text first.

    Python's engine tries a case-insensitive alternation of many words at every position of a
    text, several times slower than the same pattern without the flag on the lower-cased text, and
    most texts do not match. Lower-casing keeps every offset, and a letter matches case-insensitively
    just what it lower-cases to (word characters stay word characters), except for _ODD: where the
    original pattern matches, the lower-case one matches too. Only where it does is the original
    asked, so callers get the very match they got before."""

    __slots__ = ("compiled", "pattern", "_lower")

    def __init__(self, compiled: re.Pattern[str]) -> None:
        bare = _ESCAPE.sub("", compiled.pattern)
        if not compiled.flags & re.IGNORECASE or bare != bare.lower():
            raise ValueError(f"not a case-insensitive pattern in lower case: {compiled.pattern[:60]}")
        self.compiled = compiled
        self.pattern = compiled.pattern
        self._lower = re.compile(compiled.pattern, compiled.flags & ~re.IGNORECASE)

    def found(self, string: str) -> bool:
        """Whether the pattern matches somewhere: the lower-case pattern's answer is the original's
        (the converse holds too: what it lower-cases to matches case-insensitively)."""
        if _ODD.search(string) is not None:
            return self.compiled.search(string) is not None
        return self._lower.search(string.lower()) is not None

    def _may_match(self, how: str, string: str, pos: int, endpos: int) -> bool:
        return _ODD.search(string) is not None or getattr(self._lower, how)(string.lower(), pos, endpos) is not None

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.search(string, pos, endpos) if self._may_match("search", string, pos, endpos) else None

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.match(string, pos, endpos) if self._may_match("match", string, pos, endpos) else None

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.fullmatch(string, pos, endpos) \
            if self._may_match("fullmatch", string, pos, endpos) else None
