"""The event record the detector emits."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Kind = Literal["member_ordinal", "member_count", "new_member"]


@dataclass(frozen=True, slots=True)
class Event:
    kind: Kind
    programme: str | None
    number: int | None
    member: str | None
    place: str | None
    evidence: str
    rule: str
    qualifier: str | None = None

    def key(self) -> tuple[str, str | None, int | None]:
        """Identity of the milestone: the same kind/programme/number is one event."""
        return (self.kind, self.programme, self.number)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
