"""The event record the detector emits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["member_ordinal", "member_count", "new_member"]


@dataclass(frozen=True, slots=True)
class Event:
    kind: Kind
    programme: str | None  # normalised for matching (legal form, case, quotes dropped); None: not said
    number: int | None
    member: str | None
    place: str | None
    evidence: str
    rule: str  # the frame that found it
    qualifier: str | None = None
    programme_name: str | None = None  # as the text writes it, for display
    # How the event was found: frame, trigger, which words filled which role, and how whose
    # membership it is was decided (or why it could not be).
    why: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
