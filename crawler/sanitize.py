"""Untrusted text made inert before it is stored.

Titles and texts come from sites and feeds anyone can write. Control characters (ESC starts a
terminal escape sequence, BEL rings) would reach the analyst's terminal through `search` and
`query`; bidirectional overrides and zero-width characters make a subject or a member name read
differently from what it is. Both are removed at ingest, so every later reader (terminal, email,
export, Datasette) gets text that shows what it says.
"""

from __future__ import annotations

import re

# C0 controls except tab, newline and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides, isolates and marks; zero-width space, joiners, word joiner, BOM.
_INVISIBLE = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]")


# Both at once: one pass over a text instead of two (removing a character never makes another).
_UNWANTED = re.compile(f"{_CONTROL.pattern}|{_INVISIBLE.pattern}")


def clean_text(text: str) -> str:
    """A body: control and invisible formatting characters removed, line structure kept."""
    return _UNWANTED.sub("", text)


def clean_line(text: str) -> str:
    """A title, author, tag: one line, without control or invisible formatting characters."""
    return " ".join(clean_text(text).split())


def cut(text: str, limit: int) -> tuple[str, bool]:
    """The text cut to ``limit`` characters (0: no limit), and whether it was cut."""
    if limit and len(text) > limit:
        return text[:limit], True
    return text, False
