"""What a spider hands to the pipeline: one announcement as seen at one address."""

from __future__ import annotations

from dataclasses import dataclass, field

# How complete a text is; a less complete text never replaces a more complete one.
TEXT_KINDS = ("title", "summary", "full")


@dataclass
class AnnouncementItem:
    url: str
    source: str
    title: str | None = None
    body: str = ""
    text_kind: str = "full"
    published: str | None = None  # ISO 8601, or None with published_reason
    published_evidence: str | None = None
    published_reason: str | None = None
    author: str | None = None
    descriptor: str | None = None  # GSB topline: "Pressemitteilung", "Meldung"
    tags: list[str] = field(default_factory=list)
    # The page's declared language found by extraction ("de", "en"; None: not declared); stored
    # with the announcement and handed to detection, which then need not guess it.
    language: str | None = None
