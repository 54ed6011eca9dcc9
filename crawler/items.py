"""What a spider hands to the pipeline: one announcement as seen at one address."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

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
    summary: str | None = None
    descriptor: str | None = None  # GSB topline: "Pressemitteilung", "Meldung"
    tags: list[str] = field(default_factory=list)
    fetched_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
